/*
 * The paper adapter (src/broker/paper.c): market fills at the last price,
 * limits when crossed, stops on their trigger, positions and funds, the
 * price lookup, and callbacks that never run inside the call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "broker/broker_lib.h"
#include "net/net.h"

struct got {
	int			 n;
	int			 in_call;
	int			 err;
	struct broker_err	 be;
	char			 id[32];
	struct broker_order	 orders[8];
	size_t			 norders;
	struct broker_position	 pos[8];
	size_t			 npos;
	struct broker_margins	 m;
	size_t			 rows;
};

static void
got_done(struct got *g, const struct broker_err *be)
{
	assert_false(g->in_call);
	g->n++;
	g->err = be != NULL;
	if (be != NULL)
		g->be = *be;
	loop_exit();
}

static void
on_id(const struct broker_err *be, const char *id, void *arg)
{
	struct got	*g = arg;

	got_done(g, be);
	if (id != NULL)
		snprintf(g->id, sizeof g->id, "%s", id);
}

static void
on_orders(const struct broker_err *be, const struct broker_order *v, size_t n,
    void *arg)
{
	struct got	*g = arg;

	got_done(g, be);
	g->norders = n < 8 ? n : 8;
	if (n > 0)
		memcpy(g->orders, v, g->norders * sizeof *v);
}

static void
on_positions(const struct broker_err *be, const struct broker_positions *p,
    void *arg)
{
	struct got	*g = arg;

	got_done(g, be);
	g->npos = p->nnet < 8 ? p->nnet : 8;
	if (g->npos > 0)
		memcpy(g->pos, p->net, g->npos * sizeof *p->net);
}

static void
on_margins(const struct broker_err *be, const struct broker_margins *m,
    void *arg)
{
	struct got	*g = arg;

	got_done(g, be);
	g->m = *m;
}

static void
on_trades(const struct broker_err *be, const struct broker_trade *t, size_t n,
    void *arg)
{
	struct got	*g = arg;

	got_done(g, be);
	g->rows = n;
}

static void
on_quotes(const struct broker_err *be, const struct broker_quote *q, size_t n,
    void *arg)
{
	struct got	*g = arg;

	got_done(g, be);
	g->rows = n;
	if (n > 0)
		assert_int_equal(q[0].ltp, 2500000);
}

/* Counts rows; npos counts NIFTY futures with the lot size in force. */
static int
on_instrument(const struct broker_instrument *in, void *arg)
{
	struct got	*g = arg;

	g->rows++;
	if (strcmp(in->name, "NIFTY") == 0 &&
	    strcmp(in->instrument_type, "FUT") == 0 && in->lot_size == 65 &&
	    g->npos == 0)
		g->npos = 1;
	return 0;
}

static void
on_done(const struct broker_err *be, void *arg)
{
	got_done(arg, be);
}

static void
wait_one(struct got *g)
{
	g->in_call = 0;
	if (g->n == 0)
		loop_run();
	assert_int_equal(g->n, 1);
}

static struct broker *
paper(const char *name)
{
	struct paper_opts	o;

	memset(&o, 0, sizeof o);
	o.name = name;
	return paper_new(&o);
}

static void
req(struct broker_order_req *r, enum broker_side side,
    enum broker_order_type t, int64_t qty, int64_t price, int64_t trigger)
{
	memset(r, 0, sizeof *r);
	snprintf(r->exchange, sizeof r->exchange, "NFO");
	snprintf(r->tradingsymbol, sizeof r->tradingsymbol, "NIFTYFUT");
	r->side = side;
	r->order_type = t;
	r->product = BROKER_NRML;
	r->qty = qty;
	r->price = price;
	r->trigger_price = trigger;
	r->market_protection = t == BROKER_MARKET || t == BROKER_SLM ? -1 : 0;
}

static void
place(struct broker *b, const struct broker_order_req *r, struct got *g)
{
	memset(g, 0, sizeof *g);
	g->in_call = 1;
	b->ops->place(b, r, on_id, g);
	wait_one(g);
}

static void
book(struct broker *b, struct got *g)
{
	memset(g, 0, sizeof *g);
	g->in_call = 1;
	b->ops->orders(b, on_orders, g);
	wait_one(g);
	assert_false(g->err);
}

