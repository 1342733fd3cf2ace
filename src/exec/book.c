/*
 * Reading a broker's books when the answer matters: the order book, an
 * order's history and the positions, each asked again after a transient
 * failure (5xx, 429, timeout, reset) with exponential backoff and jitter
 * until a deadline or an attempt limit, and reconciliation of one client
 * tag against the order book.  The fan-out's in-flight path uses it for
 * unclear outcomes; a start-up reconciler can use book_reconcile_tag()
 * (one tag) or book_orders() plus book_find_tag() (many tags, one read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/router_int.h"
#include "net/net.h"

enum book_op { BOOK_ORDERS, BOOK_HISTORY, BOOK_POSITIONS };

struct book_call {
	enum book_op		 op;
	struct router_acct	*ra;
	char			 order_id[32];
	struct book_retry	 retry;
	int			 attempts;
	int64_t			 t_start;
	broker_orders_cb	 orders_cb;
	broker_positions_cb	 positions_cb;
	void			*arg;
	int			*attempts_out;	/* told before the callback */
};

static void book_attempt(struct book_call *);

int64_t
book_backoff_us(int attempt)
{
	int64_t	base = 100000, d;
	int	i;

	for (i = 1; i < attempt && base < 2000000; i++)
		base *= 2;
	if (base > 2000000)
		base = 2000000;
	d = base / 2 + (int64_t)(((uint64_t)time_mono_us() * 2654435761u) %
	    (uint64_t)(base / 2 + 1));
	return d;
}

/* Worth asking again: the request certainly or possibly changed nothing. */
static int
book_retryable(const struct broker_err *be)
{
	if (strcmp(be->err.code, "cancelled") == 0)
		return 0;
	return be->kind == BROKER_ERR_RETRYABLE || be->kind == BROKER_ERR_UNKNOWN;
}

static void
book_attempt_later(void *arg)
{
	book_attempt(arg);
}

/*
 * A failed read: schedule another attempt if the budget allows, else
 * return 0 so the caller reports the last error, its text extended with
 * how long and how often it was tried.
 */
static int
book_again(struct book_call *c, struct broker_err *be)
{
	int64_t	now = time_mono_us(), wait;
	size_t	len;
	int	budget;

	/* Some bound must be set: no deadline and no limit is one try. */
	budget = c->retry.max_attempts > 0 ?
	    c->attempts < c->retry.max_attempts : c->retry.deadline_us != 0;
	if (c->retry.deadline_us != 0 && now >= c->retry.deadline_us)
		budget = 0;
	if (budget && book_retryable(be)) {
		wait = book_backoff_us(c->attempts);
		if (c->retry.deadline_us != 0 && now + wait > c->retry.deadline_us)
			wait = c->retry.deadline_us - now;
		loop_later(wait, book_attempt_later, c);
		return 1;
	}
	len = strlen(be->err.msg);
	if (c->attempts > 1 && len + 40 < sizeof be->err.msg)
		snprintf(be->err.msg + len, sizeof be->err.msg - len, "; %d "
		    "attempts over %lld ms", c->attempts, (long long)((now -
		    c->t_start) / 1000));
	return 0;
}

static void
book_orders_got(const struct broker_err *be, const struct broker_order *o,
    size_t n, void *arg)
{
	struct book_call	*c = arg;
	struct broker_err	 last;

	if (c->attempts_out != NULL)
		*c->attempts_out = c->attempts;
	if (be != NULL) {
		last = *be;
		if (book_again(c, &last))
			return;
		c->orders_cb(&last, NULL, 0, c->arg);
	} else
		c->orders_cb(NULL, o, n, c->arg);
	free(c);
}

static void
book_positions_got(const struct broker_err *be,
    const struct broker_positions *p, void *arg)
{
	struct book_call	*c = arg;
	struct broker_err	 last;

	if (be != NULL) {
		last = *be;
		if (book_again(c, &last))
			return;
		c->positions_cb(&last, NULL, c->arg);
	} else
		c->positions_cb(NULL, p, c->arg);
	free(c);
}

static void
book_attempt(struct book_call *c)
{
	struct broker	*b = c->ra->b;

	c->attempts++;
	switch (c->op) {
	case BOOK_ORDERS:
		b->ops->orders(b, book_orders_got, c);
		break;
	case BOOK_HISTORY:
		b->ops->order_history(b, c->order_id, book_orders_got, c);
		break;
	case BOOK_POSITIONS:
		b->ops->positions(b, book_positions_got, c);
		break;
	}
}

