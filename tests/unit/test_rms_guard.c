/*
 * The pre-trade guard (src/rms/guard.c) and the monitors
 * (src/rms/monitor.c) as tables of cases: every rule denies, names
 * itself and its values, and lets exits through.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rms/rms.h"

#define RS(x)	((int64_t)(x) * 100)	/* rupees to paise */

static struct rms_limits
scalper(void)
{
	struct rms_limits	l;
	struct err		e;

	assert_int_equal(rms_template_build(&rms_templates[0], &l, &e), 0);
	return l;
}

/* A one-lot NIFTY future buy at 10:00 IST, flat book. */
static struct rms_leg
nifty(void)
{
	struct rms_leg	l;

	memset(&l, 0, sizeof l);
	l.exchange = "NFO";
	l.product = RP_MIS;
	l.buy = 1;
	l.qty = 65;
	l.lot = 65;
	l.ltp = RS(26000);
	l.minute = 600;
	return l;
}

static void
expect_deny(const struct rms_limits *lim, enum trading_state st,
    const struct rms_leg *l, const struct rms_book *b, enum rms_limit_id rule,
    const char *text)
{
	struct rms_verdict	v;

	assert_int_equal(rms_guard(lim, st, l, b, &v), 0);
	assert_int_equal(v.pass, 0);
	assert_int_equal(v.rule, rule);
	if (strstr(v.msg, text) == NULL)
		fail_msg("verdict \"%s\" lacks \"%s\"", v.msg, text);
}

static void
expect_pass(const struct rms_limits *lim, enum trading_state st,
    const struct rms_leg *l, const struct rms_book *b)
{
	struct rms_verdict	v;

	if (rms_guard(lim, st, l, b, &v) != 1)
		fail_msg("denied: %s", v.msg);
}

static void
test_each_rule(void **state)
{
	struct rms_limits	lim = scalper();
	struct rms_book		b;
	struct rms_leg		l;

	memset(&b, 0, sizeof b);
	l = nifty();
	expect_pass(&lim, TRADING_ACTIVE, &l, &b);
	l.qty = 11 * 65;
	expect_deny(&lim, TRADING_ACTIVE, &l, &b, RL_MAX_LOTS_PER_ORDER,
	    "max-lots-per-order 10: this order is 11 lots");
	l = nifty();
	l.exchange = "MCX";
	expect_deny(&lim, TRADING_ACTIVE, &l, &b, RL_EXCHANGES, "MCX");
	l = nifty();
	l.product = RP_NRML;
	expect_deny(&lim, TRADING_ACTIVE, &l, &b, RL_PRODUCTS, "NRML");
	l = nifty();
	l.minute = 15 * 60 + 20;
	expect_deny(&lim, TRADING_ACTIVE, &l, &b, RL_WINDOW, "it is 15:20");
	l = nifty();
	l.price = RS(26600);	/* 2.3% above the LTP, band 2% */
	expect_deny(&lim, TRADING_ACTIVE, &l, &b, RL_PRICE_BAND_PCT,
	    "price-band-pct 2.00");
	l.price = RS(26500);
	expect_pass(&lim, TRADING_ACTIVE, &l, &b);
	l = nifty();
	b.underlying_lots = 40;
	expect_deny(&lim, TRADING_ACTIVE, &l, &b, RL_MAX_LOTS_PER_UNDERLYING,
	    "to 41 lots");
	b.underlying_lots = 0;
	b.open_positions = 6;
	expect_deny(&lim, TRADING_ACTIVE, &l, &b, RL_MAX_OPEN_POSITIONS,
	    "6 are open");
	b.open_positions = 0;
	b.orders_last_sec = 10;
	expect_deny(&lim, TRADING_ACTIVE, &l, &b, RL_ORDERS_PER_SEC,
	    "orders-per-sec 10");
}