static void
positions(struct broker *b, struct got *g)
{
	memset(g, 0, sizeof *g);
	g->in_call = 1;
	b->ops->positions(b, on_positions, g);
	wait_one(g);
	assert_false(g->err);
}

static void
stop_loop(void *arg)
{
	loop_exit();
}

static int
teardown(void **state)
{
	paper_reset();
	loop_free();
	return 0;
}

/* No price anywhere: a clear refusal naming the instrument. */
static void
test_no_price(void **state)
{
	struct broker		*b = paper("p-noprice");
	struct broker_order_req	 r;
	struct got		 g;

	req(&r, BROKER_BUY, BROKER_MARKET, 65, 0, 0);
	place(b, &r, &g);
	assert_true(g.err);
	assert_int_equal(g.be.kind, BROKER_ERR_FINAL);
	assert_non_null(strstr(g.be.err.msg, "no price for NFO:NIFTYFUT"));
	broker_free(b);
}

/* MARKET at the last price, then a position marked at the next price. */
static void
test_market_fill_and_pnl(void **state)
{
	struct broker		*b = paper("p-mkt");
	struct broker_order_req	 r;
	struct got		 g;

	paper_price_set("NFO", "NIFTYFUT", 2500000);
	req(&r, BROKER_BUY, BROKER_MARKET, 130, 0, 0);
	place(b, &r, &g);
	assert_false(g.err);
	book(b, &g);
	assert_int_equal(g.norders, 1);
	assert_int_equal(g.orders[0].state, BROKER_FILLED);
	assert_string_equal(g.orders[0].status, "COMPLETE");
	assert_int_equal(g.orders[0].avg_price, 2500000);

	paper_price_set("NFO", "NIFTYFUT", 2501050);
	positions(b, &g);
	assert_int_equal(g.npos, 1);
	assert_int_equal(g.pos[0].qty, 130);
	assert_int_equal(g.pos[0].avg_price, 2500000);
	assert_int_equal(g.pos[0].last_price, 2501050);
	assert_int_equal(g.pos[0].pnl, 130 * 1050);

	/* Sell half: realised on 65, unrealised on the rest. */
	req(&r, BROKER_SELL, BROKER_MARKET, 65, 0, 0);
	place(b, &r, &g);
	assert_false(g.err);
	positions(b, &g);
	assert_int_equal(g.pos[0].qty, 65);
	assert_int_equal(g.pos[0].pnl, 130 * 1050);

	memset(&g, 0, sizeof g);
	b->ops->margins(b, on_margins, &g);
	wait_one(&g);
	assert_true(g.m.equity.enabled);
	assert_true(g.m.equity.debits > 0);
	assert_true(g.m.equity.net < g.m.equity.cash + 130 * 1050);

	memset(&g, 0, sizeof g);
	b->ops->trades(b, NULL, on_trades, &g);
	wait_one(&g);
	assert_int_equal(g.rows, 2);
	broker_free(b);
}

/* A resting LIMIT fills when a later price crosses it, at its limit. */
static void
test_limit_cross(void **state)
{
	struct broker		*b = paper("p-lim");
	struct broker_order_req	 r;
	struct got		 g;
	char			 id[32];

	paper_price_set("NFO", "NIFTYFUT", 2500000);
	req(&r, BROKER_BUY, BROKER_LIMIT, 65, 2490000, 0);
	place(b, &r, &g);
	assert_false(g.err);
	snprintf(id, sizeof id, "%s", g.id);
	book(b, &g);
	assert_int_equal(g.orders[0].state, BROKER_OPEN);

	paper_price_set("NFO", "NIFTYFUT", 2495000);
	book(b, &g);
	assert_int_equal(g.orders[0].state, BROKER_OPEN);
	paper_price_set("NFO", "NIFTYFUT", 2488000);
	book(b, &g);
	assert_int_equal(g.orders[0].state, BROKER_FILLED);
	assert_int_equal(g.orders[0].avg_price, 2490000);

	/* A marketable limit fills at once, at the better last price. */
	req(&r, BROKER_SELL, BROKER_LIMIT, 65, 2480000, 0);
	place(b, &r, &g);
	book(b, &g);
	assert_int_equal(g.orders[1].state, BROKER_FILLED);
	assert_int_equal(g.orders[1].avg_price, 2488000);
	broker_free(b);
}

