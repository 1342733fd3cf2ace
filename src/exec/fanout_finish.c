/*
 * The end of a fan-out: all-or-none rollback when a leg failed for good
 * (cancel what rests, reverse what filled), the final state and timings
 * in the store, and the report for whoever asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/router_int.h"
#include "net/net.h"

#define ROLLBACK_SLICE	1000	/* rollback legs: slice + this, own tags */

static void fanout_finish(struct fanout *);
static void fanout_resend_reversal(struct leg *);

void
fanout_leg_done(struct leg *leg)
{
	struct fanout	*fo = leg->fo;

	if (leg->phase == LEG_DONE)
		return;
	leg->phase = LEG_DONE;
	/*
	 * A reversal that failed leaves exposure the trader asked not to
	 * have: send it again, as a new order with its own tag, a few times.
	 */
	if (leg->rollback && leg->failed && leg->generation < fo->r->retry_max) {
		fanout_resend_reversal(leg);
		return;
	}
	if (--fo->open == 0)
		fanout_all_done(fo);
}

static void
reversal_send(void *arg)
{
	leg_send(arg);
}

static void
reversal_stored(json_t *rows, const struct err *err, void *arg)
{
	struct leg	*leg = arg;
	struct fanout	*fo = leg->fo;

	if (err != NULL) {
		snprintf(leg->message, sizeof leg->message, "reversal not "
		    "recorded, not sent: %.200s", err->msg);
		leg->generation = fo->r->retry_max;
		leg->phase = LEG_DONE;
		if (--fo->open == 0)
			fanout_all_done(fo);
		return;
	}
	leg->order_id = json_integer_value(json_object_get(json_array_get(rows,
	    0), "id"));
	router_event(leg, BROKER_NEW, NULL, -1);
	loop_later(200000, reversal_send, leg);
}

static void
fanout_resend_reversal(struct leg *old)
{
	struct fanout	*fo = old->fo;
	struct leg	*leg;
	json_t		*orders;
	struct err	 e;

	leg = fanout_add_leg(fo, &(struct account){ .id = old->account_id,
	    .name = old->account }, old->ra);
	leg->rollback = 1;
	leg->generation = old->generation + 1;
	leg->slice = old->slice + ROLLBACK_SLICE;
	leg->req = old->req;
	err_clear(&e);
	if (ctag_make(fo->id, leg->account_id, leg->slice, leg->tag,
	    sizeof leg->tag, &e) != 0) {
		leg->failed = 1;
		leg->generation = fo->r->retry_max;
		snprintf(leg->message, sizeof leg->message, "%.200s", e.msg);
		fanout_leg_done(leg);
		return;
	}
	snprintf(leg->req.tag, sizeof leg->req.tag, "%s", leg->tag);
	orders = json_array();
	json_array_append_new(orders, fanout_leg_order_json(leg));
	store_orders_add(fo->r->store, fo->id, orders, reversal_stored, leg);
	json_decref(orders);
}

/* Failed legs whose broker never answered: exit 3, not 1. */
static size_t
fanout_nunreachable(const struct fanout *fo)
{
	size_t	i, n = 0;

	for (i = 0; i < fo->nlegs; i++)
		n += fo->legs[i]->failed && fo->legs[i]->unreachable &&
		    !fo->legs[i]->rollback;
	return n;
}

/* Reversals that failed for good: exposure the rollback could not undo. */
static size_t
fanout_nstranded(const struct fanout *fo)
{
	size_t	i, n = 0;

	for (i = 0; i < fo->nlegs; i++)
		n += fo->legs[i]->rollback && fo->legs[i]->failed &&
		    fo->legs[i]->generation >= fo->r->retry_max;
	return n;
}

static size_t
fanout_nfailed(const struct fanout *fo)
{
	size_t	i, n = 0;

	for (i = 0; i < fo->nlegs; i++)
		n += fo->legs[i]->failed && !fo->legs[i]->rollback;
	return n;
}

