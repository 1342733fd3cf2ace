/*
 * The reconciler's decisions, kept pure so they can be tested alone:
 * which broker order is which leg, and what a fan-out interrupted by a
 * crash has become.
 */
#include <string.h>

#include "exec/exec.h"

long
reconcile_book_match(const struct recon_book_entry *book, size_t n,
    const char *tag, const char *broker_order_id)
{
	size_t	i;

	/* The tag first: it was durable before the order was sent. */
	if (tag != NULL && *tag != '\0') {
		for (i = 0; i < n; i++) {
			if (book[i].tag != NULL && strcmp(book[i].tag, tag) == 0)
				return (long)i;
		}
	}
	if (broker_order_id != NULL && *broker_order_id != '\0') {
		for (i = 0; i < n; i++) {
			if (book[i].order_id != NULL &&
			    strcmp(book[i].order_id, broker_order_id) == 0)
				return (long)i;
		}
	}
	return -1;
}

static int
state_is(const char *state, const char *const *set)
{
	for (; *set != NULL; set++) {
		if (state != NULL && strcmp(state, *set) == 0)
			return 1;
	}
	return 0;
}

static const char *const refused[] = { "DENIED", "REJECTED", "EXPIRED",
	"CANCELLED", NULL };
static const char *const failed_states[] = { "DENIED", "REJECTED",
	"EXPIRED", NULL };

enum recon_leg
reconcile_leg(int at_broker, const char *state, int book_read,
    int window_over)
{
	if (at_broker)
		return RECON_AT_BROKER;
	/* Refused before it could reach the book: already settled. */
	if (state_is(state, refused))
		return RECON_FAILED;
	if (!book_read)
		return RECON_UNREAD;
	return window_over ? RECON_NEVER_SENT : RECON_WAIT;
}

void
reconcile_tally(struct recon_tally *t, enum recon_leg l, const char *state)
{
	t->legs++;
	switch (l) {
	case RECON_AT_BROKER:
		/* As the router counts a settled leg: refused or expired. */
		if (state_is(state, failed_states))
			t->failed++;
		break;
	case RECON_FAILED:
		if (state_is(state, failed_states))
			t->failed++;
		break;
	case RECON_NEVER_SENT:
		t->never_sent++;
		break;
	case RECON_WAIT:
		t->wait++;
		break;
	case RECON_UNREAD:
		t->unread++;
		break;
	}
}

const char *
reconcile_verdict(const struct recon_tally *t)
{
	if (t->wait > 0 || t->unread > 0)
		return NULL;
	if (t->never_sent > 0)
		return "INTERRUPTED";
	if (t->failed == 0)
		return "COMPLETED";
	return t->failed == t->legs ? "FAILED" : "PARTIAL";
}
