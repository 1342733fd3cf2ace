/* The router's private structures, shared by src/exec/router*.c only. */
#ifndef PX_ROUTER_INT_H
#define PX_ROUTER_INT_H

#include "db/store.h"
#include "db/store_events.h"
#include "db/store_fanout.h"
#include "exec/router.h"
#include "exec/router_parts.h"

/* One account as the router trades it: its adapter and its bucket. */
struct secret_keys;

struct router_acct {
	int64_t			 id;
	char			*name;
	char			*broker;
	char			*fingerprint;	/* rebuild the adapter if changed */
	struct broker		*b;
	struct throttle		 bucket;
	struct router_acct	*next;
};

struct router {
	struct store		*store;
	struct config		*cfg;
	char			*home;
	struct http_client	*http;
	struct router_acct	*accts;
	struct lat_map		*lat_broker;
	struct lat_map		*lat_account;
	char			*os_user;
	char			*front;
	int			 rate;		/* orders/s per account */
	int			 settle_ms;	/* watch an order this long */
	int			 poll_ms;
	int			 retry_max;
	int			 reconcile_ms;	/* an unclear outcome, at most */
	struct router_evlog	 ev;		/* router_events.c */
	struct router_cache	 cache;		/* router_cache.c */
	router_guard_fn		 guard;		/* router_guard.c */
	router_guard_ready_fn	 guard_ready;
	void			*guard_ctx;
};

enum leg_phase { LEG_QUEUED, LEG_SENDING, LEG_WATCHING, LEG_DONE };

/* One child order: an account's slice of the fan-out. */
struct leg {
	struct fanout		*fo;
	struct router_acct	*ra;
	int64_t			 account_id;
	char			 account[72];
	int64_t			 order_id;	/* orders.id */
	char			 tag[CTAG_MAX + 1];
	int			 slice;
	int64_t			 lots;
	struct broker_order_req	 req;
	enum broker_state	 state;
	char			 broker_status[40];
	char			 broker_id[32];
	int			 broker_id_held; /* rows not written yet */
	char			 message[256];
	int			 attempts;
	int64_t			 t_send;	/* monotonic us */
	int64_t			 ack_us;	/* place latency, -1 none */
	int64_t			 filled;
	int64_t			 avg;		/* paise */
	int64_t			 watch_until;
	enum leg_phase		 phase;
	int			 failed;	/* a definitive failure */
	int			 unreachable;	/* failed because the broker was */
	int			 unconfirmed;	/* the broker never confirmed it */
	int64_t			 pos_index;	/* squareoff: which position */
	int			 rollback;	/* placed to undo another leg */
	int			 generation;	/* rollback: resends so far */
	struct leg		*orig;		/* rollback: the leg it undoes */
	int			 undo_unsure;	/* rollback: its fill unknown */
	char			 undo_why[256];	/* why undo_unsure */
	int			 denied;	/* refused by the RMS guard */
};

struct fanout {
	struct router		*r;
	struct fanout_req	 req;
	char			*target_text;
	char			*reason;
	char			*tag;		/* the user's label, or NULL */
	char			 exchange[8];
	char			 symbol[48];
	int64_t			 id;
	int64_t			 lot_size;
	int64_t			 freeze;
	int64_t			 tick;
	struct account_set	 accounts;
	struct target_match	 match;
	struct alloc_plan	 plan;
	int			 planned;
	struct leg		**legs;
	size_t			 nlegs;
	size_t			 next_sync;	/* sync mode: next leg to send */
	size_t			 open;		/* legs not LEG_DONE */
	int64_t			 wall_intent;
	int64_t			 t_intent;	/* monotonic us from here on */
	int64_t			 t_rms;
	int64_t			 guard_until;	/* router_guard_wait */
	int64_t			 t_first_send;
	int64_t			 t_last_send;
	int64_t			 t_last_ack;
	int64_t			 t_intent_written; /* the intent row */
	int64_t			 t_written;	/* the legs' order rows */
	int			 legs_writing;	/* rows not written yet */
	int			 done_waiting;	/* all done, rows not yet */
	struct held_event	*held;		/* events waiting for rows */
	size_t			 nheld;
	size_t			 held_cap;
	int			 rolled_back;
	int			 resume_order;	/* resume: legs of a buy/sell */
	size_t			 nbrokers_pending;
	json_t			*notes;		/* per-account remarks */
	json_t			*cancels;	/* orders cancelled (cancel, kill) */
	json_t			*problems;	/* accounts whose state is unknown */
	json_t			*left;		/* rollback: exposure left open */
	struct broker_position	*positions;	/* squareoff: to close */
	json_t			*lookups;	/* squareoff: symbols asked */
	size_t			 npositions;
	size_t			 next_lookup;
	struct err		 err;
	struct fanout_result	 result;	/* the report, once finished */
	fanout_done_cb		 cb;
	void			*arg;
};

