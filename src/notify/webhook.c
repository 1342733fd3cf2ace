/*
 * Webhook: the notification as JSON, POSTed to the channel's URL and
 * signed with X-Phalanx-Signature: sha256=HEX(HMAC-SHA256(secret, body))
 * over the exact bytes sent, so a receiver can verify it came from us.
 * "text" holds a ready-made line, which is what Slack-style incoming
 * webhooks display.  X-Phalanx-Alert lets a receiver drop the duplicate
 * an at-least-once outbox may send after a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify_int.h"

static void
webhook_done(const struct http_response *resp, void *arg)
{
	struct notify_call	*c = arg;
	struct notify_result	 r;

	memset(&r, 0, sizeof r);
	notify_http_result(resp, "webhook", &r);
	notify_call_done(c, &r);
}

void
notify_webhook_send(struct http_client *hc, struct notify_call *c,
    int timeout_ms)
{
	const struct notify_message	*m = c->msg;
	char				 ts[40], sig[72], *text;
	char				 h_sig[96], h_id[64];
	const char			*hdr[4];
	json_t				*j;

	time_fmt_utc(m->ts_us, ts, sizeof ts);
	text = notify_text_plain(m);
	j = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:s, s:i}",
	    "id", (json_int_t)m->id, "ts", ts, "severity", m->severity,
	    "source", m->source, "scope", m->scope, "title", m->title,
	    "body", m->body != NULL ? m->body : "", "ref", m->ref,
	    "text", text, "count", m->count > 1 ? m->count : 1);
	free(text);
	if (j == NULL)
		j = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)m->id,
		    "severity", m->severity, "text",
		    "(alert text is not valid UTF-8)");
	c->body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	snprintf(h_id, sizeof h_id, "X-Phalanx-Alert: %lld",
	    (long long)m->id);
	hdr[0] = "Content-Type: application/json";
	hdr[1] = h_id;
	hdr[2] = NULL;
	if (c->ch->secret != NULL) {
		notify_signature(c->ch->secret, c->body, strlen(c->body), sig);
		snprintf(h_sig, sizeof h_sig, "X-Phalanx-Signature: %s", sig);
		hdr[2] = h_sig;
		hdr[3] = NULL;
	}
	http_request(hc, "POST", c->ch->url, hdr, c->body, strlen(c->body),
	    timeout_ms, webhook_done, c);
}
