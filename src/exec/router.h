/*
 * router: turns one intent (buy/sell, squareoff, cancel, kill) into orders
 * at many accounts' brokers, on the event loop, and reports what became of
 * each leg.  It owns one adapter and one token bucket per account, the
 * latency histograms, and the failure policies (retry, all-or-none
 * rollback, reconciliation of unclear outcomes by client tag).
 */
#ifndef PX_ROUTER_H
#define PX_ROUTER_H

#include <jansson.h>

#include "broker/broker.h"
#include "core/target.h"
#include "exec/exec.h"

struct config;
struct store;
struct store_actor;
struct router;

enum fanout_intent { FANOUT_ORDER, FANOUT_SQUAREOFF, FANOUT_CANCEL,
	FANOUT_KILL };
enum fanout_mode { FANOUT_ASYNC, FANOUT_SYNC };
enum fanout_on_fail { FANOUT_BEST_EFFORT, FANOUT_RETRY, FANOUT_ALL_OR_NONE };

/* A position to close, as the caller holds it (signed units). */
struct fanout_close {
	int64_t			 account_id;
	const char		*exchange;
	const char		*symbol;
	enum broker_product	 product;
	int64_t			 qty;
};

struct fanout_req {
	enum fanout_intent	 intent;
	const struct target	*target;
	const char		*exchange;	/* NULL: look the symbol up */
	const char		*symbol;	/* NULL: every symbol */
	enum broker_side	 side;
	int64_t			 qty;
	enum alloc_unit		 unit;
	enum broker_order_type	 order_type;
	int64_t			 price;		/* paise */
	int64_t			 trigger;	/* paise */
	enum broker_product	 product;
	enum alloc_policy	 policy;
	enum fanout_mode	 mode;
	enum fanout_on_fail	 on_fail;
	const char		*reason;	/* kill, squareoff */
	const char		*tag;		/* the user's label; NULL none */
	int			 dry_run;
	const char		*source;	/* "batch", "console", connector */
	/* Idempotency key (buy/sell), NULL none; borrowed until the
	 * callback.  See fanout_key.c. */
	const char		*key;
	/* The key is known to be unused (a signal claimed as it was
	 * stored: no fan-out of its can exist yet), so it is not looked
	 * up; should it be taken all the same, the intent's row is refused
	 * and nothing is sent. */
	int			 key_new;
	const char		*strategy;	/* a strategy's name, NULL none */
	/* When the signal arrived (wall clock, UTC us; 0: at the intent),
	 * for phalanx_signal_to_wire_seconds. */
	int64_t			 signal_us;
	/*
	 * squareoff: close these positions instead of reading each
	 * account's from its broker first (the RMS, whose positions the
	 * reconciler keeps true, answers a breach without that round
	 * trip); borrowed until the callback.  NULL: read the brokers.
	 */
	const struct fanout_close *close;
	size_t			 nclose;
};

/*
 * The outcome: ok is false when any leg failed (COMMANDS.md: a fan-out
 * with a failed leg fails the command).  data is the report (owned by the
 * router, valid during the callback): fanout id, state, timings and legs.
 * err.code "broker-unreachable" when brokers could not be reached at all.
 */
struct fanout_result {
	int		 ok;
	struct err	 err;
	json_t		*data;
	char		*text;
};

typedef void (*fanout_done_cb)(const struct fanout_result *, void *arg);

struct router *router_new(struct store *, struct config *, const char *home);
void router_free(struct router *);
/* Who is acting, for audit rows. */
void router_set_actor(struct router *, const char *os_user,
    const char *front);
void fanout_start(struct router *, const struct fanout_req *,
    fanout_done_cb, void *);
/*
 * cancel order ID: id is a phalanx order id or a broker order id.  ok
 * only when the broker confirms CANCELLED; err.code "unknown-order",
 * "ambiguous-order", "not-sent", "not-cancelled", "unconfirmed" or
 * "broker-unreachable" otherwise.
 */
void router_cancel_order(struct router *, const char *id, fanout_done_cb,
    void *);
/*
 * Send the orders an INTERRUPTED fan-out never sent (fanout_resume.c):
 * its brokers' books are read first, and a leg found there is adopted,
 * not sent.  The report is a fan-out's, over the legs sent now.
 */
void fanout_resume(struct router *, int64_t fanout_id, fanout_done_cb,
    void *);
/*
 * Have ready what a fan-out to many accounts would otherwise fetch
 * first: the registry, the credentials (and so the adapters), norders
 * order ids, and the instruments named "EXCHANGE:SYMBOL" in keys.  Cheap
 * when all is cached; answers only fill the caches.
 */
void router_warm(struct router *, size_t norders, const char *const *keys,
    size_t nkeys);
/* Only the registry and the adapters: no ids taken from the sequences. */
void router_warm_registry(struct router *);
/* Call cb once queued lifecycle events are stored (or journaled). */
void router_drain(struct router *, int timeout_ms, void (*cb)(void *),
    void *arg);
/* Ack latency summaries per broker and per account, as JSON. */
json_t *router_latency_json(const struct router *);

/*
 * The pre-trade hook (router_guard.c).  exec knows nothing of risk: the
 * RMS layer installs a function that judges one leg before it is
 * recorded and sent, for every front.  It must be cheap (no I/O) and
 * answer at once from what it has cached.  exit: the leg closes a
 * position for squareoff, kill or a rollback, or was placed by the RMS
 * itself (source "rms").
 */
struct router_guard_leg {
	int64_t			 account_id;
	const char		*account;
	const char		*exchange;
	const char		*symbol;
	enum broker_side	 side;
	int64_t			 qty;		/* units */
	int64_t			 lot;		/* units per lot */
	enum broker_product	 product;
	enum broker_order_type	 order_type;
	int64_t			 price;		/* paise, 0 market */
	int			 exit;
	int			 slice;		/* 0: counts as one order */
	int			 dry;		/* --dry-run: judge, count nothing */
};

struct router_guard_verdict {
	int	 pass;
	char	 rule[32];	/* the limit or state that refused */
	char	 msg[200];
};

typedef int (*router_guard_fn)(void *ctx, const struct router_guard_leg *,
    struct router_guard_verdict *);
/* Whether the guard can judge yet (its limits loaded); NULL: always. */
typedef int (*router_guard_ready_fn)(void *ctx);

/* NULL fn: no guard (the fan-out then shows no RMS time). */
void router_set_guard(struct router *, router_guard_fn,
    router_guard_ready_fn, void *ctx);

const char *fanout_mode_name(enum fanout_mode);
const char *fanout_on_fail_name(enum fanout_on_fail);

#endif