/* SL-M triggers to a market fill; modify and cancel a resting order. */
static void
test_stop_modify_cancel(void **state)
{
	struct broker		*b = paper("p-stop");
	struct broker_order_req	 r;
	struct got		 g;
	char			 id[32];

	paper_price_set("NFO", "NIFTYFUT", 2500000);
	req(&r, BROKER_SELL, BROKER_SLM, 65, 0, 2490000);
	place(b, &r, &g);
	assert_false(g.err);
	book(b, &g);
	assert_int_equal(g.orders[0].state, BROKER_TRIGGER_PENDING);
	paper_price_set("NFO", "NIFTYFUT", 2489500);
	book(b, &g);
	assert_int_equal(g.orders[0].state, BROKER_FILLED);
	assert_int_equal(g.orders[0].avg_price, 2489500);

	req(&r, BROKER_BUY, BROKER_LIMIT, 65, 2400000, 0);
	place(b, &r, &g);
	snprintf(id, sizeof id, "%s", g.id);
	req(&r, BROKER_BUY, BROKER_LIMIT, 130, 2410000, 0);
	memset(&g, 0, sizeof g);
	g.in_call = 1;
	b->ops->modify(b, id, &r, on_id, &g);
	wait_one(&g);
	assert_false(g.err);
	book(b, &g);
	assert_int_equal(g.orders[1].qty, 130);
	assert_int_equal(g.orders[1].price, 2410000);

	memset(&g, 0, sizeof g);
	g.in_call = 1;
	b->ops->cancel(b, id, BROKER_VARIETY_REGULAR, on_id, &g);
	wait_one(&g);
	assert_false(g.err);
	book(b, &g);
	assert_int_equal(g.orders[1].state, BROKER_CANCELLED);
	assert_int_equal(g.orders[1].cancelled, 130);

	memset(&g, 0, sizeof g);
	b->ops->cancel(b, id, BROKER_VARIETY_REGULAR, on_id, &g);
	wait_one(&g);
	assert_true(g.err);
	assert_int_equal(g.be.kind, BROKER_ERR_FINAL);
	broker_free(b);
}

/* Same name, same book: one command's fill is the next one's position. */
static void
test_book_shared_by_name(void **state)
{
	struct broker		*b = paper("p-share"), *b2;
	struct broker_order_req	 r;
	struct got		 g;
	const char		*keys[2] = { "NFO:NIFTYFUT", "NSE:NOPE" };

	paper_price_set("NFO", "NIFTYFUT", 2500000);
	req(&r, BROKER_BUY, BROKER_MARKET, 65, 0, 0);
	place(b, &r, &g);
	broker_free(b);
	b2 = paper("p-share");
	positions(b2, &g);
	assert_int_equal(g.npos, 1);
	broker_free(b2);
	b2 = paper("p-other");
	positions(b2, &g);
	assert_int_equal(g.npos, 0);

	memset(&g, 0, sizeof g);
	b2->ops->quote(b2, keys, 2, on_quotes, &g);
	wait_one(&g);
	assert_int_equal(g.rows, 1);
	/* The dump is the simulator's table: NIFTY futures at lot 65. */
	memset(&g, 0, sizeof g);
	b2->ops->instruments(b2, "NFO", on_instrument, on_done, &g);
	wait_one(&g);
	assert_false(g.err);
	assert_true(g.rows > 100);
	assert_int_equal(g.npos, 1);
	broker_free(b2);
}

/* Bad orders are refused like Kite would, before touching the book. */
static void
test_input_errors(void **state)
{
	struct broker		*b = paper("p-input");
	struct broker_order_req	 r;
	struct got		 g;

	paper_price_set("NFO", "NIFTYFUT", 2500000);
	req(&r, BROKER_BUY, BROKER_MARKET, 65, 0, 0);
	snprintf(r.tag, sizeof r.tag, "abcdefghijklmnopqrstu");
	place(b, &r, &g);
	assert_true(g.err);
	assert_string_equal(g.be.err.code, "input");
	req(&r, BROKER_BUY, BROKER_LIMIT, 65, 0, 0);
	place(b, &r, &g);
	assert_true(g.err);
	book(b, &g);
	assert_int_equal(g.norders, 0);
	broker_free(b);
}

static int	lookups;
static int64_t	lookup_delay_us;

struct pending_lookup {
	paper_price_cb	 cb;
	void		*cbarg;
};

