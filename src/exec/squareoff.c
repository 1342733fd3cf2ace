/*
 * squareoff, cancel and kill: intents that act on what accounts already
 * hold.  Positions and order books come from each account's broker, all
 * accounts at once (or, for a squareoff, from the caller: the RMS); closing orders are market orders of the position's
 * product, sliced under the freeze quantity, then routed like any leg.
 * kill first sets the accounts HALTED, so nothing new can slip in while
 * it cancels and closes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_fanout.h"
#include "exec/router_int.h"
#include "net/net.h"

/* Closing orders per account to reserve ids for before positions are in. */
#define SO_LEGS_GUESS	4

struct so_call {
	struct fanout		*fo;
	const struct account	*acct;
	struct router_acct	*ra;
};

static void so_close_positions(struct fanout *);
static void so_slice_legs(struct fanout *);
static void so_ask_positions(struct so_call *);

static int
so_symbol_matches(const struct fanout *fo, const char *exchange,
    const char *symbol)
{
	if (fo->symbol[0] != '\0' && strcmp(fo->symbol, symbol) != 0)
		return 0;
	if (fo->exchange[0] != '\0' && strcmp(fo->exchange, exchange) != 0)
		return 0;
	return 1;
}

/* One account's pending broker call is over; the last one moves on. */
static void
so_account_done(struct fanout *fo, void (*next)(struct fanout *))
{
	if (--fo->nbrokers_pending == 0)
		next(fo);
}

static int
so_working(enum broker_state s)
{
	return s == BROKER_OPEN || s == BROKER_TRIGGER_PENDING ||
	    s == BROKER_PARTIALLY_FILLED || s == BROKER_SUBMITTED;
}

static void
so_phase_done(struct fanout *fo)
{
	so_account_done(fo, fo->req.intent == FANOUT_KILL ?
	    so_close_positions : fanout_store_and_send);
}

/* One working order being cancelled, until its history confirms it. */
struct so_cancel {
	struct fanout		*fo;
	const struct account	*acct;
	struct router_acct	*ra;
	char			 order_id[32];
	enum broker_variety	 variety;
	int			 attempts;
};

static void so_cancel_send(struct so_cancel *);

static void
so_cancel_result(struct so_cancel *k, int failed, int unreachable,
    const char *fmt, const char *detail)
{
	struct fanout	*fo = k->fo;
	char		 result[300];

	snprintf(result, sizeof result, fmt, detail);
	json_array_append_new(fo->cancels, json_pack("{s:s,s:s,s:s,s:b,s:b}",
	    "account", k->acct->name, "broker_order_id", k->order_id,
	    "result", result, "failed", failed, "unreachable", unreachable));
	free(k);
	so_phase_done(fo);
}

static void
so_cancel_later(void *arg)
{
	so_cancel_send(arg);
}

static void
so_cancel_history(const struct broker_err *be, const struct broker_order *o,
    size_t n, void *arg)
{
	struct so_cancel		*k = arg;
	const struct broker_order	*last;

	if (be != NULL || n == 0) {
		so_cancel_result(k, 1, be != NULL && be->http_status == 0,
		    "NOT CONFIRMED: the order's history could not be read "
		    "(%.200s); it may still be working", be != NULL ?
		    be->err.msg : "empty history");
		return;
	}
	last = &o[n - 1];
	if (last->state == BROKER_CANCELLED) {
		so_cancel_result(k, 0, 0, "cancelled%s", "");
		return;
	}
	if (!so_working(last->state) && last->state != BROKER_PENDING_CANCEL) {
		/*
		 * Nothing works any more.  A fill the cancel came too late
		 * for fails a cancel; a kill closes the position next.
		 */
		so_cancel_result(k, k->fo->req.intent == FANOUT_CANCEL &&
		    last->filled > 0, 0, "not cancelled: %s at the broker",
		    broker_state_name(last->state));
		return;
	}
	if (k->attempts < k->fo->r->retry_max) {
		loop_later(book_backoff_us(k->attempts), so_cancel_later, k);
		return;
	}
	so_cancel_result(k, 1, 0, "NOT CONFIRMED: still %s at the broker "
	    "after the cancel", broker_state_name(last->state));
}

