/* Shared by the files of src/notify only: a sender per channel kind, the text. */
#ifndef PX_NOTIFY_INT_H
#define PX_NOTIFY_INT_H

#include "notify/notify.h"

/* Telegram's limit on one message's text. */
#define NOTIFY_TELEGRAM_MAX	4096

/* One send in flight: what every channel file needs to answer. */
struct notify_call {
	const struct notify_channel	*ch;
	const struct notify_message	*msg;
	notify_sent_cb			 cb;
	void				*arg;
	char				*body;		/* owned request body */
	void				*extra;		/* the channel's own */
	void				(*extra_free)(void *);
};

void notify_call_done(struct notify_call *, struct notify_result *);

void notify_telegram_send(struct http_client *, struct notify_call *, int);
void notify_sms_send(struct http_client *, struct notify_call *, int);
void notify_email_send(struct http_client *, struct notify_call *, int);
void notify_webhook_send(struct http_client *, struct notify_call *, int);

/*
 * What an HTTP answer means: 2xx sent; 408, 429, 5xx and transport errors
 * retry (429's Retry-After kept); other 4xx fail for good.  what names
 * the channel kind in the error text; the body's start is quoted.
 */
void notify_http_result(const struct http_response *, const char *what,
    struct notify_result *);

/* text.c */
const char *notify_config_str(const struct notify_channel *, const char *);
/* "[CRITICAL] title\nbody\nrms · acct:a1 · INC-7 · alert 12" */
char *notify_text_plain(const struct notify_message *);
/* The same with Telegram HTML markup, escaped, cut to the limit. */
char *notify_text_telegram(const struct notify_message *);
/*
 * One line that fits segments SMS segments (GSM-7: 160, or 153 each when
 * concatenated; anything else UCS-2: 70 / 67), cut in the middle so the
 * reference (ref, else "alert N") always survives.
 */
char *notify_text_sms(const struct notify_message *, int segments);
/* SMS units the text takes (GSM-7 septets or UCS-2 code units). */
size_t notify_sms_units(const char *, int *ucs2);
/* "sha256=" + lower-case hex HMAC-SHA256 of body under secret. */
void notify_signature(const char *secret, const char *body, size_t len,
    char out[72]);
char *notify_base64(const void *, size_t, int wrap76);
void notify_json_escape(struct strbuf *, const char *);

#endif