static void
lookup_fire(void *arg)
{
	struct pending_lookup	*l = arg;

	l->cb(1999950, l->cbarg);
	free(l);
}

/* The instrument table's price, asked for from the loop. */
static void
lookup(const char *exchange, const char *symbol, paper_price_cb cb,
    void *cbarg, void *arg)
{
	struct pending_lookup	*l = xmalloc(sizeof *l);

	lookups++;
	assert_string_equal(symbol, "NIFTYFUT");
	l->cb = cb;
	l->cbarg = cbarg;
	loop_later(lookup_delay_us, lookup_fire, l);
}

static void
test_lookup(void **state)
{
	struct paper_opts	 o;
	struct broker		*b;
	struct broker_order_req	 r;
	struct got		 g;
	int64_t			 p;

	memset(&o, 0, sizeof o);
	o.name = "p-lookup";
	o.lookup = lookup;
	b = paper_new(&o);
	lookups = 0;
	req(&r, BROKER_BUY, BROKER_MARKET, 65, 0, 0);
	place(b, &r, &g);
	assert_false(g.err);
	assert_int_equal(lookups, 1);
	assert_int_equal(paper_price_get("NFO", "NIFTYFUT", &p), 0);
	assert_int_equal(p, 1999950);
	place(b, &r, &g);
	assert_int_equal(lookups, 1);
	broker_free(b);
}

/* Freed with calls pending: each ends "cancelled", exactly once. */
static void
test_free_pending(void **state)
{
	struct paper_opts	 o;
	struct broker		*b;
	struct broker_order_req	 r;
	struct got		 g1, g2;

	memset(&o, 0, sizeof o);
	o.name = "p-free";
	o.lookup = lookup;
	b = paper_new(&o);
	memset(&g1, 0, sizeof g1);
	memset(&g2, 0, sizeof g2);
	req(&r, BROKER_BUY, BROKER_MARKET, 65, 0, 0);
	b->ops->place(b, &r, on_id, &g1);
	b->ops->orders(b, on_orders, &g2);
	broker_free(b);
	assert_int_equal(g1.n, 1);
	assert_int_equal(g2.n, 1);
	assert_string_equal(g1.be.err.code, "cancelled");
	assert_int_equal(g1.be.kind, BROKER_ERR_UNKNOWN);

	/* Freed while a lookup is out: the late answer is dropped. */
	lookup_delay_us = 20000;
	b = paper_new(&o);
	memset(&g1, 0, sizeof g1);
	b->ops->place(b, &r, on_id, &g1);
	loop_later(1000, stop_loop, NULL);
	loop_run();
	assert_int_equal(g1.n, 0);
	broker_free(b);
	assert_int_equal(g1.n, 1);
	loop_later(50000, stop_loop, NULL);
	loop_run();
	assert_int_equal(g1.n, 1);
	lookup_delay_us = 0;
}

/*
 * A stand-in for the store's paper_orders (the real table is exercised by
 * tests/integ/paper_resting.sh): one account's rows, answered from the
 * loop, with the store failing or another process acting on demand.
 */
struct fake_row {
	char	 id[32];
	int	 resting;
	json_t	*body;
};

static struct {
	struct fake_row	 v[8];
	int		 n;
	int		 puts;
	int		 fail;		/* every call fails */
	int		 other_fills;	/* before the next conditional put */
} fk;

struct fake_call {
	paper_put_cb	 put;
	paper_bodies_cb	 bodies;
	void		*cbarg;
	int		 applied;
	json_t		*current;	/* or bodies */
};

static struct fake_row *
fake_find(const char *id)
{
	int	i;

	for (i = 0; i < fk.n; i++)
		if (strcmp(fk.v[i].id, id) == 0)
			return &fk.v[i];
	return NULL;
}

static void
fake_answer(void *arg)
{
	struct fake_call	*c = arg;
	struct err		 e;

	err_clear(&e);
	if (fk.fail)
		err_set(&e, "store-unreachable", "store unreachable: fake");
	if (c->put != NULL)
		c->put(c->applied, c->current, fk.fail ? &e : NULL, c->cbarg);
	else
		c->bodies(c->current, fk.fail ? &e : NULL, c->cbarg);
	json_decref(c->current);
	free(c);
}