static int
leg_working(const struct leg *leg)
{
	switch (leg->state) {
	case BROKER_SUBMITTED:
	case BROKER_OPEN:
	case BROKER_TRIGGER_PENDING:
	case BROKER_PARTIALLY_FILLED:
		return leg->broker_id[0] != '\0';
	default:
		return 0;
	}
}

static void fanout_reverse_fills(struct fanout *);

static void
leg_cancel_checked(const struct broker_err *be, const struct broker_order *o,
    size_t n, void *arg)
{
	struct leg	*leg = arg;
	struct fanout	*fo = leg->fo;

	if (be == NULL && n > 0) {
		router_leg_filled(leg, o[n - 1].filled, o[n - 1].avg_price);
		router_event(leg, o[n - 1].state, "all-or-none rollback", -1);
	}
	if (--fo->open == 0)
		fanout_reverse_fills(fo);
}

static void
leg_cancelled(const struct broker_err *be, const char *order_id, void *arg)
{
	struct leg	*leg = arg;

	if (be != NULL)
		log_warn("router", "rollback cancel of %s failed: %s",
		    leg->broker_id, be->err.msg);
	leg->ra->b->ops->order_history(leg->ra->b, leg->broker_id,
	    leg_cancel_checked, leg);
}

static void
fanout_rollback(struct fanout *fo)
{
	size_t	i;

	fo->rolled_back = 1;
	fo->open = 0;
	for (i = 0; i < fo->nlegs; i++)
		fo->open += leg_working(fo->legs[i]);
	if (fo->open == 0) {
		fanout_reverse_fills(fo);
		return;
	}
	for (i = 0; i < fo->nlegs; i++) {
		struct leg *leg = fo->legs[i];

		if (!leg_working(leg))
			continue;
		router_event(leg, BROKER_PENDING_CANCEL, "all-or-none rollback",
		    -1);
		leg->ra->b->ops->cancel(leg->ra->b, leg->broker_id,
		    BROKER_VARIETY_REGULAR, leg_cancelled, leg);
	}
}

static void
fanout_reversals_stored(json_t *rows, const struct err *err, void *arg)
{
	struct fanout	*fo = arg;
	size_t		 i, j;
	json_t		*row;

	if (err != NULL) {
		snprintf(fo->err.msg, sizeof fo->err.msg, "rollback orders "
		    "not recorded, none sent: %.400s", err->msg);
		fanout_finish(fo);
		return;
	}
	fo->open = 0;
	for (i = 0; i < fo->nlegs; i++) {
		struct leg *leg = fo->legs[i];

		if (!leg->rollback || leg->phase != LEG_QUEUED)
			continue;
		json_array_foreach(rows, j, row) {
			if (strcmp(json_string_value(json_object_get(row,
			    "client_tag")), leg->tag) == 0)
				leg->order_id = json_integer_value(
				    json_object_get(row, "id"));
		}
		router_event(leg, BROKER_NEW, NULL, -1);
		fo->open++;
	}
	for (i = 0; i < fo->nlegs; i++) {
		if (fo->legs[i]->rollback && fo->legs[i]->phase == LEG_QUEUED)
			leg_send(fo->legs[i]);
	}
}

