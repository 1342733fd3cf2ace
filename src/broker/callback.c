/*
 * What every adapter does with a call's callback when the call fails,
 * whatever it asked for, and the zero-delay timer that keeps a callback
 * out of the call that asked for it (broker.h: never from inside).
 */
#include <string.h>

#include <event2/event.h>

#include "broker/broker_lib.h"

/* Failure hands each kind its empty data: no rows, zeroed structs. */
void
broker_cb_fail(enum broker_op op, const union broker_cb *cb, void *arg,
    const struct broker_err *be)
{
	struct broker_positions	 nopos = { NULL, 0, NULL, 0 };
	struct broker_margins	 nomargin;

	switch (op) {
	case BROKER_OP_PLACE:
	case BROKER_OP_MODIFY:
	case BROKER_OP_CANCEL:
		cb->id(be, NULL, arg);
		break;
	case BROKER_OP_ORDERS:
	case BROKER_OP_ORDER_HISTORY:
		cb->orders(be, NULL, 0, arg);
		break;
	case BROKER_OP_TRADES:
		cb->trades(be, NULL, 0, arg);
		break;
	case BROKER_OP_POSITIONS:
		cb->positions(be, &nopos, arg);
		break;
	case BROKER_OP_MARGINS:
		memset(&nomargin, 0, sizeof nomargin);
		cb->margins(be, &nomargin, arg);
		break;
	case BROKER_OP_QUOTE:
		cb->quotes(be, NULL, 0, arg);
		break;
	case BROKER_OP_INSTRUMENTS:
		cb->done(be, arg);
		break;
	}
}

/*
 * The caller keeps the event (not loop_later) so that closing the adapter
 * can take a call back before it fires.
 */
struct event *
broker_cb_later(struct event_base *base, event_callback_fn fn, void *arg)
{
	struct event	*ev;
	struct timeval	 tv = { 0, 0 };

	if ((ev = evtimer_new(base, fn, arg)) == NULL)
		fatal("evtimer_new failed");
	evtimer_add(ev, &tv);
	return ev;
}

int
broker_err_unreachable(const struct broker_err *be)
{
	return strcmp(be->err.code, "timeout") == 0 ||
	    strcmp(be->err.code, "transport") == 0 ||
	    strcmp(be->err.code, "cancelled") == 0 ||
	    be->http_status >= 500;
}
