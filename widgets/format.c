/*
 * Numbers the way an Indian trader reads them: rupees grouped in lakhs and
 * crores (12,34,567.89), compact axis labels in k / L / Cr.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "widgets/widgets.h"

/* Indian grouping: the last three digits, then pairs. */
static void
wfmt_group(uint64_t whole, char *out, size_t len)
{
	char	digits[32], tmp[48];
	int	nd, i, j = 0, from_end;

	nd = snprintf(digits, sizeof digits, "%llu",
	    (unsigned long long)whole);
	for (i = 0; i < nd; i++) {
		from_end = nd - i;
		tmp[j++] = digits[i];
		if (from_end > 3 && (from_end - 3) % 2 == 1)
			tmp[j++] = ',';
	}
	tmp[j] = '\0';
	snprintf(out, len, "%s", tmp);
}

void
wfmt_inr(int64_t paise, int decimals, char *buf, size_t len)
{
	uint64_t	 mag;
	char		 whole[48];
	const char	*sign = "";

	if (paise < 0) {
		sign = "-";
		mag = (uint64_t)(-(paise + 1)) + 1;
	} else
		mag = (uint64_t)paise;
	if (decimals <= 0) {
		mag = (mag + 50) / 100;
		wfmt_group(mag, whole, sizeof whole);
		snprintf(buf, len, "%s%s", mag == 0 ? "" : sign, whole);
		return;
	}
	wfmt_group(mag / 100, whole, sizeof whole);
	snprintf(buf, len, "%s%s.%02u", sign, whole, (unsigned)(mag % 100));
}

void
wfmt_compact(double v, int decimals, char *buf, size_t len)
{
	double		 a = fabs(v), unit = 1;
	const char	*sfx = "";
	char		 num[48], *dot, *end;

	if (a >= 1e7) {
		unit = 1e7;
		sfx = "Cr";
	} else if (a >= 1e5) {
		unit = 1e5;
		sfx = "L";
	} else if (a >= 1e3) {
		unit = 1e3;
		sfx = "k";
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	snprintf(num, sizeof num, "%.*f", decimals, v / unit);
	/* "2.50L" reads as "2.5L"; "-0" is just "0". */
	if ((dot = strchr(num, '.')) != NULL) {
		end = num + strlen(num) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	if (strcmp(num, "-0") == 0)
		snprintf(num, sizeof num, "0");
	snprintf(buf, len, "%s%s", num, strcmp(num, "0") == 0 ? "" : sfx);
}

void
wfmt_inr_compact(int64_t paise, char *buf, size_t len)
{
	static const struct {
		int64_t		 unit;		/* paise */
		const char	*name;
	} units[] = {
		{ 1000000000LL, "Cr" }, { 10000000LL, "L" }, { 100000LL, "K" }
	};
	uint64_t	 mag = paise < 0 ? (uint64_t)(-(paise + 1)) + 1 :
			    (uint64_t)paise;
	const char	*sign = paise < 0 ? "-" : "";
	double		 v;
	size_t		 i;

	for (i = 0; i < nitems(units); i++) {
		if (mag >= (uint64_t)units[i].unit)
			break;
	}
	if (i == nitems(units)) {
		wfmt_inr(paise, 2, buf, len);
		return;
	}
	v = (double)mag / (double)units[i].unit;
	/* Three figures: 1.03, 34.3, 103; "%.2f" of 9.996 would read 10.00. */
	if (v < 9.995)
		snprintf(buf, len, "%s%.2f %s", sign, v, units[i].name);
	else if (v < 99.95)
		snprintf(buf, len, "%s%.1f %s", sign, v, units[i].name);
	else
		snprintf(buf, len, "%s%.0f %s", sign, v, units[i].name);
}

int
wfmt_parse_inr(const char *s, int64_t *paise)
{
	int64_t	whole = 0, frac = 0;
	int	neg = 0, digits = 0, fd = 0;

	while (*s == ' ')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s != '\0' && *s != '.'; s++) {
		if (*s == ',')
			continue;
		if (*s < '0' || *s > '9' || whole > INT64_MAX / 1000)
			return -1;
		whole = whole * 10 + (*s - '0');
		digits++;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (fd < 2)
				frac = frac * 10 + (*s - '0');
			fd++;
		}
		if (*s != '\0')
			return -1;
	}
	if (digits == 0)
		return -1;
	if (fd == 1)
		frac *= 10;
	*paise = (whole * 100 + frac) * (neg ? -1 : 1);
	return 0;
}

void
wfmt_latency(int64_t us, char *buf, size_t len)
{
	if (us < 0)
		snprintf(buf, len, "-");
	else if (us < 1000)
		snprintf(buf, len, "%lldus", (long long)us);
	else if (us < 100000)
		snprintf(buf, len, "%.1fms", (double)us / 1e3);
	else if (us < 1000000)
		snprintf(buf, len, "%.0fms", (double)us / 1e3);
	else
		snprintf(buf, len, "%.2fs", (double)us / 1e6);
}