static struct book_call *
book_call_new(enum book_op op, struct router_acct *ra,
    const struct book_retry *retry, void *arg)
{
	struct book_call	*c;

	c = xcalloc(1, sizeof *c);
	c->op = op;
	c->ra = ra;
	c->retry = *retry;
	c->t_start = time_mono_us();
	c->arg = arg;
	return c;
}

void
book_orders(struct router_acct *ra, const struct book_retry *retry,
    broker_orders_cb cb, void *arg)
{
	struct book_call	*c = book_call_new(BOOK_ORDERS, ra, retry, arg);

	c->orders_cb = cb;
	book_attempt(c);
}

void
book_history(struct router_acct *ra, const char *order_id,
    const struct book_retry *retry, broker_orders_cb cb, void *arg)
{
	struct book_call	*c = book_call_new(BOOK_HISTORY, ra, retry, arg);

	snprintf(c->order_id, sizeof c->order_id, "%s", order_id);
	c->orders_cb = cb;
	book_attempt(c);
}

void
book_positions(struct router_acct *ra, const struct book_retry *retry,
    broker_positions_cb cb, void *arg)
{
	struct book_call	*c = book_call_new(BOOK_POSITIONS, ra, retry,
				    arg);

	c->positions_cb = cb;
	book_attempt(c);
}

/*
 * The order placed under tag; if a tag was placed more than once (it never
 * should be), the one with the most filled, so exposure is never missed.
 */
const struct broker_order *
book_find_tag(const struct broker_order *o, size_t n, const char *tag,
    size_t *count)
{
	const struct broker_order	*best = NULL;
	size_t				 i, k = 0;

	for (i = 0; tag[0] != '\0' && i < n; i++) {
		if (strcmp(o[i].tag, tag) != 0)
			continue;
		k++;
		if (best == NULL || o[i].filled > best->filled)
			best = &o[i];
	}
	if (count != NULL)
		*count = k;
	return best;
}

struct book_tag {
	char		 tag[CTAG_MAX + 1];
	int		 attempts;
	book_tag_cb	 cb;
	void		*arg;
};

static void
book_tag_read(const struct broker_err *be, const struct broker_order *o,
    size_t n, void *arg)
{
	struct book_tag			*t = arg;
	const struct broker_order	*found;
	size_t				 count;

	if (be != NULL)
		t->cb(BOOK_TAG_UNREADABLE, NULL, 0, t->attempts, be, t->arg);
	else if ((found = book_find_tag(o, n, t->tag, &count)) != NULL)
		t->cb(BOOK_TAG_FOUND, found, count, t->attempts, NULL, t->arg);
	else
		t->cb(BOOK_TAG_ABSENT, NULL, 0, t->attempts, NULL, t->arg);
	free(t);
}

/*
 * Where did the order with this client tag go?  The account's order book
 * is read, again and again while it cannot be, until retry runs out:
 * FOUND (the order and how many carry the tag), ABSENT (the book was
 * read and has no such order: it was never placed), or UNREADABLE (the
 * last error); attempts says how many reads it took.  Only ABSENT allows sending the order again.
 */
void
book_reconcile_tag(struct router_acct *ra, const char *tag,
    const struct book_retry *retry, book_tag_cb cb, void *arg)
{
	struct book_tag		*t;
	struct book_call	*c;

	t = xcalloc(1, sizeof *t);
	snprintf(t->tag, sizeof t->tag, "%s", tag);
	t->cb = cb;
	t->arg = arg;
	c = book_call_new(BOOK_ORDERS, ra, retry, t);
	c->orders_cb = book_tag_read;
	c->attempts_out = &t->attempts;
	book_attempt(c);
}

/* The deadline for reconciling from now, as configured. */
struct book_retry
book_reconcile_retry(const struct router *r)
{
	struct book_retry	rt;

	rt.deadline_us = time_mono_us() + (int64_t)r->reconcile_ms * 1000;
	rt.max_attempts = 0;
	return rt;
}

/* Reads a fan-out needs before it can act: retry_max attempts, and the
 * reconcile deadline as a bound. */
struct book_retry
book_read_retry(const struct router *r)
{
	struct book_retry	rt;

	rt.deadline_us = time_mono_us() + (int64_t)r->reconcile_ms * 1000;
	rt.max_attempts = r->retry_max > 1 ? r->retry_max : 1;
	return rt;
}
