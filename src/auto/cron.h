/*
 * cron: five-field schedules ("M H DOM MON DOW") read as IST wall-clock
 * time (Asia/Kolkata, UTC+05:30, no DST), the next time one fires, and the
 * NSE trading calendar a schedule may be limited to.  Pure functions of
 * their arguments: no clock, no store, so tests and the fuzzer drive them.
 */
#ifndef PX_AUTO_CRON_H
#define PX_AUTO_CRON_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

struct cron {
	uint64_t	minute;		/* bit m: 0-59 */
	uint32_t	hour;		/* bit h: 0-23 */
	uint32_t	dom;		/* bit d: 1-31 */
	uint16_t	month;		/* bit m: 1-12 */
	uint8_t		dow;		/* bit d: 0-6, Sunday 0 (7 is 0 too) */
	/*
	 * Vixie's rule: when both day fields are restricted, a day matches
	 * if either does; when one starts with '*', both must (so the
	 * restricted one decides).
	 */
	uint8_t		dom_star;
	uint8_t		dow_star;
};

/*
 * Parse "M H DOM MON DOW": each field a list of "*", N, N-M, with an
 * optional "/STEP", months jan-dec and days sun-sat by name (any case),
 * or one of @yearly @annually @monthly @weekly @daily @midnight @hourly.
 * -1 with err (code "cron", the field named) on anything else.
 */
int cron_parse(const char *, struct cron *, struct err *);

/* Trading days: Monday to Friday that are not holidays. */
struct cron_calendar {
	const int32_t	*holidays;	/* yyyymmdd, ascending */
	size_t		 n;
};

/* 1 when yyyymmdd is a trading day under cal. */
int cron_trading_day(const struct cron_calendar *, int32_t yyyymmdd);

/*
 * The first minute strictly after `after` (Unix seconds) at which c fires,
 * in Unix seconds; with cal not NULL only on trading days.  -1 when it
 * never fires within ten years (31 February, or a calendar that closes
 * every day).
 */
int64_t cron_next(const struct cron *, int64_t after,
    const struct cron_calendar *);

/* Unix seconds as IST "2026-12-01 09:15" into buf (>= 17 bytes). */
void cron_fmt_ist(int64_t t, char *buf, size_t len);

#endif
