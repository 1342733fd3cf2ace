/*
 * rms: the risk management system's rules, as pure functions over data.
 * Limits and templates (limits.c, templates.c), the pre-trade guard that
 * every leg passes before it is sent (guard.c), and the monitors that
 * watch MTM, drawdown, margin and the clock (monitor.c).  Nothing here
 * does I/O: the engine feeds in positions and prices, and acts on what
 * comes back, so every rule is testable with a table of cases.
 *
 * Units: money in paise, percentages in basis points (1% = 100), times of
 * day in minutes after midnight IST, quantities in units.
 */
#ifndef PX_RMS_H
#define PX_RMS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/core.h"
#include "util/util.h"

enum rms_limit_id {
	RL_MAX_LOTS_PER_ORDER,
	RL_MAX_QTY_PER_ORDER,
	RL_MAX_NOTIONAL_PER_ORDER,
	RL_MAX_LOTS_PER_UNDERLYING,
	RL_MAX_OPEN_POSITIONS,
	RL_ORDERS_PER_SEC,
	RL_EXCHANGES,
	RL_PRODUCTS,
	RL_WINDOW,
	RL_SQUAREOFF_AT,
	RL_MTM_LOSS,
	RL_MTM_LOSS_PCT,
	RL_PROFIT_TARGET,
	RL_TRAIL_ACTIVATE,
	RL_TRAIL_BY,
	RL_MAX_DRAWDOWN,
	RL_MARGIN_MAX_PCT,
	RL_PRICE_BAND_PCT,
	RL__COUNT
};

enum rms_ltype {
	RLT_COUNT,	/* a whole number */
	RLT_MONEY,	/* rupees in, paise kept */
	RLT_PCT,	/* percent in, basis points kept */
	RLT_TIME,	/* HH:MM IST, minutes kept */
	RLT_WINDOW,	/* HH:MM-HH:MM IST */
	RLT_EXCHANGES,	/* NSE,NFO,... as a bit set */
	RLT_PRODUCTS	/* mis,nrml,cnc as a bit set */
};

/* What a breached monitor does, in escalating order. */
enum rms_response {
	RR_NONE,
	RR_ALERT,
	RR_THROTTLE,
	RR_REDUCE,	/* the scope becomes REDUCING */
	RR_SCALEOUT,	/* every position cut by scaleout-pct, whole lots */
	RR_HALT,	/* the scope becomes HALTED */
	RR_SQUAREOFF,	/* halt, then close the scope's positions */
	RR_HEDGE,	/* buy protective options for the short side */
	RR_KILL,	/* halt, cancel working orders, square off */
	RR__COUNT
};

struct rms_limit_def {
	const char	*name;
	enum rms_ltype	 type;
	int64_t		 max;		/* largest sane value, in kept units */
	int		 monitor;	/* 1: watched after the fact */
	enum rms_response deflt;	/* response when none is named */
	const char	*what;		/* for help and errors */
};

extern const struct rms_limit_def rms_limit_defs[RL__COUNT];

#define RMS_WINDOW_FROM(v)	((int)((v) >> 16))
#define RMS_WINDOW_TO(v)	((int)((v) & 0xffff))

/* A set of limits: a template's, or the effective one of a scope. */
struct rms_limits {
	uint32_t		 set;		/* bit per limit present */
	int64_t			 v[RL__COUNT];
	enum rms_response	 on[RL__COUNT];	/* monitors only */
	int			 approval;	/* loosening needs a second user */
	/* Parameters of responses, 0 when the template names none: */
	int64_t			 scaleout_bp;	/* scaleout-pct, basis points */
	int64_t			 hedge_premium;	/* hedge-premium, paise */
};

#define RMS_SCALEOUT_DEFAULT_BP	5000	/* scaleout with no scaleout-pct */

const struct rms_limit_def *rms_limit_find(const char *name,
    enum rms_limit_id *);
const char *rms_response_name(enum rms_response);
/* A monitor's rule by name; RL__COUNT is "stale-prices". */
const char *rms_rule_name(enum rms_limit_id);
int rms_response_parse(const char *, enum rms_response *);

