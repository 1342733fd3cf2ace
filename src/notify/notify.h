/*
 * notify: telling a person something, at once, on their phone.  Causes
 * (RMS responses, workflow alert rules, scheduled reports, operators)
 * write a notification into the outbox inside their own transaction with
 * notify_enqueue(); delivery workers (notify_worker_start, run by
 * `phalanx serve`) claim the rows and send them over Telegram, an SMS
 * gateway, SMTP e-mail or a signed webhook, with retries, backoff and
 * per-channel rate limits.  Nothing a cause does waits for a channel.
 */
#ifndef PX_NOTIFY_H
#define PX_NOTIFY_H

#include <jansson.h>

#include "db/store_notify.h"
#include "net/net.h"
#include "util/config.h"

/* info < warning < critical; NULL-terminated, in that order. */
extern const char *const notify_severities[];
/* Sources a rule may name (notifications may also be "test"). */
extern const char *const notify_sources[];
extern const char *const notify_kinds[];

/*
 * The engine API for causes: queue the notification on conn, inside the
 * transaction the caller has open there (BEGIN ... notify_enqueue ...
 * COMMIT queued back to back), or as its own.  Routed by notify_rules
 * unless m->channels names channels.  attachments: [{"name", "type",
 * "path"}] files the e-mail channel attaches (exports: PDF, CSV).
 * From SQL, the same is "SELECT notify_enqueue(severity, source, scope,
 * title, body, ref, attachments, channels, origin)".
 */
void notify_enqueue(struct pg_conn *conn, const struct store_notify_msg *m,
    store_notify_id_cb cb, void *arg);

/* A channel ready to send: its secret decrypted (wiped by _clear). */
struct notify_channel {
	int64_t		 id;
	char		*name;
	char		*kind;
	char		*url;
	json_t		*config;
	char		*secret;	/* NULL: none */
	int		 rate_per_min;
};

/* From a store_channel_get/claim row; decrypts the secret under home. */
int notify_channel_load(json_t *row, const char *home,
    struct notify_channel *, struct err *);
void notify_channel_clear(struct notify_channel *);

/* What is sent: a stored notification (strings borrowed). */
struct notify_message {
	int64_t		 id;
	int64_t		 ts_us;		/* wall clock */
	const char	*severity;
	const char	*source;
	const char	*scope;		/* may be NULL */
	const char	*title;
	const char	*body;		/* may be "" */
	const char	*ref;		/* may be NULL */
	json_t		*attachments;	/* may be NULL */
	int		 count;		/* identical alerts it stands for;
					 * 0 or 1: just itself */
};

enum notify_outcome { NOTIFY_SENT, NOTIFY_RETRY, NOTIFY_FAILED };

struct notify_result {
	enum notify_outcome	 outcome;
	long			 status;	/* HTTP or SMTP code, 0: none */
	int64_t			 retry_after_ms; /* the channel said wait */
	int64_t			 elapsed_us;
	char			 error[256];	/* never holds a secret */
};

typedef void (*notify_sent_cb)(const struct notify_result *, void *arg);

/*
 * Send one message over one channel, on the loop; cb exactly once.  The
 * channel and message must live until cb.  A cancelled client calls cb
 * with NOTIFY_RETRY.
 */
void notify_send(struct http_client *, const struct notify_channel *,
    const struct notify_message *, int timeout_ms, notify_sent_cb, void *);

/* An e-mail (RFC 5322 + MIME) with attachments; for exports too. */
struct notify_attachment {
	const char	*name;		/* file name shown */
	const char	*type;		/* MIME type; NULL: octet-stream */
	const char	*data;
	size_t		 len;
};

struct notify_mail {
	const char			*from;
	const char *const		*to;	/* NULL-terminated */
	const char			*subject;
	const char			*text;	/* UTF-8 */
	const struct notify_attachment	*att;
	size_t				 natt;
	int64_t				 date_us;	/* wall clock */
	const char			*message_id;	/* without <> */
	int64_t				 alert_id;	/* 0: none */
};

/* The whole message, CRLF lines; -1 and err on a header injection. */
int notify_mail_build(const struct notify_mail *, struct strbuf *,
    struct err *);

/* Delivery workers: claim, send, record.  One per process is enough. */
struct notify_worker;
struct store;

/* The worker opens its own connection to st's database. */
struct notify_worker *notify_worker_start(struct store *st,
    struct config *, const char *home);
/* Counters for /metrics. */
void notify_worker_counts(const struct notify_worker *, uint64_t *sent,
    uint64_t *retried, uint64_t *failed);
/* Stops; rows it holds go back to PENDING for the next worker. */
void notify_worker_free(struct notify_worker *);

#endif
