/*
 * hook: webhook connectors.  A sender (TradingView, Amibroker, MT4/MT5,
 * Excel, Chartink, a script) posts to /hook/NAME; its dialect turns the
 * payload into signals; the payload and its signals are stored and
 * queued before the answer goes out; the executor runs queued signals
 * through the fan-out engine with their strategy's target.
 *
 * The parsing half (hook_parse and the dialect_*.c files) touches no
 * loop and no store, so unit tests and fuzz targets call it directly.
 */
#ifndef PX_AUTO_HOOK_H
#define PX_AUTO_HOOK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/util.h"

/* The largest body a connector may accept (body-limit's ceiling). */
#define HOOK_MAX_BODY		(1024 * 1024)
#define HOOK_DEFAULT_BODY	(64 * 1024)
/* Signals in one payload (a Chartink scan of many stocks). */
#define HOOK_MAX_SIGNALS	100
#define HOOK_MAX_QTY		10000000

enum hook_action {
	HOOK_BUY,
	HOOK_SELL,
	HOOK_EXIT,	/* square off the symbol on the strategy's target */
	HOOK_TARGET	/* position sync: qty is the signed target in lots */
};

struct hook_signal {
	enum hook_action	 action;
	char			 symbol[64];
	char			 exchange[8];	/* "" : look it up */
	int64_t			 qty;
	int			 units;		/* qty counts units */
	char			 order_type[8];	/* market limit sl slm */
	int64_t			 price;		/* paise, 0 none */
	int64_t			 trigger;	/* paise, 0 none */
	char			 product[8];	/* "" : the strategy's */
	char			 ext_id[65];	/* the sender's id, "" none */
};

/* What a dialect needs of its connector. */
struct hook_conn_cfg {
	const char	*dialect;
	json_t		*symbol_map;	/* {"SENDER NAME": "EXCH:SYMBOL"} */
	json_t		*field_map;	/* custom: {"symbol": "/a/b"} */
	const char	*action;	/* default action; NULL none */
	int64_t		 qty;		/* default qty; 0 none */
	int		 position_sync;
};

/* One request as the dialect sees it. */
struct hook_in {
	const char	*method;	/* "GET" or "POST" */
	const char	*body;		/* may hold NULs; NUL-terminated too */
	size_t		 len;
	const char	*ctype;		/* Content-Type or NULL */
	const char	*query;		/* raw query string or NULL */
};

struct hook_parsed {
	struct hook_signal	*v;
	size_t			 n;
	char			*token;		/* found in body or query */
};

/*
 * Parse a payload; 0 with at least one signal, or -1 with err code
 * "malformed" and a message naming what is wrong (and no signal, but the
 * token if one was read).  Either way hook_parsed_free() after.
 */
int hook_parse(const struct hook_conn_cfg *, const struct hook_in *,
    struct hook_parsed *, struct err *);
void hook_parsed_free(struct hook_parsed *);
/* 1 when a dialect name is known; 1 when it may be sent with GET. */
int hook_dialect_known(const char *);
int hook_dialect_get_ok(const char *);
/* 1 when s is an address or network (10.0.0.0/8, ::1) an allow list takes. */
int hook_net_valid(const char *s);
/* The signal as a JSON object (stored as signals.parsed). */
json_t *hook_signal_json(const struct hook_signal *);
const char *hook_action_name(enum hook_action);

/* The daemon's side (hook_http.c, hook_exec.c). */
struct http_server;
struct store;
struct router;
struct config;
struct hook_server;
struct hook_exec;

/* Start serving /hook/ on srv; executes through router. */
struct hook_server *hook_server_new(struct http_server *, struct store *,
    struct router *, struct config *, const char *home);
void hook_server_free(struct hook_server *);
struct hook_stats {
	uint64_t	accepted, duplicate, rejected, refused, malformed,
			too_large, too_fast, executed, failed;
};
void hook_server_stats(const struct hook_server *, struct hook_stats *);
/* Accept latency samples in microseconds, for /metrics and benches. */
void hook_server_latency(const struct hook_server *, int64_t *p50,
    int64_t *p99, uint64_t *count);

/*
 * The executor.  hook_exec_signal() runs one stored signal by id: it
 * claims it (QUEUED, or EXECUTING by a session that is gone), works out
 * the order (position sync: the difference to the strategy's book), sends
 * it through the fan-out engine under the idempotency key "sig-ID" (so a
 * signal that ran before its process died is answered from the recorded
 * fan-out, never sent twice) and records DONE or FAILED with the
 * fan-out's id.  A workflow run calls exactly this.
 */
struct hook_outcome {
	int64_t		 signal;
	const char	*status;	/* DONE FAILED REJECTED or NULL: not run */
	int64_t		 fanout;	/* 0 none */
	const char	*message;
	json_t		*data;		/* the fan-out's report, may be NULL */
	const char	*text;		/* the fan-out's text, may be NULL */
};
typedef void (*hook_outcome_cb)(const struct hook_outcome *, void *);

struct hook_exec *hook_exec_new(struct store *, struct router *,
    struct config *);
void hook_exec_free(struct hook_exec *);
void hook_exec_signal(struct hook_exec *, int64_t id, int dry_run,
    hook_outcome_cb, void *);
/* Claim and run whatever is queued (the daemon calls this on a timer). */
void hook_exec_kick(struct hook_exec *);
/*
 * The same for a signal just queued for strategy and symbol: nothing to
 * claim while this process runs that strategy and symbol's head (the
 * signal waits its turn, and the head's end claims the next one), so no
 * claim is sent then.  NULLs: kick.
 */
void hook_exec_queued(struct hook_exec *, const char *strategy,
    const char *symbol);
/* This process runs strategy and symbol's head now (NULLs: no). */
int hook_exec_running(const struct hook_exec *, const char *strategy,
    const char *symbol);
/*
 * A signal queued now for strategy and symbol would be claimed by the
 * executor anyway: it runs that head (the head's end claims it), or a
 * claim is on its way (and another follows once it is back).  No accept
 * need try to claim it then.
 */
int hook_exec_claims_later(const struct hook_exec *, const char *strategy,
    const char *symbol);
/*
 * Signals the accept claimed as it stored them (store_hook_claimer): how
 * many of want it may claim now (free slots, held until released), the
 * slots back, and the claimed rows to run, as hook_exec_kick would run
 * its own.  A kick that found every free slot held claims once they are
 * back.
 */
int hook_exec_reserve(struct hook_exec *, int want);
void hook_exec_release(struct hook_exec *, int n);
void hook_exec_take(struct hook_exec *, json_t *rows);
/* Look the instrument of a signal just accepted up ahead of its run. */
void hook_exec_warm(struct hook_exec *, const char *exchange,
    const char *symbol);
/* Busy signals right now; for a clean stop. */
size_t hook_exec_busy(const struct hook_exec *);
void hook_exec_counts(const struct hook_exec *, uint64_t *done,
    uint64_t *failed);

#endif
