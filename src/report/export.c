/*
 * One export from request to destination, as a chain of callbacks on the
 * loop: parties (brokers, client codes) -> COPY into a spool -> the CSV
 * or PDF written under a temporary name and renamed into place ->
 * delivery by e-mail or HTTP when asked -> the exports row.  A failure
 * at any step ends the chain with a message naming the step; a
 * half-written file never appears under its final name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/store_export.h"
#include "notify/notify.h"
#include "report/report.h"

struct export_job {
	struct store		*st;
	struct config		*cfg;
	char			*home;
	struct store_actor	 actor;
	char			*os_user;
	char			*front;
	char			*kind, *format, *from, *to, *tkind, *tnames;
	char			*path, *email, *url;
	struct report_outcome	 out;
	char			*spool;
	char			*file;
	char			*dest;
	struct report_spool	 sp;
	struct err		 err;
	report_done_cb		 cb;
	void			*arg;
	/* delivery */
	struct http_client	*hc;
	struct notify_channel	 ch;
	struct notify_message	 msg;
	char			*body;
	json_t			*att;
	char			*post;
	size_t			 post_len;
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
job_free(struct export_job *j)
{
	if (j->spool != NULL)
		unlink(j->spool);
	free(j->spool);
	free(j->file);
	free(j->dest);
	free(j->home);
	free(j->os_user);
	free(j->front);
	free(j->kind);
	free(j->format);
	free(j->from);
	free(j->to);
	free(j->tkind);
	free(j->tnames);
	free(j->path);
	free(j->email);
	free(j->url);
	free(j->body);
	free(j->post);
	json_decref(j->att);
	if (j->ch.name != NULL)
		notify_channel_clear(&j->ch);
	if (j->hc != NULL)
		http_client_free(j->hc);
	report_meta_clear(&j->out.meta);
	free(j);
}

static void
job_end(struct export_job *j, const struct err *err)
{
	j->out.destination = j->dest;
	j->out.file = j->file;
	j->cb(&j->out, err, j->arg);
	job_free(j);
}

static void
job_failf(struct export_job *j, const char *code, const char *fmt, ...)
    PX_PRINTF(3, 4);

