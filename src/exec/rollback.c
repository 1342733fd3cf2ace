/*
 * all-or-none rollback.  First every leg's fill is made certain: an
 * UNKNOWN leg is looked up by its client tag, a working leg is cancelled
 * and its history read until the broker confirms where it stopped.  Then
 * every confirmed fill is reversed at market, a refused reversal is sent
 * again for what is still open, and the rollback is complete only when
 * every reversal is confirmed filled.  Anything else is left open and
 * named: account, symbol, side and quantity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/router_int.h"
#include "net/net.h"

#define ROLLBACK_SLICE	1000	/* rollback legs: slice + this, own tags */

struct undo {
	struct leg	*leg;
	int		 cancels;	/* cancel requests sent */
};

static void undo_cancel(struct undo *);
static void rollback_reverse(struct fanout *);

static int
undo_working(enum broker_state s)
{
	switch (s) {
	case BROKER_SUBMITTED:
	case BROKER_OPEN:
	case BROKER_TRIGGER_PENDING:
	case BROKER_PARTIALLY_FILLED:
	case BROKER_PENDING_CANCEL:
		return 1;
	default:
		return 0;
	}
}

static void
undo_unsure(struct leg *leg, const char *fmt, const char *detail)
{
	leg->undo_unsure = 1;
	snprintf(leg->undo_why, sizeof leg->undo_why, fmt, detail);
}

static void
undo_done(struct undo *u)
{
	struct fanout	*fo = u->leg->fo;

	free(u);
	if (--fo->open == 0)
		rollback_reverse(fo);
}

/* The broker's last word on an order becomes the leg's. */
static void
undo_apply(struct leg *leg, const struct broker_order *last, const char *why)
{
	router_leg_filled(leg, last->filled, last->avg_price);
	snprintf(leg->broker_status, sizeof leg->broker_status, "%s",
	    last->status);
	router_event(leg, last->state, why, -1);
}

static void
undo_cancel_later(void *arg)
{
	undo_cancel(arg);
}

static void
undo_history(const struct broker_err *be, const struct broker_order *o,
    size_t n, void *arg)
{
	struct undo	*u = arg;
	struct leg	*leg = u->leg;

	if (be != NULL || n == 0) {
		undo_unsure(leg, "cancel not confirmed: the order's history "
		    "could not be read (%.100s)", be != NULL ? be->err.msg :
		    "empty");
		undo_done(u);
		return;
	}
	undo_apply(leg, &o[n - 1], "all-or-none rollback");
	if (!undo_working(o[n - 1].state)) {
		undo_done(u);
		return;
	}
	if (u->cancels < leg->fo->r->retry_max) {
		loop_later(book_backoff_us(u->cancels), undo_cancel_later, u);
		return;
	}
	undo_unsure(leg, "cancel not confirmed: still %s at the broker",
	    broker_state_name(o[n - 1].state));
	undo_done(u);
}

static void
undo_cancelled(const struct broker_err *be, const char *order_id, void *arg)
{
	struct undo		*u = arg;
	struct leg		*leg = u->leg;
	struct book_retry	 rt = book_read_retry(leg->fo->r);

	if (be != NULL)
		log_warn("router", "rollback cancel of %s failed: %s",
		    leg->broker_id, be->err.msg);
	/* Whatever the cancel call said, the history says what happened. */
	book_history(leg->ra, leg->broker_id, &rt, undo_history, u);
}

static void
undo_cancel(struct undo *u)
{
	struct leg	*leg = u->leg;

	u->cancels++;
	if (leg->state != BROKER_PENDING_CANCEL)
		router_event(leg, BROKER_PENDING_CANCEL, "all-or-none rollback",
		    -1);
	leg->ra->b->ops->cancel(leg->ra->b, leg->broker_id,
	    BROKER_VARIETY_REGULAR, undo_cancelled, u);
}

static void
undo_reconciled(enum book_tag_outcome how, const struct broker_order *o,
    size_t count, int attempts, const struct broker_err *last, void *arg)
{
	struct undo	*u = arg;
	struct leg	*leg = u->leg;

	switch (how) {
	case BOOK_TAG_FOUND:
		snprintf(leg->broker_id, sizeof leg->broker_id, "%s",
		    o->order_id);
		undo_apply(leg, o, "found by client tag during rollback");
		if (undo_working(o->state)) {
			undo_cancel(u);
			return;
		}
		break;
	case BOOK_TAG_ABSENT:
		router_event(leg, BROKER_REJECTED, "not in the broker's book: "
		    "never placed", -1);
		break;
	case BOOK_TAG_UNREADABLE:
		undo_unsure(leg, "outcome unknown: the order book could not be "
		    "read (%.100s)", last->err.msg);
		break;
	}
	undo_done(u);
}

