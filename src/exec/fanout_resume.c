/*
 * fanout resume ID: send what an interrupted fan-out never sent, on the
 * trader's word only.  First its brokers' books are read (a targeted
 * reconcile: a leg that reached the broker after all is adopted, never
 * sent twice); then the fan-out becomes RUNNING and this process's (an
 * advisory lock, so a crash now is reconciled like any other), and its
 * NEW orders go out with their own client tags through the usual send,
 * watch and finish path.  An account HALTED meanwhile gets nothing, and
 * every leg meets the pre-trade guard again, as it is now: a scope made
 * REDUCING or HALTED since the original refuses what it would refuse of
 * a new order (the leg is DENIED with the rule).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_reconcile.h"
#include "exec/reconcile.h"
#include "exec/router_int.h"

struct resume {
	struct router		*r;
	int64_t			 id;
	struct reconcile	*rc;
	json_t			*row;
	struct fanout		*fo;
	fanout_done_cb		 cb;
	void			*arg;
};

static void
resume_free(struct resume *z)
{
	json_decref(z->row);
	free(z);
}

static void
resume_fail(struct resume *z, const char *code, const char *fmt, ...)
    PX_PRINTF(3, 4);

static void
resume_fail(struct resume *z, const char *code, const char *fmt, ...)
{
	struct fanout_result	res;
	va_list			ap;

	memset(&res, 0, sizeof res);
	snprintf(res.err.code, sizeof res.err.code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(res.err.msg, sizeof res.err.msg, fmt, ap);
	va_end(ap);
	z->cb(&res, z->arg);
	resume_free(z);
}

static const char *
row_s(json_t *row, const char *key)
{
	const char	*s = json_string_value(json_object_get(row, key));

	return s != NULL ? s : "";
}

static enum broker_order_type
resume_type(const char *s)
{
	if (strcmp(s, "LIMIT") == 0)
		return BROKER_LIMIT;
	if (strcmp(s, "SL") == 0)
		return BROKER_SL;
	if (strcmp(s, "SL-M") == 0)
		return BROKER_SLM;
	return BROKER_MARKET;
}

static enum broker_product
resume_product(const char *s)
{
	if (strcmp(s, "NRML") == 0)
		return BROKER_NRML;
	if (strcmp(s, "CNC") == 0)
		return BROKER_CNC;
	return BROKER_MIS;
}

static const struct account *
resume_account(const struct fanout *fo, int64_t id)
{
	size_t	i;

	for (i = 0; i < fo->accounts.n; i++) {
		if (fo->accounts.v[i].id == id)
			return &fo->accounts.v[i];
	}
	return NULL;
}

static void
resume_leg(struct fanout *fo, json_t *o)
{
	const struct account	*a;
	struct router_acct	*ra;
	struct leg		*leg;
	struct broker_order_req	*q;
	struct account		 gone = { 0 };
	int64_t			 aid;

	aid = json_integer_value(json_object_get(o, "account_id"));
	if ((a = resume_account(fo, aid)) == NULL) {
		gone.id = aid;
		gone.name = (char *)"(removed)";
		a = &gone;
	}
	ra = router_acct_find(fo->r, aid);
	leg = fanout_add_leg(fo, a, ra);
	leg->order_id = json_integer_value(json_object_get(o, "id"));
	leg->slice = (int)json_integer_value(json_object_get(o, "slice"));
	snprintf(leg->tag, sizeof leg->tag, "%s", row_s(o, "client_tag"));
	q = &leg->req;
	snprintf(q->exchange, sizeof q->exchange, "%s", row_s(o, "exchange"));
	snprintf(q->tradingsymbol, sizeof q->tradingsymbol, "%s", row_s(o,
	    "symbol"));
	q->side = strcmp(row_s(o, "side"), "SELL") == 0 ? BROKER_SELL :
	    BROKER_BUY;
	q->order_type = resume_type(row_s(o, "order_type"));
	q->product = resume_product(row_s(o, "product"));
	q->validity = BROKER_DAY;
	q->variety = BROKER_VARIETY_REGULAR;
	q->qty = json_integer_value(json_object_get(o, "qty"));
	q->price = json_integer_value(json_object_get(o, "price_paise"));
	q->trigger_price = json_integer_value(json_object_get(o,
	    "trigger_paise"));
	snprintf(q->tag, sizeof q->tag, "%s", leg->tag);
	if (a == &gone) {
		snprintf(leg->message, sizeof leg->message, "account removed");
		leg->failed = 1;
	} else if (a->state == TRADING_HALTED) {
		leg->failed = 1;
		router_event(leg, BROKER_DENIED, "account HALTED (kill switch)",
		    -1);
	} else if (ra == NULL || ra->b == NULL) {
		snprintf(leg->message, sizeof leg->message, "no broker adapter");
		leg->failed = 1;
	}
}

static void
resume_instrument(json_t *rows, const struct err *err, void *arg)
{
	struct fanout	*fo = arg;
	json_t		*row = err == NULL ? json_array_get(rows, 0) : NULL;
	size_t		 i;

	fo->lot_size = row != NULL ? json_integer_value(json_object_get(row,
	    "lot_size")) : 0;
	if (row == NULL)
		log_warn("router", "fanout %lld: %s not in the instruments: "
		    "the guard counts units as lots", (long long)fo->id,
		    fo->symbol);
	/* A squareoff's or a kill's legs are exits: nothing to judge. */
	if (fo->resume_order)
		router_guard_legs(fo);
	for (i = 0; i < fo->nlegs; i++) {
		if (fo->legs[i]->denied)
			router_event(fo->legs[i], BROKER_DENIED,
			    fo->legs[i]->message, -1);
	}
	fanout_begin_sending(fo);
}

