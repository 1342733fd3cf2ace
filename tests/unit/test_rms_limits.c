/* RMS limits and templates (src/rms/limits.c, templates.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rms/rms.h"

static void
test_values_kept_in_units(void **state)
{
	struct rms_limits	l;
	struct err		e;
	char			buf[64];

	memset(&l, 0, sizeof l);
	assert_int_equal(rms_limit_set(&l, "mtm-loss", "25000.5", &e), 0);
	assert_int_equal(l.v[RL_MTM_LOSS], 2500050);
	assert_int_equal(l.on[RL_MTM_LOSS], RR_SQUAREOFF);	/* default */
	assert_int_equal(rms_limit_set(&l, "mtm-loss-pct", "1.25", &e), 0);
	assert_int_equal(l.v[RL_MTM_LOSS_PCT], 125);
	assert_int_equal(rms_limit_set(&l, "window", "09:15-15:15", &e), 0);
	assert_int_equal(RMS_WINDOW_FROM(l.v[RL_WINDOW]), 555);
	assert_int_equal(RMS_WINDOW_TO(l.v[RL_WINDOW]), 915);
	assert_int_equal(rms_limit_set(&l, "exchanges", "nfo,NSE", &e), 0);
	rms_limit_format(&l, RL_EXCHANGES, buf, sizeof buf);
	assert_string_equal(buf, "NSE,NFO");
	rms_limit_format(&l, RL_MTM_LOSS, buf, sizeof buf);
	assert_string_equal(buf, "25000.5");
	assert_int_equal(rms_limit_set(&l, "on-mtm-loss", "kill", &e), 0);
	assert_int_equal(l.on[RL_MTM_LOSS], RR_KILL);
	assert_int_equal(rms_limit_set(&l, "squareoff-at", "15:10", &e), 0);
	assert_int_equal(l.v[RL_SQUAREOFF_AT], 910);
}

/* Every bad value is refused with a message naming it; nothing changes. */
static void
test_bad_values_refused(void **state)
{
	static const char *const bad[][3] = {
		{ "mtm-loss", "-5", "must be above 0" },
		{ "mtm-loss", "0", "must be above 0" },
		{ "mtm-loss", "NaN", "expected rupees" },
		{ "mtm-loss", "inf", "expected rupees" },
		{ "mtm-loss", "1e9", "expected rupees" },
		{ "mtm-loss", "1.005", "expected rupees" },
		{ "mtm-loss", "99999999999999999999999", "expected rupees" },
		{ "mtm-loss", "100000000000", "at most" },
		{ "mtm-loss-pct", "101", "at most 100.00" },
		{ "max-lots-per-order", "2.5", "a whole number" },
		{ "max-lots-per-order", "", "a whole number" },
		{ "orders-per-sec", "5000", "at most 1000" },
		{ "window", "15:15-09:15", "the end after the start" },
		{ "window", "25:00-26:00", "HH:MM-HH:MM" },
		{ "squareoff-at", "3pm", "HH:MM" },
		{ "exchanges", "NSE,LSE", "unknown exchange \"LSE\"" },
		{ "products", "mis,bo", "unknown product \"bo\"" },
		{ "max-lots", "5", "unknown limit \"max-lots\"" },
		{ "on-max-lots-per-order", "halt", "a monitored limit" },
		{ "on-mtm-loss", "panic", "expected alert" },
		{ "approval", "maybe", "yes or no" },
		{ "scaleout-pct", "-5", "must be above 0" },
		{ "scaleout-pct", "0", "must be above 0" },
		{ "scaleout-pct", "100.01", "at most 100.00" },
		{ "scaleout-pct", "NaN", "expected a percentage" },
		{ "scaleout-pct", "%", "expected a percentage" },
		{ "hedge-premium", "0", "must be above 0" },
		{ "hedge-premium", "-20", "must be above 0" },
		{ "hedge-premium", "NaN", "expected rupees" },
		{ "on-mtm-loss", "scale", "scaleout" },
	};
	struct rms_limits	l, before;
	struct err		e;
	size_t			i;

	memset(&l, 0, sizeof l);
	assert_int_equal(rms_limit_set(&l, "mtm-loss", "1000", &e), 0);
	before = l;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		assert_int_equal(rms_limit_set(&l, bad[i][0], bad[i][1], &e),
		    -1);
		if (strstr(e.msg, bad[i][2]) == NULL)
			fail_msg("%s %s: \"%s\" lacks \"%s\"", bad[i][0],
			    bad[i][1], e.msg, bad[i][2]);
		assert_memory_equal(&l, &before, sizeof l);
	}
}

/* Response parameters: kept, round-tripped, unset by name. */
static void
test_response_params(void **state)
{
	struct rms_limits	 l, back;
	struct err		 e;
	json_t			*j;

	memset(&l, 0, sizeof l);
	assert_int_equal(rms_scaleout_bp(&l), RMS_SCALEOUT_DEFAULT_BP);
	assert_int_equal(rms_limit_set(&l, "mtm-loss", "1000", &e), 0);
	assert_int_equal(rms_limit_set(&l, "on-mtm-loss", "scaleout", &e), 0);
	assert_int_equal(l.on[RL_MTM_LOSS], RR_SCALEOUT);
	assert_int_equal(rms_limit_set(&l, "scaleout-pct", "33.5%", &e), 0);
	assert_int_equal(l.scaleout_bp, 3350);
	assert_int_equal(rms_limit_set(&l, "hedge-premium", "20.5", &e), 0);
	assert_int_equal(l.hedge_premium, 2050);
	j = rms_limits_to_json(&l);
	assert_string_equal(json_string_value(json_object_get(j,
	    "scaleout-pct")), "33.5");
	assert_string_equal(json_string_value(json_object_get(j,
	    "hedge-premium")), "20.5");
	assert_string_equal(json_string_value(json_object_get(j,
	    "on-mtm-loss")), "scaleout");
	assert_int_equal(rms_limits_from_json(j, &back, &e), 0);
	json_decref(j);
	assert_memory_equal(&l, &back, sizeof l);
	assert_int_equal(rms_limit_unset_name(&l, "hedge-premium"), 0);
	assert_int_equal(l.hedge_premium, 0);
	assert_int_equal(rms_limit_unset_name(&l, "no-such"), -1);
}