static void
fake_put(const char *account, const char *order_id, int resting,
    json_t *body, int only_if_resting, paper_put_cb cb, void *cbarg,
    void *arg)
{
	struct fake_call	*c = xcalloc(1, sizeof *c);
	struct fake_row		*r = fake_find(order_id);

	fk.puts++;
	c->put = cb;
	c->cbarg = cbarg;
	if (!fk.fail && r != NULL && only_if_resting && fk.other_fills) {
		fk.other_fills = 0;
		r->resting = 0;
		json_object_set_new(r->body, "status", json_string("COMPLETE"));
		json_object_set_new(r->body, "state",
		    json_integer(BROKER_FILLED));
	}
	c->current = r != NULL ? json_deep_copy(r->body) : NULL;
	if (!fk.fail && (r == NULL || !only_if_resting || r->resting)) {
		if (r == NULL) {
			assert_true(fk.n < 8);
			r = &fk.v[fk.n++];
			snprintf(r->id, sizeof r->id, "%s", order_id);
		} else
			json_decref(r->body);
		r->resting = resting;
		r->body = json_deep_copy(body);
		c->applied = 1;
	}
	loop_later(0, fake_answer, c);
}

static void
fake_bodies(paper_bodies_cb cb, void *cbarg, const char *only_id)
{
	struct fake_call	*c = xcalloc(1, sizeof *c);
	int			 i;

	c->bodies = cb;
	c->cbarg = cbarg;
	c->current = json_array();
	for (i = 0; i < fk.n; i++) {
		if (only_id != NULL ? strcmp(fk.v[i].id, only_id) == 0 :
		    fk.v[i].resting)
			json_array_append_new(c->current,
			    json_deep_copy(fk.v[i].body));
	}
	loop_later(0, fake_answer, c);
}

static void
fake_get(const char *account, const char *order_id, paper_bodies_cb cb,
    void *cbarg, void *arg)
{
	fake_bodies(cb, cbarg, order_id);
}

static void
fake_resting(const char *account, paper_bodies_cb cb, void *cbarg,
    void *arg)
{
	fake_bodies(cb, cbarg, NULL);
}

static void
fake_seed(const char *account, paper_seed_cb cb, void *cbarg, void *arg)
{
	cb(NULL, 0, cbarg);
}

static const struct paper_store fake_store = {
	fake_put, fake_get, fake_resting, NULL
};

static struct broker *
paper_stored(const char *name)
{
	struct paper_opts	o;

	memset(&o, 0, sizeof o);
	o.name = name;
	o.seed = fake_seed;
	o.store = &fake_store;
	return paper_new(&o);
}

static void
fake_reset(void)
{
	int	i;

	for (i = 0; i < fk.n; i++)
		json_decref(fk.v[i].body);
	memset(&fk, 0, sizeof fk);
}

static void
cancel(struct broker *b, const char *id, struct got *g)
{
	memset(g, 0, sizeof *g);
	g->in_call = 1;
	b->ops->cancel(b, id, BROKER_VARIETY_REGULAR, on_id, g);
	wait_one(g);
}

/*
 * A resting order is in the store before its ack; a new process (a fresh
 * book) still has it and can cancel it; one the store cannot keep is not
 * placed; a market order is not stored at all.
 */
static void
test_resting_stored(void **state)
{
	struct broker		*b = paper_stored("p-st");
	struct broker_order_req	 r;
	struct got		 g;
	char			 id[32];

	fake_reset();
	paper_price_set("NFO", "NIFTYFUT", 2500000);
	req(&r, BROKER_BUY, BROKER_MARKET, 65, 0, 0);
	place(b, &r, &g);
	assert_false(g.err);
	assert_int_equal(fk.puts, 0);
	req(&r, BROKER_BUY, BROKER_LIMIT, 65, 2400000, 0);
	place(b, &r, &g);
	assert_false(g.err);
	snprintf(id, sizeof id, "%s", g.id);
	assert_int_equal(fk.n, 1);
	assert_true(fk.v[0].resting);
	assert_string_equal(fk.v[0].id, id);
	broker_free(b);

	/* Another process: its book opens with the stored resting order. */
	paper_reset();
	b = paper_stored("p-st");
	book(b, &g);
	assert_int_equal(g.norders, 1);
	assert_string_equal(g.orders[0].order_id, id);
	assert_int_equal(g.orders[0].state, BROKER_OPEN);
	assert_int_equal(g.orders[0].price, 2400000);
	cancel(b, id, &g);
	assert_false(g.err);
	assert_false(fk.v[0].resting);
	assert_string_equal(json_string_value(json_object_get(fk.v[0].body,
	    "status")), "CANCELLED");

	/* The store failing: the resting order is refused, not placed. */
	fk.fail = 1;
	place(b, &r, &g);
	assert_true(g.err);
	assert_int_equal(g.be.kind, BROKER_ERR_FINAL);
	assert_non_null(strstr(g.be.err.msg, "kept in the store"));
	fk.fail = 0;
	book(b, &g);
	assert_int_equal(g.orders[g.norders - 1].state, BROKER_REJECTED);
	broker_free(b);
	fake_reset();
}

