/*
 * The display clock.  PHALANX_FAKE_NOW freezes the time people are shown
 * (the header, "today" of reports, the equity window, next fires) and the
 * anchor of `phalanx demo seed`, so the console's golden screens and a
 * seeded demo can be reproduced.  It never reaches the monotonic clock,
 * order timestamps, the journal, the RMS or the scheduler: those keep
 * time_wall_us().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * "YYYY-MM-DDTHH:MM[:SS]" followed by Z, +HH:MM or -HH:MM; with no zone
 * the time is IST.  A space may stand for the T.  Microseconds since the
 * epoch in *us; -1 when s is not such a time.
 */
int
time_parse_iso(const char *s, int64_t *us)
{
	int	y, mo, d, h, mi, sec = 0, oh = 0, om = 0, n = 0, off;
	char	sep, sign;

	if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi,
	    &n) != 6 || (sep != 'T' && sep != ' '))
		return -1;
	s += n;
	if (*s == ':') {
		if (sscanf(s, ":%2d%n", &sec, &n) != 1)
			return -1;
		s += n;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 59 || y < 1970 || y > 9999 || h < 0 || mi < 0 || sec < 0)
		return -1;
	if (*s == '\0')
		off = IST_OFFSET_S;
	else if (strcmp(s, "Z") == 0)
		off = 0;
	else {
		if (sscanf(s, "%c%2d:%2d%n", &sign, &oh, &om, &n) != 3 ||
		    s[n] != '\0' || (sign != '+' && sign != '-') || oh > 14 ||
		    om > 59 || oh < 0 || om < 0)
			return -1;
		off = (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	}
	*us = ((int64_t)time_days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + sec - off) * 1000000;
	return 0;
}

static int	fake_read;
static int64_t	fake_us = -1;

/* 0, or -1 with err naming the variable and its value. */
int
time_fake_check(struct err *err)
{
	const char	*v = getenv("PHALANX_FAKE_NOW");

	fake_read = 1;
	fake_us = -1;
	if (v == NULL || *v == '\0')
		return 0;
	if (time_parse_iso(v, &fake_us) != 0) {
		fake_us = -1;
		err_set(err, "usage", "PHALANX_FAKE_NOW=\"%.40s\": expected "
		    "YYYY-MM-DDTHH:MM[:SS] with Z, +HH:MM or none (IST)", v);
		return -1;
	}
	return 0;
}

int64_t
time_display_us(void)
{
	struct err	err;

	if (!fake_read)
		(void)time_fake_check(&err);
	return fake_us >= 0 ? fake_us : time_wall_us();
}
