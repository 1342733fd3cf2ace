/*
 * E-mail over SMTP through libcurl (STARTTLS by default on smtp://,
 * implicit TLS on smtps://, AUTH when a user is set), driven by the same
 * curl multi handle as every HTTP request.  The message is built here,
 * RFC 5322 headers and MIME parts, so that what is sent can be tested
 * byte for byte: text/plain in base64, attachments as multipart/mixed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "notify/notify_int.h"

/* Exports are a few MB at most; a bigger file is a mistake. */
#define MAIL_MAX_ATTACHMENT	(20 * 1024 * 1024)

static int
has_crlf(const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\r' || *s == '\n')
			return 1;
	}
	return 0;
}

/* RFC 5322 date in UTC, locale-proof. */
static void
mail_date(int64_t us, char *buf, size_t len)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const mons[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t		t = (time_t)(us / 1000000);
	struct tm	tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday], tm.tm_mday, mons[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int
ascii_only(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return 0;
	}
	return 1;
}

/* Subject: as is when ASCII, else RFC 2047 encoded words, folded. */
static void
mail_subject(struct strbuf *b, const char *subject)
{
	char	*clean, *w;
	size_t	 i, n, len;

	clean = xstrdup(subject);
	for (i = 0; clean[i] != '\0'; i++) {
		if ((unsigned char)clean[i] < 0x20 || clean[i] == 0x7f)
			clean[i] = ' ';
	}
	strbuf_puts(b, "Subject: ");
	if (ascii_only(clean)) {
		strbuf_printf(b, "%s\r\n", clean);
		free(clean);
		return;
	}
	len = strlen(clean);
	for (i = 0; i < len; i += n) {
		n = len - i < 39 ? len - i : 39;
		while (i + n < len && ((unsigned char)clean[i + n] & 0xc0) ==
		    0x80)
			n--;
		w = notify_base64(clean + i, n, 0);
		strbuf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", w);
		free(w);
	}
	strbuf_puts(b, "\r\n");
	free(clean);
}

/* A file name safe inside a quoted MIME parameter. */
static char *
mail_filename(const char *name)
{
	char	*s = xstrdup(name != NULL && *name != '\0' ? name : "file");
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f ||
		    s[i] == '"' || s[i] == '\\' || s[i] == '/')
			s[i] = '_';
	}
	return s;
}

int
notify_mail_build(const struct notify_mail *m, struct strbuf *b,
    struct err *err)
{
	unsigned char	 rnd[12];
	char		 date[64], boundary[48], hex[25], *enc, *fn;
	size_t		 i;
	int		 multi = m->natt > 0;

	if (m->from == NULL || has_crlf(m->from) || m->to == NULL ||
	    m->to[0] == NULL) {
		err_set(err, "bad-value", "e-mail needs a From and a To "
		    "address on one line");
		return -1;
	}
	for (i = 0; m->to[i] != NULL; i++) {
		if (has_crlf(m->to[i])) {
			err_set(err, "bad-value", "e-mail To address %zu has "
			    "a line break", i + 1);
			return -1;
		}
	}
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	snprintf(boundary, sizeof boundary, "=_phalanx_%s", hex);
	mail_date(m->date_us, date, sizeof date);

	strbuf_printf(b, "Date: %s\r\nFrom: %s\r\nTo: ", date, m->from);
	for (i = 0; m->to[i] != NULL; i++)
		strbuf_printf(b, "%s%s", i ? ",\r\n " : "", m->to[i]);
	strbuf_puts(b, "\r\n");
	mail_subject(b, m->subject != NULL ? m->subject : "");
	if (m->message_id != NULL && !has_crlf(m->message_id))
		strbuf_printf(b, "Message-ID: <%s>\r\n", m->message_id);
	if (m->alert_id > 0)
		strbuf_printf(b, "X-Phalanx-Alert: %lld\r\n",
		    (long long)m->alert_id);
	strbuf_puts(b, "MIME-Version: 1.0\r\n");
	if (multi)
		strbuf_printf(b, "Content-Type: multipart/mixed; "
		    "boundary=\"%s\"\r\n\r\nThis is a MIME message.\r\n"
		    "\r\n--%s\r\n", boundary, boundary);
	strbuf_puts(b, "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	enc = notify_base64(m->text != NULL ? m->text : "",
	    m->text != NULL ? strlen(m->text) : 0, 1);
	strbuf_puts(b, enc);
	free(enc);
	for (i = 0; i < m->natt; i++) {
		fn = mail_filename(m->att[i].name);
		strbuf_printf(b, "\r\n--%s\r\nContent-Type: %s; name=\"%s\"\r\n"
		    "Content-Disposition: attachment; filename=\"%s\"\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n", boundary,
		    m->att[i].type != NULL && !has_crlf(m->att[i].type) ?
		    m->att[i].type : "application/octet-stream", fn, fn);
		free(fn);
		enc = notify_base64(m->att[i].data, m->att[i].len, 1);
		strbuf_puts(b, enc);
		free(enc);
	}
	if (multi)
		strbuf_printf(b, "\r\n--%s--\r\n", boundary);
	return 0;
}

