/*
 * Per-account token bucket.  The caller passes its monotonic clock in, so
 * the arithmetic is testable and the router decides how to wait (a timer,
 * never a sleep).  Levels are token-microseconds: one token is 1e6 units
 * and every microsecond adds rate units, which keeps refills exact.
 */
#include "exec/exec.h"

#define UNIT	1000000		/* one token, in token-microseconds */

void
throttle_init(struct throttle *t, int64_t rate, int64_t burst, int64_t now_us)
{
	if (rate <= 0)
		rate = THROTTLE_DEFAULT_RATE;
	if (rate > UNIT)
		rate = UNIT;
	if (burst <= 0)
		burst = rate;
	if (burst > INT64_MAX / UNIT)
		burst = INT64_MAX / UNIT;
	t->rate = rate;
	t->burst = burst;
	t->level = burst * UNIT;
	t->last_us = now_us;
}

/* A clock that steps back refills nothing; a long gap fills the bucket. */
static void
throttle_refill(struct throttle *t, int64_t now_us)
{
	int64_t	elapsed, full = t->burst * UNIT;

	if (now_us <= t->last_us)
		return;
	elapsed = now_us - t->last_us;
	t->last_us = now_us;
	if (elapsed >= (full - t->level) / t->rate + 1)
		t->level = full;
	else
		t->level += elapsed * t->rate;
	if (t->level > full)
		t->level = full;
}

int64_t
throttle_take(struct throttle *t, int64_t now_us)
{
	throttle_refill(t, now_us);
	if (t->level >= UNIT) {
		t->level -= UNIT;
		return 0;
	}
	return (UNIT - t->level + t->rate - 1) / t->rate;
}

int64_t
throttle_available(struct throttle *t, int64_t now_us)
{
	throttle_refill(t, now_us);
	return t->level / UNIT;
}
