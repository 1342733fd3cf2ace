/* Equity curves: the deepest drawdown, and the point under a cursor. */
#include "analytics/analytics.h"

/*
 * One pass: the running peak, and the largest fall below it.  A tie
 * keeps the first trough, so the mark sits where the fall ended first.
 */
void
an_max_drawdown(const double *y, size_t n, struct an_drawdown *dd)
{
	size_t	i, peak = 0;

	dd->amount = 0;
	dd->pct = 0;
	dd->peak = dd->trough = 0;
	for (i = 1; i < n; i++) {
		if (y[i] > y[peak]) {
			peak = i;
			continue;
		}
		if (y[peak] - y[i] > dd->amount) {
			dd->amount = y[peak] - y[i];
			dd->peak = peak;
			dd->trough = i;
		}
	}
	if (dd->amount > 0 && y[dd->peak] > 0)
		dd->pct = dd->amount / y[dd->peak] * 100;
}

size_t
an_nearest(const double *xs, size_t n, double x)
{
	size_t	lo = 0, hi = n;

	if (n == 0)
		return 0;
	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;

		if (xs[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n)
		return n - 1;
	if (lo > 0 && x - xs[lo - 1] <= xs[lo] - x)
		return lo - 1;
	return lo;
}