struct mail_extra {
	struct strbuf		 msg;
	size_t			 off;
	struct curl_slist	*rcpt;
	char			**to;
	char			**files;
	size_t			 nfiles;
};

static void
mail_extra_free(void *p)
{
	struct mail_extra	*x = p;
	size_t			 i;

	strbuf_free(&x->msg);
	curl_slist_free_all(x->rcpt);
	for (i = 0; x->to != NULL && x->to[i] != NULL; i++)
		free(x->to[i]);
	free(x->to);
	for (i = 0; i < x->nfiles; i++)
		free(x->files[i]);
	free(x->files);
	free(x);
}

static size_t
mail_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct mail_extra	*x = arg;
	size_t			 n = size * nitems;

	if (n > x->msg.len - x->off)
		n = x->msg.len - x->off;
	memcpy(buf, x->msg.s + x->off, n);
	x->off += n;
	return n;
}

static void
mail_done(const struct http_response *resp, void *arg)
{
	struct notify_call	*c = arg;
	struct notify_result	 r;

	memset(&r, 0, sizeof r);
	r.status = resp->status;
	r.elapsed_us = resp->elapsed_us;
	if (resp->curl_code == CURLE_OK) {
		r.outcome = NOTIFY_SENT;
		notify_call_done(c, &r);
		return;
	}
	snprintf(r.error, sizeof r.error, "smtp: %s%s", resp->timed_out ?
	    "no answer in time: " : "", resp->error != NULL ? resp->error :
	    "failed");
	switch (resp->curl_code) {
	case CURLE_LOGIN_DENIED:
		snprintf(r.error, sizeof r.error, "smtp: login refused for "
		    "user %s", notify_config_str(c->ch, "user") != NULL ?
		    notify_config_str(c->ch, "user") : "(none)");
		r.outcome = NOTIFY_FAILED;
		break;
	case CURLE_USE_SSL_FAILED:
		snprintf(r.error, sizeof r.error, "smtp: the server offers no "
		    "STARTTLS (add \"tls none\" to the channel to send in "
		    "clear)");
		r.outcome = NOTIFY_FAILED;
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		r.outcome = NOTIFY_FAILED;
		break;
	default:
		/* 5xx is a permanent SMTP refusal; 4xx and silence retry. */
		r.outcome = resp->status >= 500 && resp->status < 600 ?
		    NOTIFY_FAILED : NOTIFY_RETRY;
	}
	notify_call_done(c, &r);
}

static int
slurp(const char *path, char **data, size_t *len, struct err *err)
{
	FILE	*f;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL) {
		err_set(err, "attachment", "attachment %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    n > MAIL_MAX_ATTACHMENT || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		err_set(err, "attachment", "attachment %s: unreadable or "
		    "larger than %d MB", path, MAIL_MAX_ATTACHMENT >> 20);
		return -1;
	}
	*data = xmalloc((size_t)n + 1);
	*len = fread(*data, 1, (size_t)n, f);
	fclose(f);
	return 0;
}

/* The notification's attachments, read now; -1 and err if one fails. */
static int
mail_attachments(struct mail_extra *x, json_t *arr,
    struct notify_attachment **out, size_t *nout, struct err *err)
{
	struct notify_attachment	*a;
	json_t				*e;
	size_t				 i, n = json_array_size(arr);
	const char			*path;

