/*
 * cancel order ID: one order, found in the store by its phalanx id or its
 * broker order id, cancelled at its account's broker.  The answer to the
 * cancel call is not the outcome: the order's history at the broker is
 * polled until it says CANCELLED (or FILLED, REJECTED, EXPIRED) or
 * exec.settle_ms runs out, and that confirmed state is what is recorded
 * (an order event) and reported.  Anything short of a confirmed
 * CANCELLED is a failure that says what the broker last said.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/order.h"
#include "exec/router_int.h"
#include "net/net.h"

/* Wait at least this long for the broker to confirm a cancel. */
#define CANCEL_CONFIRM_MIN_MS	2000

struct cancel_call {
	struct fanout	*fo;		/* carries the registry and adapter */
	struct leg	*leg;		/* once the registry is loaded */
	struct leg	 order;		/* the order as the store has it */
	char		 id[64];	/* as the user gave it */
	char		 variety[16];
	char		 refused[512];	/* the cancel call's error, if any */
	enum broker_state seen;		/* the broker's last word */
	int		 unreachable;
	int64_t		 until;		/* monotonic us */
	fanout_done_cb	 cb;
	void		*arg;
};

static enum broker_state
cancel_state_parse(const char *s)
{
	int	i;

	for (i = 0; i < BROKER_NSTATES; i++) {
		if (s != NULL && strcmp(broker_state_name(i), s) == 0)
			return (enum broker_state)i;
	}
	return BROKER_UNKNOWN;
}

static enum broker_product
cancel_product_parse(const char *s)
{
	int	p;

	for (p = BROKER_MIS; p <= BROKER_CO; p++) {
		if (s != NULL && strcmp(broker_product_name(p), s) == 0)
			return (enum broker_product)p;
	}
	return BROKER_PRODUCT_UNKNOWN;
}

static enum broker_variety
cancel_variety_parse(const char *s)
{
	int	v;

	for (v = BROKER_VARIETY_REGULAR; v < BROKER_VARIETY_UNKNOWN; v++) {
		if (strcmp(broker_variety_name(v), s) == 0)
			return (enum broker_variety)v;
	}
	return BROKER_VARIETY_REGULAR;
}

/* Hand the outcome over and free everything; fo owns the leg. */
static void
cancel_end(struct cancel_call *cc, struct fanout_result *res)
{
	cc->cb(res, cc->arg);
	json_decref(res->data);
	free(res->text);
	fanout_free(cc->fo);
	free(cc);
}