/* Whole lots, the nearest to the share, a half up, never past flat. */
static void
test_scaleout_lots(void **state)
{
	assert_int_equal(rms_scaleout_lots(4, 5000), 2);
	assert_int_equal(rms_scaleout_lots(3, 5000), 2);
	assert_int_equal(rms_scaleout_lots(1, 5000), 1);
	assert_int_equal(rms_scaleout_lots(1, 4900), 0);
	assert_int_equal(rms_scaleout_lots(-3, 5000), -2);
	assert_int_equal(rms_scaleout_lots(-1, 10000), -1);
	assert_int_equal(rms_scaleout_lots(7, 10000), 7);
	assert_int_equal(rms_scaleout_lots(10, 2500), 3);
	assert_int_equal(rms_scaleout_lots(0, 5000), 0);
	assert_int_equal(rms_scaleout_lots(5, 0), 0);
	assert_int_equal(rms_scaleout_lots(5, 20000), 5);
}

static void
test_templates_build_and_round_trip(void **state)
{
	struct rms_limits	l, back;
	struct err		e;
	json_t			*j;
	size_t			i;

	assert_true(rms_ntemplates >= 4);
	for (i = 0; i < rms_ntemplates; i++) {
		err_clear(&e);
		if (rms_template_build(&rms_templates[i], &l, &e) != 0)
			fail_msg("%s: %s", rms_templates[i].name, e.msg);
		j = rms_limits_to_json(&l);
		assert_int_equal(rms_limits_from_json(j, &back, &e), 0);
		json_decref(j);
		assert_memory_equal(&l, &back, sizeof l);
	}
	rms_template_build(&rms_templates[0], &l, &e);
	assert_string_equal(rms_templates[0].name, "intraday-scalper");
	assert_true(rms_limit_has(&l, RL_TRAIL_ACTIVATE));
	assert_int_equal(l.on[RL_MAX_DRAWDOWN], RR_HALT);
}

static void
test_bad_json_refused(void **state)
{
	struct rms_limits	 l;
	struct err		 e;
	json_t			*j;

	j = json_pack("{s:s}", "mtm-loss", "-1");
	assert_int_equal(rms_limits_from_json(j, &l, &e), -1);
	json_decref(j);
	j = json_pack("{s:i}", "mtm-loss", 5);
	assert_int_equal(rms_limits_from_json(j, &l, &e), -1);
	assert_non_null(strstr(e.msg, "must be text"));
	json_decref(j);
	j = json_array();
	assert_int_equal(rms_limits_from_json(j, &l, &e), -1);
	json_decref(j);
}

/* A lower scope can only narrow what the one above allows. */
static void
test_narrow(void **state)
{
	struct rms_limits	firm, acct;
	struct err		e;

	memset(&firm, 0, sizeof firm);
	memset(&acct, 0, sizeof acct);
	rms_limit_set(&firm, "mtm-loss", "50000", &e);
	rms_limit_set(&firm, "window", "09:15-15:15", &e);
	rms_limit_set(&firm, "exchanges", "NSE,NFO", &e);
	rms_limit_set(&acct, "mtm-loss", "80000", &e);	/* looser: ignored */
	rms_limit_set(&acct, "window", "10:00-15:29", &e);
	rms_limit_set(&acct, "exchanges", "NFO,MCX", &e);
	rms_limit_set(&acct, "max-lots-per-order", "4", &e);
	rms_limit_set(&acct, "on-mtm-loss", "kill", &e);
	rms_limits_narrow(&firm, &acct);
	assert_int_equal(firm.v[RL_MTM_LOSS], 5000000);
	assert_int_equal(firm.on[RL_MTM_LOSS], RR_KILL);	/* harsher wins */
	assert_int_equal(RMS_WINDOW_FROM(firm.v[RL_WINDOW]), 600);
	assert_int_equal(RMS_WINDOW_TO(firm.v[RL_WINDOW]), 915);
	assert_int_equal(firm.v[RL_EXCHANGES], 1 << 2);	/* NFO only */
	assert_int_equal(firm.v[RL_MAX_LOTS_PER_ORDER], 4);
	assert_true(rms_limit_tighter(RL_MTM_LOSS, 100, 200));
	assert_false(rms_limit_tighter(RL_EXCHANGES, 3, 1));
	assert_int_equal(rms_state_min(TRADING_ACTIVE, TRADING_REDUCING),
	    TRADING_REDUCING);
	assert_int_equal(rms_state_min(TRADING_HALTED, TRADING_REDUCING),
	    TRADING_HALTED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_kept_in_units),
		cmocka_unit_test(test_bad_values_refused),
		cmocka_unit_test(test_response_params),
		cmocka_unit_test(test_scaleout_lots),
		cmocka_unit_test(test_templates_build_and_round_trip),
		cmocka_unit_test(test_bad_json_refused),
		cmocka_unit_test(test_narrow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