/*
 * Two adapters on one book (a reconciler's beside the router's): the
 * newer, freed first, hands the keeping of the book to the older, so a
 * price that fills a resting order still reaches the store.
 */
static void
test_keeper_handed_on(void **state)
{
	struct broker		*older = paper_stored("p-keep"), *newer;
	struct broker_order_req	 r;
	struct got		 g;
	char			 id[32];

	fake_reset();
	paper_price_set("NFO", "NIFTYFUT", 2500000);
	req(&r, BROKER_BUY, BROKER_LIMIT, 65, 2400000, 0);
	place(older, &r, &g);
	assert_false(g.err);
	snprintf(id, sizeof id, "%s", g.id);
	assert_true(fake_find(id)->resting);
	newer = paper_stored("p-keep");
	book(newer, &g);
	broker_free(newer);

	paper_price_set("NFO", "NIFTYFUT", 2390000);
	book(older, &g);
	assert_int_equal(g.orders[0].state, BROKER_FILLED);
	/* The fill's write is answered from the loop. */
	loop_later(1000, stop_loop, NULL);
	loop_run();
	assert_false(fake_find(id)->resting);
	assert_string_equal(json_string_value(json_object_get(
	    fake_find(id)->body, "status")), "COMPLETE");
	broker_free(older);
	fake_reset();
}

/*
 * Another process ends the order first: before this cancel reads it (the
 * stored copy wins), or between the read and the write (the conditional
 * write refuses).  Either way one cancel, and a clear error for the other.
 */
static void
test_resting_race(void **state)
{
	struct broker		*b = paper_stored("p-race");
	struct broker_order_req	 r;
	struct got		 g;
	char			 id[32];

	fake_reset();
	paper_price_set("NFO", "NIFTYFUT", 2500000);
	req(&r, BROKER_BUY, BROKER_LIMIT, 65, 2400000, 0);
	place(b, &r, &g);
	snprintf(id, sizeof id, "%s", g.id);

	fk.other_fills = 1;
	cancel(b, id, &g);
	assert_true(g.err);
	assert_int_equal(g.be.kind, BROKER_ERR_FINAL);
	assert_non_null(strstr(g.be.err.msg, "changed by another process"));
	assert_non_null(strstr(g.be.err.msg, "COMPLETE"));
	book(b, &g);
	assert_int_equal(g.orders[0].state, BROKER_FILLED);

	place(b, &r, &g);
	snprintf(id, sizeof id, "%s", g.id);
	fake_find(id)->resting = 0;
	json_object_set_new(fake_find(id)->body, "status",
	    json_string("CANCELLED"));
	json_object_set_new(fake_find(id)->body, "state",
	    json_integer(BROKER_CANCELLED));
	cancel(b, id, &g);
	assert_true(g.err);
	assert_non_null(strstr(g.be.err.msg, "cannot be cancelled: CANCELLED"));
	broker_free(b);
	fake_reset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_no_price, teardown),
		cmocka_unit_test_teardown(test_market_fill_and_pnl, teardown),
		cmocka_unit_test_teardown(test_limit_cross, teardown),
		cmocka_unit_test_teardown(test_stop_modify_cancel, teardown),
		cmocka_unit_test_teardown(test_book_shared_by_name, teardown),
		cmocka_unit_test_teardown(test_input_errors, teardown),
		cmocka_unit_test_teardown(test_lookup, teardown),
		cmocka_unit_test_teardown(test_free_pending, teardown),
		cmocka_unit_test_teardown(test_resting_stored, teardown),
		cmocka_unit_test_teardown(test_resting_race, teardown),
		cmocka_unit_test_teardown(test_keeper_handed_on, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
