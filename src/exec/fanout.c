/*
 * A buy/sell fan-out from intent to orders on the wire: resolve the
 * target, find the instrument, allocate lots, persist every NEW order
 * with its client tag, then send -- all accounts at once (async) or one
 * ack at a time in priority order (sync).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/router_int.h"
#include "util/metrics.h"
#include "net/net.h"

struct fanout *
fanout_new(struct router *r, const struct fanout_req *req, fanout_done_cb cb,
    void *arg)
{
	struct fanout	*fo;

	fo = xcalloc(1, sizeof *fo);
	fo->r = r;
	fo->req = *req;
	fo->target_text = target_format(req->target);
	fo->reason = req->reason != NULL ? xstrdup(req->reason) : NULL;
	fo->tag = req->tag != NULL ? xstrdup(req->tag) : NULL;
	fo->req.target = NULL;
	fo->req.reason = fo->reason;
	fo->req.tag = fo->tag;
	fo->req.strategy = req->strategy != NULL ? xstrdup(req->strategy) :
	    NULL;
	if (req->exchange != NULL)
		snprintf(fo->exchange, sizeof fo->exchange, "%s", req->exchange);
	if (req->symbol != NULL)
		snprintf(fo->symbol, sizeof fo->symbol, "%s", req->symbol);
	fo->req.exchange = NULL;
	fo->req.symbol = NULL;
	fo->notes = json_object();
	fo->cancels = json_array();
	fo->problems = json_array();
	fo->left = json_array();
	fo->lookups = json_object();
	fo->cb = cb;
	fo->arg = arg;
	fo->wall_intent = time_wall_us();
	fo->t_intent = time_mono_us();
	return fo;
}

/*
 * The first order is on the wire: how long since the signal arrived (a
 * webhook's receipt, else the parsed intent), by where it came from.
 */
void
fanout_signal_on_wire(const struct fanout *fo)
{
	int64_t	us = fo->t_first_send - fo->t_intent;

	if (fo->req.signal_us > 0 && fo->req.signal_us < fo->wall_intent)
		us += fo->wall_intent - fo->req.signal_us;
	metric_observe(pxm.signal_wire_seconds, us / 1e6,
	    fo->req.source != NULL ? fo->req.source : fo->r->front);
}

void
fanout_free(struct fanout *fo)
{
	size_t	i;

	if (fo == NULL)
		return;
	if (fo->planned)
		alloc_plan_free(&fo->plan);
	target_match_free(&fo->match);
	account_set_free(&fo->accounts);
	for (i = 0; i < fo->nlegs; i++)
		free(fo->legs[i]);
	free(fo->legs);
	free(fo->target_text);
	free((char *)fo->req.strategy);
	free(fo->reason);
	free(fo->tag);
	json_decref(fo->notes);
	json_decref(fo->cancels);
	json_decref(fo->problems);
	json_decref(fo->left);
	json_decref(fo->lookups);
	free(fo->positions);
	router_events_drop(fo);
	free(fo);
}

