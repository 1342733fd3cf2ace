/*
 * What a verified postback may do to its order (src/broker/postback_judge.c):
 * move it forward through the state machine, or nothing; anything that
 * would move it back or take back a recorded fill goes to the broker's
 * order history, whose last entry wins, and a report that neither the
 * record nor the history explains is suspicious.  Pure functions: no
 * store, no network.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "broker/postback_int.h"

static struct broker_order
rep(enum broker_state s, const char *status, int64_t filled, int64_t avg)
{
	struct broker_order	o;

	memset(&o, 0, sizeof o);
	snprintf(o.order_id, sizeof o.order_id, "251201000000001");
	snprintf(o.status, sizeof o.status, "%s", status);
	o.state = s;
	o.qty = 65;
	o.filled = filled;
	o.avg_price = avg;
	return o;
}

static enum pb_judgement
judge(enum broker_state s, int64_t filled, int64_t avg,
    struct broker_order o)
{
	struct pb_record	r = { s, filled, avg };
	char			why[256];

	return postback_judge(&r, &o, why, sizeof why);
}

static void
test_forward(void **state)
{
	assert_int_equal(judge(BROKER_OPEN, 0, 0, rep(BROKER_FILLED,
	    "COMPLETE", 65, 2601170)), PB_FORWARD);
	assert_int_equal(judge(BROKER_SUBMITTED, 0, 0, rep(BROKER_OPEN,
	    "OPEN", 0, 0)), PB_FORWARD);
	/* A NEW order the broker reports was sent. */
	assert_int_equal(judge(BROKER_NEW, 0, 0, rep(BROKER_OPEN, "OPEN", 0,
	    0)), PB_FORWARD);
	assert_int_equal(judge(BROKER_PARTIALLY_FILLED, 20, 100, rep(
	    BROKER_PARTIALLY_FILLED, "OPEN", 40, 101)), PB_FORWARD);
	/* A late fill after the cancel. */
	assert_int_equal(judge(BROKER_CANCELLED, 0, 0, rep(BROKER_FILLED,
	    "COMPLETE", 65, 100)), PB_FORWARD);
	/* The same working state again: a modify. */
	assert_int_equal(judge(BROKER_OPEN, 0, 0, rep(BROKER_OPEN, "OPEN", 0,
	    0)), PB_FORWARD);
	/* A first fill may set the average price. */
	assert_int_equal(judge(BROKER_UNKNOWN, 0, 0, rep(BROKER_FILLED,
	    "COMPLETE", 65, 100)), PB_FORWARD);
}

static void
test_unchanged(void **state)
{
	assert_int_equal(judge(BROKER_FILLED, 65, 100, rep(BROKER_FILLED,
	    "COMPLETE", 65, 100)), PB_UNCHANGED);
	assert_int_equal(judge(BROKER_FILLED, 65, 0, rep(BROKER_FILLED,
	    "COMPLETE", 65, 100)), PB_UNCHANGED);
	assert_int_equal(judge(BROKER_CANCELLED, 0, 0, rep(BROKER_CANCELLED,
	    "CANCELLED", 0, 0)), PB_UNCHANGED);
	assert_int_equal(judge(BROKER_REJECTED, 0, 0, rep(BROKER_REJECTED,
	    "REJECTED", 0, 0)), PB_UNCHANGED);
}

static void
test_contradicts(void **state)
{
	struct pb_record	r = { BROKER_FILLED, 65, 100 };
	struct broker_order	o = rep(BROKER_CANCELLED, "CANCELLED", 0, 0);
	char			why[256];

	assert_int_equal(postback_judge(&r, &o, why, sizeof why),
	    PB_CONTRADICTS);
	assert_non_null(strstr(why, "below the recorded 65"));
	o = rep(BROKER_CANCELLED, "CANCELLED", 65, 100);
	assert_int_equal(postback_judge(&r, &o, why, sizeof why),
	    PB_CONTRADICTS);
	assert_non_null(strstr(why, "FILLED cannot become CANCELLED"));
	o = rep(BROKER_FILLED, "COMPLETE", 65, 105);
	assert_int_equal(postback_judge(&r, &o, why, sizeof why),
	    PB_CONTRADICTS);
	assert_non_null(strstr(why, "average price 1.05"));
	assert_int_equal(judge(BROKER_PARTIALLY_FILLED, 40, 100, rep(
	    BROKER_PARTIALLY_FILLED, "OPEN", 20, 100)), PB_CONTRADICTS);
	assert_int_equal(judge(BROKER_REJECTED, 0, 0, rep(BROKER_OPEN, "OPEN",
	    0, 0)), PB_CONTRADICTS);
	assert_int_equal(judge(BROKER_OPEN, 0, 0, rep(BROKER_SUBMITTED,
	    "OPEN PENDING", 0, 0)), PB_CONTRADICTS);
	/* No buffer for the reason is fine. */
	assert_int_equal(postback_judge(&r, &o, NULL, 0), PB_CONTRADICTS);
}