static void
so_cancelled(const struct broker_err *be, const char *order_id, void *arg)
{
	struct so_cancel	*k = arg;
	struct book_retry	 rt = book_read_retry(k->fo->r);

	if (be != NULL)
		log_info("router", "cancel of %s: %s", k->order_id,
		    be->err.msg);
	/* The cancel's answer is not the outcome: the history is. */
	book_history(k->ra, k->order_id, &rt, so_cancel_history, k);
}

static void
so_cancel_send(struct so_cancel *k)
{
	k->attempts++;
	k->ra->b->ops->cancel(k->ra->b, k->order_id, k->variety, so_cancelled,
	    k);
}

static void
so_orders(const struct broker_err *be, const struct broker_order *o,
    size_t n, void *arg)
{
	struct so_call		*c = arg;
	struct fanout		*fo = c->fo;
	struct so_cancel	*k;
	size_t			 i;

	if (be != NULL)
		fanout_problem(fo, c->acct->name, "working orders", be, NULL);
	for (i = 0; be == NULL && i < n; i++) {
		if (!so_working(o[i].state) ||
		    !so_symbol_matches(fo, o[i].exchange, o[i].tradingsymbol))
			continue;
		k = xcalloc(1, sizeof *k);
		k->fo = fo;
		k->acct = c->acct;
		k->ra = c->ra;
		snprintf(k->order_id, sizeof k->order_id, "%s", o[i].order_id);
		k->variety = o[i].variety;
		fo->nbrokers_pending++;
		so_cancel_send(k);
	}
	free(c);
	so_phase_done(fo);
}

/* Ask every targeted account's broker, calling fn for each with a call. */
static void
so_each_account(struct fanout *fo, void (*fn)(struct so_call *),
    void (*none)(struct fanout *))
{
	struct router_acct	*ra;
	struct so_call		*c;
	size_t			 i;

	/* Held at 1 while calls start, so none can finish the phase early. */
	fo->nbrokers_pending = 1;
	for (i = 0; i < fo->match.n; i++) {
		ra = router_acct_find(fo->r, fo->match.v[i]->id);
		if (ra == NULL || ra->b == NULL) {
			const char *why = json_string_value(json_object_get(
			    fo->notes, fo->match.v[i]->name));

			fanout_problem(fo, fo->match.v[i]->name, fn ==
			    so_ask_positions ? "positions" : "working orders",
			    NULL, why != NULL ? why : "no broker adapter (no "
			    "credentials)");
			continue;
		}
		c = xmalloc(sizeof *c);
		c->fo = fo;
		c->acct = fo->match.v[i];
		c->ra = ra;
		fo->nbrokers_pending++;
		fn(c);
	}
	so_account_done(fo, none);
}

static void
so_ask_orders(struct so_call *c)
{
	struct book_retry	rt = book_read_retry(c->fo->r);

	book_orders(c->ra, &rt, so_orders, c);
}

static void
so_cancel_phase(struct fanout *fo)
{
	so_each_account(fo, so_ask_orders, fo->req.intent == FANOUT_KILL ?
	    so_close_positions : fanout_store_and_send);
}

/*
 * The first time a symbol shows up, its instrument (lot and freeze size)
 * is looked up while other brokers are still answering: slicing then
 * finds it cached.
 */
static void
so_warm_instrument(struct fanout *fo, const char *exchange,
    const char *symbol)
{
	char	key[80];

	snprintf(key, sizeof key, "%s:%s", exchange, symbol);
	if (json_object_get(fo->lookups, key) != NULL)
		return;
	json_object_set_new(fo->lookups, key, json_true());
	router_instrument_warm(fo->r, exchange, symbol);
}

/* The market order that closes one position, not yet sliced. */
static void
so_add_close(struct fanout *fo, const struct account *acct,
    struct router_acct *ra, const char *exchange, const char *symbol,
    enum broker_product product, int64_t qty)
{
	struct leg	*leg;

