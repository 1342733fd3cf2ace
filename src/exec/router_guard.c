/*
 * The router's side of the pre-trade guard: every leg of every fan-out
 * (orders, squareoffs, kills; console, batch, daemon) is put to the
 * installed guard once, before its order row is written, so a refused
 * leg is stored DENIED with the rule that refused it and never reaches
 * a broker.  The time the pass ends is the fan-out's t_rms; with no
 * guard installed none is recorded.
 */
#include <stdio.h>
#include <string.h>

#include "exec/router_int.h"
#include "net/net.h"

/* How long a fan-out waits for the guard's limits, and how often it looks. */
#define GUARD_WAIT_US	3000000
#define GUARD_POLL_US	5000

void
router_set_guard(struct router *r, router_guard_fn fn,
    router_guard_ready_fn ready, void *ctx)
{
	r->guard = fn;
	r->guard_ready = ready;
	r->guard_ctx = ctx;
}

/* Exits (squareoff, kill, the RMS's own orders) pass a guard unjudged. */
static int
router_guard_exits(const struct fanout *fo)
{
	return fo->req.intent != FANOUT_ORDER || (fo->req.source != NULL &&
	    strcmp(fo->req.source, "rms") == 0);
}

/*
 * A fan-out whose legs the guard cannot judge yet -- its limits still
 * loading, as in the first moments of a process, when the registry is
 * already warm and a command can reach the guard before the store has
 * answered the RMS -- waits for them, looking every 5 ms, up to 3 s; then
 * the guard judges all the same and refuses what it cannot check.  An
 * exit never waits: the guard passes it unjudged.  1: again() is called
 * later with fo.
 */
int
router_guard_wait(struct fanout *fo, void (*again)(void *))
{
	struct router	*r = fo->r;
	int64_t		 now;

	if (r->guard == NULL || r->guard_ready == NULL ||
	    router_guard_exits(fo) || r->guard_ready(r->guard_ctx))
		return 0;
	now = time_mono_us();
	if (fo->guard_until == 0)
		fo->guard_until = now + GUARD_WAIT_US;
	if (now >= fo->guard_until)
		return 0;
	loop_later(GUARD_POLL_US, again, fo);
	return 1;
}

static int
router_guard_exit(const struct fanout *fo, const struct leg *leg)
{
	return leg->rollback || router_guard_exits(fo);
}

static int
router_guard_one(struct fanout *fo, const struct broker_order_req *q,
    int64_t account_id, const char *account, int slice, int exit, int dry,
    struct router_guard_verdict *v)
{
	struct router_guard_leg	g;

	memset(&g, 0, sizeof g);
	g.account_id = account_id;
	g.account = account;
	g.exchange = q->exchange;
	g.symbol = q->tradingsymbol;
	g.side = q->side;
	g.qty = q->qty;
	g.lot = fo->lot_size > 0 ? fo->lot_size : 1;
	g.product = q->product;
	g.order_type = q->order_type;
	g.price = q->order_type == BROKER_LIMIT || q->order_type == BROKER_SL ?
	    q->price : 0;
	g.exit = exit;
	g.slice = slice;
	g.dry = dry;
	memset(v, 0, sizeof *v);
	v->pass = 1;
	return fo->r->guard(fo->r->guard_ctx, &g, v);
}

void
router_guard_legs(struct fanout *fo)
{
	struct router_guard_verdict	 v;
	struct leg			*leg;
	size_t				 i;

	if (fo->r->guard == NULL)
		return;
	for (i = 0; i < fo->nlegs; i++) {
		leg = fo->legs[i];
		if (leg->failed)
			continue;
		if (router_guard_one(fo, &leg->req, leg->account_id,
		    leg->account, leg->slice, router_guard_exit(fo, leg), 0,
		    &v))
			continue;
		leg->failed = 1;
		leg->denied = 1;
		snprintf(leg->message, sizeof leg->message, "RMS %s: %s",
		    v.rule, v.msg);
	}
	fo->t_rms = time_mono_us();
}

/* --dry-run: the verdict each account's first slice would get. */
int
router_guard_plan(struct fanout *fo, const struct alloc_leg *al,
    struct router_guard_verdict *v)
{
	struct broker_order_req	q;
	size_t			j;

	memset(v, 0, sizeof *v);
	v->pass = 1;
	if (fo->r->guard == NULL)
		return 1;
	for (j = 0; j < al->nslices; j++) {
		memset(&q, 0, sizeof q);
		snprintf(q.exchange, sizeof q.exchange, "%s", fo->exchange);
		snprintf(q.tradingsymbol, sizeof q.tradingsymbol, "%s",
		    fo->symbol);
		q.side = fo->req.side;
		q.order_type = fo->req.order_type;
		q.product = fo->req.product;
		q.qty = fo->plan.slices[al->slice0 + j].qty;
		q.price = fo->req.price;
		if (!router_guard_one(fo, &q, al->acct->id, al->acct->name,
		    (int)j, fo->req.source != NULL &&
		    strcmp(fo->req.source, "rms") == 0, 1, v))
			return 0;
	}
	return 1;
}