	a = xcalloc(n + 1, sizeof *a);
	x->files = xcalloc(n + 1, sizeof *x->files);
	json_array_foreach(arr, i, e) {
		path = json_string_value(json_object_get(e, "path"));
		if (path == NULL) {
			err_set(err, "attachment", "attachment %zu has no "
			    "path", i + 1);
			free(a);
			return -1;
		}
		if (slurp(path, &x->files[x->nfiles], &a[i].len, err) != 0) {
			free(a);
			return -1;
		}
		a[i].data = x->files[x->nfiles++];
		a[i].name = json_string_value(json_object_get(e, "name"));
		if (a[i].name == NULL)
			a[i].name = strrchr(path, '/') != NULL ?
			    strrchr(path, '/') + 1 : path;
		a[i].type = json_string_value(json_object_get(e, "type"));
	}
	*out = a;
	*nout = n;
	return 0;
}

static int
mail_compose(struct notify_call *c, struct mail_extra *x, struct err *err)
{
	struct notify_mail		 m;
	struct notify_attachment	*att = NULL;
	json_t				*to = json_object_get(c->ch->config,
					    "to"), *e;
	const char			*from = notify_config_str(c->ch,
					    "from");
	const char			*at;
	char				*text, *subject, *msgid, *fromenv;
	unsigned char			 rnd[8];
	char				 hex[17];
	size_t				 i;
	int				 rc;

	memset(&m, 0, sizeof m);
	x->to = xcalloc(json_array_size(to) + 1, sizeof *x->to);
	json_array_foreach(to, i, e) {
		x->to[i] = xstrdup(json_string_value(e) != NULL ?
		    json_string_value(e) : "");
		fromenv = xasprintf("<%s>", x->to[i]);
		x->rcpt = curl_slist_append(x->rcpt, fromenv);
		free(fromenv);
	}
	if (mail_attachments(x, c->msg->attachments, &att, &m.natt, err) != 0)
		return -1;
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	at = from != NULL ? strrchr(from, '@') : NULL;
	msgid = xasprintf("phalanx.%lld.%s@%s", (long long)c->msg->id, hex,
	    at != NULL && at[1] != '\0' ? at + 1 : "localhost");
	text = notify_text_plain(c->msg);
	subject = xasprintf("[%s] %s", c->msg->severity, c->msg->title);
	m.from = from;
	m.to = (const char *const *)x->to;
	m.subject = subject;
	m.text = text;
	m.att = att;
	m.date_us = time_wall_us();
	m.message_id = msgid;
	m.alert_id = c->msg->id;
	strbuf_init(&x->msg);
	rc = notify_mail_build(&m, &x->msg, err);
	free(att);
	free(text);
	free(subject);
	free(msgid);
	return rc;
}

void
notify_email_send(struct http_client *hc, struct notify_call *c,
    int timeout_ms)
{
	struct mail_extra	*x;
	struct notify_result	 r;
	struct err		 err;
	const char		*tls = notify_config_str(c->ch, "tls");
	const char		*user = notify_config_str(c->ch, "user");
	const char		*ca = notify_config_str(c->ch, "ca_file");
	char			*from;
	CURL			*e;

	x = xcalloc(1, sizeof *x);
	c->extra = x;
	c->extra_free = mail_extra_free;
	err_clear(&err);
	if (mail_compose(c, x, &err) != 0) {
		memset(&r, 0, sizeof r);
		r.outcome = NOTIFY_FAILED;
		snprintf(r.error, sizeof r.error, "%.250s", err.msg);
		notify_call_done(c, &r);
		return;
	}
	if ((e = curl_easy_init()) == NULL)
		fatal("curl_easy_init failed");
	curl_easy_setopt(e, CURLOPT_URL, c->ch->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/*
	 * A fresh connection per mail: a cached one may have been opened
	 * by another channel with other TLS demands or credentials.
	 */
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	from = xasprintf("<%s>", notify_config_str(c->ch, "from"));
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
	free(from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, x->rcpt);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, mail_read);
	curl_easy_setopt(e, CURLOPT_READDATA, x);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->msg.len);
	if (strncmp(c->ch->url, "smtp://", 7) == 0 &&
	    (tls == NULL || strcmp(tls, "none") != 0))
		curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (ca != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, ca);
	if (user != NULL) {
		curl_easy_setopt(e, CURLOPT_USERNAME, user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, c->ch->secret != NULL ?
		    c->ch->secret : "");
	}
	http_request_easy(hc, e, timeout_ms, mail_done, c);
}
