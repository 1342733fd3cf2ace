/*
 * Whether a verified postback may move its order.  The checksum covers
 * only the order id and time, so anyone who saw one postback of an order
 * can send any status for it: a verified body proves where it came from,
 * not that what it says is current.  A report may only move the order
 * forward through the state machine (src/core/order.c) and never take
 * back a recorded fill; anything else goes to the broker's order book,
 * and the book wins.
 */
#include <stdio.h>
#include <string.h>

#include "broker/postback_int.h"
#include "core/order.h"

int
postback_state_parse(const char *s, enum broker_state *out)
{
	int	i;

	for (i = 0; s != NULL && i < BROKER_NSTATES; i++) {
		if (strcmp(s, broker_state_name((enum broker_state)i)) == 0) {
			*out = (enum broker_state)i;
			return 0;
		}
	}
	return -1;
}

/* Average prices disagree only when both are known. */
static int
avg_differs(int64_t a, int64_t b)
{
	return a > 0 && b > 0 && a != b;
}

static void
paise_text(int64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%lld.%02lld", (long long)(v / 100),
	    (long long)(v % 100));
}

enum pb_judgement
postback_judge(const struct pb_record *rec, const struct broker_order *rep,
    char *why, size_t whylen)
{
	enum broker_state	from = rec->state;
	char			a[32], b[32];

	if (why == NULL || whylen == 0) {
		why = a;
		whylen = 0;
	}
	/* A report from the broker proves that a NEW order was sent. */
	if (from == BROKER_NEW)
		from = BROKER_SUBMITTED;
	if (rep->filled < rec->filled) {
		if (whylen > 0)
			snprintf(why, whylen, "filled quantity %lld is below "
			    "the recorded %lld", (long long)rep->filled,
			    (long long)rec->filled);
		return PB_CONTRADICTS;
	}
	if (rep->filled == rec->filled && rec->filled > 0 &&
	    avg_differs(rep->avg_price, rec->avg)) {
		if (whylen > 0) {
			paise_text(rep->avg_price, a, sizeof a);
			paise_text(rec->avg, b, sizeof b);
			snprintf(why, whylen, "average price %s for the same "
			    "%lld filled differs from the recorded %s", a,
			    (long long)rec->filled, b);
		}
		return PB_CONTRADICTS;
	}
	if (order_fsm_legal(from, rep->state))
		return PB_FORWARD;
	if (rep->state == rec->state && rep->filled == rec->filled)
		return PB_UNCHANGED;
	if (whylen > 0)
		snprintf(why, whylen, "order state %s cannot become %s",
		    broker_state_name(rec->state),
		    broker_state_name(rep->state));
	return PB_CONTRADICTS;
}

/* The same report: state, filled quantity and (when both know it) price. */
static int
same_report(const struct broker_order *a, const struct broker_order *b)
{
	return a->state == b->state && a->filled == b->filled &&
	    !avg_differs(a->avg_price, b->avg_price);
}

static int
record_is(const struct pb_record *rec, const struct broker_order *o)
{
	enum broker_state	s = rec->state;

	if (s == BROKER_NEW)
		s = BROKER_SUBMITTED;
	return s == o->state && rec->filled == o->filled &&
	    !avg_differs(rec->avg, o->avg_price);
}

int
postback_rule(const struct pb_record *rec, const struct broker_order *rep,
    const struct broker_order *hist, size_t n, struct pb_ruling *out)
{
	size_t	i;
	int	seen = 0;

	memset(out, 0, sizeof *out);
	if (n == 0)
		return -1;
	out->latest = &hist[n - 1];
	out->apply = !record_is(rec, out->latest);
	for (i = 0; i < n; i++)
		seen |= same_report(&hist[i], rep);
	if (same_report(out->latest, rep))
		out->verdict = out->apply ? "corrected" : "unchanged";
	else if (seen)
		out->verdict = "stale";
	else
		out->verdict = "suspicious";
	return 0;
}
