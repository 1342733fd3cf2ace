/*
 * order: the lifecycle of one order as an explicit transition table over
 * enum broker_state (DESIGN.md section 7).  The router asks before it
 * records a state change; a refused step is a bug or a broker report out
 * of order, never something to apply.
 */
#ifndef PX_ORDER_H
#define PX_ORDER_H

#include "broker/broker.h"
#include "util/util.h"

/* 1 if from -> to is a legal step, else 0 (out-of-range states: 0). */
int order_fsm_legal(enum broker_state from, enum broker_state to);
/* 0, or -1 and err "bad-transition" naming both states. */
int order_fsm_step(enum broker_state from, enum broker_state to,
    struct err *);
/* 1 when the order can take no further action (CANCELLED: only late fills). */
int order_fsm_final(enum broker_state);

#endif