static void
resume_orders(json_t *rows, const struct err *err, void *arg)
{
	struct fanout	*fo = arg;
	json_t		*o;
	size_t		 i;

	if (err != NULL) {
		/* Nothing sent: the reconciler will close it again. */
		fanout_fail(fo, err->code, "cannot read the unsent orders, "
		    "nothing was sent: %s", err->msg);
		return;
	}
	json_array_foreach(rows, i, o)
		resume_leg(fo, o);
	fo->t_written = time_mono_us();
	/* The guard judges lots by the instrument's lot size. */
	router_instrument(fo, fo->exchange[0] ? fo->exchange : NULL,
	    fo->symbol, resume_instrument);
}

static void
resume_brokers(struct fanout *fo)
{
	store_fanout_unsent(fo->r->store, fo->id, resume_orders, fo);
}

static void
resume_accounts(struct account_set *set, const struct err *err, void *arg)
{
	struct fanout	*fo = arg;

	if (fanout_take_accounts(fo, set, err, NULL) == 0)
		router_load_brokers(fo, resume_brokers);
}

static void
resume_owned(json_t *rows, const struct err *err, void *arg)
{
	struct resume		*z = arg;
	struct fanout_req	 req;
	struct target	 all = { TARGET_ALL, NULL, 0 };
	struct fanout		*fo;
	json_t			*row;
	const char		*s;

	if (err != NULL) {
		resume_fail(z, err->code, "%s", err->msg);
		return;
	}
	if ((row = json_array_get(rows, 0)) == NULL) {
		resume_fail(z, "not-interrupted", "fanout %lld is not "
		    "INTERRUPTED (or another process is resuming it): nothing "
		    "to resume; see \"fanout show %lld\"", (long long)z->id,
		    (long long)z->id);
		return;
	}
	memset(&req, 0, sizeof req);
	req.intent = FANOUT_ORDER;
	req.target = &all;
	s = row_s(row, "mode");
	req.mode = strcmp(s, "sync") == 0 ? FANOUT_SYNC : FANOUT_ASYNC;
	s = row_s(row, "on_fail");
	req.on_fail = strcmp(s, "retry") == 0 ? FANOUT_RETRY :
	    strcmp(s, "all-or-none") == 0 ? FANOUT_ALL_OR_NONE :
	    FANOUT_BEST_EFFORT;
	req.side = strcmp(row_s(row, "side"), "SELL") == 0 ? BROKER_SELL :
	    BROKER_BUY;
	req.symbol = row_s(row, "symbol");
	req.exchange = row_s(row, "exchange");
	req.qty = json_integer_value(json_object_get(row, "qty"));
	/* The RMS's own orders are exits to the guard (row is freed). */
	req.source = strcmp(row_s(row, "source"), "rms") == 0 ? "rms" : NULL;
	fo = fanout_new(z->r, &req, z->cb, z->arg);
	fo->resume_order = strcmp(row_s(row, "intent"), "order") == 0;
	free(fo->target_text);
	fo->target_text = xstrdup(row_s(row, "target"));
	fo->id = z->id;
	fo->t_rms = fo->t_intent;
	resume_free(z);
	router_load_accounts(fo, resume_accounts);
}

static void
resume_reconciled(const struct reconcile_report *rep, void *arg)
{
	struct resume	*z = arg;

	reconcile_free(z->rc);
	z->rc = NULL;
	if (err_isset(&rep->err)) {
		resume_fail(z, rep->err.code, "%s; nothing was sent",
		    rep->err.msg);
		return;
	}
	if (rep->accounts_failed > 0) {
		resume_fail(z, "broker-unreachable", "fanout %lld: %zu "
		    "account(s)' order books could not be read; nothing was "
		    "sent (a leg may have reached its broker)",
		    (long long)z->id, rep->accounts_failed);
		return;
	}
	store_fanout_resume(z->r->store, z->id, resume_owned, z);
}

void
fanout_resume(struct router *r, int64_t id, fanout_done_cb cb, void *arg)
{
	struct resume		*z;
	struct reconcile_opts	 o;

	z = xcalloc(1, sizeof *z);
	z->r = r;
	z->id = id;
	z->cb = cb;
	z->arg = arg;
	memset(&o, 0, sizeof o);
	o.fanout_id = id;
	z->rc = reconcile_new(r);
	reconcile_run(z->rc, &o, resume_reconciled, z);
}
