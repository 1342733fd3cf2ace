/*
 * The pre-trade guard: every leg, from every front, before it is sent.
 * The trading state comes first (HALTED passes only the RMS's own exits,
 * REDUCING only orders that shrink |position|), then each limit of the
 * scope's effective set.  An order that reduces a position is never
 * stopped by the window, the open-position count or the underlying cap:
 * a trader must always be able to get out.  Runs in a few hundred
 * nanoseconds: no allocation, no I/O.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rms/rms.h"

#define SEBI_ORDERS_PER_SEC	10

static int
deny(struct rms_verdict *v, enum rms_limit_id rule, const char *fmt, ...)
    PX_PRINTF(3, 4);

static int
deny(struct rms_verdict *v, enum rms_limit_id rule, const char *fmt, ...)
{
	va_list	ap;

	v->pass = 0;
	v->rule = rule;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof v->msg, fmt, ap);
	va_end(ap);
	return 0;
}

/* Does the leg bring |position| closer to zero without crossing it? */
static int
reduces(const struct rms_leg *l, const struct rms_book *b)
{
	if (b->position > 0)
		return !l->buy && l->qty <= b->position;
	if (b->position < 0)
		return l->buy && l->qty <= -b->position;
	return 0;
}

static int
check_state(enum trading_state st, const struct rms_leg *l,
    const struct rms_book *b, struct rms_verdict *v)
{
	if (st == TRADING_HALTED && !l->rms_exit) {
		snprintf(v->state_rule, sizeof v->state_rule, "halted");
		snprintf(v->msg, sizeof v->msg, "the scope is HALTED: no new "
		    "orders until it is unkilled");
		v->pass = 0;
		v->rule = RL__COUNT;
		return 0;
	}
	if (st == TRADING_REDUCING && !l->rms_exit && !reduces(l, b)) {
		snprintf(v->state_rule, sizeof v->state_rule, "reducing");
		snprintf(v->msg, sizeof v->msg, "the scope is REDUCING: only "
		    "orders that shrink a position pass (position %lld, this "
		    "%s %lld)", (long long)b->position, l->buy ? "buys" :
		    "sells", (long long)l->qty);
		v->pass = 0;
		v->rule = RL__COUNT;
		return 0;
	}
	return 1;
}

static int
check_where(const struct rms_limits *lim, const struct rms_leg *l,
    int reducing, struct rms_verdict *v)
{
	int	bit = rms_exchange_bit(l->exchange), from, to;

	if (rms_limit_has(lim, RL_EXCHANGES) &&
	    (bit < 0 || !(lim->v[RL_EXCHANGES] & ((int64_t)1 << bit))))
		return deny(v, RL_EXCHANGES, "exchanges: %s is not allowed",
		    l->exchange != NULL ? l->exchange : "?");
	if (rms_limit_has(lim, RL_PRODUCTS) && !reducing &&
	    !(lim->v[RL_PRODUCTS] & ((int64_t)1 << l->product)))
		return deny(v, RL_PRODUCTS, "products: %s is not allowed",
		    l->product == RP_MIS ? "MIS" : l->product == RP_NRML ?
		    "NRML" : "CNC");
	if (rms_limit_has(lim, RL_WINDOW) && !reducing) {
		from = RMS_WINDOW_FROM(lim->v[RL_WINDOW]);
		to = RMS_WINDOW_TO(lim->v[RL_WINDOW]);
		if (l->minute < from || l->minute >= to)
			return deny(v, RL_WINDOW, "window %02d:%02d-%02d:%02d "
			    "IST: it is %02d:%02d", from / 60, from % 60,
			    to / 60, to % 60, l->minute / 60, l->minute % 60);
	}
	return 1;
}

static int
check_size(const struct rms_limits *lim, const struct rms_leg *l,
    struct rms_verdict *v)
{
	int64_t	lots = l->qty / (l->lot > 0 ? l->lot : 1);
	int64_t	px = l->price > 0 ? l->price : l->ltp, notional, band;

