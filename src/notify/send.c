/*
 * One message over one channel: pick the channel kind's sender, and read
 * an HTTP answer the same way for every HTTP channel.  Also the causes'
 * entry point, notify_enqueue().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify_int.h"
#include "util/secret.h"

void
notify_enqueue(struct pg_conn *conn, const struct store_notify_msg *m,
    store_notify_id_cb cb, void *arg)
{
	store_notify_enqueue(conn, m, cb, arg);
}

static char *
row_str(json_t *row, const char *key)
{
	json_t	*v = json_object_get(row, key);

	return xstrdup(json_is_string(v) ? json_string_value(v) : "");
}

int
notify_channel_load(json_t *row, const char *home, struct notify_channel *ch,
    struct err *err)
{
	json_t	*enc = json_object_get(row, "secret_enc");
	json_t	*id = json_object_get(row, "channel_id");

	memset(ch, 0, sizeof *ch);
	if (id == NULL)
		id = json_object_get(row, "id");
	ch->id = json_integer_value(id);
	ch->name = row_str(row, json_object_get(row, "channel") != NULL ?
	    "channel" : "name");
	ch->kind = row_str(row, "kind");
	ch->url = row_str(row, "url");
	ch->config = json_object_get(row, "config");
	ch->config = json_is_object(ch->config) ? json_incref(ch->config) :
	    json_object();
	ch->rate_per_min = (int)json_integer_value(json_object_get(row,
	    "rate_per_min"));
	if (json_is_string(enc) && secret_decrypt(home,
	    json_string_value(enc), &ch->secret, err) != 0) {
		notify_channel_clear(ch);
		return -1;
	}
	return 0;
}

void
notify_channel_clear(struct notify_channel *ch)
{
	free(ch->name);
	free(ch->kind);
	free(ch->url);
	json_decref(ch->config);
	if (ch->secret != NULL)
		secret_free(ch->secret);
	memset(ch, 0, sizeof *ch);
}

void
notify_call_done(struct notify_call *c, struct notify_result *r)
{
	c->cb(r, c->arg);
	if (c->extra_free != NULL)
		c->extra_free(c->extra);
	free(c->body);
	free(c);
}

/* The start of an answer's body, one line, for an error message. */
static void
body_snippet(const struct http_response *resp, char *buf, size_t len)
{
	size_t	i, o = 0;

	for (i = 0; i < resp->body_len && o + 1 < len && o < 160; i++)
		buf[o++] = (unsigned char)resp->body[i] < 0x20 ? ' ' :
		    resp->body[i];
	buf[o] = '\0';
}

void
notify_http_result(const struct http_response *resp, const char *what,
    struct notify_result *r)
{
	char	snip[192];

	r->status = resp->status;
	r->elapsed_us = resp->elapsed_us;
	if (resp->error != NULL) {
		r->outcome = NOTIFY_RETRY;
		snprintf(r->error, sizeof r->error, "%s: %s%s", what,
		    resp->timed_out ? "no answer in time: " : "", resp->error);
		return;
	}
	if (resp->status >= 200 && resp->status < 300) {
		r->outcome = NOTIFY_SENT;
		return;
	}
	body_snippet(resp, snip, sizeof snip);
	snprintf(r->error, sizeof r->error, "%s answered HTTP %ld%s%s", what,
	    resp->status, snip[0] != '\0' ? ": " : "", snip);
	if (resp->status == 429) {
		r->outcome = NOTIFY_RETRY;
		r->retry_after_ms = resp->retry_after_s * 1000;
	} else if (resp->status == 408 || resp->status >= 500 ||
	    resp->status < 200)
		r->outcome = NOTIFY_RETRY;
	else
		r->outcome = NOTIFY_FAILED;
}

void
notify_send(struct http_client *hc, const struct notify_channel *ch,
    const struct notify_message *msg, int timeout_ms, notify_sent_cb cb,
    void *arg)
{
	struct notify_call	*c;
	struct notify_result	 r;

	c = xcalloc(1, sizeof *c);
	c->ch = ch;
	c->msg = msg;
	c->cb = cb;
	c->arg = arg;
	if (strcmp(ch->kind, "telegram") == 0)
		notify_telegram_send(hc, c, timeout_ms);
	else if (strcmp(ch->kind, "sms") == 0)
		notify_sms_send(hc, c, timeout_ms);
	else if (strcmp(ch->kind, "email") == 0)
		notify_email_send(hc, c, timeout_ms);
	else if (strcmp(ch->kind, "webhook") == 0)
		notify_webhook_send(hc, c, timeout_ms);
	else {
		memset(&r, 0, sizeof r);
		r.outcome = NOTIFY_FAILED;
		snprintf(r.error, sizeof r.error, "unknown channel kind \"%s\"",
		    ch->kind);
		notify_call_done(c, &r);
	}
}