/*
 * Start undoing: every leg whose fill is not yet final is settled first.
 * fo->open counts the legs being settled, held at one while they start.
 */
void
rollback_start(struct fanout *fo)
{
	struct book_retry	 rt;
	struct undo		*u;
	struct leg		*leg;
	size_t			 i, n = fo->nlegs;

	fo->rolled_back = 1;
	fo->open = 1;
	for (i = 0; i < n; i++) {
		leg = fo->legs[i];
		if (leg->rollback || leg->ra == NULL || leg->ra->b == NULL)
			continue;
		if (leg->state == BROKER_UNKNOWN && leg->broker_id[0] == '\0') {
			u = xcalloc(1, sizeof *u);
			u->leg = leg;
			fo->open++;
			rt = book_reconcile_retry(fo->r);
			book_reconcile_tag(leg->ra, leg->tag, &rt,
			    undo_reconciled, u);
		} else if (leg->broker_id[0] != '\0' &&
		    (undo_working(leg->state) || leg->state == BROKER_UNKNOWN)) {
			u = xcalloc(1, sizeof *u);
			u->leg = leg;
			fo->open++;
			undo_cancel(u);
		}
	}
	if (--fo->open == 0)
		rollback_reverse(fo);
}

static struct leg *
rollback_leg_new(struct fanout *fo, struct leg *orig, int64_t qty,
    int generation)
{
	struct leg	*rev;
	struct err	 e;

	rev = fanout_add_leg(fo, &(struct account){ .id = orig->account_id,
	    .name = orig->account }, orig->ra);
	rev->rollback = 1;
	rev->orig = orig;
	rev->generation = generation;
	rev->slice = orig->slice + ROLLBACK_SLICE * (generation + 1);
	rev->req = orig->req;
	rev->req.side = orig->req.side == BROKER_BUY ? BROKER_SELL :
	    BROKER_BUY;
	rev->req.order_type = BROKER_MARKET;
	rev->req.price = rev->req.trigger_price = 0;
	rev->req.qty = qty;
	err_clear(&e);
	if (ctag_make(fo->id, rev->account_id, rev->slice, rev->tag,
	    sizeof rev->tag, &e) != 0) {
		rev->failed = 1;
		rev->phase = LEG_DONE;
		snprintf(rev->message, sizeof rev->message, "%.200s", e.msg);
		return rev;
	}
	snprintf(rev->req.tag, sizeof rev->req.tag, "%s", rev->tag);
	return rev;
}

static void
reversal_send(void *arg)
{
	leg_send(arg);
}

static void rollback_finish(struct fanout *);

static void
reversal_stored(json_t *rows, const struct err *err, void *arg)
{
	struct leg	*leg = arg;
	struct fanout	*fo = leg->fo;

	if (err != NULL) {
		snprintf(leg->message, sizeof leg->message, "reversal not "
		    "recorded, not sent: %.200s", err->msg);
		leg->failed = 1;
		leg->phase = LEG_DONE;
		if (--fo->open == 0)
			rollback_finish(fo);
		return;
	}
	leg->order_id = json_integer_value(json_object_get(json_array_get(rows,
	    0), "id"));
	router_event(leg, BROKER_NEW, NULL, -1);
	loop_later(200000, reversal_send, leg);
}

/* What of orig's fill the broker confirmed reversed so far. */
static int64_t
rollback_reversed(const struct fanout *fo, const struct leg *orig)
{
	size_t	i;
	int64_t	n = 0;

	for (i = 0; i < fo->nlegs; i++) {
		if (fo->legs[i]->orig == orig)
			n += fo->legs[i]->filled;
	}
	return n;
}

/*
 * A reversal is over.  Refused outright (nothing working, nothing unknown
 * at the broker), what is still open is sent again as a new order with its
 * own tag, up to exec.retry_max times; unknown or still working, it is
 * never doubled: it stays as it is and the rollback reports it.
 */