	if (rms_limit_has(lim, RL_MAX_QTY_PER_ORDER) &&
	    l->qty > lim->v[RL_MAX_QTY_PER_ORDER])
		return deny(v, RL_MAX_QTY_PER_ORDER, "max-qty-per-order %lld: "
		    "this order is %lld units",
		    (long long)lim->v[RL_MAX_QTY_PER_ORDER], (long long)l->qty);
	if (rms_limit_has(lim, RL_MAX_LOTS_PER_ORDER) &&
	    lots > lim->v[RL_MAX_LOTS_PER_ORDER])
		return deny(v, RL_MAX_LOTS_PER_ORDER, "max-lots-per-order "
		    "%lld: this order is %lld lots",
		    (long long)lim->v[RL_MAX_LOTS_PER_ORDER], (long long)lots);
	if (rms_limit_has(lim, RL_MAX_NOTIONAL_PER_ORDER) && px > 0 &&
	    l->qty > 0 && px > lim->v[RL_MAX_NOTIONAL_PER_ORDER] / l->qty) {
		if (l->qty > INT64_MAX / px)
			return deny(v, RL_MAX_NOTIONAL_PER_ORDER,
			    "max-notional-per-order %lld: this order is past "
			    "any notional", (long long)
			    (lim->v[RL_MAX_NOTIONAL_PER_ORDER] / 100));
		notional = px * l->qty;
		return deny(v, RL_MAX_NOTIONAL_PER_ORDER,
		    "max-notional-per-order %lld: this order is %lld rupees",
		    (long long)(lim->v[RL_MAX_NOTIONAL_PER_ORDER] / 100),
		    (long long)(notional / 100));
	}
	if (rms_limit_has(lim, RL_PRICE_BAND_PCT) && l->price > 0 &&
	    l->ltp > 0) {
		band = l->ltp * lim->v[RL_PRICE_BAND_PCT] / 10000;
		if (llabs(l->price - l->ltp) > band)
			return deny(v, RL_PRICE_BAND_PCT, "price-band-pct "
			    "%lld.%02lld: limit %lld.%02lld is more than that "
			    "from the LTP %lld.%02lld",
			    (long long)(lim->v[RL_PRICE_BAND_PCT] / 100),
			    (long long)(lim->v[RL_PRICE_BAND_PCT] % 100),
			    (long long)(l->price / 100),
			    (long long)(l->price % 100),
			    (long long)(l->ltp / 100),
			    (long long)(l->ltp % 100));
	}
	return 1;
}

static int
check_exposure(const struct rms_limits *lim, const struct rms_leg *l,
    const struct rms_book *b, int reducing, struct rms_verdict *v)
{
	int64_t	lots = l->qty / (l->lot > 0 ? l->lot : 1);
	int64_t	after;
	int64_t	rate = rms_limit_has(lim, RL_ORDERS_PER_SEC) ?
		    lim->v[RL_ORDERS_PER_SEC] : SEBI_ORDERS_PER_SEC;

	/* Quantities are bounded at parse time; clamp anyway, never wrap. */
	if (lots > INT64_MAX / 4)
		lots = INT64_MAX / 4;
	after = b->underlying_lots + (l->buy ? lots : -lots);
	if (rms_limit_has(lim, RL_MAX_LOTS_PER_UNDERLYING) && !reducing &&
	    llabs(after) > lim->v[RL_MAX_LOTS_PER_UNDERLYING] &&
	    llabs(after) > llabs(b->underlying_lots))
		return deny(v, RL_MAX_LOTS_PER_UNDERLYING,
		    "max-lots-per-underlying %lld: this order takes it to "
		    "%lld lots", (long long)lim->v[RL_MAX_LOTS_PER_UNDERLYING],
		    (long long)llabs(after));
	if (rms_limit_has(lim, RL_MAX_OPEN_POSITIONS) && b->position == 0 &&
	    b->open_positions >= lim->v[RL_MAX_OPEN_POSITIONS])
		return deny(v, RL_MAX_OPEN_POSITIONS, "max-open-positions "
		    "%lld: %d are open already",
		    (long long)lim->v[RL_MAX_OPEN_POSITIONS],
		    b->open_positions);
	if (b->orders_last_sec >= rate)
		return deny(v, RL_ORDERS_PER_SEC, "orders-per-sec %lld: %d "
		    "sent in the last second", (long long)rate,
		    b->orders_last_sec);
	return 1;
}

int
rms_guard(const struct rms_limits *lim, enum trading_state st,
    const struct rms_leg *l, const struct rms_book *b,
    struct rms_verdict *v)
{
	int	reducing = reduces(l, b);

	v->pass = 1;
	v->rule = RL__COUNT;
	v->state_rule[0] = '\0';
	v->msg[0] = '\0';
	if (!check_state(st, l, b, v))
		return 0;
	if (l->rms_exit)
		return 1;	/* the RMS's own exits are never held back */
	if (!check_where(lim, l, reducing, v) || !check_size(lim, l, v) ||
	    !check_exposure(lim, l, b, reducing, v))
		return 0;
	return 1;
}
