/*
 * Holdings and cover-order trigger ranges.  A simulated user has no
 * demat account, so each gets a small delivery portfolio drawn from its
 * user id: the same stocks, quantities and buy prices on every start,
 * valued at the live market.  Today's CNC sells show as used quantity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

#define IE			"InputException"
#define HOLDINGS_MIN		3
#define HOLDINGS_SPREAD		3	/* 3 to 5 stocks */
#define COVER_RANGE_PCT		3	/* stop loss within 3% of the LTP */

static uint64_t
user_seed(const char *user_id)
{
	uint64_t	h = 1469598103934665603ULL;

	for (; *user_id != '\0'; user_id++)
		h = (h ^ (unsigned char)*user_id) * 1099511628211ULL;
	return sim_hash64(h);
}

static int64_t
sold_today(const struct sim_user *u, const struct sim_instr *in)
{
	size_t	i;

	for (i = 0; i < u->npos; i++) {
		if (u->pos[i].in == in && u->pos[i].product == SIM_PR_CNC)
			return u->pos[i].sell_qty;
	}
	return 0;
}

static json_t *
holding_json(const struct sim_user *u, const struct sim_instr *in,
    int64_t qty, int64_t avg)
{
	char	isin[16];
	int64_t	used = sold_today(u, in), pnl, change;
	json_t	*j;

	if (used > qty)
		used = qty;
	snprintf(isin, sizeof isin, "INE%07d01", in->token % 10000000);
	pnl = (in->ltp - avg) * qty;
	change = in->ltp - in->close;
	j = json_pack("{s:s,s:s,s:i,s:s,s:s,s:i,s:I,s:I,s:i,s:I,s:i,s:n,"
	    "s:{},s:I,s:i,s:i,s:s,s:b}", "tradingsymbol", in->symbol,
	    "exchange", in->exchange, "instrument_token", in->token, "isin",
	    isin, "product", "CNC", "price", 0, "quantity", (json_int_t)qty,
	    "used_quantity", (json_int_t)used, "t1_quantity", 0,
	    "realised_quantity", (json_int_t)qty, "authorised_quantity", 0,
	    "authorised_date", "authorisation", "opening_quantity",
	    (json_int_t)qty, "short_quantity", 0, "collateral_quantity", 0,
	    "collateral_type", "", "discrepancy", 0);
	json_object_set_new(j, "average_price", sim_json_paise(avg));
	json_object_set_new(j, "last_price", sim_json_paise(in->ltp));
	json_object_set_new(j, "close_price", sim_json_paise(in->close));
	json_object_set_new(j, "pnl", sim_json_paise(pnl));
	json_object_set_new(j, "day_change", sim_json_paise(change));
	json_object_set_new(j, "day_change_percentage", json_real(
	    in->close > 0 ? (double)change * 100 / (double)in->close : 0));
	json_object_set_new(j, "mtf", json_pack("{s:i,s:i,s:i,s:i,s:i}",
	    "quantity", 0, "used_quantity", 0, "average_price", 0, "value",
	    0, "initial_margin", 0));
	return j;
}

json_t *
sim_json_holdings(const struct sim_book *b, size_t user)
{
	const struct sim_user	*u = &b->users[user];
	const struct sim_market	*m = b->mkt;
	const struct sim_instr	*in;
	uint64_t		 s = user_seed(u->user_id);
	size_t			*eq, neq = 0, i, want, pick;
	json_t			*a = json_array();
	int64_t			 qty, avg;

	eq = xreallocarray(NULL, m->n + 1, sizeof *eq);
	for (i = 0; i < m->n; i++) {
		if (m->v[i].type == SIM_IT_EQ && m->v[i].ltp > 0)
			eq[neq++] = i;
	}
	want = HOLDINGS_MIN + s % HOLDINGS_SPREAD;
	for (i = 0; i < want && neq > 0; i++) {
		s = sim_hash64(s + i);
		pick = s % neq;
		in = &m->v[eq[pick]];
		eq[pick] = eq[--neq];	/* each stock once */
		qty = 1 + (int64_t)(s >> 20) % 200;
		avg = in->close * (60 + (int64_t)(s >> 40) % 70) / 100;
		avg = avg / (in->tick > 0 ? in->tick : 5) *
		    (in->tick > 0 ? in->tick : 5);
		json_array_append_new(a, holding_json(u, in, qty,
		    avg > 0 ? avg : in->close));
	}
	free(eq);
	return a;
}

/*
 * A cover order's stop must sit on the protective side of the market,
 * at least a tick away and at most COVER_RANGE_PCT from it.
 */
void
sim_cover_range(const struct sim_instr *in, int buy, int64_t *lo,
    int64_t *hi)
{
	int64_t	tick = in->tick > 0 ? in->tick : 5;
	int64_t	band = in->ltp * COVER_RANGE_PCT / 100 / tick * tick;

	if (buy) {
		*lo = in->ltp - band;
		*hi = in->ltp - tick;
	} else {
		*lo = in->ltp + tick;
		*hi = in->ltp + band;
	}
}

json_t *
sim_trigger_range(const struct sim_market *m, const char *side,
    const char **keys, size_t nkeys, struct err *e)
{
	const struct sim_instr	*in;
	json_t			*d;
	int64_t			 lo, hi;
	size_t			 i;
	int			 buy;

	if (side == NULL || (strcasecmp(side, "buy") != 0 &&
	    strcasecmp(side, "sell") != 0)) {
		err_set(e, IE, "Invalid transaction type: buy or sell.");
		return NULL;
	}
	buy = strcasecmp(side, "buy") == 0;
	if (nkeys == 0) {
		err_set(e, IE, "No instruments given: add i=EXCHANGE:SYMBOL.");
		return NULL;
	}
	d = json_object();
	for (i = 0; i < nkeys; i++) {
		if ((in = sim_market_find_key(m, keys[i])) == NULL ||
		    in->type == SIM_IT_INDEX)
			continue;	/* Kite leaves unknown keys out */
		sim_cover_range(in, buy, &lo, &hi);
		json_object_set_new(d, keys[i], json_pack("{s:i,s:o,s:o}",
		    "instrument_token", in->token, "lower", sim_json_paise(lo),
		    "upper", sim_json_paise(hi)));
	}
	return d;
}
