/*
 * What a notification says on each medium: plain text, Telegram HTML, an
 * SMS cut to its segment limit, and the webhook signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "notify/notify_int.h"

const char *const notify_severities[] = { "info", "warning", "critical",
	NULL };
const char *const notify_sources[] = { "rms", "workflow", "report",
	"operator", NULL };
const char *const notify_kinds[] = { "telegram", "sms", "email", "webhook",
	NULL };

const char *
notify_config_str(const struct notify_channel *ch, const char *key)
{
	json_t	*v = json_object_get(ch->config, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void
upper(struct strbuf *b, const char *s)
{
	for (; *s != '\0'; s++)
		strbuf_putc(b, (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s);
}

/* "rms · acct:a1 · INC-7 · alert 12" */
static void
footer(struct strbuf *b, const struct notify_message *m)
{
	strbuf_puts(b, m->source);
	if (m->scope != NULL && *m->scope != '\0')
		strbuf_printf(b, " \xc2\xb7 %s", m->scope);
	if (m->ref != NULL && *m->ref != '\0')
		strbuf_printf(b, " \xc2\xb7 %s", m->ref);
	strbuf_printf(b, " \xc2\xb7 alert %lld", (long long)m->id);
}

char *
notify_text_plain(const struct notify_message *m)
{
	struct strbuf	b;

	strbuf_init(&b);
	strbuf_putc(&b, '[');
	upper(&b, m->severity);
	strbuf_printf(&b, "] %s\n", m->title);
	if (m->body != NULL && *m->body != '\0')
		strbuf_printf(&b, "%s\n", m->body);
	footer(&b, m);
	return strbuf_steal(&b);
}

static void
html_escape(struct strbuf *b, const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n && s[i] != '\0'; i++) {
		switch (s[i]) {
		case '<':
			strbuf_puts(b, "&lt;");
			break;
		case '>':
			strbuf_puts(b, "&gt;");
			break;
		case '&':
			strbuf_puts(b, "&amp;");
			break;
		default:
			strbuf_putc(b, s[i]);
		}
	}
}

/* Length of the longest prefix of s, at most max bytes, ending on a
 * UTF-8 character boundary. */
static size_t
utf8_cut(const char *s, size_t max)
{
	size_t	n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/*
 * Telegram counts characters after entity parsing; bytes are a safe upper
 * bound, so the body is cut by bytes, leaving room for the markup.
 */
char *
notify_text_telegram(const struct notify_message *m)
{
	struct strbuf	b, foot;
	size_t		room, n;

	strbuf_init(&b);
	strbuf_init(&foot);
	footer(&foot, m);
	strbuf_puts(&b, "<b>");
	upper(&b, m->severity);
	strbuf_puts(&b, "</b> ");
	html_escape(&b, m->title, utf8_cut(m->title, 512));
	strbuf_putc(&b, '\n');
	if (m->body != NULL && *m->body != '\0') {
		room = NOTIFY_TELEGRAM_MAX - 700;
		n = utf8_cut(m->body, room / 5);
		html_escape(&b, m->body, n);
		if (n < strlen(m->body))
			strbuf_puts(&b, "\xe2\x80\xa6");
		strbuf_putc(&b, '\n');
	}
	strbuf_puts(&b, "<i>");
	html_escape(&b, foot.s, foot.len);
	strbuf_puts(&b, "</i>");
	strbuf_free(&foot);
	return strbuf_steal(&b);
}

/* GSM 03.38 extension characters take two septets. */
static int
gsm_ext(unsigned char c)
{
	return c != '\0' && strchr("^{}\\[~]|", c) != NULL;
}

/*
 * Printable ASCII but '`' is in GSM-7 (a few via the extension table);
 * anything else makes the message UCS-2.  Non-ASCII letters that GSM-7
 * does have (é, £) are counted as UCS-2: a shorter, safe limit.
 */
size_t
notify_sms_units(const char *s, int *ucs2)
{
	const unsigned char	*p;
	size_t			 gsm = 0, u16 = 0;

	*ucs2 = 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p >= 0x80 || *p == '`' || (*p < 0x20 && *p != '\n'))
			*ucs2 = 1;
		gsm += gsm_ext(*p) ? 2 : 1;
		if ((*p & 0xc0) != 0x80)
			u16 += (*p >= 0xf0) ? 2 : 1;	/* astral: a pair */
	}
	return *ucs2 ? u16 : gsm;
}