/*
 * Set one limit from its text ("25000", "1.5", "09:15-15:15",
 * "NSE,NFO"), or its response ("on-mtm-loss" = "squareoff"), or
 * "approval" = "yes|no".  Refuses unknown names, negatives, NaN, more
 * decimals than the unit has and values past the limit's sane maximum,
 * naming the limit and the value; lim is unchanged on error.
 */
int rms_limit_set(struct rms_limits *, const char *name, const char *text,
    struct err *);
void rms_limit_unset(struct rms_limits *, enum rms_limit_id);
/* "none": unset a limit or a response parameter by name; -1 unknown. */
int rms_limit_unset_name(struct rms_limits *, const char *name);
/* The scale-out share in basis points (the default when none is set). */
int64_t rms_scaleout_bp(const struct rms_limits *);
/*
 * The whole lots a scale-out of bp basis points closes of a position of
 * lots (signed): the nearest whole lot to lots x bp / 10000, a half
 * rounded up (towards less risk), never more than the position -- so
 * no position flips side.  Its sign is the position's.
 */
int64_t rms_scaleout_lots(int64_t lots, int64_t bp);
int rms_limit_has(const struct rms_limits *, enum rms_limit_id);
/* The canonical text of a limit's value, as rms_limit_set takes it. */
void rms_limit_format(const struct rms_limits *, enum rms_limit_id, char *,
    size_t);

/* {"mtm-loss":"25000","on-mtm-loss":"squareoff",...} and back. */
json_t *rms_limits_to_json(const struct rms_limits *);
int rms_limits_from_json(const json_t *, struct rms_limits *, struct err *);

/*
 * Is a value tighter than another for this limit?  (A smaller loss limit
 * is tighter; a wider window, a bigger set of exchanges is looser.)
 */
int rms_limit_tighter(enum rms_limit_id, int64_t a, int64_t b);
/*
 * Lay limits over base: each limit set in over wins where it is tighter
 * than base's (or base has none), so binding a scope can only narrow
 * what the scope above allows.
 */
void rms_limits_narrow(struct rms_limits *base, const struct rms_limits *over);

/* templates.c: the shipped templates, as rms_limit_set text. */
struct rms_template_def {
	const char	*name;
	const char	*about;
	const char	*const *pairs;	/* name, value, name, value, ..., NULL */
};

extern const struct rms_template_def rms_templates[];
extern const size_t rms_ntemplates;
int rms_template_build(const struct rms_template_def *, struct rms_limits *,
    struct err *);

/*
 * scope.c: the RMS's view of the store (bindings, live overrides, firm
 * and group states) and an account's effective limits and state from
 * it: the firm's, each of its groups', then its own, each narrowing the
 * last; an override replaces its scope's value for one limit first.
 */
enum rms_scope_kind { RS_FIRM, RS_GROUP, RS_ACCOUNT, RS_STRATEGY,
	RS__COUNT };

struct rms_binding {
	enum rms_scope_kind	 kind;
	char			*name;
	char			*template;
	int			 version;
	struct rms_limits	 limits;	/* overrides applied */
};

struct rms_world {
	struct rms_binding	*b;
	size_t			 nb;
	struct {
		enum rms_scope_kind	 kind;
		char			*name;
		enum trading_state	 state;
	}			*st;
	size_t			 nst;
	size_t			 noverrides;	/* applied to b[] */
};

const char *rms_scope_kind_name(enum rms_scope_kind);
int rms_scope_kind_parse(const char *, enum rms_scope_kind *);
/* From store_rms_load's row; an override for an unbound scope is kept as
 * a binding of its own.  -1 with err on a malformed row. */
int rms_world_load(const json_t *row, struct rms_world *, struct err *);
void rms_world_free(struct rms_world *);
const struct rms_binding *rms_world_binding(const struct rms_world *,
    enum rms_scope_kind, const char *name);
void rms_effective(const struct rms_world *, const struct account *,
    struct rms_limits *, enum trading_state *);

/* The most restrictive of two trading states. */
enum trading_state rms_state_min(enum trading_state, enum trading_state);

