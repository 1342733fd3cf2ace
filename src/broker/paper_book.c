/*
 * The paper books and last prices.  Books (orders, trades, positions, cash)
 * belong to the paper account, not to an adapter instance: they live for
 * the process and every instance with the same name sees the same book.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/paper_int.h"

#define PAPER_DEFAULT_CASH	(1000000LL * 100)	/* 10 lakh rupees */

static struct paper_acct	*paper_accts;
static struct paper_price	*paper_prices;
static size_t			 paper_nprices;
static int64_t			 paper_seq;

/*
 * Order and trade ids stay unique across processes (the store keeps them
 * per account): the sequence starts at the wall clock in microseconds.
 */
int64_t
paper_next_seq(void)
{
	if (paper_seq == 0)
		paper_seq = time_wall_us();
	return ++paper_seq;
}

static void
paper_key(char *buf, size_t len, const char *exchange, const char *symbol)
{
	snprintf(buf, len, "%s:%s", exchange, symbol);
}

struct paper_price *
paper_price_find(const char *key)
{
	size_t	i;

	for (i = 0; i < paper_nprices; i++) {
		if (strcmp(paper_prices[i].key, key) == 0)
			return &paper_prices[i];
	}
	return NULL;
}

int
paper_price_get(const char *exchange, const char *symbol, int64_t *paise)
{
	struct paper_price	*pp;
	char			 key[64];

	paper_key(key, sizeof key, exchange, symbol);
	if ((pp = paper_price_find(key)) == NULL || pp->paise <= 0)
		return -1;
	*paise = pp->paise;
	return 0;
}

static struct paper_pos *
paper_pos_get(struct paper_acct *a, const char *exchange, const char *symbol,
    enum broker_product product)
{
	struct paper_pos	*pp;
	size_t			 i;

	for (i = 0; i < a->npos; i++) {
		pp = &a->pos[i];
		if (strcmp(pp->exchange, exchange) == 0 &&
		    strcmp(pp->symbol, symbol) == 0 && pp->product == product)
			return pp;
	}
	a->pos = xreallocarray(a->pos, a->npos + 1, sizeof *a->pos);
	pp = &a->pos[a->npos++];
	memset(pp, 0, sizeof *pp);
	snprintf(pp->exchange, sizeof pp->exchange, "%s", exchange);
	snprintf(pp->symbol, sizeof pp->symbol, "%s", symbol);
	pp->product = product;
	return pp;
}

/* Fill what is pending of o at price: one trade, position and status. */
void
paper_fill(struct paper_acct *a, struct broker_order *o, int64_t price)
{
	struct broker_trade	*t;
	struct paper_pos	*pp;
	int64_t			 qty = o->pending;

	if (qty <= 0)
		return;
	a->trades = xreallocarray(a->trades, a->ntrades + 1,
	    sizeof *a->trades);
	t = &a->trades[a->ntrades++];
	memset(t, 0, sizeof *t);
	snprintf(t->trade_id, sizeof t->trade_id, "T%lld",
	    (long long)paper_next_seq());
	memcpy(t->order_id, o->order_id, sizeof t->order_id);
	memcpy(t->exchange, o->exchange, sizeof t->exchange);
	memcpy(t->tradingsymbol, o->tradingsymbol, sizeof t->tradingsymbol);
	t->product = o->product;
	t->side = o->side;
	t->qty = qty;
	t->price = price;
	t->fill_ts = t->exchange_ts = time_wall_us();

	pp = paper_pos_get(a, o->exchange, o->tradingsymbol, o->product);
	if (o->side == BROKER_BUY) {
		pp->buy_qty += qty;
		pp->buy_value += qty * price;
	} else {
		pp->sell_qty += qty;
		pp->sell_value += qty * price;
	}
	o->avg_price = price;
	o->filled += qty;
	o->pending = 0;
	o->state = BROKER_FILLED;
	snprintf(o->status, sizeof o->status, "COMPLETE");
	o->exchange_update_ts = t->fill_ts;
}

/*
 * What a resting order does at a new last price: SL/SL-M trigger when
 * the price reaches the trigger; a LIMIT fills when the price is at or
 * through its limit, at the limit (a marketable one at the better last).
 */
void
paper_order_tick(struct paper_acct *a, struct broker_order *o, int64_t last,
    int fresh)
{
	int	buy = o->side == BROKER_BUY;

	if (o->state == BROKER_TRIGGER_PENDING) {
		if (buy ? last < o->trigger_price : last > o->trigger_price)
			return;
		if (o->order_type == BROKER_SLM) {
			paper_fill(a, o, last);
			return;
		}
		o->state = BROKER_OPEN;
		snprintf(o->status, sizeof o->status, "OPEN");
		fresh = 1;
	}
	if (o->state != BROKER_OPEN || o->order_type == BROKER_MARKET)
		return;
	if (buy ? last > o->price : last < o->price)
		return;
	paper_fill(a, o, fresh ? last : o->price);
}

