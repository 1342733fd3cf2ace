/*
 * Choosing a hedge strike.  A short call at K is covered by a call
 * N strikes above K, a short put by a put N strikes below; a short
 * future by a call N strikes above the money.  Strikes are the chain's,
 * not K +/- N x a guessed step, since steps change along the chain.
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

int
rms_hedge_pick(const int64_t *strikes, size_t n, int64_t ref, int call,
    int steps, int future)
{
	long	base, at;

	if (n == 0 || steps < 0)
		return -1;
	if (future)
		base = (long)nearest(strikes, n, ref);
	else if (call) {
		/* The short strike, or the first one above it. */
		for (base = 0; base < (long)n && strikes[base] < ref; base++)
			;
		if (base == (long)n)
			return -1;
	} else {
		/* The short strike, or the last one below it. */
		for (base = (long)n - 1; base >= 0 && strikes[base] > ref;
		    base--)
			;
		if (base < 0)
			return -1;
	}
	at = call ? base + steps : base - steps;
	if (at < 0 || at >= (long)n)
		return -1;
	return (int)at;
}
