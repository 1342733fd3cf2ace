/*
 * Exact decimal text <-> scaled integers.  Prices, capital and ratios come
 * in as text and stay integers (paise, 1/10000ths) on every order path.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"

int
decimal_parse(const char *s, int scale, int64_t *out)
{
	int64_t	v = 0;
	int	neg = 0, frac = -1, digits = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s != '\0'; s++) {
		if (*s == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		if (frac >= 0 && ++frac > scale)
			return -1;
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
		digits++;
	}
	if (digits == 0)
		return -1;
	for (frac = frac < 0 ? 0 : frac; frac < scale; frac++) {
		if (v > INT64_MAX / 10)
			return -1;
		v *= 10;
	}
	*out = neg ? -v : v;
	return 0;
}

char *
decimal_format(int64_t v, int scale)
{
	int64_t		 div = 1, whole, frac;
	int		 i;
	const char	*sign = "";

	for (i = 0; i < scale; i++)
		div *= 10;
	if (v < 0) {
		sign = "-";
		v = -v;
	}
	whole = v / div;
	frac = v % div;
	if (scale == 0)
		return xasprintf("%s%lld", sign, (long long)whole);
	return xasprintf("%s%lld.%0*lld", sign, (long long)whole, scale,
	    (long long)frac);
}