void
paper_price_set(const char *exchange, const char *symbol, int64_t paise)
{
	struct paper_price	*pp;
	struct paper_acct	*a;
	char			 key[64];
	size_t			 i;

	paper_key(key, sizeof key, exchange, symbol);
	if ((pp = paper_price_find(key)) == NULL) {
		paper_prices = xreallocarray(paper_prices, paper_nprices + 1,
		    sizeof *paper_prices);
		pp = &paper_prices[paper_nprices++];
		snprintf(pp->key, sizeof pp->key, "%s", key);
	}
	pp->paise = paise;
	if (paise <= 0)
		return;
	for (a = paper_accts; a != NULL; a = a->next) {
		for (i = 0; i < a->norders; i++) {
			struct broker_order	*o = &a->orders[i];
			enum broker_state	 was = o->state;

			if (strcmp(o->exchange, exchange) != 0 ||
			    strcmp(o->tradingsymbol, symbol) != 0)
				continue;
			paper_order_tick(a, o, paise, 0);
			if (o->state != was)
				paper_order_changed(a, o);
		}
	}
}

void
paper_reset(void)
{
	struct paper_acct	*a;

	while ((a = paper_accts) != NULL) {
		paper_accts = a->next;
		free(a->orders);
		free(a->trades);
		free(a->pos);
		free(a);
	}
	free(paper_prices);
	paper_prices = NULL;
	paper_nprices = 0;
}

struct paper_acct *
paper_acct_get(const char *name, int64_t cash)
{
	struct paper_acct	*a;

	for (a = paper_accts; a != NULL; a = a->next) {
		if (strcmp(a->name, name) == 0)
			return a;
	}
	a = xcalloc(1, sizeof *a);
	snprintf(a->name, sizeof a->name, "%s", name);
	a->cash = cash > 0 ? cash : PAPER_DEFAULT_CASH;
	a->next = paper_accts;
	paper_accts = a;
	return a;
}

struct broker_order *
paper_order_find(struct paper_acct *a, const char *id)
{
	size_t	i;

	for (i = 0; i < a->norders; i++) {
		if (strcmp(a->orders[i].order_id, id) == 0)
			return &a->orders[i];
	}
	return NULL;
}

/* One position row as Kite would report it, marked at the last price. */
void
paper_position_of(const struct paper_pos *pp, struct broker_position *bp)
{
	int64_t	last = 0, qty = pp->buy_qty - pp->sell_qty;

	memset(bp, 0, sizeof *bp);
	memcpy(bp->exchange, pp->exchange, sizeof bp->exchange);
	memcpy(bp->tradingsymbol, pp->symbol, sizeof bp->tradingsymbol);
	bp->product = pp->product;
	bp->qty = qty;
	bp->multiplier = 1;
	bp->buy_qty = bp->day_buy_qty = pp->buy_qty;
	bp->sell_qty = bp->day_sell_qty = pp->sell_qty;
	bp->buy_value = pp->buy_value;
	bp->sell_value = pp->sell_value;
	if (pp->buy_qty > 0)
		bp->buy_price = (pp->buy_value + pp->buy_qty / 2) / pp->buy_qty;
	if (pp->sell_qty > 0)
		bp->sell_price = (pp->sell_value + pp->sell_qty / 2) /
		    pp->sell_qty;
	bp->avg_price = qty > 0 ? bp->buy_price : qty < 0 ? bp->sell_price : 0;
	if (paper_price_get(pp->exchange, pp->symbol, &last) != 0)
		last = bp->avg_price;
	bp->last_price = last;
	bp->value = pp->sell_value - pp->buy_value;
	bp->pnl = bp->m2m = bp->value + qty * last;
	bp->unrealised = qty * (last - bp->avg_price);
	bp->realised = bp->pnl - bp->unrealised;
}

static void
paper_rested(json_t *bodies, const struct err *err, void *arg)
{
	struct paper_acct	*a = arg;
	struct broker_order	 o;
	json_t			*b;
	size_t			 i;

	if (err != NULL)
		log_warn("paper", "%s: resting orders not read: %s", a->name,
		    err->msg);
	json_array_foreach(err == NULL ? bodies : NULL, i, b) {
		if (paper_order_of_json(b, &o) == 0)
			paper_order_adopt(a, &o);
		else
			log_warn("paper", "%s: a stored order is not one "
			    "this version reads: skipped", a->name);
	}
	a->seeding = 0;
	a->seeded = 1;
}

/* The positions an earlier process left become this book's opening. */
void
paper_seeded(const struct broker_position *v, size_t n, void *arg)
{
	struct paper_acct	*a = arg;
	struct paper_pos	*pp;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (v[i].qty == 0)
			continue;
		a->pos = xreallocarray(a->pos, a->npos + 1, sizeof *a->pos);
		pp = &a->pos[a->npos++];
		memset(pp, 0, sizeof *pp);
		snprintf(pp->exchange, sizeof pp->exchange, "%s",
		    v[i].exchange);
		snprintf(pp->symbol, sizeof pp->symbol, "%s",
		    v[i].tradingsymbol);
		pp->product = v[i].product;
		if (v[i].qty > 0) {
			pp->buy_qty = v[i].qty;
			pp->buy_value = v[i].qty * v[i].avg_price;
		} else {
			pp->sell_qty = -v[i].qty;
			pp->sell_value = -v[i].qty * v[i].avg_price;
		}
	}
	/* Then the resting orders other processes (or this one's past)
	 * left in the store. */
	if (a->store_owner != NULL && a->store.resting != NULL) {
		a->store.resting(a->name, paper_rested, a, a->store.arg);
		return;
	}
	a->seeding = 0;
	a->seeded = 1;
}