void
rollback_leg_done(struct leg *leg)
{
	struct fanout	*fo = leg->fo;
	struct leg	*rev;
	json_t		*orders;
	int64_t		 rest;

	rest = leg->orig != NULL ? leg->orig->filled -
	    rollback_reversed(fo, leg->orig) : 0;
	if (leg->orig != NULL && rest > 0 && !leg->unconfirmed &&
	    (leg->state == BROKER_REJECTED || leg->state == BROKER_CANCELLED ||
	    leg->state == BROKER_EXPIRED) &&
	    leg->generation < fo->r->retry_max) {
		rev = rollback_leg_new(fo, leg->orig, rest,
		    leg->generation + 1);
		if (rev->phase != LEG_DONE) {
			orders = json_array();
			json_array_append_new(orders,
			    fanout_leg_order_json(rev));
			store_orders_add(fo->r->store, fo->id, orders,
			    reversal_stored, rev);
			json_decref(orders);
			return;
		}
	}
	if (--fo->open == 0)
		rollback_finish(fo);
}

static void
rollback_stored(json_t *rows, const struct err *err, void *arg)
{
	struct fanout	*fo = arg;
	size_t		 i, j;
	json_t		*row;

	if (err != NULL) {
		snprintf(fo->err.msg, sizeof fo->err.msg, "rollback orders "
		    "not recorded, none sent: %.400s", err->msg);
		rollback_finish(fo);
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
	if (fo->open == 0) {
		rollback_finish(fo);
		return;
	}
	for (i = 0; i < fo->nlegs; i++) {
		if (fo->legs[i]->rollback && fo->legs[i]->phase == LEG_QUEUED)
			leg_send(fo->legs[i]);
	}
}

/* Every confirmed fill is bought or sold back at market. */
static void
rollback_reverse(struct fanout *fo)
{
	size_t		 i, n = fo->nlegs;
	json_t		*orders = json_array();
	struct leg	*rev;

	for (i = 0; i < n; i++) {
		if (fo->legs[i]->rollback || fo->legs[i]->filled <= 0)
			continue;
		rev = rollback_leg_new(fo, fo->legs[i], fo->legs[i]->filled, 0);
		if (rev->phase != LEG_DONE)
			json_array_append_new(orders, fanout_leg_order_json(rev));
	}
	if (json_array_size(orders) == 0) {
		json_decref(orders);
		rollback_finish(fo);
		return;
	}
	store_orders_add(fo->r->store, fo->id, orders, rollback_stored, fo);
	json_decref(orders);
}

/* A reversal of orig that the broker has not confirmed finished. */
static const struct leg *
rollback_unsure_reversal(const struct fanout *fo, const struct leg *orig)
{
	size_t	i;

	for (i = 0; i < fo->nlegs; i++) {
		const struct leg *l = fo->legs[i];

		if (l->orig == orig && (l->unconfirmed ||
		    l->state == BROKER_UNKNOWN || undo_working(l->state)))
			return l;
	}
	return NULL;
}

/*
 * The account of every leg whose exposure is not confirmed undone:
 * what is open (in the original leg's direction) and why.
 */
static void
rollback_finish(struct fanout *fo)
{
	const struct leg	*orig, *rev;
	char			 why[400];
	size_t			 i;
	int64_t			 rest;

	for (i = 0; i < fo->nlegs; i++) {
		orig = fo->legs[i];
		if (orig->rollback)
			continue;
		rest = orig->filled - rollback_reversed(fo, orig);
		rev = rollback_unsure_reversal(fo, orig);
		if (rest == 0 && !orig->undo_unsure && rev == NULL)
			continue;
		if (orig->undo_unsure)
			snprintf(why, sizeof why, "%s", orig->undo_why);
		else if (rev != NULL)
			snprintf(why, sizeof why, "reversal %s not confirmed: "
			    "%s", rev->tag, rev->message[0] ? rev->message :
			    broker_state_name(rev->state));
		else
			snprintf(why, sizeof why, "reversal refused %d times",
			    fo->r->retry_max + 1);
		json_array_append_new(fo->left, json_pack("{s:s,s:s,s:s,s:s,"
		    "s:I,s:b,s:s,s:s}", "account", orig->account, "exchange",
		    orig->req.exchange, "symbol", orig->req.tradingsymbol,
		    "side", broker_side_name(orig->req.side), "qty",
		    (json_int_t)rest, "qty_certain", !orig->undo_unsure &&
		    rev == NULL, "client_tag", orig->tag, "why", why));
	}
	fanout_finish(fo);
}
