/*
 * Axis scaling: bounds and ticks that a person can read (Heckbert's nice
 * numbers), time ticks on clock boundaries, and labels just precise
 * enough to tell neighbouring ticks apart.
 */
#include <math.h>
#include <stdio.h>

#include "widgets/widgets.h"

/* The nice number (1, 2, 5 x 10^k) nearest x, or not below x. */
static double
wscale_nicenum(double x, int round_it)
{
	double	e = floor(log10(x)), f = x / pow(10, e), nf;

	if (round_it)
		nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
	else
		nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
	return nf * pow(10, e);
}

static void
wscale_degenerate(double *min, double *max)
{
	double	pad;

	if (!isfinite(*min) || !isfinite(*max)) {
		*min = 0;
		*max = 1;
	}
	if (*min > *max) {
		pad = *min;
		*min = *max;
		*max = pad;
	}
	if (*max - *min < 1e-9) {
		pad = fabs(*min) * 0.1;
		if (pad < 1)
			pad = 1;
		*min -= pad;
		*max += pad;
	}
}

void
wscale_nice(double min, double max, int maxticks, struct wscale *s)
{
	double	range, step;

	if (maxticks < 2)
		maxticks = 2;
	wscale_degenerate(&min, &max);
	range = wscale_nicenum(max - min, 0);
	step = wscale_nicenum(range / (maxticks - 1), 1);
	s->lo = floor(min / step) * step;
	s->hi = ceil(max / step) * step;
	/* Rounding can add a tick or two; widen the step until it fits. */
	while ((int)lround((s->hi - s->lo) / step) + 1 > maxticks) {
		step = wscale_nicenum(step * 1.5, 0);
		s->lo = floor(min / step) * step;
		s->hi = ceil(max / step) * step;
	}
	s->step = step;
	s->nticks = (int)lround((s->hi - s->lo) / step) + 1;
}

/* Steps that fall on clock boundaries, in seconds. */
static const double wscale_time_steps[] = {
	1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
	21600, 43200, 86400, 172800, 604800, 2592000
};

void
wscale_time(double min, double max, int maxticks, struct wscale *s)
{
	size_t	i;
	double	step = wscale_time_steps[0];

	if (maxticks < 2)
		maxticks = 2;
	wscale_degenerate(&min, &max);
	for (i = 0; i < sizeof wscale_time_steps / sizeof *wscale_time_steps;
	    i++) {
		step = wscale_time_steps[i];
		if (ceil(max / step) - floor(min / step) + 1 <= maxticks)
			break;
	}
	/* The data keeps its own span; ticks are the boundaries inside. */
	s->lo = min;
	s->hi = max;
	s->step = step;
	s->nticks = (int)(floor(max / step) - ceil(min / step)) + 1;
	if (s->nticks < 0)
		s->nticks = 0;
}

int
wscale_pos(const struct wscale *s, double v, int npix)
{
	double	f;
	long	p;

	if (npix <= 1 || s->hi <= s->lo)
		return 0;
	f = (v - s->lo) / (s->hi - s->lo);
	p = lround(f * (npix - 1));
	if (p < 0)
		p = 0;
	if (p > npix - 1)
		p = npix - 1;
	return (int)p;
}

void
wscale_label(double v, double step, char *buf, size_t len)
{
	double	a = fabs(v) > fabs(step) ? fabs(v) : fabs(step), unit = 1;
	int	dec;

	if (a >= 1e7)
		unit = 1e7;
	else if (a >= 1e5)
		unit = 1e5;
	else if (a >= 1e3)
		unit = 1e3;
	dec = step > 0 ? (int)ceil(-log10(step / unit) - 1e-9) : 0;
	if (dec < 0)
		dec = 0;
	if (fabs(v) < step * 1e-6)
		v = 0;
	if (fabs(v) >= unit || unit == 1)
		wfmt_compact(v, dec, buf, len);
	else
		snprintf(buf, len, "%.*f", dec, v);
}
