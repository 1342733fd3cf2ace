/*
 * exec: the building blocks of the fan-out engine -- allocation of a
 * signal's quantity over a target's accounts (alloc_), per-account order
 * throttles (throttle_), deterministic client tags (ctag_) and latency
 * histograms (lat_).  Everything here is pure: no I/O, no clock reads (the
 * caller passes the time in), no floating point.  The router builds on it.
 */
#ifndef PX_EXEC_H
#define PX_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "util/util.h"

/* alloc.c ------------------------------------------------------------ */

enum alloc_policy {
	ALLOC_FIXED,		/* QTY x the account's lots */
	ALLOC_MULTIPLIER,	/* floor(QTY x the account's multiplier) */
	ALLOC_EQUAL,		/* QTY split evenly, remainder by priority */
	ALLOC_CAPITAL,		/* QTY split by capital, largest remainder */
	ALLOC_RATIO		/* QTY split by weight, largest remainder */
};

enum alloc_unit { ALLOC_LOTS, ALLOC_UNITS };

/*
 * What one fan-out may give one account, whatever the policy and the
 * account's lots, multiplier, capital or weight: at most ALLOC_MAX_UNITS
 * units, cut into at most ALLOC_MAX_SLICES child orders under the freeze
 * quantity (Kite's own iceberg orders stop at 50 legs).  A plan above
 * either is refused whole ("too-large") before anything is stored or
 * sent: it is a typo or a runaway setting, never a trade.
 */
#define ALLOC_MAX_UNITS		10000000
#define ALLOC_MAX_SLICES	50

/* Why an account gets no order.  ALLOC_OK legs trade. */
enum alloc_skip {
	ALLOC_OK,
	ALLOC_SKIP_DISABLED,
	ALLOC_SKIP_HALTED,	/* trading state HALTED (kill) */
	ALLOC_SKIP_REDUCING,	/* REDUCING: only exits pass */
	ALLOC_SKIP_AT_CAP,	/* already holds max-lots */
	ALLOC_SKIP_ZERO		/* the policy gave it no whole lot */
};

struct alloc_req {
	enum alloc_policy	 policy;
	int64_t			 qty;		/* in unit, > 0 */
	enum alloc_unit		 unit;
	int64_t			 lot_size;	/* units per lot, > 0 */
	int64_t			 freeze_qty;	/* units per order; 0 = none */
	/* Lots each account already holds against max-lots, by target
	 * index; NULL = none. */
	const int64_t		*used_lots;
	/* A pre-trade guard judges every leg (the RMS is installed): a
	 * REDUCING or HALTED account takes part, and the guard passes only
	 * what shrinks a REDUCING position and refuses a HALTED account's
	 * leg, which is stored DENIED with that rule.  0: REDUCING and
	 * HALTED accounts are skipped. */
	int			 guarded;
};

/* One child order: slice numbers count from 0 within an account. */
struct alloc_slice {
	int			 slice;
	int64_t			 lots;
	int64_t			 qty;		/* units */
};

/* One account of the target, in target (priority) order. */
struct alloc_leg {
	const struct account	*acct;
	enum alloc_skip		 skip;
	int64_t			 wanted;	/* lots the policy gave */
	int64_t			 lots;		/* after the cap */
	int64_t			 qty;		/* units */
	int			 capped;	/* max-lots cut lots below wanted */
	char			 reason[128];	/* why skipped or capped; "" */
	size_t			 slice0;	/* index into plan slices */
	size_t			 nslices;
};

struct alloc_plan {
	int64_t			 qty_lots;	/* the request in lots */
	int64_t			 lot_size;
	int64_t			 slice_lots;	/* largest child order, lots */
	int64_t			 total_lots;	/* over ALLOC_OK legs */
	size_t			 ntrading;	/* ALLOC_OK legs */
	struct alloc_leg	*legs;
	size_t			 nlegs;
	struct alloc_slice	*slices;
	size_t			 nslices;
};

/*
 * Plan a fan-out: one leg per account of m (skipped ones included, with
 * their reason), each trading leg sliced so no child exceeds the freeze
 * quantity.  -1 and err ("bad-qty", "bad-lot-size", "bad-freeze",
 * "no-weights", "overflow", "too-large") on bad input; the plan is then
 * empty.
 */
int alloc_plan(const struct alloc_req *, const struct target_match *m,
    struct alloc_plan *, struct err *);
void alloc_plan_free(struct alloc_plan *);
/* A quantity in unit as whole lots; units must be a multiple of lot_size. */
int alloc_qty_lots(int64_t qty, enum alloc_unit, int64_t lot_size,
    int64_t *lots, struct err *);
/* The most lots one order may carry under freeze_qty (0 = no limit: max). */
int64_t alloc_slice_lots(int64_t lot_size, int64_t freeze_qty);
const char *alloc_policy_name(enum alloc_policy);
int alloc_policy_parse(const char *, enum alloc_policy *);
const char *alloc_skip_name(enum alloc_skip);

/* throttle.c --------------------------------------------------------- */

#define THROTTLE_DEFAULT_RATE	10	/* orders/s: the SEBI algo threshold */

/*
 * A token bucket: rate tokens a second, holding at most burst.  Levels are
 * kept in token-microseconds so refills are exact integers.  Starts full.
 */
