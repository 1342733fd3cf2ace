/*
 * Positions and margins per user.  No overnight book: every position is a
 * day position, so Kite's net and day lists carry the same rows.  Margins
 * are a simple SPAN-like percentage of notional, not the exchange's file.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

#define SIM_EXPOSURE_PCT	3	/* on top of SPAN, futures and shorts */
#define SIM_MIS_EQ_PCT		20	/* intraday equity leverage 5x */

void
sim_position_fill(struct sim_user *u, struct sim_instr *in,
    enum sim_product product, int buy, int qty, int64_t price)
{
	struct sim_position	*p = NULL;
	size_t			 i;

	for (i = 0; i < u->npos; i++) {
		if (u->pos[i].in == in && u->pos[i].product == product)
			p = &u->pos[i];
	}
	if (p == NULL) {
		u->pos = xreallocarray(u->pos, u->npos + 1, sizeof *u->pos);
		p = &u->pos[u->npos++];
		memset(p, 0, sizeof *p);
		p->in = in;
		p->product = product;
	}
	if (buy) {
		p->buy_qty += qty;
		p->buy_value += price * qty;
	} else {
		p->sell_qty += qty;
		p->sell_value += price * qty;
	}
}

/*
 * Margin to carry qty at price: full value for delivery, a fifth for
 * intraday equity, premium for bought options, SPAN plus exposure of the
 * underlying's notional for futures and sold options.
 */
int64_t
sim_margin_required(const struct sim_instr *in, const struct sim_market *m,
    int buy, enum sim_product product, int qty, int64_t price)
{
	const struct sim_underlying	*row = &sim_underlyings[in->under];
	int64_t				 notional = price * qty, spot;

	switch (in->type) {
	case SIM_IT_EQ:
	case SIM_IT_INDEX:
		if (product == SIM_PR_MIS)
			return notional * SIM_MIS_EQ_PCT / 100;
		return notional;
	case SIM_IT_FUT:
		return notional * (row->span_pct + SIM_EXPOSURE_PCT) / 100;
	case SIM_IT_CE:
	case SIM_IT_PE:
		if (buy)
			return notional;
		spot = sim_round_tick(m->spot[in->under], 1) * qty;
		return spot * (row->span_pct + SIM_EXPOSURE_PCT) / 100;
	}
	return notional;
}

static void
position_pnl(const struct sim_position *p, int64_t *realised,
    int64_t *unrealised)
{
	int64_t	net = p->buy_qty - p->sell_qty, pnl, avg = 0;

	pnl = p->sell_value - p->buy_value + net * p->in->ltp;
	if (net > 0)
		avg = p->buy_value / p->buy_qty;
	else if (net < 0)
		avg = p->sell_value / p->sell_qty;
	*unrealised = net * (p->in->ltp - avg);
	*realised = pnl - *unrealised;
}

void
sim_margin_compute(const struct sim_book *b, size_t user,
    struct sim_margin *mg)
{
	const struct sim_user	*u = &b->users[user];
	const struct sim_order	*o;
	const struct sim_position *p;
	int64_t			 r, un, net, px, need;
	size_t			 i;
	int			 q;

	memset(mg, 0, sizeof *mg);
	mg->cash = u->cash;
	for (i = 0; i < u->npos; i++) {
		p = &u->pos[i];
		position_pnl(p, &r, &un);
		mg->realised += r;
		mg->unrealised += un;
		net = p->buy_qty - p->sell_qty;
		if (net == 0)
			continue;
		need = sim_margin_required(p->in, b->mkt, net > 0, p->product,
		    (int)llabs(net), p->in->ltp);
		if ((p->in->type == SIM_IT_CE || p->in->type == SIM_IT_PE) &&
		    net > 0)
			mg->option_premium += p->buy_value / p->buy_qty * net;
		else
			mg->span += need;
	}
	for (i = 0; i < b->nopen; i++) {
		o = b->open[i];
		if (o->user != user)
			continue;
		q = o->cur.quantity - o->cur.filled - o->cur.cancelled;
		px = o->cur.price != 0 ? o->cur.price : o->in->ltp;
		mg->exposure += sim_margin_required(o->in, b->mkt, o->buy,
		    o->product, q, px);
	}
	mg->net = mg->cash + mg->realised + (mg->unrealised < 0 ?
	    mg->unrealised : 0) - mg->span - mg->exposure -
	    mg->option_premium;
}
