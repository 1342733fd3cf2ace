/*
 * Before anything is sent, the intent is written: one row whose plan
 * holds every leg's order id and client tag, so an order that reaches the
 * broker but whose answer is lost can always be found again by that tag.
 * One round trip, whatever the number of accounts; the legs' order rows
 * follow while the legs are on the wire (db/migrations/0016), and their
 * events wait for them (router_events.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/router_int.h"
#include "net/net.h"

static const char *
fanout_intent_name(enum fanout_intent i)
{
	static const char	*names[] = { "order", "squareoff", "cancel",
				    "kill" };

	return names[i];
}

static json_t *
fanout_price_json(int64_t paise)
{
	char	*s;
	json_t	*j;

	if (paise <= 0)
		return json_null();
	s = decimal_format(paise, 2);
	j = json_string(s);
	free(s);
	return j;
}

json_t *
fanout_leg_order_json(const struct leg *leg)
{
	const struct broker_order_req	*q = &leg->req;

	return json_pack("{s:I,s:I,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:o}",
	    "id", (json_int_t)leg->order_id,
	    "account_id", (json_int_t)leg->account_id, "slice", leg->slice,
	    "client_tag", leg->tag, "side", broker_side_name(q->side),
	    "symbol", q->tradingsymbol, "exchange", q->exchange,
	    "product", broker_product_name(q->product),
	    "order_type", broker_order_type_name(q->order_type),
	    "qty", (json_int_t)q->qty,
	    "price", q->order_type == BROKER_LIMIT ||
	    q->order_type == BROKER_SL ? fanout_price_json(q->price) :
	    json_null(),
	    "trigger_price", q->order_type == BROKER_SL ||
	    q->order_type == BROKER_SLM ? fanout_price_json(q->trigger_price) :
	    json_null());
}

static json_t *
fanout_row_json(const struct fanout *fo)
{
	char	*t_intent, *t_rms;
	json_t	*j;
	int	 order = fo->req.intent == FANOUT_ORDER;

	t_intent = router_wall_text(fo, fo->t_intent);
	t_rms = router_wall_text(fo, fo->t_rms);	/* NULL: no RMS ran */
	j = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?}",
	    "id", (json_int_t)fo->id, "who", fo->r->os_user,
	    "source", fo->req.source != NULL ? fo->req.source : fo->r->front,
	    "intent", fanout_intent_name(fo->req.intent),
	    "target", fo->target_text,
	    "mode", fanout_mode_name(fo->req.mode),
	    "on_fail", fanout_on_fail_name(fo->req.on_fail),
	    "policy", alloc_policy_name(fo->req.policy),
	    "state", "RUNNING", "t_intent", t_intent, "t_rms", t_rms);
	if (order) {
		json_object_set_new(j, "side", json_string(
		    broker_side_name(fo->req.side)));
		json_object_set_new(j, "symbol", json_string(fo->symbol));
		json_object_set_new(j, "exchange", json_string(fo->exchange));
		json_object_set_new(j, "qty", json_integer(fo->req.qty));
		json_object_set_new(j, "unit", json_string(
		    fo->req.unit == ALLOC_UNITS ? "units" : "lots"));
		json_object_set_new(j, "product", json_string(
		    broker_product_name(fo->req.product)));
		json_object_set_new(j, "order_type", json_string(
		    broker_order_type_name(fo->req.order_type)));
	} else if (fo->symbol[0] != '\0')
		json_object_set_new(j, "symbol", json_string(fo->symbol));
	if (fo->reason != NULL)
		json_object_set_new(j, "message", json_string(fo->reason));
	if (fo->tag != NULL)
		json_object_set_new(j, "tag", json_string(fo->tag));
	if (fo->req.strategy != NULL)
		json_object_set_new(j, "strategy", json_string(
		    fo->req.strategy));
	if (order && fo->req.key != NULL) {
		char *intent = fanout_key_intent(fo);

		json_object_set_new(j, "idem_key", json_string(fo->req.key));
		json_object_set_new(j, "idem_intent", json_string(intent));
		free(intent);
	}
	free(t_intent);
	free(t_rms);
	return j;
}

void
fanout_begin_sending(struct fanout *fo)
{
	size_t	i;

	fo->open = 0;
	for (i = 0; i < fo->nlegs; i++) {
		if (fo->legs[i]->failed)
			fo->legs[i]->phase = LEG_DONE;
		else
			fo->open++;
	}
	if (fo->open == 0) {
		fanout_all_done(fo);
		return;
	}
	if (fo->req.mode == FANOUT_SYNC) {
		fanout_send_next_sync(fo);
		return;
	}
	for (i = 0; i < fo->nlegs; i++) {
		if (!fo->legs[i]->failed)
			leg_send(fo->legs[i]);
	}
	/* On the wire before the loop turns (the last send: written). */
	http_client_flush(fo->r->http);
	if (fo->t_last_send != 0)
		fo->t_last_send = time_mono_us();
}