struct throttle {
	int64_t		rate;		/* tokens per second, > 0 */
	int64_t		burst;		/* bucket size in tokens, > 0 */
	int64_t		level;		/* tokens x 1e6 */
	int64_t		last_us;	/* monotonic time of the last refill */
};

/* rate <= 0 means THROTTLE_DEFAULT_RATE; burst <= 0 means rate. */
void throttle_init(struct throttle *, int64_t rate, int64_t burst,
    int64_t now_us);
/* Take a token: 0, or the microseconds until one is free (none taken). */
int64_t throttle_take(struct throttle *, int64_t now_us);
/* Whole tokens available at now_us, without taking any. */
int64_t throttle_available(struct throttle *, int64_t now_us);

/* ctag.c ------------------------------------------------------------- */

#define CTAG_MAX	20	/* == BROKER_TAG_MAX */

/*
 * "P" <len fanout> <len account> <fanout> <account> <slice> <check2>, the
 * numbers in base 36 and the lengths one base-36 digit each: injective, so
 * distinct triples always give distinct tags.  buf needs CTAG_MAX + 1.
 * -1 and err "overflow" when the numbers do not fit 20 characters.
 */
int ctag_make(int64_t fanout_id, int64_t account_id, int slice,
    char *buf, size_t len, struct err *);
/* 0 and the triple back, or -1 for anything ctag_make did not produce. */
int ctag_parse(const char *tag, int64_t *fanout_id, int64_t *account_id,
    int *slice);

/* latency.c ---------------------------------------------------------- */

/*
 * Log-linear histogram of microseconds: exact below 64, then 32 buckets per
 * power of two (relative error under 1/32), up to LAT_MAX_US.
 */
#define LAT_SUB_BITS	5
#define LAT_MAX_US	((int64_t)1 << 36)	/* ~19 hours; larger clamps */
#define LAT_NBUCKETS	((36 - LAT_SUB_BITS + 1) * (1 << LAT_SUB_BITS) + \
			    (1 << LAT_SUB_BITS))

struct lat_hist {
	uint64_t	count;
	int64_t		min, max;
	int64_t		sum;
	uint64_t	b[LAT_NBUCKETS];
};

struct lat_summary {
	uint64_t	count;
	int64_t		min, p50, p90, p99, max, mean;
};

void lat_init(struct lat_hist *);
void lat_add(struct lat_hist *, int64_t us);	/* negatives count as 0 */
void lat_merge(struct lat_hist *dst, const struct lat_hist *src);
/*
 * The value at rank ceil(permille / 1000 x count), as the top of its
 * bucket clamped to [min, max]; 0 when empty.
 */
int64_t lat_quantile(const struct lat_hist *, int permille);
void lat_summarize(const struct lat_hist *, struct lat_summary *);

/* A histogram per key: brokers by name, accounts by id. */
struct lat_map;

struct lat_map *lat_map_new(void);
void lat_map_free(struct lat_map *);
/* The key's histogram, created empty on first use. */
struct lat_hist *lat_map_get(struct lat_map *, const char *key);
struct lat_hist *lat_map_get_id(struct lat_map *, int64_t id);
/* NULL if the key was never used. */
const struct lat_hist *lat_map_find(const struct lat_map *, const char *key);
size_t lat_map_count(const struct lat_map *);
/* Visit every key in no particular order. */
void lat_map_each(const struct lat_map *, void (*)(const char *key,
    const struct lat_hist *, void *), void *);

/* reconcile_match.c -------------------------------------------------- */

/*
 * What the reconciler makes of one leg of a fan-out whose sender died.
 * The broker's book decides: a leg whose client tag (or order id) the
 * broker has is never sent again; one it does not have is "never sent"
 * only once nothing can still be on its way (the sending window is over).
 */
enum recon_leg {
	RECON_AT_BROKER,	/* the broker has it: its book decides */
	RECON_FAILED,		/* refused for good (RMS, broker) */
	RECON_NEVER_SENT,	/* absent after the sending window */
	RECON_WAIT,		/* absent, the window still open */
	RECON_UNREAD		/* its account's book could not be read */
};

/* A broker's order as the matcher needs it. */
struct recon_book_entry {
	const char	*tag;		/* "" or NULL: none */
	const char	*order_id;
};

/*
 * The entry of book that is the leg with this client tag (else this broker
 * order id): its index, or -1.  Empty tags and ids never match.
 */
long reconcile_book_match(const struct recon_book_entry *book, size_t n,
    const char *tag, const char *broker_order_id);

/*
 * One leg: at_broker (the book has it, or the broker acked it before),
 * state its stored state name, book_read whether its account's book was
 * read in this pass, window_over whether the sending window has passed.
 */
enum recon_leg reconcile_leg(int at_broker, const char *state, int book_read,
    int window_over);

struct recon_tally {
	size_t	legs, failed, never_sent, wait, unread;
};

/* Count one leg; state is its state after the book was applied. */
void reconcile_tally(struct recon_tally *, enum recon_leg, const char *state);
/*
 * The fan-out's final state: INTERRUPTED when a leg was never sent,
 * else COMPLETED, PARTIAL or FAILED as the router would say; NULL while
 * a leg is still undecided (stays RUNNING, looked at again).
 */
const char *reconcile_verdict(const struct recon_tally *);

#endif
