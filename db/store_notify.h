/*
 * store_notify: the notification outbox (db/migrations/0010), its
 * channels and routing rules.  Causes write a notification inside their
 * own transaction with store_notify_enqueue() (or, inside one SQL
 * statement of their own, with the SQL function notify_enqueue()); the
 * delivery workers of src/notify claim the rows it creates.
 */
#ifndef PX_STORE_NOTIFY_H
#define PX_STORE_NOTIFY_H

#include "db/store.h"

/* NOTIFY channel notify_enqueue() signals on commit; payload: the id. */
#define STORE_NOTIFY_CHANNEL "phalanx_notify"

/* One thing to tell someone.  Only severity, source and title required. */
struct store_notify_msg {
	const char	*severity;	/* info | warning | critical */
	const char	*source;	/* rms | workflow | report | operator | test */
	const char	*scope;		/* "acct:NAME", "group:TAG", "all" or NULL */
	const char	*title;
	const char	*body;		/* NULL: none */
	const char	*ref;		/* incident/run id kept in short texts */
	json_t		*attachments;	/* [{"name","type","path"}] or NULL */
	json_t		*channels;	/* array of channel names; NULL: rules */
	const char	*origin;	/* who, for the record; may be NULL */
	int64_t		 incident_id;	/* the RMS incident it is about; 0:
					 * none, or named by ref "INC-N" */
};

typedef void (*store_notify_id_cb)(int64_t id, const struct err *, void *);

/*
 * Queue "SELECT notify_enqueue(...)" on conn.  Run between the caller's
 * own BEGIN and COMMIT on that connection (queued back to back), the
 * notification commits or rolls back with the cause; alone, it is its
 * own transaction.  err code "unknown-channel" names a missing channel.
 */
void store_notify_enqueue(struct pg_conn *, const struct store_notify_msg *,
    store_notify_id_cb, void *);

/* Channels.  config: the kind's non-secret settings; secret encrypted. */
struct store_channel {
	const char	*name;
	const char	*kind;
	const char	*url;
	json_t		*config;
	const char	*secret_enc;	/* NULL: none */
	int		 rate_per_min;
};

void store_channel_add(struct store *, const struct store_channel *,
    const struct store_actor *, store_rows_cb, void *);
/* Rows: name, kind, url, config, secret (bool), rate_per_min,
 * paused_until, rules, pending, failed. */
void store_channel_list(struct store *, store_rows_cb, void *);
/* Rows (0 or 1): id, name, kind, url, config, secret_enc, rate_per_min. */
void store_channel_get(struct store *, const char *name, store_rows_cb,
    void *);
/* Row: removed (name or null), rules (names using it or null). */
void store_channel_rm(struct store *, const char *name,
    const struct store_actor *, store_rows_cb, void *);

/* Rules.  scope: JSON array of canonical target elements or NULL. */
struct store_rule {
	const char	*name;
	const char	*min_severity;
	const char	*source;	/* NULL: any */
	json_t		*scope;
	json_t		*channels;	/* array of names */
	const char	*quiet_start;	/* "HH:MM" or NULL */
	const char	*quiet_end;
};

/* Row: name ... or missing (the channel names that do not exist). */
void store_rule_add(struct store *, const struct store_rule *,
    const struct store_actor *, store_rows_cb, void *);
void store_rule_list(struct store *, store_rows_cb, void *);
void store_rule_rm(struct store *, const char *name,
    const struct store_actor *, store_rows_cb, void *);

/* alerts: the last n notifications, only those with a failed delivery
 * when failed is set. */
void store_alert_list(struct store *, int n, int failed, store_rows_cb,
    void *);
/* Rows: one "alert" object with its deliveries and every attempt. */
void store_alert_show(struct store *, int64_t id, store_rows_cb, void *);
/* Failed deliveries of id go back to PENDING.  Rows: channel_name each;
 * a second query is not needed: the statement NOTIFYs the workers. */
void store_alert_retry(struct store *, int64_t id,
    const struct store_actor *, store_rows_cb, void *);
/* Rows: channel_name, state, next_at (IST), held, of notification id,
 * or of the one it is a repeat of (dup_of, count, repeat_held); one row
 * with a null channel_name when there is no delivery. */
void store_alert_deliveries(struct store *, int64_t id, store_rows_cb,
    void *);

/*
 * For the delivery workers.  claim: at most limit due deliveries (and
 * those whose lease ran out), a few per channel, marked SENDING for
 * worker with a lease of lease_ms.  Rows: id, attempts, notification_id,
 * ts_us, severity, source, scope, title, body, ref, attachments,
 * repeats (identical alerts it stands for besides itself), channel_id,
 * channel, kind, url, config, secret_enc, rate_per_min.
 * skip: a JSON array of channel ids not to claim for now, or NULL.
 */
void store_notify_claim(struct store *, const char *worker, int limit,
    int lease_ms, json_t *skip, store_rows_cb, void *);
/*
 * Record one attempt and the delivery's new state: outcome "sent",
 * "retry" (PENDING again at now + retry_ms) or "failed".  pause_ms > 0
 * also pauses the channel for every worker (a 429).  Only while worker
 * still holds the claim.
 */
struct store_notify_result {
	int64_t		 delivery_id;
	const char	*worker;
	const char	*outcome;
	long		 http_status;	/* 0: none */
	const char	*error;		/* NULL when sent */
	int64_t		 elapsed_ms;
	int64_t		 retry_ms;
	int64_t		 pause_ms;
	int		 uncount;	/* a 429: the attempt does not count */
};
void store_notify_finish(struct store *, const struct store_notify_result *,
    store_rows_cb, void *);

#endif