/* book.c: broker reads that retry transient failures. */
struct book_retry {
	int64_t		 deadline_us;	/* monotonic; 0 = none */
	int		 max_attempts;	/* 0 = until the deadline */
};

enum book_tag_outcome { BOOK_TAG_FOUND, BOOK_TAG_ABSENT, BOOK_TAG_UNREADABLE };
typedef void (*book_tag_cb)(enum book_tag_outcome,
    const struct broker_order *, size_t count, int attempts,
    const struct broker_err *last, void *arg);

int64_t book_backoff_us(int attempt);
void book_orders(struct router_acct *, const struct book_retry *,
    broker_orders_cb, void *);
void book_history(struct router_acct *, const char *order_id,
    const struct book_retry *, broker_orders_cb, void *);
void book_positions(struct router_acct *, const struct book_retry *,
    broker_positions_cb, void *);
const struct broker_order *book_find_tag(const struct broker_order *,
    size_t, const char *tag, size_t *count);
void book_reconcile_tag(struct router_acct *, const char *tag,
    const struct book_retry *, book_tag_cb, void *);
struct book_retry book_reconcile_retry(const struct router *);
struct book_retry book_read_retry(const struct router *);

/* router.c */
struct store_actor router_actor(const struct router *);
struct router_acct *router_acct_find(struct router *, int64_t id);
/* keys: the master key read once for a batch of rows (or NULL). */
void router_acct_refresh(struct router *, json_t *cred_row,
    struct secret_keys *keys, struct err *);
char *router_wall_text(const struct fanout *, int64_t mono_us);

/* router_cache.c: lookups, from memory when warm */
void router_load_brokers(struct fanout *, void (*)(struct fanout *));
void router_load_accounts(struct fanout *, store_accounts_cb);
void router_instrument(struct fanout *, const char *exchange,
    const char *symbol, store_rows_cb);
typedef void (*router_ids_cb)(struct fanout *, const struct err *);
void router_reserve_ids(struct fanout *, router_ids_cb);
void router_prefetch_ids(struct router *, size_t norders);
void router_ids_topup(struct router *, size_t norders);
void router_instrument_warm(struct router *, const char *exchange,
    const char *symbol);

/*
 * router_events.c: every transition of a leg, and its fills.  While the
 * legs' order rows are being written (fo->legs_writing) events wait in
 * the fan-out, with the time they happened, for router_events_release.
 */
void router_event(struct leg *, enum broker_state, const char *message,
    int64_t latency_us);
void router_events_release(struct fanout *);
void router_events_drop(struct fanout *);
void router_leg_filled(struct leg *, int64_t filled, int64_t avg);
/* Events of a dead run wait in the journal for a live store. */
int router_events_backlog(const struct router *);

/* fanout.c */
struct fanout *fanout_new(struct router *, const struct fanout_req *,
    fanout_done_cb, void *);
void fanout_free(struct fanout *);
void fanout_signal_on_wire(const struct fanout *);
void fanout_fail(struct fanout *, const char *code, const char *fmt, ...)
    PX_PRINTF(3, 4);
void fanout_problem(struct fanout *, const char *account, const char *what,
    const struct broker_err *, const char *message);
struct leg *fanout_add_leg(struct fanout *, const struct account *,
    struct router_acct *);
void fanout_store_and_send(struct fanout *);
void fanout_begin_sending(struct fanout *);	/* fanout_store.c */
int fanout_take_accounts(struct fanout *, struct account_set *,
    const struct err *, const struct target *);	/* fanout.c */
void fanout_send_next_sync(struct fanout *);
json_t *fanout_leg_order_json(const struct leg *);
/* fanout_plan.c: the intent's plan, the same objects as JSON text. */
char *fanout_plan_text(const struct fanout *);
void fanout_leg_done(struct leg *);

/* fanout_send.c */
void leg_store_broker_id(struct leg *);
void leg_send(struct leg *);
void leg_watch(struct leg *);

/* fanout_finish.c */
void fanout_all_done(struct fanout *);
void fanout_finish(struct fanout *);

/* rollback.c */
void rollback_start(struct fanout *);
void rollback_leg_done(struct leg *);

/* fanout_key.c */
char *fanout_key_intent(const struct fanout *);
void fanout_key_check(struct fanout *, void (*next)(struct fanout *));

/* router_guard.c: judge every leg; denied ones fail with the reason. */
void router_guard_legs(struct fanout *);
int router_guard_wait(struct fanout *, void (*)(void *));
int router_guard_plan(struct fanout *, const struct alloc_leg *,
    struct router_guard_verdict *);

/* squareoff.c */
void squareoff_start(struct fanout *);

#endif
