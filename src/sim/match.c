/*
 * Matching against the model's LTP.  There is no order book of other
 * participants: a resting order fills when the market crosses it, at most
 * book->fill_lots lots per pass so large orders show partial fills.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

#define SIM_AUTO_PROTECTION_PCT	3	/* market_protection = -1 */
#define SIM_EQ_FILL_UNIT	100	/* shares per "lot" of an equity */

void
sim_book_add_open(struct sim_book *b, struct sim_order *o)
{
	b->open = xreallocarray(b->open, b->nopen + 1, sizeof *b->open);
	b->open[b->nopen++] = o;
}

/* Keeps time priority: the array stays in placement order. */
void
sim_book_drop_open(struct sim_book *b, struct sim_order *o)
{
	size_t	i;

	for (i = 0; i < b->nopen; i++) {
		if (b->open[i] == o) {
			memmove(&b->open[i], &b->open[i + 1],
			    (b->nopen - i - 1) * sizeof *b->open);
			b->nopen--;
			return;
		}
	}
}

static int
remaining(const struct sim_order *o)
{
	return o->cur.quantity - o->cur.filled - o->cur.cancelled;
}

/*
 * A market order is a limit at the reference price +/- protection: past
 * it the remainder waits rather than filling at any price.
 */
static int
within_protection(const struct sim_order *o, int64_t ltp)
{
	int	pct = o->market_protection;

	if (pct == 0)
		return 1;
	if (pct < 0)
		pct = SIM_AUTO_PROTECTION_PCT;
	if (o->buy)
		return ltp * 100 <= o->ref_price * (100 + pct);
	return ltp * 100 >= o->ref_price * (100 - pct);
}

static int
triggered(struct sim_book *b, struct sim_order *o, int64_t ltp)
{
	if (o->triggered || (o->cur.order_type != SIM_OT_SL &&
	    o->cur.order_type != SIM_OT_SLM))
		return 1;
	if (o->buy ? ltp < o->cur.trigger : ltp > o->cur.trigger)
		return 0;
	o->triggered = 1;
	o->ref_price = ltp;
	o->cur.update_us = b->clock();
	sim_order_status(b, o, "OPEN", NULL);
	return 1;
}

static int
marketable(const struct sim_order *o, int64_t ltp)
{
	switch (o->cur.order_type) {
	case SIM_OT_MARKET:
	case SIM_OT_SLM:
		return within_protection(o, ltp);
	case SIM_OT_LIMIT:
	case SIM_OT_SL:
		return o->buy ? ltp <= o->cur.price : ltp >= o->cur.price;
	}
	return 0;
}

static void
record_trade(struct sim_book *b, struct sim_order *o, int qty, int64_t px)
{
	struct sim_user		*u = &b->users[o->user];
	struct sim_trade	*t = xcalloc(1, sizeof *t);

	snprintf(t->trade_id, sizeof t->trade_id, "%llu",
	    (unsigned long long)(10000000 + ++b->trade_seq));
	t->order = o;
	t->quantity = qty;
	t->price = px;
	t->ts_us = b->clock();
	u->trades = xreallocarray(u->trades, u->ntrades + 1,
	    sizeof *u->trades);
	u->trades[u->ntrades++] = t;
	o->in->volume += qty;
	o->in->vwap_num += (double)px * qty;
	o->in->last_qty = qty;
	o->in->last_trade_us = t->ts_us;
}

static void
expire_if_due(struct sim_book *b, struct sim_order *o)
{
	int64_t	now = b->clock();

	if (o->validity == SIM_VA_IOC || (o->validity == SIM_VA_TTL &&
	    now >= o->cur.order_us + (int64_t)o->ttl_min * 60 * 1000000)) {
		o->cur.cancelled = remaining(o);
		o->cur.update_us = now;
		sim_book_drop_open(b, o);
		sim_order_status(b, o, "CANCELLED", o->validity == SIM_VA_IOC ?
		    "IOC order cancelled: not filled immediately." :
		    "TTL order expired.");
	}
}

/* One matching pass over one order. */
void
sim_match_order(struct sim_book *b, struct sim_order *o)
{
	int64_t	ltp = o->in->ltp;
	int	cap, qty;

	if (strcmp(o->cur.status, "OPEN") != 0 &&
	    strcmp(o->cur.status, "TRIGGER PENDING") != 0)
		return;
	if (triggered(b, o, ltp) && marketable(o, ltp)) {
		cap = b->fill_lots * (o->in->lot > 1 ? o->in->lot :
		    SIM_EQ_FILL_UNIT);
		qty = remaining(o) < cap ? remaining(o) : cap;
		record_trade(b, o, qty, ltp);
		sim_position_fill(&b->users[o->user], o->in, o->product,
		    o->buy, qty, ltp);
		o->cur.filled += qty;
		o->cur.fill_value += ltp * qty;
		o->cur.update_us = b->clock();
		if (remaining(o) == 0) {
			sim_book_drop_open(b, o);
			sim_order_status(b, o, "COMPLETE", NULL);
			if (o->variety == SIM_VR_CO && o->parent_id[0] == '\0')
				sim_order_cover_leg(b, o);
			return;
		}
		sim_order_status(b, o, "OPEN", NULL);
	}
	expire_if_due(b, o);
}

/* Match a snapshot: fills and cancels edit the open list as we go. */
static void
match_some(struct sim_book *b, const struct sim_instr *only)
{
	struct sim_order	**snap;
	size_t			  n = b->nopen, i;

	if (n == 0)
		return;
	snap = xreallocarray(NULL, n, sizeof *snap);
	memcpy(snap, b->open, n * sizeof *snap);
	for (i = 0; i < n; i++) {
		if (only == NULL || snap[i]->in == only)
			sim_match_order(b, snap[i]);
	}
	free(snap);
}

void
sim_match_all(struct sim_book *b)
{
	match_some(b, NULL);
	sim_gtt_check(b);
}

void
sim_match_instr(struct sim_book *b, const struct sim_instr *in)
{
	match_some(b, in);
}
