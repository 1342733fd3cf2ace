/*
 * Money on the order path is int64 paise.  Prices arrive as decimal strings
 * in form fields and leave as JSON numbers in rupees, as Kite sends them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

/*
 * Parse "123", "123.4", "123.45", "123.450" into paise without going
 * through a double.  More than two significant decimals is not a price in
 * paise and is refused rather than rounded.
 */
int
sim_parse_paise(const char *s, int64_t *out)
{
	int64_t	 rupees = 0, frac = 0;
	int	 nfrac = 0, ndig = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (rupees > INT64_MAX / 1000)
			return -1;
		rupees = rupees * 10 + (*s - '0');
		ndig++;
	}
	if (*s == '.') {
		s++;
		for (; isdigit((unsigned char)*s); s++) {
			if (nfrac < 2)
				frac = frac * 10 + (*s - '0');
			else if (*s != '0')
				return -1;
			nfrac++;
			ndig++;
		}
	}
	if (*s != '\0' || ndig == 0)
		return -1;
	if (nfrac == 1)
		frac *= 10;
	*out = rupees * 100 + frac;
	return 0;
}

int
sim_parse_int(const char *s, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

void
sim_fmt_paise(int64_t p, char *buf, size_t len)
{
	const char	*sign = p < 0 ? "-" : "";

	if (p < 0)
		p = -p;
	snprintf(buf, len, "%s%lld.%02lld", sign, (long long)(p / 100),
	    (long long)(p % 100));
}

/*
 * JSON has only one number type; Kite sends rupees with decimals.  Whole
 * rupees go out as integers (72, not 72.0) like Kite's own bodies; the
 * rest as reals, which json_dumps prints with 15 significant digits so
 * 109.4 stays 109.4.
 */
json_t *
sim_json_paise(int64_t p)
{
	if (p % 100 == 0)
		return json_integer(p / 100);
	return json_real((double)p / 100.0);
}
