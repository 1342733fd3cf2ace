/*
 * After the ack, a leg is watched through the broker's order history until
 * it settles: filled, refused, cancelled, resting at its limit or trigger,
 * or until exec.settle_ms runs out.  Every change becomes an order event.
 */
#include <stdio.h>
#include <string.h>

#include "exec/router_int.h"
#include "net/net.h"

static void leg_poll(void *);

static int
leg_settled(const struct leg *leg)
{
	switch (leg->state) {
	case BROKER_FILLED:
	case BROKER_REJECTED:
	case BROKER_CANCELLED:
	case BROKER_EXPIRED:
		return 1;
	case BROKER_OPEN:
	case BROKER_TRIGGER_PENDING:
		/* Resting is where a limit or stop order is meant to be. */
		return leg->req.order_type != BROKER_MARKET;
	default:
		return 0;
	}
}

/*
 * The watch is over.  Only what the broker confirmed counts as done: a
 * market order filled, a limit or stop order resting (partly filled or
 * not) or filled.  One
 * still working past exec.settle_ms, or never seen in the history, is
 * unconfirmed: a failure the report names, never "completed".
 */
static void
leg_settle(struct leg *leg)
{
	char	msg[sizeof leg->message];

	if (leg->state == BROKER_REJECTED || leg->state == BROKER_EXPIRED)
		leg->failed = 1;
	else if (leg->state == BROKER_CANCELLED && leg->filled < leg->req.qty) {
		leg->failed = 1;
		if (leg->message[0] == '\0')
			snprintf(leg->message, sizeof leg->message,
			    "cancelled at the broker");
	} else if (!leg_settled(leg) && !(leg->state ==
	    BROKER_PARTIALLY_FILLED && leg->req.order_type != BROKER_MARKET)) {
		leg->failed = 1;
		leg->unconfirmed = 1;
		snprintf(msg, sizeof msg, "unconfirmed: still %s at the "
		    "broker (%lld of %lld filled) after %d ms",
		    broker_state_name(leg->state), (long long)leg->filled,
		    (long long)leg->req.qty, leg->fo->r->settle_ms);
		snprintf(leg->message, sizeof leg->message, "%s", msg);
	}
	fanout_leg_done(leg);
}

static void
leg_history(const struct broker_err *be, const struct broker_order *o,
    size_t n, void *arg)
{
	struct leg		*leg = arg;
	const struct broker_order *last;
	int64_t			 now = time_mono_us();

	if (be == NULL && n > 0) {
		last = &o[n - 1];
		if (last->state != leg->state || last->filled != leg->filled) {
			router_leg_filled(leg, last->filled, last->avg_price);
			snprintf(leg->broker_status, sizeof leg->broker_status,
			    "%s", last->status);
			router_event(leg, last->state, last->status_message[0] ?
			    last->status_message : NULL, -1);
		}
	}
	if (leg_settled(leg) || now >= leg->watch_until) {
		leg_settle(leg);
		return;
	}
	loop_later((int64_t)leg->fo->r->poll_ms * 1000, leg_poll, leg);
}

static void
leg_poll(void *arg)
{
	struct leg	*leg = arg;

	leg->ra->b->ops->order_history(leg->ra->b, leg->broker_id, leg_history,
	    leg);
}

void
leg_watch(struct leg *leg)
{
	struct router	*r = leg->fo->r;

	leg->phase = LEG_WATCHING;
	leg->watch_until = time_mono_us() + (int64_t)r->settle_ms * 1000;
	if (r->settle_ms <= 0) {
		fanout_leg_done(leg);
		return;
	}
	leg_poll(leg);
}