static size_t
sms_limit(int ucs2, int segments)
{
	if (segments <= 1)
		return ucs2 ? 70 : 160;
	return (size_t)segments * (ucs2 ? 67 : 153);
}

/* Control bytes (newlines too) become spaces: an SMS is one line. */
static void
one_line(struct strbuf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		strbuf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' :
		    *s);
}

char *
notify_text_sms(const struct notify_message *m, int segments)
{
	struct strbuf	 head, tail, out;
	size_t		 limit, n;
	int		 ucs2, u2;
	char		*r;

	strbuf_init(&head);
	strbuf_init(&tail);
	upper(&head, strcmp(m->severity, "critical") == 0 ? "crit" :
	    strcmp(m->severity, "warning") == 0 ? "warn" : "info");
	strbuf_puts(&head, ": ");
	one_line(&head, m->title);
	if (m->body != NULL && *m->body != '\0') {
		strbuf_puts(&head, " - ");
		one_line(&head, m->body);
	}
	strbuf_puts(&tail, " [");
	if (m->ref != NULL && *m->ref != '\0')
		one_line(&tail, m->ref);
	else
		strbuf_printf(&tail, "alert %lld", (long long)m->id);
	strbuf_putc(&tail, ']');

	strbuf_init(&out);
	strbuf_printf(&out, "%s%s", head.s, tail.s);
	notify_sms_units(out.s, &ucs2);
	limit = sms_limit(ucs2, segments);
	if (notify_sms_units(out.s, &u2) > limit) {
		/* Keep the reference: cut the head to what is left. */
		if (notify_sms_units(tail.s, &u2) + 3 > limit / 2)
			tail.s[utf8_cut(tail.s, limit / 2 - 1)] = '\0';
		n = head.len < limit ? head.len : limit;
		for (;;) {
			n = utf8_cut(head.s, n);
			strbuf_reset(&out);
			strbuf_add(&out, head.s, n);
			strbuf_printf(&out, "...%s", tail.s);
			if (notify_sms_units(out.s, &u2) <= limit || n == 0)
				break;
			n--;
		}
	}
	strbuf_free(&head);
	strbuf_free(&tail);
	r = strbuf_steal(&out);
	return r;
}

void
notify_signature(const char *secret, const char *body, size_t len,
    char out[72])
{
	crypto_auth_hmacsha256_state	st;
	unsigned char			mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
	    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 65, mac, sizeof mac);
	sodium_memzero(&st, sizeof st);
}

char *
notify_base64(const void *data, size_t len, int wrap76)
{
	size_t		 n = sodium_base64_encoded_len(len,
			    sodium_base64_VARIANT_ORIGINAL);
	char		*raw = xmalloc(n), *out;
	struct strbuf	 b;
	size_t		 i, rl;

	sodium_bin2base64(raw, n, data, len, sodium_base64_VARIANT_ORIGINAL);
	if (!wrap76)
		return raw;
	strbuf_init(&b);
	rl = strlen(raw);
	for (i = 0; i < rl; i += 76) {
		strbuf_add(&b, raw + i, rl - i < 76 ? rl - i : 76);
		strbuf_puts(&b, "\r\n");
	}
	free(raw);
	out = strbuf_steal(&b);
	return out != NULL ? out : xstrdup("");
}

void
notify_json_escape(struct strbuf *b, const char *s)
{
	json_t	*j = json_string(s != NULL ? s : "");
	char	*d;

	if (j == NULL) {	/* not UTF-8 */
		strbuf_puts(b, "?");
		return;
	}
	d = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	/* Without the surrounding quotes: a template supplies them. */
	strbuf_add(b, d + 1, strlen(d) - 2);
	free(d);
	json_decref(j);
}