/* guard.c: one leg before it is sent. */
enum rms_product { RP_MIS, RP_NRML, RP_CNC, RP__COUNT };

struct rms_leg {
	const char	*exchange;	/* NSE, NFO, ... */
	enum rms_product product;
	int		 buy;
	int64_t		 qty;		/* units */
	int		 lot;		/* units per lot, >= 1 */
	int64_t		 price;		/* limit price, 0 for market */
	int64_t		 ltp;		/* last price, 0 if unknown */
	int		 minute;	/* minutes after midnight IST */
	int		 rms_exit;	/* placed by the RMS itself */
};

/* What the leg would change, as the engine knows it now. */
struct rms_book {
	int64_t		 position;	/* signed units in this instrument */
	int64_t		 underlying_lots;	/* signed lots, same underlying */
	int		 open_positions;	/* instruments with a position */
	int		 orders_last_sec;	/* sent by the scope */
};

struct rms_verdict {
	int		 pass;
	enum rms_limit_id rule;		/* meaningful when !pass */
	char		 state_rule[16];	/* "halted", "reducing" or "" */
	char		 msg[200];
};

/* 1 pass, 0 deny (with the rule and a message naming the values). */
int rms_guard(const struct rms_limits *, enum trading_state,
    const struct rms_leg *, const struct rms_book *, struct rms_verdict *);
int rms_exchange_bit(const char *exchange);	/* -1 if unknown */

/* monitor.c: a scope's day, watched after each fill and mark. */
struct rms_mark {
	int64_t		 mtm;		/* today's realised + unrealised */
	int64_t		 capital;	/* for mtm-loss-pct */
	int64_t		 margin_used;
	int64_t		 margin_total;	/* used + available */
	int		 minute;	/* IST */
	int		 has_mis;	/* an open MIS position */
	int		 stale;		/* some price is older than allowed */
};

/*
 * What a monitor remembers between passes, per scope: the day's peak,
 * whether the trailing lock is armed, and which limits are breached, so
 * a breach fires once per crossing and re-arms only after the value has
 * come back past the hysteresis band.
 */
struct rms_watch {
	int64_t		 peak;
	int		 started;
	int		 trail_armed;
	uint32_t	 breached;	/* bit per limit */
	int		 stale_alerted;
};

struct rms_breach {
	enum rms_limit_id	 rule;
	enum rms_response	 response;
	int64_t			 value;		/* what was seen */
	int64_t			 limit;		/* what it crossed */
	char			 msg[200];
};

#define RMS_MAX_BREACHES	RL__COUNT
#define RMS_REARM_BP		1000	/* re-arm 10% back inside a limit */

/*
 * One pass: fills out[] with the limits newly crossed (at most
 * RMS_MAX_BREACHES) and returns how many.  A stale mark raises one
 * alert-only breach of rule RL__COUNT instead of judging prices.
 */
int rms_monitor(const struct rms_limits *, const struct rms_mark *,
    struct rms_watch *, struct rms_breach *out);
/* How much of a limit is used, in basis points (for rms state, bars). */
int64_t rms_used_bp(const struct rms_limits *, enum rms_limit_id,
    const struct rms_mark *, const struct rms_watch *);

/*
 * hedge.c: the protective option for a short position, from the chain's
 * strikes (ascending, paise).  ref is the short option's strike, or the
 * future's price (its nearest strike is the money); call: buy a call,
 * steps strikes above, else a put, steps below.  The index, or -1 when
 * the chain does not reach that far.
 */
int rms_hedge_pick(const int64_t *strikes, size_t n, int64_t ref, int call,
    int steps, int future);
/*
 * The same side of the money, by premium: of the strikes at or beyond
 * the base strike rms_hedge_pick starts from (the short strike, the
 * future's nearest), the one whose premium ltp[i] (paise, 0: no quote)
 * is the highest at or below target -- the most protection that price
 * buys; on equal premiums the one nearer the money.  -1 when no quoted
 * strike there costs target or less.
 */
int rms_hedge_pick_premium(const int64_t *strikes, const int64_t *ltp,
    size_t n, int64_t ref, int call, int future, int64_t target);

#endif
