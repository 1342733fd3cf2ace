/* The cron parser, next-fire computation and trading calendar
 * (src/auto/cron.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "auto/cron.h"

/* IST wall clock as Unix seconds. */
static int64_t
ist(int y, int m, int d, int h, int mi)
{
	return (int64_t)time_days_from_civil(y, m, d) * 86400 + h * 3600 +
	    mi * 60 - 19800;
}

/* The next fire after an IST time, as IST text ("never" if none). */
static const char *
next_after(const char *expr, int64_t from, const struct cron_calendar *cal)
{
	static char	buf[32];
	struct cron	c;
	struct err	err;
	int64_t		t;

	err_clear(&err);
	if (cron_parse(expr, &c, &err) != 0) {
		snprintf(buf, sizeof buf, "error");
		return buf;
	}
	t = cron_next(&c, from, cal);
	if (t < 0)
		return "never";
	cron_fmt_ist(t, buf, sizeof buf);
	return buf;
}

static const char *
bad(const char *expr)
{
	static struct err	err;
	struct cron		c;

	err_clear(&err);
	if (cron_parse(expr, &c, &err) == 0)
		return "parsed";
	assert_string_equal(err.code, "cron");
	return err.msg;
}

static void
test_every_minute(void **state)
{
	/* Strictly after: a time on the minute moves to the next one. */
	assert_string_equal(next_after("* * * * *", ist(2026, 12, 1, 9, 15),
	    NULL), "2026-12-01 09:16");
	assert_string_equal(next_after("* * * * *", ist(2026, 12, 1, 9, 15) +
	    59, NULL), "2026-12-01 09:16");
	/* The year rolls over. */
	assert_string_equal(next_after("* * * * *", ist(2026, 12, 31, 23, 59),
	    NULL), "2027-01-01 00:00");
}

static void
test_ist_not_utc(void **state)
{
	struct cron	c;
	struct err	err;
	int64_t		t;

	assert_int_equal(cron_parse("15 9 * * *", &c, &err), 0);
	/* 09:15 IST is 03:45 UTC. */
	t = cron_next(&c, ist(2026, 12, 1, 0, 0), NULL);
	assert_int_equal(t % 86400, 3 * 3600 + 45 * 60);
	/* 00:10 IST is still the previous day in UTC. */
	assert_string_equal(next_after("10 0 * * *", ist(2026, 12, 1, 23, 0),
	    NULL), "2026-12-02 00:10");
}

static void
test_ranges_steps_lists(void **state)
{
	assert_string_equal(next_after("*/15 * * * *", ist(2026, 12, 1, 9, 16),
	    NULL), "2026-12-01 09:30");
	assert_string_equal(next_after("10-20/5 * * * *",
	    ist(2026, 12, 1, 9, 16), NULL), "2026-12-01 09:20");
	assert_string_equal(next_after("10-20/5 * * * *",
	    ist(2026, 12, 1, 9, 20), NULL), "2026-12-01 10:10");
	assert_string_equal(next_after("5,35 9-15 * * *",
	    ist(2026, 12, 1, 15, 35), NULL), "2026-12-02 09:05");
	/* "N/S" runs from N to the end of the field. */
	assert_string_equal(next_after("50/5 * * * *", ist(2026, 12, 1, 9, 56),
	    NULL), "2026-12-01 10:50");
	assert_string_equal(next_after("0 0 1 */3 *", ist(2026, 2, 1, 0, 0),
	    NULL), "2026-04-01 00:00");
}

static void
test_names(void **state)
{
	/* 2026-12-01 is a Tuesday. */
	assert_string_equal(next_after("15 9 * * MON-fri", ist(2026, 12, 4, 10,
	    0), NULL), "2026-12-07 09:15");
	assert_string_equal(next_after("0 10 1 Jan,jul *", ist(2026, 2, 1, 0,
	    0), NULL), "2026-07-01 10:00");
	/* 7 is Sunday too. */
	assert_string_equal(next_after("0 0 * * 7", ist(2026, 12, 1, 0, 0),
	    NULL), "2026-12-06 00:00");
	assert_string_equal(next_after("0 0 * * 5-7", ist(2026, 12, 5, 1, 0),
	    NULL), "2026-12-06 00:00");
	assert_string_equal(next_after("@hourly", ist(2026, 12, 1, 9, 1),
	    NULL), "2026-12-01 10:00");
	assert_string_equal(next_after("@weekly", ist(2026, 12, 1, 9, 1),
	    NULL), "2026-12-06 00:00");
}

static void
test_dom_dow_rule(void **state)
{
	/* Both restricted: either matches (the 13th, or any Friday). */
	assert_string_equal(next_after("0 12 13 * 5", ist(2026, 12, 1, 0, 0),
	    NULL), "2026-12-04 12:00");
	assert_string_equal(next_after("0 12 13 * 5", ist(2026, 12, 11, 13, 0),
	    NULL), "2026-12-13 12:00");
	/* DOW starred: only the 13th. */
	assert_string_equal(next_after("0 12 13 * *", ist(2026, 12, 1, 0, 0),
	    NULL), "2026-12-13 12:00");
	/* DOM starred (even with a step): only Fridays, on odd days. */
	assert_string_equal(next_after("0 12 */2 * 5", ist(2026, 12, 1, 0, 0),
	    NULL), "2026-12-11 12:00");
}

