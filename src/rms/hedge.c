/*
 * Choosing a hedge strike.  A short call at K is covered by a call
 * N strikes above K, a short put by a put N strikes below; a short
 * future by a call N strikes above the money.  Strikes are the chain's,
 * not K +/- N x a guessed step, since steps change along the chain.
 * Or, by premium: the strike on that side whose option costs the most
 * at or below a target (the template's hedge-premium).
 */
#include <stdlib.h>

#include "rms/rms.h"

static size_t
nearest(const int64_t *s, size_t n, int64_t ref)
{
	size_t	i, best = 0;

	for (i = 1; i < n; i++) {
		if (llabs(s[i] - ref) < llabs(s[best] - ref))
			best = i;
	}
	return best;
}

/* Where the protective side starts: -1 when the chain does not reach. */
static long
hedge_base(const int64_t *strikes, size_t n, int64_t ref, int call,
    int future)
{
	long	base;

	if (n == 0)
		return -1;
	if (future)
		return (long)nearest(strikes, n, ref);
	if (call) {
		/* The short strike, or the first one above it. */
		for (base = 0; base < (long)n && strikes[base] < ref; base++)
			;
		return base == (long)n ? -1 : base;
	}
	/* The short strike, or the last one below it. */
	for (base = (long)n - 1; base >= 0 && strikes[base] > ref; base--)
		;
	return base;
}

int
rms_hedge_pick(const int64_t *strikes, size_t n, int64_t ref, int call,
    int steps, int future)
{
	long	base, at;

	if (steps < 0 || (base = hedge_base(strikes, n, ref, call,
	    future)) < 0)
		return -1;
	at = call ? base + steps : base - steps;
	if (at < 0 || at >= (long)n)
		return -1;
	return (int)at;
}

int
rms_hedge_pick_premium(const int64_t *strikes, const int64_t *ltp,
    size_t n, int64_t ref, int call, int future, int64_t target)
{
	long	base, i, best = -1;

	if (target <= 0 || ltp == NULL ||
	    (base = hedge_base(strikes, n, ref, call, future)) < 0)
		return -1;
	/* Walk away from the money: a later equal premium is no better. */
	for (i = base; i >= 0 && i < (long)n; i += call ? 1 : -1) {
		if (ltp[i] <= 0 || ltp[i] > target)
			continue;
		if (best < 0 || ltp[i] > ltp[best])
			best = i;
	}
	return (int)best;
}