/* Every filled quantity is bought or sold back at market. */
static void
fanout_reverse_fills(struct fanout *fo)
{
	size_t		 i, n = fo->nlegs;
	json_t		*orders = json_array();
	struct leg	*rev, *orig;
	struct err	 e;

	for (i = 0; i < n; i++) {
		if (fo->legs[i]->rollback || fo->legs[i]->filled <= 0)
			continue;
		rev = fanout_add_leg(fo, &(struct account){ .id =
		    fo->legs[i]->account_id, .name = fo->legs[i]->account },
		    fo->legs[i]->ra);
		orig = fo->legs[i];
		rev->rollback = 1;
		rev->slice = orig->slice + ROLLBACK_SLICE;
		rev->req = orig->req;
		rev->req.side = orig->req.side == BROKER_BUY ? BROKER_SELL :
		    BROKER_BUY;
		rev->req.order_type = BROKER_MARKET;
		rev->req.price = rev->req.trigger_price = 0;
		rev->req.qty = orig->filled;
		err_clear(&e);
		if (ctag_make(fo->id, rev->account_id, rev->slice, rev->tag,
		    sizeof rev->tag, &e) != 0) {
			rev->failed = 1;
			rev->phase = LEG_DONE;
			snprintf(rev->message, sizeof rev->message, "%.200s", e.msg);
			continue;
		}
		snprintf(rev->req.tag, sizeof rev->req.tag, "%s", rev->tag);
		json_array_append_new(orders, fanout_leg_order_json(rev));
	}
	if (json_array_size(orders) == 0) {
		json_decref(orders);
		fanout_finish(fo);
		return;
	}
	store_orders_add(fo->r->store, fo->id, orders,
	    fanout_reversals_stored, fo);
	json_decref(orders);
}

void
fanout_all_done(struct fanout *fo)
{
	if (fo->req.on_fail == FANOUT_ALL_OR_NONE && !fo->rolled_back &&
	    fanout_nfailed(fo) > 0) {
		fanout_rollback(fo);
		return;
	}
	fanout_finish(fo);
}

static const char *
fanout_state(const struct fanout *fo)
{
	size_t	failed = fanout_nfailed(fo), legs = 0, i;

	for (i = 0; i < fo->nlegs; i++)
		legs += !fo->legs[i]->rollback;
	if (fo->rolled_back)
		return "REVERSED";
	if (failed == 0)
		return "COMPLETED";
	return failed == legs ? "FAILED" : "PARTIAL";
}

static json_t *
fanout_leg_json(const struct leg *leg)
{
	char	*avg = decimal_format(leg->avg, 2);
	json_t	*j;

	j = json_pack("{s:s,s:i,s:I,s:s,s:s,s:I,s:s,s:I,s:s,s:s,s:s,s:b,s:b}",
	    "account", leg->account, "slice", leg->slice,
	    "lots", (json_int_t)leg->lots, "side",
	    broker_side_name(leg->req.side), "symbol", leg->req.tradingsymbol,
	    "qty", (json_int_t)leg->req.qty, "state",
	    broker_state_name(leg->state), "filled", (json_int_t)leg->filled,
	    "avg_price", avg, "client_tag", leg->tag, "broker_order_id",
	    leg->broker_id, "failed", leg->failed, "rollback", leg->rollback);
	json_object_set_new(j, "ack_us", leg->ack_us >= 0 ?
	    json_integer(leg->ack_us) : json_null());
	json_object_set_new(j, "message", leg->message[0] ?
	    json_string(leg->message) : json_null());
	free(avg);
	return j;
}

static int64_t
fanout_since(const struct fanout *fo, int64_t t)
{
	return t != 0 ? t - fo->t_intent : -1;
}

