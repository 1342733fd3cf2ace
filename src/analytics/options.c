/*
 * Option analytics on one expiry's chain.  Gamma exposure per strike is
 * gamma x OI x spot^2 x 1%: the rupees of delta dealers must trade for a
 * 1% move, calls counted long and puts short (the street's usual book).
 * The zero-gamma level is found by re-pricing the whole chain's gamma on
 * a grid of spots around the current one; max pain is the expiry price
 * at which option holders would be paid the least.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "util/util.h"

#define IV_LO		0.001
#define IV_HI		5.0
#define IV_ITERS	100
#define ZG_SPAN		0.15	/* zero-gamma search: +/- 15% of spot */
#define ZG_STEPS	300

static double
norm_pdf(double x)
{
	return exp(-x * x / 2) / sqrt(2 * M_PI);
}

static double
norm_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

static int
usable(double s, double k, double t, double v)
{
	return s > 0 && k > 0 && t > 0 && v > 0 && isfinite(s) &&
	    isfinite(k) && isfinite(t) && isfinite(v);
}

static double
d1_of(double s, double k, double t, double r, double v)
{
	return (log(s / k) + (r + v * v / 2) * t) / (v * sqrt(t));
}

double
an_bs_price(int is_call, double s, double k, double t, double r, double v)
{
	double	d1, d2;

	if (!usable(s, k, t, v))	/* at expiry: what it is worth */
		return is_call ? fmax(s - k, 0) : fmax(k - s, 0);
	d1 = d1_of(s, k, t, r, v);
	d2 = d1 - v * sqrt(t);
	if (is_call)
		return s * norm_cdf(d1) - k * exp(-r * t) * norm_cdf(d2);
	return k * exp(-r * t) * norm_cdf(-d2) - s * norm_cdf(-d1);
}

double
an_bs_delta(int is_call, double s, double k, double t, double r, double v)
{
	double	d1;

	if (!usable(s, k, t, v))
		return is_call ? (s > k) : -(s < k);
	d1 = d1_of(s, k, t, r, v);
	return is_call ? norm_cdf(d1) : norm_cdf(d1) - 1;
}

double
an_bs_gamma(double s, double k, double t, double r, double v)
{
	if (!usable(s, k, t, v))
		return 0;
	return norm_pdf(d1_of(s, k, t, r, v)) / (s * v * sqrt(t));
}

/*
 * Bisection on a price that rises with volatility: slower than Newton
 * but it cannot wander off where vega is tiny (deep in or out of the
 * money), and 100 halvings of [0.001, 5] are exact to far below a paisa.
 */
double
an_implied_vol(int is_call, double price, double s, double k, double t,
    double r)
{
	double	lo = IV_LO, hi = IV_HI, mid = 0;
	int	i;

	if (!usable(s, k, t, 1) || !isfinite(price) || price <= 0)
		return -1;
	if (price < an_bs_price(is_call, s, k, t, r, lo) - 1e-9 ||
	    price > an_bs_price(is_call, s, k, t, r, hi))
		return -1;
	for (i = 0; i < IV_ITERS; i++) {
		mid = (lo + hi) / 2;
		if (an_bs_price(is_call, s, k, t, r, mid) < price)
			lo = mid;
		else
			hi = mid;
	}
	return mid;
}

static int
cmp_strike(const void *a, const void *b)
{
	double	x = ((const struct an_strike_gex *)a)->strike;
	double	y = ((const struct an_strike_gex *)b)->strike;

	return x < y ? -1 : x > y;
}

/* The chain's IVs, solved from prices where the quote gave none. */
static double *
chain_ivs(const struct an_option *o, size_t n, double s, double t, double r,
    struct an_chain_stats *st)
{
	double	*iv = xcalloc(n + 1, sizeof *iv);
	size_t	 i;

	for (i = 0; i < n; i++) {
		iv[i] = o[i].iv;
		if (iv[i] > 0)
			continue;
		iv[i] = an_implied_vol(o[i].is_call, o[i].ltp, s, o[i].strike,
		    t, r);
		if (iv[i] > 0)
			st->iv_solved++;
		else
			st->iv_missing++;
	}
	return iv;
}