	so_warm_instrument(fo, exchange, symbol);
	leg = fanout_add_leg(fo, acct, ra);
	leg->slice = (int)fo->nlegs - 1;
	memset(&leg->req, 0, sizeof leg->req);
	snprintf(leg->req.exchange, sizeof leg->req.exchange, "%s", exchange);
	snprintf(leg->req.tradingsymbol, sizeof leg->req.tradingsymbol, "%s",
	    symbol);
	leg->req.side = qty > 0 ? BROKER_SELL : BROKER_BUY;
	leg->req.order_type = BROKER_MARKET;
	leg->req.product = product;
	leg->req.validity = BROKER_DAY;
	leg->req.variety = BROKER_VARIETY_REGULAR;
	leg->req.qty = qty > 0 ? qty : -qty;
	leg->lots = -1;		/* not yet sliced */
}

static void
so_positions(const struct broker_err *be, const struct broker_positions *p,
    void *arg)
{
	struct so_call	*c = arg;
	struct fanout	*fo = c->fo;
	size_t		 i, before = fo->nlegs;

	if (be != NULL)
		fanout_problem(fo, c->acct->name, "positions", be, NULL);
	for (i = 0; be == NULL && i < p->nnet; i++) {
		const struct broker_position *pos = &p->net[i];

		if (pos->qty == 0 ||
		    !so_symbol_matches(fo, pos->exchange, pos->tradingsymbol))
			continue;
		so_add_close(fo, c->acct, c->ra, pos->exchange,
		    pos->tradingsymbol, pos->product, pos->qty);
	}
	/*
	 * Connections for this account's closing orders open while other
	 * brokers still answer, not when the orders go.  (Slices of large
	 * positions come later; their sends may connect then.)
	 */
	if (fo->nlegs > before && c->ra->b->ops->expect != NULL)
		c->ra->b->ops->expect(c->ra->b, fo->nlegs - before);
	free(c);
	so_account_done(fo, so_slice_legs);
}

static void
so_ask_positions(struct so_call *c)
{
	struct book_retry	rt = book_read_retry(c->fo->r);

	book_positions(c->ra, &rt, so_positions, c);
}

static void
so_close_positions(struct fanout *fo)
{
	so_each_account(fo, so_ask_positions, so_slice_legs);
}

/*
 * The positions the caller holds (fo->req.close), with no broker read
 * before the orders go: each targeted account's are closed, and an
 * account with something to close but no adapter is named a problem.
 */
static void
so_close_given(struct fanout *fo)
{
	const struct fanout_close	*p;
	const struct account		*acct;
	struct router_acct		*ra;
	const char			*why;
	size_t				 i, j;

	for (i = 0; i < fo->req.nclose; i++) {
		p = &fo->req.close[i];
		for (j = 0, acct = NULL; j < fo->match.n; j++) {
			if (fo->match.v[j]->id == p->account_id)
				acct = fo->match.v[j];
		}
		if (acct == NULL || p->qty == 0 ||
		    !so_symbol_matches(fo, p->exchange, p->symbol))
			continue;
		ra = router_acct_find(fo->r, acct->id);
		if (ra == NULL || ra->b == NULL) {
			why = json_string_value(json_object_get(fo->notes,
			    acct->name));
			fanout_problem(fo, acct->name, "positions", NULL,
			    why != NULL ? why : "no broker adapter (no "
			    "credentials)");
			continue;
		}
		so_add_close(fo, acct, ra, p->exchange, p->symbol, p->product,
		    p->qty);
	}
	so_slice_legs(fo);
}

static int
so_same_symbol(const struct leg *a, const struct leg *b)
{
	return strcmp(a->req.exchange, b->req.exchange) == 0 &&
	    strcmp(a->req.tradingsymbol, b->req.tradingsymbol) == 0;
}

