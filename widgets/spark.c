/* Sparklines: a series squeezed into one row of block heights. */
#include <math.h>

#include "util/util.h"
#include "widgets/widgets.h"

void
wspark_levels(const double *v, size_t n, int nlevels, int *out)
{
	double	lo = INFINITY, hi = -INFINITY;
	size_t	i;
	long	l;

	for (i = 0; i < n; i++) {
		if (isfinite(v[i])) {
			lo = fmin(lo, v[i]);
			hi = fmax(hi, v[i]);
		}
	}
	for (i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			out[i] = 0;
		else if (hi <= lo)
			out[i] = hi == 0 ? 0 : nlevels / 2;
		else {
			l = lround((v[i] - lo) / (hi - lo) * (nlevels - 1));
			out[i] = (int)l;
		}
	}
}

void
wspark_draw(WINDOW *win, int y, int x, int width, const double *v, size_t n,
    attr_t a)
{
	static const wchar_t	uni[8] = {
		0x2581, 0x2582, 0x2583, 0x2584, 0x2585, 0x2586, 0x2587, 0x2588
	};
	static const wchar_t	ascii[8] = {
		'_', '.', '-', '-', '=', '+', '*', '#'
	};
	int			lev[512];
	wchar_t			g[2] = { 0, 0 };
	size_t			from, m, i;

	if (width <= 0 || n == 0)
		return;
	if ((size_t)width > nitems(lev))
		width = (int)nitems(lev);
	from = n > (size_t)width ? n - (size_t)width : 0;
	m = n - from;
	wspark_levels(v + from, m, 8, lev);
	wattrset(win, a);
	for (i = 0; i < m; i++) {
		g[0] = widget_ascii ? ascii[lev[i]] : uni[lev[i]];
		mvwaddnwstr(win, y, x + (int)i, g, 1);
	}
}