static void PX_PRINTF(3, 4)
cancel_fail(struct cancel_call *cc, const char *code, const char *fmt, ...)
{
	struct fanout_result	res;
	va_list			ap;

	memset(&res, 0, sizeof res);
	snprintf(res.err.code, sizeof res.err.code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(res.err.msg, sizeof res.err.msg, fmt, ap);
	va_end(ap);
	cancel_end(cc, &res);
}

static void
cancel_report(struct cancel_call *cc)
{
	struct leg		*leg = cc->leg;
	struct fanout_result	 res;
	enum broker_state	 state = cc->seen;
	const char		*st = broker_state_name(state);

	memset(&res, 0, sizeof res);
	res.data = json_pack("{s:I,s:s,s:s,s:s,s:s?,s:I,s:s?}",
	    "order", (json_int_t)leg->order_id, "broker_order_id",
	    leg->broker_id, "account", leg->account, "state", st,
	    "broker_status", leg->broker_status[0] ? leg->broker_status :
	    NULL, "filled_qty", (json_int_t)leg->filled, "message",
	    cc->refused[0] ? cc->refused : leg->message[0] ? leg->message :
	    NULL);
	res.text = xasprintf("order %lld (broker %s) at %s: %s%s%s\n",
	    (long long)leg->order_id, leg->broker_id, leg->account, st,
	    cc->refused[0] ? ": " : "", cc->refused);
	res.ok = state == BROKER_CANCELLED;
	if (res.ok) {
		cancel_end(cc, &res);
		return;
	}
	if (state == BROKER_FILLED || state == BROKER_REJECTED ||
	    state == BROKER_EXPIRED)
		err_set(&res.err, "not-cancelled", "order %lld at %s is %s at "
		    "the broker, not cancelled%s%s", (long long)leg->order_id,
		    leg->account, st, cc->refused[0] ? ": " : "", cc->refused);
	else if (cc->unreachable)
		err_set(&res.err, "broker-unreachable", "order %lld at %s: "
		    "the broker could not be reached (%s); its state is "
		    "unconfirmed (%s)", (long long)leg->order_id, leg->account,
		    cc->refused, st);
	else
		err_set(&res.err, "unconfirmed", "order %lld at %s: the broker "
		    "has not confirmed the cancel (last state %s%s%s); check "
		    "with \"orders acct:%s\"", (long long)leg->order_id,
		    leg->account, st, cc->refused[0] ? ": " : "", cc->refused,
		    leg->account);
	cancel_end(cc, &res);
}

static void cancel_poll(void *);

/* Every change the history shows becomes an order event. */
static void
cancel_history(const struct broker_err *be, const struct broker_order *o,
    size_t n, void *arg)
{
	struct cancel_call		*cc = arg;
	struct leg			*leg = cc->leg;
	const struct broker_order	*last;

	if (be == NULL && n > 0) {
		last = &o[n - 1];
		if (last->state != leg->state || last->filled != leg->filled) {
			router_leg_filled(leg, last->filled, last->avg_price);
			snprintf(leg->broker_status, sizeof leg->broker_status,
			    "%s", last->status);
			router_event(leg, last->state,
			    last->status_message[0] ? last->status_message :
			    NULL, -1);
		}
		/* Reported as the broker says it, even where the state
		 * machine refused to record the step. */
		cc->seen = last->state;
	} else if (be != NULL && !cc->refused[0])
		snprintf(cc->refused, sizeof cc->refused, "%s", be->err.msg);
	if (broker_state_terminal(cc->seen) || time_mono_us() >= cc->until) {
		cancel_report(cc);
		return;
	}
	loop_later((int64_t)cc->fo->r->poll_ms * 1000, cancel_poll, cc);
}

static void
cancel_poll(void *arg)
{
	struct cancel_call	*cc = arg;
	struct leg		*leg = cc->leg;

	leg->ra->b->ops->order_history(leg->ra->b, leg->broker_id,
	    cancel_history, cc);
}

/*
 * A refused cancel (the order had already filled, say) still goes to the
 * history: the broker's book, not the refusal, says what the order is.
 */
static void
cancel_answered(const struct broker_err *be, const char *order_id, void *arg)
{
	struct cancel_call	*cc = arg;
	int64_t			 wait_ms = cc->fo->r->settle_ms;

	if (be != NULL) {
		snprintf(cc->refused, sizeof cc->refused, "%s", be->err.msg);
		cc->unreachable = be->kind == BROKER_ERR_RETRYABLE ||
		    be->kind == BROKER_ERR_UNKNOWN;
	} else if (order_fsm_legal(cc->leg->state, BROKER_PENDING_CANCEL))
		router_event(cc->leg, BROKER_PENDING_CANCEL, "cancel requested",
		    -1);
	if (wait_ms < CANCEL_CONFIRM_MIN_MS)
		wait_ms = CANCEL_CONFIRM_MIN_MS;
	cc->until = time_mono_us() + wait_ms * 1000;
	cancel_poll(cc);
}

static void
cancel_brokers_ready(struct fanout *fo)
{
	struct cancel_call	*cc = fo->arg;
	struct router_acct	*ra;

	ra = router_acct_find(fo->r, fo->match.v[0]->id);
	if (ra == NULL || ra->b == NULL) {
		cancel_fail(cc, "no-adapter", "account \"%s\" has no usable "
		    "broker adapter (credentials?); order %s not cancelled",
		    fo->match.v[0]->name, cc->id);
		return;
	}
	cc->leg->ra = ra;
	ra->b->ops->cancel(ra->b, cc->leg->broker_id,
	    cancel_variety_parse(cc->variety), cancel_answered, cc);
}

static void
cancel_accounts(struct account_set *set, const struct err *err, void *arg)
{
	struct fanout		*fo = arg;
	struct cancel_call	*cc = fo->arg;
	struct leg		*leg;
	char			*name = cc->order.account;
	struct target	 t = { TARGET_ACCOUNTS, &name, 1 };
	struct err		 e;

	if (err != NULL) {
		cancel_fail(cc, err->code, "%s", err->msg);
		return;
	}
	fo->accounts = *set;
	set->v = NULL;
	set->n = 0;
	err_clear(&e);
	if (target_resolve(&t, &fo->accounts, &fo->match, &e) != 0) {
		cancel_fail(cc, e.code, "%s", e.msg);
		return;
	}
	/* The order becomes the fan-out's one leg: events and fills are
	 * recorded as for any other. */
	cc->leg = leg = fanout_add_leg(fo, fo->match.v[0], NULL);
	leg->order_id = cc->order.order_id;
	leg->state = cc->order.state;
	leg->filled = cc->order.filled;
	leg->avg = cc->order.avg;
	leg->req = cc->order.req;
	cc->seen = leg->state;
	snprintf(leg->broker_id, sizeof leg->broker_id, "%s",
	    cc->order.broker_id);
	router_load_brokers(fo, cancel_brokers_ready);
}

static void
cancel_found(json_t *rows, const struct err *err, void *arg)
{
	struct cancel_call	*cc = arg;
	json_t			*row = json_array_get(rows, 0);
	const char		*bid, *acct, *state, *v;
	struct leg		*o = &cc->order;

	if (err != NULL) {
		cancel_fail(cc, err->code, "%s", err->msg);
		return;
	}
	if (json_array_size(rows) == 0) {
		cancel_fail(cc, "unknown-order", "no order \"%s\" on record "
		    "(neither a phalanx order id nor a broker order id)",
		    cc->id);
		return;
	}
	if (json_array_size(rows) > 1) {
		cancel_fail(cc, "ambiguous-order", "\"%s\" is both phalanx "
		    "order %lld and the broker order id of order %lld; nothing "
		    "cancelled", cc->id, (long long)json_integer_value(
		    json_object_get(row, "id")), (long long)json_integer_value(
		    json_object_get(json_array_get(rows, 1), "id")));
		return;
	}
	bid = json_string_value(json_object_get(row, "broker_order_id"));
	acct = json_string_value(json_object_get(row, "account"));
	state = json_string_value(json_object_get(row, "state"));
	if (bid == NULL || *bid == '\0') {
		cancel_fail(cc, "not-sent", "order %lld at %s never reached "
		    "the broker (state %s): there is nothing to cancel",
		    (long long)json_integer_value(json_object_get(row, "id")),
		    acct, state);
		return;
	}
	o->order_id = json_integer_value(json_object_get(row, "id"));
	o->state = cancel_state_parse(state);
	o->filled = json_integer_value(json_object_get(row, "filled_qty"));
	if ((v = json_string_value(json_object_get(row, "avg_price"))) ==
	    NULL || decimal_parse(v, 2, &o->avg) != 0)
		o->avg = 0;
	snprintf(o->account, sizeof o->account, "%s", acct);
	snprintf(o->broker_id, sizeof o->broker_id, "%s", bid);
	snprintf(o->req.exchange, sizeof o->req.exchange, "%s",
	    json_string_value(json_object_get(row, "exchange")));
	snprintf(o->req.tradingsymbol, sizeof o->req.tradingsymbol, "%s",
	    json_string_value(json_object_get(row, "symbol")));
	v = json_string_value(json_object_get(row, "side"));
	o->req.side = v != NULL && strcmp(v, "SELL") == 0 ? BROKER_SELL :
	    BROKER_BUY;
	o->req.product = cancel_product_parse(json_string_value(
	    json_object_get(row, "product")));
	snprintf(cc->variety, sizeof cc->variety, "%s",
	    json_string_value(json_object_get(row, "variety")));
	router_load_accounts(cc->fo, cancel_accounts);
}

void
router_cancel_order(struct router *r, const char *id, fanout_done_cb cb,
    void *arg)
{
	struct cancel_call	*cc;
	struct fanout_req	 req;
	struct store_actor	 who = router_actor(r);

	cc = xcalloc(1, sizeof *cc);
	snprintf(cc->id, sizeof cc->id, "%s", id);
	cc->cb = cb;
	cc->arg = arg;
	memset(&req, 0, sizeof req);
	req.intent = FANOUT_CANCEL;
	cc->fo = fanout_new(r, &req, NULL, cc);
	store_order_find(r->store, cc->id, &who, cancel_found, cc);
}