/* Split every unsliced leg of leg ref's symbol into freeze-sized orders. */
static void
so_split(struct fanout *fo, size_t ref, int64_t slice_units, int64_t lot)
{
	size_t		 i, n = fo->nlegs;
	int64_t		 rest;
	struct leg	*extra;

	for (i = ref; i < n; i++) {
		if (fo->legs[i]->lots != -1 ||
		    !so_same_symbol(fo->legs[i], fo->legs[ref]))
			continue;
		fo->legs[i]->lots = lot > 0 ? fo->legs[i]->req.qty / lot : 0;
		if (slice_units <= 0 || fo->legs[i]->req.qty <= slice_units)
			continue;
		fo->legs[i]->lots = slice_units / lot;
		rest = fo->legs[i]->req.qty - slice_units;
		fo->legs[i]->req.qty = slice_units;
		while (rest > 0) {
			extra = fanout_add_leg(fo, &(struct account){ .id =
			    fo->legs[i]->account_id, .name =
			    fo->legs[i]->account }, fo->legs[i]->ra);
			extra->req = fo->legs[i]->req;
			extra->req.qty = rest < slice_units ? rest :
			    slice_units;
			extra->lots = extra->req.qty / lot;
			rest -= extra->req.qty;
		}
	}
}

static void so_slice_next(struct fanout *);

static void
so_instrument(json_t *rows, const struct err *err, void *arg)
{
	struct fanout	*fo = arg;
	json_t		*row = err == NULL ? json_array_get(rows, 0) : NULL;
	int64_t		 lot = 0, freeze, units = 0;

	if (row != NULL) {
		lot = json_integer_value(json_object_get(row, "lot_size"));
		freeze = json_integer_value(json_object_get(row, "freeze_qty"));
		if (lot > 0 && freeze > 0)
			units = alloc_slice_lots(lot, freeze) * lot;
	}
	so_split(fo, fo->next_lookup, units, lot);
	so_slice_next(fo);
}

static void
so_slice_next(struct fanout *fo)
{
	size_t	i;

	while (fo->next_lookup < fo->nlegs &&
	    fo->legs[fo->next_lookup]->lots != -1)
		fo->next_lookup++;
	if (fo->next_lookup < fo->nlegs) {
		router_instrument(fo, fo->legs[fo->next_lookup]->req.exchange,
		    fo->legs[fo->next_lookup]->req.tradingsymbol,
		    so_instrument);
		return;
	}
	/* Slice numbers only need to be unique within the fan-out. */
	for (i = 0; i < fo->nlegs; i++)
		fo->legs[i]->slice = (int)i;
	fanout_store_and_send(fo);
}

static void
so_slice_legs(struct fanout *fo)
{
	fo->next_lookup = 0;
	so_slice_next(fo);
}

static void
so_halted(json_t *rows, const struct err *err, void *arg)
{
	struct fanout	*fo = arg;

	if (err != NULL) {
		fanout_fail(fo, err->code, "cannot halt %s: %s",
		    fo->target_text, err->msg);
		return;
	}
	router_load_brokers(fo, so_cancel_phase);
}

void
squareoff_start(struct fanout *fo)
{
	struct store_actor	 who = router_actor(fo->r);
	json_t			*ids;
	size_t			 i;

	/*
	 * Closing orders exist to remove risk: a transient refusal (429, or
	 * an unclear answer the book shows was never placed) is sent again.
	 */
	if (fo->req.intent != FANOUT_CANCEL)
		fo->req.on_fail = FANOUT_RETRY;
	/* Ids for the closing orders come while positions are read. */
	if (fo->req.intent != FANOUT_CANCEL)
		router_prefetch_ids(fo->r, fo->match.n * SO_LEGS_GUESS);
	switch (fo->req.intent) {
	case FANOUT_KILL:
		ids = json_array();
		for (i = 0; i < fo->match.n; i++)
			json_array_append_new(ids,
			    json_integer(fo->match.v[i]->id));
		store_trading_state_set(fo->r->store, ids, "HALTED",
		    fo->reason != NULL ? fo->reason : "kill switch", &who,
		    so_halted, fo);
		json_decref(ids);
		break;
	case FANOUT_CANCEL:
		router_load_brokers(fo, so_cancel_phase);
		break;
	default:
		router_load_brokers(fo, fo->req.close != NULL ?
		    so_close_given : so_close_positions);
		break;
	}
}