/* A market order's history in the simulator's words. */
static struct broker_order hist[4];

static void
history(void)
{
	hist[0] = rep(BROKER_SUBMITTED, "VALIDATION PENDING", 0, 0);
	hist[1] = rep(BROKER_SUBMITTED, "OPEN PENDING", 0, 0);
	hist[2] = rep(BROKER_OPEN, "OPEN", 0, 0);
	hist[3] = rep(BROKER_FILLED, "COMPLETE", 65, 100);
}

static void
test_rule(void **state)
{
	struct pb_record	filled = { BROKER_FILLED, 65, 100 };
	struct pb_record	open = { BROKER_OPEN, 0, 0 };
	struct pb_ruling	ru;
	struct broker_order	o;

	history();
	/* An edited replay: the book agrees with the record. */
	o = rep(BROKER_CANCELLED, "CANCELLED", 0, 0);
	assert_int_equal(postback_rule(&filled, &o, hist, 4, &ru), 0);
	assert_false(ru.apply);
	assert_string_equal(ru.verdict, "suspicious");
	assert_ptr_equal(ru.latest, &hist[3]);
	/* An earlier state, arriving late. */
	o = rep(BROKER_SUBMITTED, "OPEN PENDING", 0, 0);
	assert_int_equal(postback_rule(&filled, &o, hist, 4, &ru), 0);
	assert_false(ru.apply);
	assert_string_equal(ru.verdict, "stale");
	/* The same fill at another price is not the book's. */
	o = rep(BROKER_FILLED, "COMPLETE", 65, 105);
	assert_int_equal(postback_rule(&filled, &o, hist, 4, &ru), 0);
	assert_string_equal(ru.verdict, "suspicious");
	/* The record is behind the book: the book's last entry wins. */
	o = rep(BROKER_CANCELLED, "CANCELLED", 0, 0);
	assert_int_equal(postback_rule(&open, &o, hist, 4, &ru), 0);
	assert_true(ru.apply);
	assert_int_equal(ru.latest->state, BROKER_FILLED);
	assert_string_equal(ru.verdict, "suspicious");
	o = rep(BROKER_FILLED, "COMPLETE", 65, 100);
	assert_int_equal(postback_rule(&open, &o, hist, 4, &ru), 0);
	assert_true(ru.apply);
	assert_string_equal(ru.verdict, "corrected");
	/* The record already is the book's last word. */
	assert_int_equal(postback_rule(&filled, &o, hist, 4, &ru), 0);
	assert_false(ru.apply);
	assert_string_equal(ru.verdict, "unchanged");
	/* No history: nothing to rule with. */
	assert_int_equal(postback_rule(&filled, &o, hist, 0, &ru), -1);
}

static void
test_state_parse(void **state)
{
	enum broker_state	s;

	assert_int_equal(postback_state_parse("PARTIALLY_FILLED", &s), 0);
	assert_int_equal(s, BROKER_PARTIALLY_FILLED);
	assert_int_equal(postback_state_parse("UNKNOWN", &s), 0);
	assert_int_equal(s, BROKER_UNKNOWN);
	assert_int_equal(postback_state_parse("COMPLETE", &s), -1);
	assert_int_equal(postback_state_parse(NULL, &s), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward),
		cmocka_unit_test(test_unchanged),
		cmocka_unit_test(test_contradicts),
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_state_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