static void
job_failf(struct export_job *j, const char *code, const char *fmt, ...)
{
	va_list	ap;

	snprintf(j->err.code, sizeof j->err.code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(j->err.msg, sizeof j->err.msg, fmt, ap);
	va_end(ap);
	job_end(j, &j->err);
}

static void
recorded(json_t *rows, const struct err *err, void *arg)
{
	struct export_job	*j = arg;

	if (err != NULL) {
		job_failf(j, err->code, "the report was delivered to %s but "
		    "could not be recorded: %s", j->dest, err->msg);
		return;
	}
	job_end(j, NULL);
}

static void
record(struct export_job *j)
{
	struct store_export_rec	r;
	char			rows[24];

	snprintf(rows, sizeof rows, "%lld", (long long)j->out.meta.rows);
	r.id = j->out.meta.id;
	r.kind = j->kind;
	r.format = j->format;
	r.from = j->from;
	r.to = j->to;
	r.target = j->out.meta.target;
	r.rows = rows;
	r.sha256 = j->out.meta.sha256;
	r.seal = j->out.meta.seal;
	r.destination = j->dest;
	store_export_record(j->st, &r, &j->actor, recorded, j);
}

static void
posted(const struct http_response *resp, void *arg)
{
	struct export_job	*j = arg;

	j->out.status = resp->status;
	if (resp->status < 200 || resp->status > 299) {
		job_failf(j, "delivery-failed", "POST %s failed: %s%s%ld; the "
		    "report is kept at %s", j->url, resp->error != NULL ?
		    resp->error : "", resp->error != NULL ? ", status " :
		    "status ", resp->status, j->file);
		return;
	}
	record(j);
}

static void
deliver_http(struct export_job *j)
{
	const char	*hdr[6];
	char		*h1, *h2, *h3, *h4, *h5, *name;
	FILE		*f;
	long		 n;

	if ((f = fopen(j->file, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		if (f != NULL)
			fclose(f);
		job_failf(j, "export-read", "cannot read %s back: %s", j->file,
		    strerror(errno));
		return;
	}
	j->post = xmalloc((size_t)n + 1);
	j->post_len = fread(j->post, 1, (size_t)n, f);
	fclose(f);
	name = strrchr(j->file, '/') != NULL ? strrchr(j->file, '/') + 1 :
	    j->file;
	h1 = xasprintf("Content-Type: %s", strcmp(j->format, "pdf") == 0 ?
	    "application/pdf" : "text/csv; charset=utf-8; header=present");
	h2 = xasprintf("Content-Disposition: attachment; filename=\"%s\"",
	    name);
	h3 = xasprintf("X-Phalanx-Report-Id: %s", j->out.meta.id);
	h4 = xasprintf("X-Phalanx-Sha256: %s", j->out.meta.sha256);
	h5 = xasprintf("X-Phalanx-Report-Sha256: %s", j->out.meta.seal);
	hdr[0] = h1;
	hdr[1] = h2;
	hdr[2] = h3;
	hdr[3] = h4;
	hdr[4] = h5;
	hdr[5] = NULL;
	j->hc = http_client_new(loop_base());
	http_request(j->hc, "POST", j->url, hdr, j->post, j->post_len,
	    (int)config_int(j->cfg, "report.http_timeout_ms"), posted, j);
	free(h1);
	free(h2);
	free(h3);
	free(h4);
	free(h5);
}

static void
mailed(const struct notify_result *r, void *arg)
{
	struct export_job	*j = arg;

	j->out.status = r->status;
	if (r->outcome != NOTIFY_SENT) {
		job_failf(j, "delivery-failed", "e-mail to %s through channel "
		    "%s failed: %s; the report is kept at %s", j->email,
		    j->ch.name, r->error, j->file);
		return;
	}
	record(j);
}

static void
channel_got(json_t *rows, const struct err *err, void *arg)
{
	struct export_job	*j = arg;
	json_t			*cfg;
	struct strbuf		 b;
	struct err		 e;
	const char		*name;

	if (err != NULL) {
		job_end(j, err);
		return;
	}
	if (json_array_size(rows) == 0) {
		job_failf(j, "unknown-channel", "no e-mail channel \"%s\" "
		    "(report.email_channel)", config_str(j->cfg,
		    "report.email_channel"));
		return;
	}
	err_clear(&e);
	if (notify_channel_load(json_array_get(rows, 0), j->home, &j->ch,
	    &e) != 0) {
		job_end(j, &e);
		return;
	}
	if (strcmp(j->ch.kind, "email") != 0) {
		job_failf(j, "unknown-channel", "channel %s is a %s channel, not e-mail "
		    "(report.email_channel)", j->ch.name, j->ch.kind);
		return;
	}
	/* The channel's server and sender; the report's own recipient. */
	cfg = json_deep_copy(j->ch.config);
	json_decref(j->ch.config);
	j->ch.config = cfg;
	json_object_set_new(cfg, "to", json_pack("[s]", j->email));
	name = strrchr(j->file, '/') + 1;
	j->att = json_pack("[{s:s,s:s,s:s}]", "name", name, "type",
	    strcmp(j->format, "pdf") == 0 ? "application/pdf" :
	    "text/csv", "path", j->file);
	strbuf_init(&b);
	report_header_csv(&b, &j->out.meta);
	j->body = strbuf_steal(&b);
	j->msg.ts_us = time_wall_us();
	j->msg.severity = "info";
	j->msg.source = "report";
	j->msg.title = j->out.meta.id;
	j->msg.body = j->body;
	j->msg.ref = j->out.meta.id;
	j->msg.attachments = j->att;
	j->hc = http_client_new(loop_base());
	notify_send(j->hc, &j->ch, &j->msg, (int)config_int(j->cfg,
	    "notify.timeout_ms"), mailed, j);
}

/* report.email_channel, or the only e-mail channel there is. */
static void
channels_listed(json_t *rows, const struct err *err, void *arg)
{
	struct export_job	*j = arg;
	json_t			*row;
	const char		*only = NULL;
	size_t			 i, n = 0;

	if (err != NULL) {
		job_end(j, err);
		return;
	}
	json_array_foreach(rows, i, row) {
		if (strcmp(json_string_value(json_object_get(row, "kind")),
		    "email") == 0) {
			only = json_string_value(json_object_get(row, "name"));
			n++;
		}
	}
	if (n != 1) {
		job_failf(j, "unknown-channel", "%s e-mail channels: set "
		    "report.email_channel to the one that sends reports",
		    n == 0 ? "there are no" : "there are several");
		return;
	}
	store_channel_get(j->st, only, channel_got, j);
}

static void
deliver(struct export_job *j)
{
	const char	*chan = config_str(j->cfg, "report.email_channel");

	if (j->email != NULL) {
		free(j->dest);
		j->dest = xasprintf("mailto:%s", j->email);
		if (chan != NULL && *chan != '\0')
			store_channel_get(j->st, chan, channel_got, j);
		else
			store_channel_list(j->st, channels_listed, j);
	} else if (j->url != NULL) {
		free(j->dest);
		j->dest = xstrdup(j->url);
		deliver_http(j);
	} else
		record(j);
}

static char *
default_name(const struct export_job *j)
{
	return xasprintf("phalanx-%s-%s-%s-%s.%s", j->kind, j->from, j->to,
	    j->out.meta.id, j->format);
}

/* The spool is complete: write the report file and put it in place. */
static void
copied(const struct err *err, void *arg)
{
	struct export_job	*j = arg;
	struct stat		 st;
	struct err		 e;
	char			*name, *tmp;
	int			 rc;

	err_clear(&e);
	if (err != NULL) {
		job_failf(j, err->code, "reading the %s report failed: %s",
		    j->kind, err->msg);
		return;
	}
	if (report_spool_close(&j->sp, j->out.meta.sha256, &j->out.meta.rows,
	    &e) != 0) {
		job_end(j, &e);
		return;
	}
	report_seal(&j->out.meta);
	name = default_name(j);
	if (j->path != NULL)
		j->file = report_dest_path(j->path, name);
	else if (j->email != NULL || j->url != NULL)
		j->file = xasprintf("%s/exports/%s", j->home, name);
	else
		j->file = xasprintf("%s/%s", config_str(j->cfg, "report.dir"),
		    name);
	free(name);
	tmp = report_tmp_beside(j->file);
	rc = strcmp(j->format, "pdf") == 0 ?
	    report_pdf_write(j->spool, &j->out.meta, tmp, &e) :
	    report_csv_write(j->spool, &j->out.meta, tmp, &e);
	if (rc == 0)
		rc = report_commit(tmp, j->file, &e);
	else
		unlink(tmp);
	free(tmp);
	if (rc != 0) {
		job_end(j, &e);
		return;
	}
	if (stat(j->file, &st) == 0)
		j->out.bytes = (int64_t)st.st_size;
	j->dest = xstrdup(j->file);
	deliver(j);
}

static int
spool_data(const char *buf, size_t len, void *arg)
{
	struct export_job	*j = arg;

	return report_spool_feed(&j->sp, buf, len);
}

static char *
row_text(json_t *row, const char *key)
{
	json_t	*v = json_object_get(row, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

/* Firm, broker and algo codes for the header; then the COPY. */
static void
parties_got(json_t *rows, const struct err *err, void *arg)
{
	struct export_job		*j = arg;
	struct report_meta		*m = &j->out.meta;
	struct store_export_scope	 sc;
	json_t				*row = json_array_get(rows, 0);
	struct strbuf			 b;
	const char			*ids[3];
	char				*missing, *spool_dir;
	struct err			 e;
	size_t				 i;

	if (err != NULL) {
		job_end(j, err);
		return;
	}
	if ((missing = row_text(row, "missing")) != NULL) {
		job_failf(j, "unknown-account", "unknown account %s", missing);
		free(missing);
		return;
	}
	m->brokers = row_text(row, "brokers");
	m->client_codes = row_text(row, "client_codes");
	m->firm = xstrdup(config_str(j->cfg, "firm.name"));
	m->member_code = xstrdup(config_str(j->cfg, "report.member_code"));
	ids[0] = config_str(j->cfg, "firm.algo_id");
	ids[1] = config_str(j->cfg, "broker.algo_id");
	ids[2] = config_str(j->cfg, "report.algo_ids");
	strbuf_init(&b);
	for (i = 0; i < nitems(ids); i++) {
		if (ids[i] == NULL || *ids[i] == '\0' ||
		    (b.len > 0 && strstr(b.s, ids[i]) != NULL))
			continue;
		strbuf_printf(&b, "%s%s", b.len > 0 ? "," : "", ids[i]);
	}
	m->algo_ids = b.len > 0 ? strbuf_steal(&b) : (strbuf_free(&b), NULL);
	spool_dir = xasprintf("%s/exports", j->home);
	if (path_mkdirs(spool_dir, 0700) != 0) {
		job_failf(j, "export-write", "cannot create %s: %s", spool_dir,
		    strerror(errno));
		free(spool_dir);
		return;
	}
	j->spool = xasprintf("%s/.spool-%s.csv", spool_dir, m->id);
	free(spool_dir);
	err_clear(&e);
	if (report_spool_open(&j->sp, j->spool, &e) != 0) {
		free(j->spool);
		j->spool = NULL;
		job_end(j, &e);
		return;
	}
	sc.kind = j->kind;
	sc.from = j->from;
	sc.to = j->to;
	sc.tkind = j->tkind;
	sc.tnames = j->tnames;
	store_export_copy(j->st, &sc, spool_data, copied, j);
}

void
report_export(struct store *st, struct config *cfg, const char *home,
    const struct store_actor *a, const struct report_request *rq,
    report_done_cb cb, void *arg)
{
	struct export_job	*j = xcalloc(1, sizeof *j);

	j->st = st;
	j->cfg = cfg;
	j->home = xstrdup(home);
	j->os_user = xstrdup(a->os_user);
	j->front = xstrdup(a->front);
	j->actor.os_user = j->os_user;
	j->actor.front = j->front;
	j->kind = xstrdup(rq->kind);
	j->format = xstrdup(rq->format);
	j->from = xstrdup(rq->from);
	j->to = xstrdup(rq->to);
	j->tkind = xstrdup(rq->tkind);
	j->tnames = xstrdup(rq->tnames);
	j->path = dup_or_null(rq->path);
	j->email = dup_or_null(rq->email);
	j->url = dup_or_null(rq->url);
	j->cb = cb;
	j->arg = arg;
	err_clear(&j->err);
	snprintf(j->out.meta.kind, sizeof j->out.meta.kind, "%s", rq->kind);
	snprintf(j->out.meta.format, sizeof j->out.meta.format, "%s",
	    rq->format);
	snprintf(j->out.meta.from, sizeof j->out.meta.from, "%s", rq->from);
	snprintf(j->out.meta.to, sizeof j->out.meta.to, "%s", rq->to);
	j->out.meta.target = xstrdup(rq->target);
	j->out.meta.generated_us = time_wall_us();
	report_new_id(j->out.meta.id, sizeof j->out.meta.id,
	    j->out.meta.generated_us);
	store_export_parties(st, rq->tkind, rq->tnames, parties_got, j);
}
