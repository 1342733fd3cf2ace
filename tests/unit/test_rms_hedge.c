/*
 * The RMS at work without a store: the hedge strike picker
 * (src/rms/hedge.c) and the router's guard hook (src/rms/engine.c)
 * judging legs from a snapshot -- REDUCING, HALTED with the RMS's own
 * exits, an account the snapshot has not seen, and the rate window.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rms/rms_int.h"

#define RS(x)	((int64_t)(x) * 100)

static const int64_t chain[] = { RS(25800), RS(25900), RS(26000), RS(26100),
	RS(26200), RS(26300) };
#define NCHAIN	(sizeof chain / sizeof chain[0])

static void
test_hedge_call(void **state)
{
	/* Short 26000 CE, two steps out: 26200. */
	assert_int_equal(rms_hedge_pick(chain, NCHAIN, RS(26000), 1, 2, 0), 4);
	/* A strike between two: the next one up is the base. */
	assert_int_equal(rms_hedge_pick(chain, NCHAIN, RS(26050), 1, 1, 0), 4);
	/* Past the end of the chain: none. */
	assert_int_equal(rms_hedge_pick(chain, NCHAIN, RS(26200), 1, 2, 0),
	    -1);
}

static void
test_hedge_put(void **state)
{
	assert_int_equal(rms_hedge_pick(chain, NCHAIN, RS(26000), 0, 2, 0), 0);
	assert_int_equal(rms_hedge_pick(chain, NCHAIN, RS(26050), 0, 1, 0), 1);
	assert_int_equal(rms_hedge_pick(chain, NCHAIN, RS(25900), 0, 2, 0),
	    -1);
	assert_int_equal(rms_hedge_pick(chain, NCHAIN, RS(25000), 0, 0, 0),
	    -1);
}

static void
test_hedge_future(void **state)
{
	/* A short future at 26040: the money is 26000, a call 2 up. */
	assert_int_equal(rms_hedge_pick(chain, NCHAIN, RS(26040), 1, 2, 1), 4);
	assert_int_equal(rms_hedge_pick(chain, NCHAIN, RS(26060), 1, 2, 1), 5);
	assert_int_equal(rms_hedge_pick(NULL, 0, RS(26000), 1, 2, 1), -1);
}

/*
 * By premium: the highest premium at or below the target, on the
 * protective side of the short strike (or of the future's money).
 */
static void
test_hedge_premium(void **state)
{
	/*                        25800 25900 26000 26100 26200 26300 */
	static const int64_t ce[] = { RS(300), RS(210), RS(120), RS(45),
		RS(19), RS(8) };
	static const int64_t pe[] = { RS(9), RS(21), RS(60), RS(140),
		RS(230), RS(320) };
	static const int64_t gap[] = { RS(30), 0, RS(20), 0, RS(25), RS(20) };

	/* Short 26000 CE, target 20: 26200 at 19, not 26300 at 8. */
	assert_int_equal(rms_hedge_pick_premium(chain, ce, NCHAIN, RS(26000),
	    1, 0, RS(20)), 4);
	/* Target 45 exactly: at or below takes it. */
	assert_int_equal(rms_hedge_pick_premium(chain, ce, NCHAIN, RS(26000),
	    1, 0, RS(45)), 3);
	/* Only strikes at or above the short one: 25800 at 300 is not. */
	assert_int_equal(rms_hedge_pick_premium(chain, ce, NCHAIN, RS(26000),
	    1, 0, RS(500)), 2);
	/* Short 26000 PE, target 20: 25800 at 9 (25900 costs 21). */
	assert_int_equal(rms_hedge_pick_premium(chain, pe, NCHAIN, RS(26000),
	    0, 0, RS(20)), 0);
	/* Nothing that cheap: none. */
	assert_int_equal(rms_hedge_pick_premium(chain, ce, NCHAIN, RS(26000),
	    1, 0, RS(5)), -1);
	/* A short future at 26040: calls from 26000 up. */
	assert_int_equal(rms_hedge_pick_premium(chain, ce, NCHAIN, RS(26040),
	    1, 1, RS(50)), 3);
	/* Unquoted strikes are skipped; equal premiums: nearer the money. */
	assert_int_equal(rms_hedge_pick_premium(chain, gap, NCHAIN, RS(26000),
	    1, 0, RS(22)), 2);
	assert_int_equal(rms_hedge_pick_premium(chain, gap, NCHAIN, RS(26100),
	    1, 0, RS(22)), 5);
	/* A target of 0 or no quotes: none. */
	assert_int_equal(rms_hedge_pick_premium(chain, ce, NCHAIN, RS(26000),
	    1, 0, 0), -1);
	assert_int_equal(rms_hedge_pick_premium(chain, NULL, NCHAIN,
	    RS(26000), 1, 0, RS(20)), -1);
}