static void
test_notional_without_overflow(void **state)
{
	struct rms_limits	lim;
	struct rms_book		b;
	struct rms_leg		l = nifty();
	struct err		e;

	memset(&lim, 0, sizeof lim);
	memset(&b, 0, sizeof b);
	assert_int_equal(rms_limit_set(&lim, "max-notional-per-order",
	    "2000000", &e), 0);
	expect_pass(&lim, TRADING_ACTIVE, &l, &b);	/* 16.9 lakh */
	l.qty = 65 * 2;	/* 33.8 lakh > 20 lakh */
	expect_deny(&lim, TRADING_ACTIVE, &l, &b, RL_MAX_NOTIONAL_PER_ORDER,
	    "this order is 3380000 rupees");
	l.qty = INT64_MAX / 2;
	expect_deny(&lim, TRADING_ACTIVE, &l, &b, RL_MAX_NOTIONAL_PER_ORDER,
	    "past any notional");
}

/* REDUCING passes only shrinking orders; HALTED only the RMS's exits. */
static void
test_states(void **state)
{
	struct rms_limits	lim = scalper();
	struct rms_book		b;
	struct rms_leg		l = nifty();
	struct rms_verdict	v;

	memset(&b, 0, sizeof b);
	b.position = 130;
	assert_int_equal(rms_guard(&lim, TRADING_REDUCING, &l, &b, &v), 0);
	assert_string_equal(v.state_rule, "reducing");
	l.buy = 0;
	expect_pass(&lim, TRADING_REDUCING, &l, &b);
	l.qty = 195;	/* would cross to short: not a reduction */
	assert_int_equal(rms_guard(&lim, TRADING_REDUCING, &l, &b, &v), 0);
	l.qty = 65;
	assert_int_equal(rms_guard(&lim, TRADING_HALTED, &l, &b, &v), 0);
	assert_string_equal(v.state_rule, "halted");
	l.rms_exit = 1;
	expect_pass(&lim, TRADING_HALTED, &l, &b);
	/* A reducing order gets out after the window closes. */
	l.rms_exit = 0;
	l.minute = 15 * 60 + 25;
	expect_pass(&lim, TRADING_ACTIVE, &l, &b);
	l.buy = 1;
	expect_deny(&lim, TRADING_ACTIVE, &l, &b, RL_WINDOW, "15:25");
}

static struct rms_mark
mark(int64_t mtm_rupees)
{
	struct rms_mark	m;

	memset(&m, 0, sizeof m);
	m.mtm = RS(mtm_rupees);
	m.capital = RS(1000000);
	m.minute = 600;
	return m;
}

static int
run(const struct rms_limits *lim, struct rms_watch *w, int64_t mtm,
    struct rms_breach *out)
{
	struct rms_mark	m = mark(mtm);

	return rms_monitor(lim, &m, w, out);
}

/* mtm-loss 25000 fires once on crossing, re-arms 10% back inside. */
static void
test_loss_fires_once(void **state)
{
	struct rms_limits	lim = scalper();
	struct rms_watch	w;
	struct rms_breach	out[RMS_MAX_BREACHES];

	memset(&w, 0, sizeof w);
	lim.set &= ~(1u << RL_MAX_DRAWDOWN);	/* judge the loss alone */
	assert_int_equal(run(&lim, &w, -10000, out), 0);
	assert_int_equal(run(&lim, &w, -25000, out), 1);
	assert_int_equal(out[0].rule, RL_MTM_LOSS);
	assert_int_equal(out[0].response, RR_SQUAREOFF);
	assert_int_equal(out[0].value, RS(25000));
	assert_non_null(strstr(out[0].msg, "mtm-loss: 25000 rupees"));
	assert_int_equal(run(&lim, &w, -26000, out), 0);
	assert_int_equal(run(&lim, &w, -24000, out), 0);	/* in the band */
	assert_int_equal(run(&lim, &w, -25500, out), 0);
	assert_int_equal(run(&lim, &w, -20000, out), 0);	/* re-armed */
	assert_int_equal(run(&lim, &w, -25000, out), 1);
}

