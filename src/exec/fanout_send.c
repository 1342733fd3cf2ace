/*
 * One leg on the wire: pace it through the account's token bucket, place
 * it, classify the answer, and watch the order until it settles.  An
 * unclear answer (timeout, reset) is never retried blind: the broker's
 * book is searched for the leg's client tag first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/router_int.h"
#include "net/net.h"
#include "util/metrics.h"

static void leg_place(struct leg *);

static void
leg_send_later(void *arg)
{
	leg_send(arg);
}

void
leg_send(struct leg *leg)
{
	int64_t	now = time_mono_us(), wait;

	leg->phase = LEG_SENDING;
	if ((wait = throttle_take(&leg->ra->bucket, now)) > 0) {
		loop_later(wait, leg_send_later, leg);
		return;
	}
	leg_place(leg);
}

/* Exponential backoff with jitter, capped at two seconds. */
static int64_t
leg_backoff_us(const struct leg *leg)
{
	return book_backoff_us(leg->attempts);
}

/* Another attempt after a backoff; the event says why and when. */
static void
leg_retry_later(struct leg *leg, const char *why)
{
	int64_t	wait = leg_backoff_us(leg);
	char	msg[sizeof leg->message];

	snprintf(msg, sizeof msg, "attempt %d failed (%.160s); sent again "
	    "in %lld ms", leg->attempts, why, (long long)(wait / 1000));
	router_event(leg, leg->state, msg, -1);
	metric_inc(pxm.retries, leg->ra->broker);
	loop_later(wait, leg_send_later, leg);
}

static void
leg_acked(struct leg *leg)
{
	struct fanout	*fo = leg->fo;

	fo->t_last_ack = time_mono_us();
	if (fo->req.mode == FANOUT_SYNC)
		fanout_send_next_sync(fo);
}

static void
leg_final(struct leg *leg, enum broker_state st, const char *msg)
{
	leg->failed = 1;
	router_event(leg, st, msg, leg->ack_us);
	leg_acked(leg);
	fanout_leg_done(leg);
}

/* A broker id seen twice is said, never fatal: the tag still matches. */
static void
leg_broker_id_stored(json_t *rows, const struct err *err, void *arg)
{
	json_t	*row = json_array_get(rows, 0);

	if (err != NULL)
		log_warn("router", "broker order id not stored: %s", err->msg);
	else if (json_is_false(json_object_get(row, "stored")))
		log_warn("router", "order %lld: the broker reused order id %s "
		    "of order %lld; kept by client tag",
		    (long long)json_integer_value(json_object_get(row, "id")),
		    (const char *)arg, (long long)json_integer_value(
		    json_object_get(row, "duplicate_of")));
	free(arg);
}

/*
 * Store the broker's id once the leg's row exists: before, the update
 * would find no row, and the id would come later from the reconciler,
 * which cannot tell a reused id from the leg's own.
 */
void
leg_store_broker_id(struct leg *leg)
{
	leg->broker_id_held = 0;
	if (leg->order_id != 0 && leg->broker_id[0] != '\0')
		store_order_broker_id(leg->fo->r->store, leg->order_id,
		    leg->broker_id, leg_broker_id_stored,
		    xstrdup(leg->broker_id));
}

static void
leg_adopt(struct leg *leg, const char *order_id)
{
	snprintf(leg->broker_id, sizeof leg->broker_id, "%s", order_id);
	if (leg->fo->legs_writing)
		leg->broker_id_held = 1;
	else
		leg_store_broker_id(leg);
}

static void leg_reconcile(struct leg *);