/* End the fan-out before any order was sent. */
void
fanout_fail(struct fanout *fo, const char *code, const char *fmt, ...)
{
	struct fanout_result	res;
	va_list			ap;

	memset(&res, 0, sizeof res);
	snprintf(res.err.code, sizeof res.err.code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(res.err.msg, sizeof res.err.msg, fmt, ap);
	va_end(ap);
	fo->cb(&res, fo->arg);
	fanout_free(fo);
}

/*
 * An account whose orders or positions could not be read: whatever the
 * fan-out did elsewhere, its state there is unknown, and that is a failure
 * the report names.  be NULL: no adapter (message says why).
 */
void
fanout_problem(struct fanout *fo, const char *account, const char *what,
    const struct broker_err *be, const char *message)
{
	json_array_append_new(fo->problems, json_pack("{s:s,s:s,s:s,s:b}",
	    "account", account, "what", what, "message", be != NULL ?
	    be->err.msg : message, "unreachable", be != NULL &&
	    be->http_status == 0));
}

struct leg *
fanout_add_leg(struct fanout *fo, const struct account *a,
    struct router_acct *ra)
{
	struct leg	*leg;

	/* Legs never move: callbacks in flight hold pointers to them. */
	fo->legs = xreallocarray(fo->legs, fo->nlegs + 1, sizeof *fo->legs);
	leg = xcalloc(1, sizeof *leg);
	fo->legs[fo->nlegs++] = leg;
	leg->fo = fo;
	leg->ra = ra;
	leg->account_id = a->id;
	snprintf(leg->account, sizeof leg->account, "%s", a->name);
	leg->state = BROKER_NEW;
	leg->ack_us = -1;
	return leg;
}

static void
fanout_fill_req(struct fanout *fo, struct leg *leg, int64_t qty)
{
	struct broker_order_req	*q = &leg->req;

	memset(q, 0, sizeof *q);
	snprintf(q->exchange, sizeof q->exchange, "%s", fo->exchange);
	snprintf(q->tradingsymbol, sizeof q->tradingsymbol, "%s", fo->symbol);
	q->side = fo->req.side;
	q->order_type = fo->req.order_type;
	q->product = fo->req.product;
	q->validity = BROKER_DAY;
	q->variety = BROKER_VARIETY_REGULAR;
	q->qty = qty;
	q->price = fo->req.price;
	q->trigger_price = fo->req.trigger;
}

/* Plan legs from the allocation: one leg per slice of every trading leg. */
static void
fanout_brokers_ready(struct fanout *fo)
{
	const struct alloc_leg	*al;
	const struct alloc_slice *sl;
	struct router_acct	*ra;
	struct leg		*leg;
	const char		*why;
	size_t			 i, j;

	for (i = 0; i < fo->plan.nlegs; i++) {
		al = &fo->plan.legs[i];
		if (al->skip != ALLOC_OK)
			continue;
		ra = router_acct_find(fo->r, al->acct->id);
		for (j = 0; j < al->nslices; j++) {
			sl = &fo->plan.slices[al->slice0 + j];
			leg = fanout_add_leg(fo, al->acct, ra);
			leg->slice = sl->slice;
			leg->lots = sl->lots;
			fanout_fill_req(fo, leg, sl->qty);
			if (ra == NULL || ra->b == NULL) {
				why = json_string_value(json_object_get(
				    fo->notes, al->acct->name));
				snprintf(leg->message, sizeof leg->message,
				    "no broker adapter: %s", why != NULL ?
				    why : "no credentials");
				leg->failed = 1;
			}
		}
	}
	fanout_store_and_send(fo);
}

static void
fanout_dry_run(void *arg)
{
	struct fanout		*fo = arg;
	struct fanout_result	 res;
	json_t			*rows;
	struct strbuf		 b;
	size_t			 i;

	if (router_guard_wait(fo, fanout_dry_run))
		return;
	rows = json_array();
	strbuf_init(&b);
	strbuf_printf(&b, "dry run: %s %s %lld lot(s) to %s, lot size %lld, "
	    "freeze %lld -- nothing sent\n", broker_side_name(fo->req.side),
	    fo->symbol, (long long)fo->plan.qty_lots, fo->target_text,
	    (long long)fo->lot_size, (long long)fo->freeze);
	strbuf_printf(&b, "%-16s %6s %8s %7s  %s\n", "ACCOUNT", "LOTS", "QTY",
	    "SLICES", "VERDICT");
	for (i = 0; i < fo->plan.nlegs; i++) {
		const struct alloc_leg *al = &fo->plan.legs[i];
		struct router_guard_verdict gv;
		int pass = al->skip != ALLOC_OK || router_guard_plan(fo, al, &gv);
		const char *verdict = al->skip == ALLOC_OK ? (al->capped ?
		    al->reason : "pass") : al->reason;
		char denied[sizeof gv.msg + 48];

		if (!pass) {
			snprintf(denied, sizeof denied, "denied by RMS %s: %s",
			    gv.rule, gv.msg);
			verdict = denied;
		}
		json_array_append_new(rows, json_pack("{s:s,s:I,s:I,s:I,s:s,"
		    "s:s,s:s?}", "account", al->acct->name, "lots",
		    (json_int_t)al->lots, "qty", (json_int_t)al->qty,
		    "slices", (json_int_t)al->nslices, "verdict",
		    !pass ? "denied" : al->skip == ALLOC_OK ? "pass" :
		    alloc_skip_name(al->skip), "reason", !pass ? gv.msg :
		    al->reason, "rule", !pass ? gv.rule : NULL));
		strbuf_printf(&b, "%-16s %6lld %8lld %7zu  %s\n",
		    al->acct->name, (long long)al->lots, (long long)al->qty,
		    al->nslices, verdict);
	}
	memset(&res, 0, sizeof res);
	res.ok = 1;
	res.data = json_pack("{s:b,s:s,s:s,s:I,s:I,s:I,s:o}", "dry_run", 1,
	    "symbol", fo->symbol, "exchange", fo->exchange, "lot_size",
	    (json_int_t)fo->lot_size, "freeze_qty", (json_int_t)fo->freeze,
	    "total_lots", (json_int_t)fo->plan.total_lots, "plan", rows);
	if (fo->tag != NULL)
		json_object_set_new(res.data, "tag", json_string(fo->tag));
	res.text = strbuf_steal(&b);
	fo->cb(&res, fo->arg);
	json_decref(res.data);
	free(res.text);
	fanout_free(fo);
}

static int
fanout_paise(const char *text, int64_t *paise)
{
	int64_t	v;

	/* numeric(…,4) text: ten-thousandths of a rupee. */
	if (text == NULL || decimal_parse(text, 4, &v) != 0 || v % 100 != 0)
		return -1;
	*paise = v / 100;
	return 0;
}

static void
fanout_instrument(json_t *rows, const struct err *err, void *arg)
{
	struct fanout		*fo = arg;
	json_t			*row;
	struct alloc_req	 ar;
	struct err		 e;
	const char		*s;

	if (err != NULL) {
		fanout_fail(fo, err->code, "%s", err->msg);
		return;
	}
	if ((row = json_array_get(rows, 0)) == NULL) {
		fanout_fail(fo, "unknown-instrument", "unknown instrument %s%s%s "
		    "(load the broker's instruments with \"instruments load\")",
		    fo->exchange, fo->exchange[0] ? ":" : "", fo->symbol);
		return;
	}
	snprintf(fo->exchange, sizeof fo->exchange, "%s",
	    json_string_value(json_object_get(row, "exchange")));
	fo->lot_size = json_integer_value(json_object_get(row, "lot_size"));
	fo->freeze = json_integer_value(json_object_get(row, "freeze_qty"));
	s = json_string_value(json_object_get(row, "tick_size"));
	if (fanout_paise(s, &fo->tick) != 0)
		fo->tick = 0;
	if (fo->tick > 0 && ((fo->req.price % fo->tick) != 0 ||
	    (fo->req.trigger % fo->tick) != 0)) {
		char *tick = decimal_format(fo->tick, 2);

		fanout_fail(fo, "bad-price", "%s: price is not a multiple of "
		    "the tick size %s", fo->symbol, tick);
		free(tick);
		return;
	}

	memset(&ar, 0, sizeof ar);
	ar.policy = fo->req.policy;
	ar.qty = fo->req.qty;
	ar.unit = fo->req.unit;
	ar.lot_size = fo->lot_size;
	ar.freeze_qty = fo->freeze;
	ar.guarded = fo->r->guard != NULL;
	err_clear(&e);
	if (alloc_plan(&ar, &fo->match, &fo->plan, &e) != 0) {
		fanout_fail(fo, e.code, "%s: %s", fo->symbol, e.msg);
		return;
	}
	fo->planned = 1;
	/* The RMS guard runs on the legs just before they are recorded
	 * (router_guard.c); a dry run asks it per account. */
	if (fo->req.dry_run) {
		fanout_dry_run(fo);
		return;
	}
	if (fo->plan.ntrading == 0) {
		fanout_fail(fo, "denied", "no account of %s would trade %s: %s",
		    fo->target_text, fo->symbol, fo->plan.nlegs > 0 ?
		    fo->plan.legs[0].reason : "no accounts");
		return;
	}
	router_load_brokers(fo, fanout_brokers_ready);
}

/*
 * Take the registry over (the legs point into it) and resolve the
 * target in it (NULL: all).  -1 when the fan-out has been failed.
 */
int
fanout_take_accounts(struct fanout *fo, struct account_set *set,
    const struct err *err, const struct target *target)
{
	struct target	all = { TARGET_ALL, NULL, 0 };
	struct err		e;

	if (err != NULL) {
		fanout_fail(fo, err->code, "%s", err->msg);
		return -1;
	}
	fo->accounts = *set;
	set->v = NULL;
	set->n = 0;
	err_clear(&e);
	if (target_resolve(target != NULL ? target : &all, &fo->accounts,
	    &fo->match, &e) != 0) {
		fanout_fail(fo, e.code, "%s", e.msg);
		return -1;
	}
	return 0;
}

static void
fanout_accounts(struct account_set *set, const struct err *err, void *arg)
{
	struct fanout	*fo = arg;

	if (fanout_take_accounts(fo, set, err, fo->req.target) != 0)
		return;
	if (fo->req.intent != FANOUT_ORDER) {
		squareoff_start(fo);
		return;
	}
	router_instrument(fo, fo->exchange[0] ? fo->exchange : NULL,
	    fo->symbol, fanout_instrument);
}

static void
fanout_begin(struct fanout *fo)
{
	router_load_accounts(fo, fanout_accounts);
}

void
fanout_start(struct router *r, const struct fanout_req *req,
    fanout_done_cb cb, void *arg)
{
	struct fanout	*fo;

	fo = fanout_new(r, req, cb, arg);
	/* The target is only read until resolved, which happens next. */
	fo->req.target = req->target;
	if (fo->req.key != NULL && fo->req.intent == FANOUT_ORDER &&
	    !fo->req.dry_run && !fo->req.key_new) {
		fanout_key_check(fo, fanout_begin);
		return;
	}
	fanout_begin(fo);
}
