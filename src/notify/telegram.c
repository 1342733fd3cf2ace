/*
 * Telegram: Bot API sendMessage, POST {url}/bot{TOKEN}/sendMessage with
 * a JSON body (chat_id, text, parse_mode HTML).  Telegram answers
 * {"ok":true,...} or {"ok":false,"error_code":N,"description":"...",
 * "parameters":{"retry_after":S}}: a 429 says how long to wait, and the
 * worker pauses the channel that long.  The token is in the URL, so the
 * URL never reaches an error message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify_int.h"

static void
telegram_done(const struct http_response *resp, void *arg)
{
	struct notify_call	*c = arg;
	struct notify_result	 r;
	json_t			*j, *ra, *mig;
	const char		*desc;

	memset(&r, 0, sizeof r);
	notify_http_result(resp, "telegram", &r);
	j = resp->error == NULL ? json_loadb(resp->body, resp->body_len, 0,
	    NULL) : NULL;
	if (j != NULL && r.outcome != NOTIFY_SENT) {
		desc = json_string_value(json_object_get(j, "description"));
		ra = json_object_get(json_object_get(j, "parameters"),
		    "retry_after");
		mig = json_object_get(json_object_get(j, "parameters"),
		    "migrate_to_chat_id");
		if (json_is_integer(ra) && json_integer_value(ra) > 0) {
			r.outcome = NOTIFY_RETRY;
			r.retry_after_ms = json_integer_value(ra) * 1000;
		}
		if (json_is_integer(mig))
			snprintf(r.error, sizeof r.error, "telegram: the group "
			    "became a supergroup: set chat-id %lld",
			    (long long)json_integer_value(mig));
		else if (desc != NULL)
			snprintf(r.error, sizeof r.error, "telegram answered "
			    "HTTP %ld: %.200s", resp->status, desc);
	} else if (r.outcome == NOTIFY_SENT && (j == NULL ||
	    !json_is_true(json_object_get(j, "ok")))) {
		r.outcome = NOTIFY_RETRY;
		snprintf(r.error, sizeof r.error, "telegram answered HTTP %ld "
		    "without \"ok\": true", resp->status);
	}
	json_decref(j);
	notify_call_done(c, &r);
}

void
notify_telegram_send(struct http_client *hc, struct notify_call *c,
    int timeout_ms)
{
	static const char *const hdr[] = {
		"Content-Type: application/json", NULL };
	const char		*chat = notify_config_str(c->ch, "chat_id");
	struct notify_result	 r;
	char			*text, *url;
	json_t			*j;
	size_t			 n;

	if (c->ch->secret == NULL || chat == NULL) {
		memset(&r, 0, sizeof r);
		r.outcome = NOTIFY_FAILED;
		snprintf(r.error, sizeof r.error, "telegram channel %s has no "
		    "%s", c->ch->name, chat == NULL ? "chat-id" : "bot-token");
		notify_call_done(c, &r);
		return;
	}
	text = notify_text_telegram(c->msg);
	j = json_pack("{s:s, s:s?, s:s, s:b}", "chat_id", chat, "text", text,
	    "parse_mode", "HTML", "disable_web_page_preview", 1);
	if (j == NULL)		/* text not UTF-8 */
		j = json_pack("{s:s, s:s, s:b}", "chat_id", chat, "text",
		    "(alert text is not valid UTF-8)",
		    "disable_web_page_preview", 1);
	c->body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	free(text);
	n = strlen(c->ch->url);
	while (n > 0 && c->ch->url[n - 1] == '/')
		n--;
	url = xasprintf("%.*s/bot%s/sendMessage", (int)n, c->ch->url,
	    c->ch->secret);
	http_request(hc, "POST", url, hdr, c->body, strlen(c->body),
	    timeout_ms, telegram_done, c);
	explicit_bzero(url, strlen(url));
	free(url);
}