static void
leg_placed(const struct broker_err *be, const char *order_id, void *arg)
{
	struct leg	*leg = arg;
	struct fanout	*fo = leg->fo;
	int64_t		 now = time_mono_us();

	leg->ack_us = now - leg->t_send;
	lat_add(lat_map_get(fo->r->lat_broker, leg->ra->broker), leg->ack_us);
	lat_add(lat_map_get(fo->r->lat_account, leg->account), leg->ack_us);
	metric_observe(pxm.ack_seconds, leg->ack_us / 1e6, leg->ra->broker);
	if (metrics_account_labels)
		metric_observe(pxm.account_ack_seconds, leg->ack_us / 1e6,
		    leg->account);
	metric_inc(pxm.order_sends, leg->ra->broker, be == NULL ? "ok" :
	    be->kind == BROKER_ERR_UNKNOWN ? "unknown" :
	    be->kind == BROKER_ERR_RETRYABLE ? "error" : "rejected");
	if (be == NULL) {
		leg_adopt(leg, order_id);
		snprintf(leg->broker_status, sizeof leg->broker_status, "ACK");
		router_event(leg, BROKER_SUBMITTED, NULL, leg->ack_us);
		leg_acked(leg);
		leg_watch(leg);
		return;
	}
	snprintf(leg->message, sizeof leg->message, "%.200s", be->err.msg);
	switch (be->kind) {
	case BROKER_ERR_UNKNOWN:
		router_event(leg, BROKER_UNKNOWN, be->err.msg, leg->ack_us);
		leg_reconcile(leg);
		return;
	case BROKER_ERR_RETRYABLE:
		/* A 429 means "not now": pace and try again under any policy. */
		if ((fo->req.on_fail == FANOUT_RETRY ||
		    strcmp(be->err.code, "rate-limit") == 0) &&
		    leg->attempts < fo->r->retry_max) {
			leg_retry_later(leg, be->err.msg);
			return;
		}
		/* Never answered at all: the broker, not the order, failed. */
		leg->unreachable = be->http_status == 0 || be->http_status >= 500;
		leg_final(leg, BROKER_REJECTED, be->err.msg);
		return;
	default:
		leg_final(leg, BROKER_REJECTED, be->err.msg);
		return;
	}
}

static void
leg_place(struct leg *leg)
{
	struct fanout	*fo = leg->fo;
	struct broker	*b = leg->ra->b;

	leg->attempts++;
	leg->t_send = time_mono_us();
	if (fo->t_first_send == 0) {
		fo->t_first_send = leg->t_send;
		fanout_signal_on_wire(fo);
	}
	fo->t_last_send = leg->t_send;
	if (leg->state == BROKER_NEW || leg->state == BROKER_UNKNOWN)
		router_event(leg, BROKER_SUBMITTED, NULL, -1);
	b->ops->place(b, &leg->req, leg_placed, leg);
}

/*
 * The place call's outcome is unclear.  Look for our tag in the book,
 * asking again while the book cannot be read, until
 * exec.reconcile_deadline_ms: found, the order exists and is watched like
 * any other; absent, it never reached the broker and may be sent again
 * under the retry policy; still unreadable, the leg stays UNKNOWN and the
 * fan-out reports it unconfirmed, never sending it blind.
 */
static void
leg_reconciled(enum book_tag_outcome how, const struct broker_order *o,
    size_t count, int attempts, const struct broker_err *last, void *arg)
{
	struct leg	*leg = arg;
	struct fanout	*fo = leg->fo;
	char		 msg[640];

	metric_inc(pxm.reconciled, how == BOOK_TAG_FOUND ? "found" :
	    how == BOOK_TAG_ABSENT ? "absent" : "unreadable");
	switch (how) {
	case BOOK_TAG_FOUND:
		leg_adopt(leg, o->order_id);
		snprintf(leg->broker_status, sizeof leg->broker_status, "%s",
		    o->status);
		router_leg_filled(leg, o->filled, o->avg_price);
		snprintf(msg, sizeof msg, "%s%sfound by client tag after %d "
		    "read(s) of the order book%s", o->status_message,
		    o->status_message[0] ? "; " : "", attempts, count > 1 ?
		    " (the tag is there more than once)" : "");
		router_event(leg, o->state, msg, -1);
		leg_acked(leg);
		leg_watch(leg);
		return;
	case BOOK_TAG_UNREADABLE:
		leg->unconfirmed = 1;
		leg->unreachable = last->http_status == 0;
		snprintf(msg, sizeof msg, "unconfirmed: order book unreadable "
		    "(%.140s); find tag %s in \"orders acct:%s\" before "
		    "sending again", last->err.msg, leg->tag, leg->account);
		leg_final(leg, BROKER_UNKNOWN, msg);
		return;
	case BOOK_TAG_ABSENT:
		break;
	}
	if (fo->req.on_fail == FANOUT_RETRY &&
	    leg->attempts < fo->r->retry_max) {
		leg_retry_later(leg, "not in the broker's book after an "
		    "unclear answer");
		return;
	}
	leg_final(leg, BROKER_REJECTED, "not in the broker's book after an "
	    "unclear answer: not placed");
}

static void
leg_reconcile(struct leg *leg)
{
	struct book_retry	rt = book_reconcile_retry(leg->fo->r);

	book_reconcile_tag(leg->ra, leg->tag, &rt, leg_reconciled, leg);
}
