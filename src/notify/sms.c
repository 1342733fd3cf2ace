/*
 * SMS through an HTTP gateway.  Two shapes:
 *  - twilio (default): a form POST of To, From and Body to the Messages
 *    URL with HTTP basic auth (account SID : auth token);
 *  - json: a body made from the channel's template, for Indian gateways
 *    that want a sender id and the DLT template and entity ids.  Template
 *    placeholders {{to}} {{from}} {{text}} {{sender_id}}
 *    {{dlt_template_id}} {{dlt_entity_id}} {{id}} {{ref}} {{severity}} are
 *    replaced with JSON-escaped values; the token goes in auth-header
 *    (default "Authorization: Bearer TOKEN"), or basic auth with user.
 * The text is cut to the channel's segment limit, keeping the reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify_int.h"

#define SMS_DEFAULT_TEMPLATE \
	"{\"sender\":\"{{sender_id}}\",\"to\":\"{{to}}\"," \
	"\"message\":\"{{text}}\",\"template_id\":\"{{dlt_template_id}}\"," \
	"\"entity_id\":\"{{dlt_entity_id}}\"}"

struct sms_extra {
	char	*text;
	char	*auth;
};

static void
sms_extra_free(void *p)
{
	struct sms_extra	*x = p;

	free(x->text);
	if (x->auth != NULL) {
		explicit_bzero(x->auth, strlen(x->auth));
		free(x->auth);
	}
	free(x);
}

static void
sms_done(const struct http_response *resp, void *arg)
{
	struct notify_call	*c = arg;
	struct notify_result	 r;

	memset(&r, 0, sizeof r);
	notify_http_result(resp, "sms gateway", &r);
	notify_call_done(c, &r);
}

static void
form_escape(struct strbuf *b, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	unsigned char		ch;

	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || strchr("-_.~", ch) != NULL)
			strbuf_putc(b, (char)ch);
		else if (ch == ' ')
			strbuf_putc(b, '+');
		else
			strbuf_printf(b, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
	}
}

static const char *
sms_value(const struct notify_call *c, const char *key, const char *text)
{
	static char	buf[32];

	if (strcmp(key, "text") == 0)
		return text;
	if (strcmp(key, "id") == 0) {
		snprintf(buf, sizeof buf, "%lld", (long long)c->msg->id);
		return buf;
	}
	if (strcmp(key, "ref") == 0)
		return c->msg->ref;
	if (strcmp(key, "severity") == 0)
		return c->msg->severity;
	return notify_config_str(c->ch, key);
}

/* The template with every {{key}} replaced; unknown keys become "". */
static char *
sms_fill(const struct notify_call *c, const char *tpl, const char *text)
{
	struct strbuf	 b;
	const char	*p, *end;
	char		 key[32];

	strbuf_init(&b);
	for (p = tpl; *p != '\0'; p++) {
		if (p[0] == '{' && p[1] == '{' &&
		    (end = strstr(p + 2, "}}")) != NULL &&
		    (size_t)(end - p - 2) < sizeof key) {
			snprintf(key, sizeof key, "%.*s", (int)(end - p - 2),
			    p + 2);
			notify_json_escape(&b, sms_value(c, key, text));
			p = end + 1;
		} else
			strbuf_putc(&b, *p);
	}
	return strbuf_steal(&b);
}

static char *
basic_auth(const char *user, const char *secret)
{
	char	*pair, *b64, *h;

	pair = xasprintf("%s:%s", user, secret != NULL ? secret : "");
	b64 = notify_base64(pair, strlen(pair), 0);
	h = xasprintf("Authorization: Basic %s", b64);
	explicit_bzero(pair, strlen(pair));
	explicit_bzero(b64, strlen(b64));
	free(pair);
	free(b64);
	return h;
}

void
notify_sms_send(struct http_client *hc, struct notify_call *c,
    int timeout_ms)
{
	struct sms_extra	*x;
	const char		*fmt = notify_config_str(c->ch, "format");
	const char		*user = notify_config_str(c->ch, "user");
	const char		*ah = notify_config_str(c->ch, "auth_header");
	const char		*tpl = notify_config_str(c->ch, "template");
	const char		*hdr[3];
	json_t			*seg;
	struct strbuf		 b;
	int			 json, segments;

	seg = json_object_get(c->ch->config, "segments");
	segments = json_is_integer(seg) ? (int)json_integer_value(seg) : 1;
	json = fmt != NULL && strcmp(fmt, "json") == 0;
	x = xcalloc(1, sizeof *x);
	c->extra = x;
	c->extra_free = sms_extra_free;
	x->text = notify_text_sms(c->msg, segments);
	if (user != NULL)
		x->auth = basic_auth(user, c->ch->secret);
	else if (c->ch->secret != NULL && ah != NULL)
		x->auth = xasprintf("%s: %s", ah, c->ch->secret);
	else if (c->ch->secret != NULL)
		x->auth = xasprintf("Authorization: Bearer %s", c->ch->secret);

	strbuf_init(&b);
	if (json) {
		c->body = sms_fill(c, tpl != NULL ? tpl : SMS_DEFAULT_TEMPLATE,
		    x->text);
		hdr[0] = "Content-Type: application/json";
	} else {
		strbuf_puts(&b, "To=");
		form_escape(&b, notify_config_str(c->ch, "to") != NULL ?
		    notify_config_str(c->ch, "to") : "");
		strbuf_puts(&b, "&From=");
		form_escape(&b, notify_config_str(c->ch, "from") != NULL ?
		    notify_config_str(c->ch, "from") : "");
		strbuf_puts(&b, "&Body=");
		form_escape(&b, x->text);
		c->body = strbuf_steal(&b);
		hdr[0] = "Content-Type: application/x-www-form-urlencoded";
	}
	strbuf_free(&b);
	hdr[1] = x->auth;
	hdr[2] = NULL;
	http_request(hc, "POST", c->ch->url, hdr, c->body, strlen(c->body),
	    timeout_ms, sms_done, c);
}