/* Sync mode: the next leg in priority order, once the previous is acked. */
void
fanout_send_next_sync(struct fanout *fo)
{
	while (fo->next_sync < fo->nlegs) {
		struct leg *leg = fo->legs[fo->next_sync++];

		if (!leg->failed && leg->phase == LEG_QUEUED) {
			leg_send(leg);
			return;
		}
	}
}

static struct leg *
fanout_leg_by_order(struct fanout *fo, int64_t order_id)
{
	size_t	i;

	for (i = 0; i < fo->nlegs; i++) {
		if (fo->legs[i]->order_id == order_id)
			return fo->legs[i];
	}
	return NULL;
}

/* The legs' rows are in (or journaled): their events may follow. */
static void
fanout_legs_written(json_t *rows, const struct err *err, void *arg)
{
	struct fanout	*fo = arg;

	if (err != NULL)
		log_error("router", "fanout %lld: orders not recorded (the "
		    "reconciler writes them from the intent): %s",
		    (long long)fo->id, err->msg);
	fo->t_written = time_mono_us();
	fo->legs_writing = 0;
	router_events_release(fo);
	if (fo->done_waiting) {
		fo->done_waiting = 0;
		fanout_all_done(fo);
	}
}

static void
fanout_intent_written(json_t *rows, const struct err *err, void *arg)
{
	struct fanout	*fo = arg;
	json_t		*row;
	struct leg	*leg;
	size_t		 i;

	if (err != NULL) {
		fanout_fail(fo, err->code, "cannot record the fan-out, nothing "
		    "was sent: %s", err->msg);
		return;
	}
	fo->t_intent_written = time_mono_us();
	/* Denied: the account was HALTED by the time the row was written.
	 * Its row is written all the same (NEW, then DENIED below), so the
	 * fan-out names the account and why, never leaves it out. */
	json_array_foreach(rows, i, row) {
		leg = fanout_leg_by_order(fo, json_integer_value(
		    json_object_get(row, "denied")));
		if (leg == NULL || leg->failed)
			continue;
		leg->failed = 1;
		leg->denied = 1;
		snprintf(leg->message, sizeof leg->message, "RMS halted: the "
		    "account is HALTED");
	}
	/*
	 * The rows go first in the store's queue (one statement, no wait):
	 * whatever a leg's answer writes later -- its broker order id, a
	 * fill -- is queued behind them.
	 */
	fo->legs_writing = 1;
	for (i = 0; i < fo->nlegs; i++) {
		struct leg *l = fo->legs[i];

		if (l->order_id == 0)
			continue;
		router_event(l, BROKER_NEW, NULL, -1);
		if (l->denied)	/* refused by the RMS guard */
			router_event(l, BROKER_DENIED, l->message, -1);
	}
	store_fanout_legs(fo->r->store, fo->id, fanout_legs_written, fo);
	fanout_begin_sending(fo);
}

static void
fanout_got_ids(struct fanout *fo, const struct err *err)
{
	struct store_actor	 who = router_actor(fo->r);
	json_t			*row;
	char			*plan;
	struct err		 e;
	size_t			 i;

	if (err != NULL) {
		fanout_fail(fo, err->code, "%s", err->msg);
		return;
	}
	for (i = 0; i < fo->nlegs; i++) {
		struct leg *leg = fo->legs[i];

		err_clear(&e);
		if (ctag_make(fo->id, leg->account_id, leg->slice, leg->tag,
		    sizeof leg->tag, &e) != 0) {
			fanout_fail(fo, e.code, "%s", e.msg);
			return;
		}
		snprintf(leg->req.tag, sizeof leg->req.tag, "%s", leg->tag);
	}
	row = fanout_row_json(fo);
	plan = fanout_plan_text(fo);
	store_fanout_intent(fo->r->store, row, plan, &who,
	    fanout_intent_written, fo);
	router_ids_topup(fo->r, fo->nlegs);
	json_decref(row);
	free(plan);
}

static void
fanout_store_and_send_later(void *arg)
{
	fanout_store_and_send(arg);
}

void
fanout_store_and_send(struct fanout *fo)
{
	if (router_guard_wait(fo, fanout_store_and_send_later))
		return;
	router_guard_legs(fo);
	router_reserve_ids(fo, fanout_got_ids);
}
