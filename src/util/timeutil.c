/* Clocks.  Stored times are UTC; people see IST, which has no DST. */
#include <stdio.h>
#include <time.h>

#include "util.h"

#define IST_OFFSET_S (5 * 3600 + 30 * 60)

int64_t
time_wall_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
time_mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
time_fmt_ist(int64_t wall_us, char *buf, size_t len)
{
	time_t		t = (time_t)(wall_us / 1000000) + IST_OFFSET_S;
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

void
time_fmt_utc(int64_t wall_us, char *buf, size_t len)
{
	time_t		t = (time_t)(wall_us / 1000000);
	struct tm	tm;
	char		base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06dZ", base, (int)(wall_us % 1000000));
}
