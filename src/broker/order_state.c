/*
 * Names of the broker model's enums (the order states' names are in
 * core/order.c), and the one table that turns a Kite order status into a
 * phalanx order state.
 */
#include <string.h>

#include "broker/broker.h"
#include "broker/kite.h"

/*
 * Every status word Kite's OMS is known to report.  live marks the rows
 * where the order still rests on the book, so a fill short of the
 * quantity means PARTIALLY_FILLED.  Transient modify states keep the order
 * OPEN: a pending modify is not a state of its own in phalanx.  A word not
 * listed maps to UNKNOWN, never to a guess.
 */
static const struct {
	const char		*status;
	enum broker_state	 state;
	int			 live;
} kite_statuses[] = {
	{ "PUT ORDER REQ RECEIVED",	BROKER_SUBMITTED,	0 },
	{ "VALIDATION PENDING",		BROKER_SUBMITTED,	0 },
	{ "OPEN PENDING",		BROKER_SUBMITTED,	0 },
	{ "AMO REQ RECEIVED",		BROKER_OPEN,		0 },
	{ "OPEN",			BROKER_OPEN,		1 },
	{ "TRIGGER PENDING",		BROKER_TRIGGER_PENDING,	0 },
	{ "MODIFY ORDER REQ RECEIVED",	BROKER_OPEN,		1 },
	{ "MODIFY VALIDATION PENDING",	BROKER_OPEN,		1 },
	{ "MODIFY PENDING",		BROKER_OPEN,		1 },
	{ "MODIFIED",			BROKER_OPEN,		1 },
	{ "NOT MODIFIED",		BROKER_OPEN,		1 },
	{ "CANCEL ORDER REQ RECEIVED",	BROKER_PENDING_CANCEL,	0 },
	{ "CANCEL PENDING",		BROKER_PENDING_CANCEL,	0 },
	{ "NOT CANCELLED",		BROKER_OPEN,		1 },
	{ "COMPLETE",			BROKER_FILLED,		0 },
	{ "CANCELLED",			BROKER_CANCELLED,	0 },
	{ "CANCELLED AMO",		BROKER_CANCELLED,	0 },
	{ "REJECTED",			BROKER_REJECTED,	0 },
	{ "EXPIRED",			BROKER_EXPIRED,		0 },
	{ "LAPSED",			BROKER_EXPIRED,		0 },
};

enum broker_state
kite_order_state(const char *status, int64_t qty, int64_t filled)
{
	size_t	i;

	if (status == NULL)
		return BROKER_UNKNOWN;
	for (i = 0; i < nitems(kite_statuses); i++) {
		if (strcmp(status, kite_statuses[i].status) != 0)
			continue;
		if (kite_statuses[i].live && filled > 0 && filled < qty)
			return BROKER_PARTIALLY_FILLED;
		return kite_statuses[i].state;
	}
	return BROKER_UNKNOWN;
}

const char *
broker_errclass_name(enum broker_errclass c)
{
	switch (c) {
	case BROKER_ERR_NONE:
		return "none";
	case BROKER_ERR_RETRYABLE:
		return "retryable";
	case BROKER_ERR_FINAL:
		return "final";
	case BROKER_ERR_UNKNOWN:
		return "unknown-outcome";
	}
	return "?";
}

/* The wire words below are Kite's, which are also the exchanges' words. */
const char *
broker_side_name(enum broker_side s)
{
	return s == BROKER_SELL ? "SELL" : "BUY";
}

const char *
broker_order_type_name(enum broker_order_type t)
{
	switch (t) {
	case BROKER_MARKET:
		return "MARKET";
	case BROKER_LIMIT:
		return "LIMIT";
	case BROKER_SL:
		return "SL";
	case BROKER_SLM:
		return "SL-M";
	default:
		return "?";
	}
}

const char *
broker_product_name(enum broker_product p)
{
	switch (p) {
	case BROKER_MIS:
		return "MIS";
	case BROKER_NRML:
		return "NRML";
	case BROKER_CNC:
		return "CNC";
	case BROKER_MTF:
		return "MTF";
	case BROKER_CO:
		return "CO";
	default:
		return "?";
	}
}

const char *
broker_validity_name(enum broker_validity v)
{
	switch (v) {
	case BROKER_DAY:
		return "DAY";
	case BROKER_IOC:
		return "IOC";
	case BROKER_TTL:
		return "TTL";
	default:
		return "?";
	}
}

const char *
broker_variety_name(enum broker_variety v)
{
	switch (v) {
	case BROKER_VARIETY_REGULAR:
		return "regular";
	case BROKER_VARIETY_AMO:
		return "amo";
	case BROKER_VARIETY_CO:
		return "co";
	case BROKER_VARIETY_ICEBERG:
		return "iceberg";
	case BROKER_VARIETY_AUCTION:
		return "auction";
	default:
		return "?";
	}
}