static void
test_trailing_lock(void **state)
{
	struct rms_limits	lim = scalper();	/* arm 20000, by 8000 */
	struct rms_watch	w;
	struct rms_breach	out[RMS_MAX_BREACHES];

	memset(&w, 0, sizeof w);
	lim.set &= ~(1u << RL_MAX_DRAWDOWN);
	/* Not armed: a fall from 15000 to 2000 is not a trailing breach. */
	assert_int_equal(run(&lim, &w, 15000, out), 0);
	assert_int_equal(run(&lim, &w, 2000, out), 0);
	assert_false(w.trail_armed);
	assert_int_equal(run(&lim, &w, 21000, out), 0);
	assert_true(w.trail_armed);
	assert_int_equal(run(&lim, &w, 30000, out), 0);
	assert_int_equal(run(&lim, &w, 22500, out), 0);	/* gave back 7500 */
	assert_int_equal(run(&lim, &w, 22000, out), 1);	/* 8000 */
	assert_int_equal(out[0].rule, RL_TRAIL_BY);
	assert_int_equal(out[0].response, RR_SQUAREOFF);
}

static void
test_drawdown_margin_time_stale(void **state)
{
	struct rms_limits	lim = scalper();
	struct rms_watch	w;
	struct rms_breach	out[RMS_MAX_BREACHES];
	struct rms_mark		m;

	memset(&w, 0, sizeof w);
	assert_int_equal(run(&lim, &w, 10000, out), 0);
	assert_int_equal(run(&lim, &w, -20000, out), 1);	/* 30000 off */
	assert_int_equal(out[0].rule, RL_MAX_DRAWDOWN);
	assert_int_equal(out[0].response, RR_HALT);

	memset(&w, 0, sizeof w);
	m = mark(0);
	m.margin_used = RS(81);
	m.margin_total = RS(100);
	assert_int_equal(rms_monitor(&lim, &m, &w, out), 1);
	assert_int_equal(out[0].rule, RL_MARGIN_MAX_PCT);
	assert_int_equal(rms_used_bp(&lim, RL_MARGIN_MAX_PCT, &m, &w),
	    10125);

	/* MIS still open at 15:15: square off, once. */
	memset(&w, 0, sizeof w);
	m = mark(0);
	m.has_mis = 1;
	m.minute = 15 * 60 + 14;
	assert_int_equal(rms_monitor(&lim, &m, &w, out), 0);
	m.minute = 15 * 60 + 15;
	assert_int_equal(rms_monitor(&lim, &m, &w, out), 1);
	assert_int_equal(out[0].rule, RL_SQUAREOFF_AT);
	assert_int_equal(rms_monitor(&lim, &m, &w, out), 0);

	/* Stale prices: one alert, no judgement of MTM. */
	memset(&w, 0, sizeof w);
	m = mark(-90000);
	m.stale = 1;
	assert_int_equal(rms_monitor(&lim, &m, &w, out), 1);
	assert_int_equal(out[0].rule, RL__COUNT);
	assert_int_equal(out[0].response, RR_ALERT);
	assert_int_equal(rms_monitor(&lim, &m, &w, out), 0);
	m.stale = 0;
	assert_true(rms_monitor(&lim, &m, &w, out) >= 1);
	assert_int_equal(out[0].rule, RL_MTM_LOSS);
}

/* A 1% loss of capital on the conservative template halts. */
static void
test_loss_pct(void **state)
{
	struct rms_limits	lim;
	struct rms_watch	w;
	struct rms_breach	out[RMS_MAX_BREACHES];
	struct err		e;

	assert_int_equal(rms_template_build(&rms_templates[3], &lim, &e), 0);
	assert_string_equal(rms_templates[3].name, "conservative");
	lim.set &= ~(1u << RL_MAX_DRAWDOWN);
	memset(&w, 0, sizeof w);
	assert_int_equal(run(&lim, &w, -9999, out), 0);
	assert_int_equal(run(&lim, &w, -10000, out), 1);
	assert_int_equal(out[0].rule, RL_MTM_LOSS_PCT);
	assert_int_equal(out[0].response, RR_HALT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_rule),
		cmocka_unit_test(test_notional_without_overflow),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_loss_fires_once),
		cmocka_unit_test(test_trailing_lock),
		cmocka_unit_test(test_drawdown_margin_time_stale),
		cmocka_unit_test(test_loss_pct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
