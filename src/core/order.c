/*
 * The order state machine.  One row per state lists where it may go; the
 * table is the whole of the policy, so reading it is reading the rules:
 *
 * - NEW is persisted before sending: it is sent (SUBMITTED), stopped by RMS
 *   (DENIED), dropped before sending (CANCELLED), refused by the broker on
 *   the place call (REJECTED), or lost in a crash or timeout (UNKNOWN).
 * - Working states (SUBMITTED, OPEN, TRIGGER_PENDING, PARTIALLY_FILLED,
 *   PENDING_CANCEL) move among themselves as the broker reports; a
 *   repeated report (a modify, another partial fill) is a step to itself.
 * - UNKNOWN becomes whatever the broker's book says, which is never NEW or
 *   DENIED: those are phalanx's own states.
 * - CANCELLED may still take a late fill (the exchange matched before the
 *   cancel landed); FILLED, REJECTED, EXPIRED and DENIED are final.
 */
#include "core/order.h"

static const char *const state_names[BROKER_NSTATES] = {
	[BROKER_NEW] = "NEW",
	[BROKER_DENIED] = "DENIED",
	[BROKER_SUBMITTED] = "SUBMITTED",
	[BROKER_OPEN] = "OPEN",
	[BROKER_TRIGGER_PENDING] = "TRIGGER_PENDING",
	[BROKER_PARTIALLY_FILLED] = "PARTIALLY_FILLED",
	[BROKER_FILLED] = "FILLED",
	[BROKER_PENDING_CANCEL] = "PENDING_CANCEL",
	[BROKER_CANCELLED] = "CANCELLED",
	[BROKER_REJECTED] = "REJECTED",
	[BROKER_EXPIRED] = "EXPIRED",
	[BROKER_UNKNOWN] = "UNKNOWN",
};

#define S(x)	(1u << BROKER_##x)
#define WORKING	(S(SUBMITTED) | S(OPEN) | S(TRIGGER_PENDING) | \
		    S(PARTIALLY_FILLED) | S(PENDING_CANCEL))
#define ENDS	(S(FILLED) | S(CANCELLED) | S(REJECTED) | S(EXPIRED))

static const unsigned fsm_next[BROKER_NSTATES] = {
	[BROKER_NEW] = S(SUBMITTED) | S(DENIED) | S(CANCELLED) |
	    S(REJECTED) | S(UNKNOWN),
	[BROKER_DENIED] = 0,
	[BROKER_SUBMITTED] = WORKING | ENDS | S(UNKNOWN),
	[BROKER_OPEN] = (WORKING & ~S(SUBMITTED)) | ENDS | S(UNKNOWN),
	[BROKER_TRIGGER_PENDING] = (WORKING & ~S(SUBMITTED)) | ENDS |
	    S(UNKNOWN),
	[BROKER_PARTIALLY_FILLED] = S(PARTIALLY_FILLED) | S(PENDING_CANCEL) |
	    S(FILLED) | S(CANCELLED) | S(EXPIRED) | S(UNKNOWN),
	[BROKER_PENDING_CANCEL] = (WORKING & ~S(SUBMITTED)) | ENDS |
	    S(UNKNOWN),
	[BROKER_CANCELLED] = S(PARTIALLY_FILLED) | S(FILLED),
	[BROKER_FILLED] = 0,
	[BROKER_REJECTED] = 0,
	[BROKER_EXPIRED] = 0,
	[BROKER_UNKNOWN] = WORKING | ENDS | S(UNKNOWN),
};

int
order_fsm_legal(enum broker_state from, enum broker_state to)
{
	if ((unsigned)from >= BROKER_NSTATES || (unsigned)to >= BROKER_NSTATES)
		return 0;
	return (fsm_next[from] & (1u << to)) != 0;
}

int
order_fsm_step(enum broker_state from, enum broker_state to, struct err *err)
{
	if (order_fsm_legal(from, to))
		return 0;
	err_set(err, "bad-transition", "order state %s cannot become %s",
	    broker_state_name(from), broker_state_name(to));
	return -1;
}

int
order_fsm_final(enum broker_state s)
{
	if ((unsigned)s >= BROKER_NSTATES)
		return 1;
	return (fsm_next[s] & ~(S(PARTIALLY_FILLED) | S(FILLED))) == 0;
}

const char *
broker_state_name(enum broker_state s)
{
	if ((unsigned)s >= BROKER_NSTATES)
		return "?";
	return state_names[s];
}

/*
 * No longer working on the exchange.  CANCELLED counts even though a late
 * fill may still arrive after it: the order can take no new action.
 */
int
broker_state_terminal(enum broker_state s)
{
	switch (s) {
	case BROKER_DENIED:
	case BROKER_FILLED:
	case BROKER_CANCELLED:
	case BROKER_REJECTED:
	case BROKER_EXPIRED:
		return 1;
	default:
		return 0;
	}
}
