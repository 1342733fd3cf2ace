/*
 * Numbers and times as Kite writes them: rupee amounts to int64 paise by
 * decimal arithmetic on the text, and IST wall-clock stamps to epoch
 * microseconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/kite.h"

/* Past 18 digits of paise an int64 may overflow; nothing real is that big. */
#define PAISE_DIGITS	18
#define MANT_CAP	24
#define EXP_CLAMP	100000

/* Significant digits of a decimal text: value = digits x 10^exp10. */
struct mantissa {
	char	dig[MANT_CAP];
	int	nd;
	long	exp10;
	int	sticky;		/* a nonzero digit was dropped past the cap */
};

/*
 * Read [-]digits[.digits][(e|E)[+|-]digits] exactly; leading zeros are not
 * significant.  Returns the end of what was read or NULL on bad syntax.
 */
static const char *
mantissa_read(const char *p, const char *end, struct mantissa *m, int *neg)
{
	int	seen = 0, frac = 0;
	long	e = 0;
	int	eneg = 0, edig = 0;

	memset(m, 0, sizeof *m);
	*neg = 0;
	if (p < end && *p == '-') {
		*neg = 1;
		p++;
	}
	for (; p < end; p++) {
		if (*p == '.' && !frac) {
			frac = 1;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		seen = 1;
		if (m->nd == 0 && *p == '0') {
			if (frac)
				m->exp10--;
			continue;
		}
		if (m->nd < MANT_CAP) {
			m->dig[m->nd++] = *p - '0';
			if (frac)
				m->exp10--;
		} else if (frac)
			m->sticky |= *p != '0';
		else
			m->exp10++;
	}
	if (!seen)
		return NULL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < end && *p >= '0' && *p <= '9'; p++, edig++) {
			if (e < EXP_CLAMP)
				e = e * 10 + (*p - '0');
		}
		if (edig == 0)
			return NULL;
		m->exp10 += eneg ? -e : e;
	}
	return p;
}

/*
 * Decimal rupee text to paise, rounding half away from zero past the
 * second decimal; *exact says whether anything was rounded off.
 */
int
kite_paise_parse(const char *s, size_t len, int64_t *paise, int *exact)
{
	struct mantissa	 m;
	long		 t, k, i;
	int64_t		 v = 0;
	int		 neg, round = 0, ex;

	if (s == NULL || mantissa_read(s, s + len, &m, &neg) != s + len)
		return -1;
	ex = !m.sticky;
	t = m.exp10 + 2;
	if (m.nd == 0)
		k = 0;
	else if (t >= 0) {
		if (m.nd + t > PAISE_DIGITS)
			return -1;
		k = m.nd;
	} else {
		k = m.nd + t;
		if (k > PAISE_DIGITS)
			return -1;
		if (k < 0)
			k = 0;
		if (k < m.nd && m.nd + t >= 0)
			round = m.dig[k];
		for (i = k; i < m.nd; i++)
			ex &= m.dig[i] == 0;
	}
	for (i = 0; i < k; i++)
		v = v * 10 + m.dig[i];
	for (i = 0; t > 0 && i < t && m.nd > 0; i++)
		v *= 10;
	if (round >= 5)
		v++;
	*paise = neg ? -v : v;
	if (exact != NULL)
		*exact = ex;
	return 0;
}

/*
 * The usual number, a price or an average of a few decimals, without
 * printing it: if x / 10^k reads back as d for x = d x 10^k rounded, the
 * text of x with k decimals does, and below BOUND[k] (where the doubles
 * are closer together than 10^-k) no other text of k decimals is that
 * close to d, so it is the value the shortest text below would give: its
 * paise are x's, rounded half away from zero.  A position book holds a
 * dozen prices a row: printing them was most of the time a square-off
 * spent reading 100 books.
 */
static int
kite_paise_decimals(double d, int64_t *paise, int *exact)
{
	static const double	scale[] = { 1e2, 1e3, 1e4, 1e5, 1e6 };
	static const double	bound[] = { 1e12, 1e11, 1e10, 1e9, 1e8 };
	double			x;
	int64_t			div = 1, q, rem;
	size_t			k;

	for (k = 0; k < sizeof scale / sizeof scale[0]; k++, div *= 10) {
		if (!(fabs(d) < bound[k]))
			return 0;
		x = round(d * scale[k]);
		if (x / scale[k] != d)
			continue;
		q = (int64_t)fabs(x) / div;
		rem = (int64_t)fabs(x) % div;
		if (rem * 2 >= div)
			q++;
		*paise = x < 0 ? -q : q;
		*exact = rem == 0;
		return 1;
	}
	return 0;
}

/*
 * An average of many decimals (27445.5076923077): below 10^8 rupees the
 * double is within 2 x 10^-6 paise of its shortest text, so when its
 * paise fraction is further than 10^-4 from 0, 1/2 and 1, rounding the
 * double rounds the text the same way, and the text had digits past the
 * paise.  Only the rest needs printing.
 */
static int
kite_paise_far_from_tie(double d, int64_t *paise, int *exact)
{
	const double	margin = 1e-4;
	double		x, fl, f;

	if (!(fabs(d) < 1e8))
		return 0;
	x = d * 100.0;
	fl = floor(x);
	f = x - fl;
	if (f < margin || f > 1.0 - margin || fabs(f - 0.5) < margin)
		return 0;
	*paise = (int64_t)fl + (f > 0.5);
	*exact = 0;
	return 1;
}

/*
 * A JSON number jansson holds as a double.  The shortest text that reads
 * back as the same double is the text the sender wrote (for up to 15
 * significant digits), so converting that text is exact.
 */
int
kite_paise_real(double d, int64_t *paise, int *exact)
{
	char	buf[40];
	int	p, n, ex;
	size_t	i;

	if (!isfinite(d))
		return -1;
	if (kite_paise_decimals(d, paise, &ex) ||
	    kite_paise_far_from_tie(d, paise, &ex)) {
		if (exact != NULL)
			*exact = ex;
		return 0;
	}
	for (p = 1; p <= 17; p++) {
		n = snprintf(buf, sizeof buf, "%.*g", p, d);
		if (n < 0 || (size_t)n >= sizeof buf)
			return -1;
		if (strtod(buf, NULL) == d)
			break;
	}
	/* A locale may print its own decimal point. */
	for (i = 0; buf[i] != '\0'; i++) {
		if (strchr("0123456789+-eE", buf[i]) == NULL)
			buf[i] = '.';
	}
	return kite_paise_parse(buf, strlen(buf), paise, exact);
}

static int
leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}


static int
digits(const char *s, int n, long *out)
{
	long	v = 0;
	int	i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Kite stamps are IST (UTC+05:30) with no zone: "2021-05-31 09:18:57". */
int
kite_ts_parse(const char *s, int64_t *us)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	long	y, mo, d, h, mi, sec, secs;

	if (s == NULL || strlen(s) != 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 || mi > 59 ||
	    sec > 59)
		return -1;
	secs = time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	secs -= 5 * 3600 + 30 * 60;
	*us = (int64_t)secs * 1000000;
	return 0;
}