static void
test_month_ends_and_leap_years(void **state)
{
	assert_string_equal(next_after("0 0 31 * *", ist(2026, 4, 1, 0, 0),
	    NULL), "2026-05-31 00:00");
	/* 29 February: only in a leap year. */
	assert_string_equal(next_after("0 9 29 2 *", ist(2026, 3, 1, 0, 0),
	    NULL), "2028-02-29 09:00");
	/* 2100 is not a leap year, 2000 was. */
	assert_string_equal(next_after("0 9 29 2 *", ist(2096, 3, 1, 0, 0),
	    NULL), "2104-02-29 09:00");
	/* 31 February and 30 February never come. */
	assert_string_equal(next_after("0 0 30,31 2 *", ist(2026, 1, 1, 0, 0),
	    NULL), "never");
	/* ...unless a weekday can match instead (Vixie's OR). */
	assert_string_equal(next_after("0 0 31 2 mon", ist(2026, 1, 1, 0, 0),
	    NULL), "2026-02-02 00:00");
}

static const int32_t nse_2026[] = { 20260115, 20260126, 20260303, 20260326,
	20260331, 20260403, 20260414, 20260501, 20260528, 20260626, 20260914,
	20261002, 20261020, 20261110, 20261124, 20261225 };

static void
test_holidays(void **state)
{
	struct cron_calendar	cal = { nse_2026, nitems(nse_2026) };

	assert_false(cron_trading_day(&cal, 20261225));
	assert_false(cron_trading_day(&cal, 20261226));	/* Saturday */
	assert_true(cron_trading_day(&cal, 20261224));
	assert_true(cron_trading_day(NULL, 20261225));
	/* Christmas Friday and the weekend are skipped. */
	assert_string_equal(next_after("15 9 * * *", ist(2026, 12, 24, 10, 0),
	    &cal), "2026-12-28 09:15");
	/* Without the calendar the same schedule fires on the holiday. */
	assert_string_equal(next_after("15 9 * * *", ist(2026, 12, 24, 10, 0),
	    NULL), "2026-12-25 09:15");
	/* Republic Day on a Monday. */
	assert_string_equal(next_after("20 15 * * 1", ist(2026, 1, 20, 0, 0),
	    &cal), "2026-02-02 15:20");
	/* Ram Navami (Thu 26 Mar) then Good Friday: from Wed evening. */
	assert_string_equal(next_after("0 9 * * *", ist(2026, 3, 25, 10, 0),
	    &cal), "2026-03-27 09:00");
}

static void
test_bad_expressions(void **state)
{
	assert_string_equal(bad("* * * *"),
	    "expected 5 fields \"M H DOM MON DOW\", got 4");
	assert_non_null(strstr(bad("* * * * * *"), "got more"));
	assert_non_null(strstr(bad("60 * * * *"), "minute field"));
	assert_non_null(strstr(bad("* 24 * * *"), "hour field"));
	assert_non_null(strstr(bad("* * 0 * *"), "day-of-month field"));
	assert_non_null(strstr(bad("* * 32 * *"), "day-of-month"));
	assert_non_null(strstr(bad("* * * 13 *"), "month field"));
	assert_non_null(strstr(bad("* * * * 8"), "day-of-week field"));
	assert_non_null(strstr(bad("*/0 * * * *"), "step"));
	assert_non_null(strstr(bad("20-10 * * * *"), "backwards"));
	assert_non_null(strstr(bad("1,,2 * * * *"), "empty"));
	assert_non_null(strstr(bad("* * * * monday"), "expected a number"));
	assert_non_null(strstr(bad("* * * jan *x"), "day-of-week"));
	assert_non_null(strstr(bad("99999999 * * * *"), "minute"));
	assert_non_null(strstr(bad("@often"), "unknown schedule"));
	assert_non_null(strstr(bad("* * * * mon\x01"), "\\x01"));
	assert_string_equal(bad(""), "expected 5 fields \"M H DOM MON DOW\", "
	    "got 0");
	/* Names belong to their field only. */
	assert_non_null(strstr(bad("* * * mon *"), "month field"));
}

static void
test_out_of_range_time(void **state)
{
	struct cron	c;
	struct err	err;

	assert_int_equal(cron_parse("* * * * *", &c, &err), 0);
	assert_int_equal(cron_next(&c, INT64_MAX, NULL), -1);
	assert_int_equal(cron_next(&c, INT64_MIN, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_minute),
		cmocka_unit_test(test_ist_not_utc),
		cmocka_unit_test(test_ranges_steps_lists),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_dom_dow_rule),
		cmocka_unit_test(test_month_ends_and_leap_years),
		cmocka_unit_test(test_holidays),
		cmocka_unit_test(test_bad_expressions),
		cmocka_unit_test(test_out_of_range_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