static double
net_gex_at(const struct an_option *o, const double *iv, size_t n, double s,
    double t, double r)
{
	double	g, sum = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (iv[i] <= 0)
			continue;
		g = an_bs_gamma(s, o[i].strike, t, r, iv[i]) *
		    (double)o[i].oi * s * s * 0.01;
		sum += o[i].is_call ? g : -g;
	}
	return sum;
}

/* The spot nearest to s at which the chain's net GEX changes sign. */
static double
zero_gamma(const struct an_option *o, const double *iv, size_t n, double s,
    double t, double r)
{
	double	best = -1, a, b, ga, gb, x;
	int	i;

	a = s * (1 - ZG_SPAN);
	ga = net_gex_at(o, iv, n, a, t, r);
	for (i = 1; i <= ZG_STEPS; i++) {
		b = s * (1 - ZG_SPAN + 2 * ZG_SPAN * i / ZG_STEPS);
		gb = net_gex_at(o, iv, n, b, t, r);
		if ((ga < 0) != (gb < 0) && ga != gb) {
			x = a + (b - a) * (0 - ga) / (gb - ga);
			if (best < 0 || fabs(x - s) < fabs(best - s))
				best = x;
		}
		a = b;
		ga = gb;
	}
	return best;
}

/* Expiry price among the strikes where holders collect the least. */
static double
max_pain(const struct an_option *o, size_t n)
{
	double	best = -1, least = INFINITY, pay, k;
	size_t	i, j;

	for (i = 0; i < n; i++) {
		k = o[i].strike;
		pay = 0;
		for (j = 0; j < n; j++)
			pay += (double)o[j].oi * (o[j].is_call ?
			    fmax(k - o[j].strike, 0) : fmax(o[j].strike - k, 0));
		if (pay < least || (pay == least && k < best)) {
			least = pay;
			best = k;
		}
	}
	return best;
}

static size_t
per_strike(const struct an_option *o, const double *iv, size_t n, double s,
    double t, double r, struct an_strike_gex *out, size_t nout)
{
	size_t	i, j, m = 0;
	double	g;

	for (i = 0; i < n; i++) {
		for (j = 0; j < m && out[j].strike != o[i].strike; j++)
			;
		if (j == m) {
			if (m == nout)
				continue;
			memset(&out[m], 0, sizeof out[m]);
			out[m++].strike = o[i].strike;
		}
		g = iv[i] > 0 ? an_bs_gamma(s, o[i].strike, t, r, iv[i]) *
		    (double)o[i].oi * s * s * 0.01 : 0;
		if (o[i].is_call) {
			out[j].call_gex += g;
			out[j].call_oi += o[i].oi;
		} else {
			out[j].put_gex -= g;
			out[j].put_oi += o[i].oi;
		}
		out[j].net_gex = out[j].call_gex + out[j].put_gex;
	}
	qsort(out, m, sizeof *out, cmp_strike);
	return m;
}

size_t
an_chain(const struct an_option *o, size_t n, double s, double t, double r,
    struct an_chain_stats *st, struct an_strike_gex *out, size_t nout)
{
	double	*iv;
	size_t	 i, m = 0;

	memset(st, 0, sizeof *st);
	for (i = 0; i < n; i++) {
		if (o[i].is_call) {
			st->call_oi += o[i].oi;
			st->call_volume += o[i].volume;
		} else {
			st->put_oi += o[i].oi;
			st->put_volume += o[i].volume;
		}
	}
	st->pcr_oi = st->call_oi > 0 ? (double)st->put_oi / st->call_oi : -1;
	st->pcr_volume = st->call_volume > 0 ?
	    (double)st->put_volume / st->call_volume : -1;
	iv = chain_ivs(o, n, s, t, r, st);
	st->total_gex = net_gex_at(o, iv, n, s, t, r);
	st->zero_gamma = n > 0 ? zero_gamma(o, iv, n, s, t, r) : -1;
	st->max_pain = max_pain(o, n);
	if (out != NULL)
		m = per_strike(o, iv, n, s, t, r, out, nout);
	free(iv);
	return m;
}