struct fixture {
	struct rms_engine	e;
	struct rms_pos		pos[1];
};

static struct fixture *
fixture(enum trading_state st)
{
	static struct fixture	f;

	memset(&f, 0, sizeof f);
	f.e.ready = 1;
	f.e.snap.a = calloc(1, sizeof *f.e.snap.a);
	f.e.snap.n = 1;
	f.e.snap.a[0].id = 7;
	f.e.snap.a[0].name = strdup("r1");
	f.e.snap.a[0].st = st;
	f.e.snap.a[0].pos = calloc(1, sizeof f.pos);
	f.e.snap.a[0].npos = 1;
	f.e.snap.a[0].nopen = 1;
	snprintf(f.e.snap.a[0].pos[0].exchange, 8, "NFO");
	snprintf(f.e.snap.a[0].pos[0].symbol, 48, "NIFTY26DECFUT");
	snprintf(f.e.snap.a[0].pos[0].under, 48, "NIFTY");
	f.e.snap.a[0].pos[0].qty = 130;
	f.e.snap.a[0].pos[0].lot = 65;
	return &f;
}

static struct router_guard_leg
leg(int buy, int64_t qty)
{
	struct router_guard_leg	g;

	memset(&g, 0, sizeof g);
	g.account_id = 7;
	g.account = "r1";
	g.exchange = "NFO";
	g.symbol = "NIFTY26DECFUT";
	g.side = buy ? BROKER_BUY : BROKER_SELL;
	g.qty = qty;
	g.lot = 65;
	g.product = BROKER_NRML;
	return g;
}

static void
test_engine_reducing(void **state)
{
	struct fixture			*f = fixture(TRADING_REDUCING);
	struct router_guard_leg		 g = leg(1, 65);
	struct router_guard_verdict	 v;

	assert_int_equal(rms_engine_guard(&f->e, &g, &v), 0);
	assert_string_equal(v.rule, "reducing");
	g = leg(0, 65);
	assert_int_equal(rms_engine_guard(&f->e, &g, &v), 1);
	g = leg(0, 195);	/* past flat: not a reduction */
	assert_int_equal(rms_engine_guard(&f->e, &g, &v), 0);
	rms_snap_free(&f->e.snap);
}

static void
test_engine_halted(void **state)
{
	struct fixture			*f = fixture(TRADING_HALTED);
	struct router_guard_leg		 g = leg(0, 130);
	struct router_guard_verdict	 v;

	assert_int_equal(rms_engine_guard(&f->e, &g, &v), 0);
	assert_string_equal(v.rule, "halted");
	g.exit = 1;
	assert_int_equal(rms_engine_guard(&f->e, &g, &v), 1);
	rms_snap_free(&f->e.snap);
}

static void
test_engine_not_ready(void **state)
{
	struct fixture			*f = fixture(TRADING_ACTIVE);
	struct router_guard_leg		 g = leg(1, 65);
	struct router_guard_verdict	 v;

	f->e.ready = 0;
	assert_int_equal(rms_engine_guard(&f->e, &g, &v), 0);
	assert_string_equal(v.rule, "not-loaded");
	g.exit = 1;
	assert_int_equal(rms_engine_guard(&f->e, &g, &v), 1);
	f->e.ready = 1;
	g = leg(1, 65);
	g.account_id = 99;	/* unseen: the firm's (no) limits */
	assert_int_equal(rms_engine_guard(&f->e, &g, &v), 1);
	rms_snap_free(&f->e.snap);
}

static void
test_engine_rate(void **state)
{
	struct fixture			*f = fixture(TRADING_ACTIVE);
	struct router_guard_leg		 g = leg(1, 65);
	struct router_guard_verdict	 v;
	int				 i, passed = 0;

	/* Default 10 a second: the eleventh order is refused; slices of
	 * one order and dry runs do not count. */
	for (i = 0; i < 12; i++)
		passed += rms_engine_guard(&f->e, &g, &v);
	assert_int_equal(passed, 10);
	assert_string_equal(v.rule, "orders-per-sec");
	rms_snap_free(&f->e.snap);
	f = fixture(TRADING_ACTIVE);
	g.slice = 1;
	for (i = 0, passed = 0; i < 12; i++)
		passed += rms_engine_guard(&f->e, &g, &v);
	assert_int_equal(passed, 12);
	rms_snap_free(&f->e.snap);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hedge_call),
		cmocka_unit_test(test_hedge_put),
		cmocka_unit_test(test_hedge_future),
		cmocka_unit_test(test_hedge_premium),
		cmocka_unit_test(test_engine_reducing),
		cmocka_unit_test(test_engine_halted),
		cmocka_unit_test(test_engine_not_ready),
		cmocka_unit_test(test_engine_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