static void
fanout_report(struct fanout *fo, const char *state, struct fanout_result *res)
{
	struct strbuf	 b;
	json_t		*legs = json_array();
	size_t		 i, failed = fanout_nfailed(fo);

	strbuf_init(&b);
	strbuf_printf(&b, "%-14s %5s %5s %-5s %-22s %7s %-16s %7s %10s %8s  %s\n",
	    "ACCOUNT", "SLICE", "LOTS", "SIDE", "SYMBOL", "QTY", "STATE",
	    "FILLED", "AVG", "ACK MS", "MESSAGE");
	for (i = 0; i < fo->nlegs; i++) {
		const struct leg *leg = fo->legs[i];
		char *avg = decimal_format(leg->avg, 2);

		json_array_append_new(legs, fanout_leg_json(leg));
		strbuf_printf(&b, "%-14s %5d %5lld %-5s %-22s %7lld %-16s %7lld "
		    "%10s %8.1f  %s\n", leg->account, leg->slice,
		    (long long)leg->lots, broker_side_name(leg->req.side),
		    leg->req.tradingsymbol, (long long)leg->req.qty,
		    broker_state_name(leg->state), (long long)leg->filled, avg,
		    leg->ack_us >= 0 ? leg->ack_us / 1000.0 : 0.0,
		    leg->rollback ? "rollback" : leg->message);
		free(avg);
	}
	strbuf_printf(&b, "fanout %lld %s: %zu order(s), %zu failed, last ack "
	    "%.1f ms after the intent\n", (long long)fo->id, state, fo->nlegs,
	    failed, fo->t_last_ack ? (fo->t_last_ack - fo->t_intent) / 1000.0 :
	    0.0);
	res->ok = failed == 0 && !fo->rolled_back;
	res->text = strbuf_steal(&b);
	res->data = json_pack("{s:I,s:s,s:s,s:s,s:s,s:{s:I,s:I,s:I,s:I,s:I},"
	    "s:o,s:O}", "fanout", (json_int_t)fo->id, "state", state,
	    "target", fo->target_text, "mode", fanout_mode_name(fo->req.mode),
	    "on_fail", fanout_on_fail_name(fo->req.on_fail), "timings_us",
	    "rms", (json_int_t)fanout_since(fo, fo->t_rms),
	    "written", (json_int_t)fanout_since(fo, fo->t_written),
	    "first_send", (json_int_t)fanout_since(fo, fo->t_first_send),
	    "last_send", (json_int_t)fanout_since(fo, fo->t_last_send),
	    "last_ack", (json_int_t)fanout_since(fo, fo->t_last_ack),
	    "legs", legs, "notes", fo->notes);
	if (fanout_nstranded(fo) > 0)
		err_set(&res->err, "rollback-incomplete", "fanout %lld: %zu "
		    "reversal(s) failed after %d attempts: positions remain "
		    "open, act now", (long long)fo->id, fanout_nstranded(fo),
		    fo->r->retry_max + 1);
	else if (!res->ok)
		err_set(&res->err, fanout_nunreachable(fo) == failed ?
		    "broker-unreachable" : "fanout-failed", "fanout %lld %s: %zu "
		    "of %zu order(s) failed%s%s", (long long)fo->id, state,
		    failed, fo->nlegs, fanout_nunreachable(fo) == failed ?
		    " (broker unreachable)" : "", fo->rolled_back ?
		    "; filled legs reversed" : "");
}

static void
fanout_finished(json_t *rows, const struct err *err, void *arg)
{
	struct fanout		*fo = arg;
	struct fanout_result	 res;

	memset(&res, 0, sizeof res);
	fanout_report(fo, fanout_state(fo), &res);
	/* Neither stored nor journaled (store_journal.h): never "done". */
	if (err != NULL && res.ok) {
		res.ok = 0;
		err_set(&res.err, "store-unreachable", "fanout %lld %s at the "
		    "broker, but not recorded: %s", (long long)fo->id,
		    fanout_state(fo), err->msg);
	} else if (err != NULL)
		log_error("router", "fanout %lld: final state not recorded: "
		    "%s", (long long)fo->id, err->msg);
	fo->cb(&res, fo->arg);
	json_decref(res.data);
	free(res.text);
	fanout_free(fo);
}

static void
fanout_finish(struct fanout *fo)
{
	char	*t1, *t2, *t3;

	t1 = router_wall_text(fo, fo->t_first_send);
	t2 = router_wall_text(fo, fo->t_last_send);
	t3 = router_wall_text(fo, fo->t_last_ack);
	store_fanout_finish(fo->r->store, fo->id, fanout_state(fo),
	    fo->err.msg[0] ? fo->err.msg : NULL, t1, t2, t3, fanout_finished,
	    fo);
	free(t1);
	free(t2);
	free(t3);
}
