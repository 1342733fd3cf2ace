/*
 * order: the lifecycle of one order (DESIGN.md section 7) -- the states,
 * their names, and an explicit transition table over them.  The router asks
 * before it records a state change; a refused step is a bug or a broker
 * report out of order, never something to apply.  A core noun: the broker
 * adapters map their wire words onto these states (broker/order_state.c).
 */
#ifndef PX_ORDER_H
#define PX_ORDER_H

#include "util/util.h"

/* The lifecycle of one order as phalanx sees it (DESIGN §7). */
enum broker_state {
	BROKER_NEW,		/* persisted, not yet sent */
	BROKER_DENIED,		/* stopped by RMS, never sent */
	BROKER_SUBMITTED,	/* sent; broker has not put it on the book */
	BROKER_OPEN,
	BROKER_TRIGGER_PENDING,
	BROKER_PARTIALLY_FILLED,
	BROKER_FILLED,
	BROKER_PENDING_CANCEL,
	BROKER_CANCELLED,
	BROKER_REJECTED,
	BROKER_EXPIRED,
	BROKER_UNKNOWN		/* outcome unclear: ask the order book */
};
#define BROKER_NSTATES (BROKER_UNKNOWN + 1)

/* "NEW", "OPEN", ...; "?" for an out-of-range state. */
const char *broker_state_name(enum broker_state);
/*
 * No longer working on the exchange.  CANCELLED counts even though a late
 * fill may still arrive after it: the order can take no new action.
 */
int broker_state_terminal(enum broker_state);

/* 1 if from -> to is a legal step, else 0 (out-of-range states: 0). */
int order_fsm_legal(enum broker_state from, enum broker_state to);
/* 0, or -1 and err "bad-transition" naming both states. */
int order_fsm_step(enum broker_state from, enum broker_state to,
    struct err *);
/* 1 when the order can take no further action (CANCELLED: only late fills). */
int order_fsm_final(enum broker_state);

#endif
