/*
 * Option analytics (src/analytics/options.c) against textbook values
 * and small chains whose answers can be worked out by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "analytics/analytics.h"

#define near(a, b, eps)	assert_true(fabs((a) - (b)) < (eps))

/* Hull's example: S=42, K=40, r=10%, sigma=20%, T=0.5. */
static void
test_black_scholes(void **state)
{
	near(an_bs_price(1, 42, 40, 0.5, 0.1, 0.2), 4.7594, 1e-4);
	near(an_bs_price(0, 42, 40, 0.5, 0.1, 0.2), 0.8086, 1e-4);
	near(an_bs_delta(1, 42, 40, 0.5, 0.1, 0.2), 0.7791, 1e-4);
	near(an_bs_delta(0, 42, 40, 0.5, 0.1, 0.2), -0.2209, 1e-4);
	near(an_bs_gamma(100, 100, 1, 0.05, 0.2), 0.018762, 1e-6);
	/* Put-call parity. */
	near(an_bs_price(1, 26000, 26200, 0.05, 0.065, 0.13) -
	    an_bs_price(0, 26000, 26200, 0.05, 0.065, 0.13),
	    26000 - 26200 * exp(-0.065 * 0.05), 1e-6);
	/* At expiry an option is worth its intrinsic value. */
	near(an_bs_price(1, 105, 100, 0, 0.05, 0.2), 5, 1e-12);
	near(an_bs_gamma(105, 100, 0, 0.05, 0.2), 0, 1e-12);
}

static void
test_implied_vol(void **state)
{
	double	v, p;

	for (v = 0.05; v < 1.2; v += 0.15) {
		p = an_bs_price(1, 26000, 26500, 0.04, 0.065, v);
		near(an_implied_vol(1, p, 26000, 26500, 0.04, 0.065), v, 1e-6);
		p = an_bs_price(0, 26000, 25000, 0.04, 0.065, v);
		near(an_implied_vol(0, p, 26000, 25000, 0.04, 0.065), v, 1e-6);
	}
	/* Below intrinsic, above the spot, expired, NaN: no answer. */
	assert_true(an_implied_vol(1, 1, 26000, 25000, 0.04, 0.065) < 0);
	assert_true(an_implied_vol(1, 30000, 26000, 25000, 0.04, 0.065) < 0);
	assert_true(an_implied_vol(1, 100, 26000, 26000, 0, 0.065) < 0);
	assert_true(an_implied_vol(1, NAN, 26000, 26000, 0.1, 0.065) < 0);
}

/*
 * Puts heavy below the spot, calls heavy above, a little more put than
 * call OI at the money: net GEX is negative at 26000 and turns positive
 * on the way to 26200.  Holders' payout (by hand): 1.2M at 25800, 200k
 * at 26000, 1M at 26200, so max pain is 26000.
 */
static void
test_chain(void **state)
{
	struct an_option	o[] = {
		{ 25800, 1, 500, 50, 0, 0.12 },
		{ 25800, 0, 6000, 90, 0, 0.12 },
		{ 26000, 1, 4000, 200, 0, 0.12 },
		{ 26000, 0, 5000, 300, 0, 0.12 },
		{ 26200, 1, 6000, 80, 0, 0.12 },
		{ 26200, 0, 500, 30, 0, 0.12 },
	};
	struct an_chain_stats	st;
	struct an_strike_gex	g[8];
	size_t			m;

	m = an_chain(o, 6, 26000, 7.0 / 365, 0.065, &st, g, 8);
	assert_int_equal(m, 3);
	assert_int_equal(st.call_oi, 10500);
	assert_int_equal(st.put_oi, 11500);
	near(st.pcr_oi, 11500.0 / 10500, 1e-12);
	near(st.pcr_volume, 420.0 / 330, 1e-12);
	near(st.max_pain, 26000, 1e-9);
	assert_true(g[0].strike < g[1].strike && g[1].strike < g[2].strike);
	assert_true(g[1].call_gex > 0 && g[1].put_gex < 0);
	assert_int_equal(g[1].put_oi, 5000);
	assert_true(g[0].net_gex < 0 && g[2].net_gex > 0);
	assert_true(st.total_gex < 0);
	assert_true(st.zero_gamma > 26000 && st.zero_gamma < 26200);
	assert_int_equal(st.iv_solved, 0);
}

/* No IV in the quote: solved from the option's price. */
static void
test_chain_solves_iv(void **state)
{
	struct an_option	o[2] = {
		{ 26000, 1, 100, 1, 0, 0 },
		{ 26000, 0, 100, 1, 0, 0 },
	};
	struct an_chain_stats	st;

	o[0].ltp = an_bs_price(1, 26000, 26000, 0.05, 0.065, 0.15);
	o[1].ltp = 0;	/* nothing to solve from */
	an_chain(o, 2, 26000, 0.05, 0.065, &st, NULL, 0);
	assert_int_equal(st.iv_solved, 1);
	assert_int_equal(st.iv_missing, 1);
	assert_true(st.total_gex > 0);	/* only the call counts */
	an_chain(o, 0, 26000, 0.05, 0.065, &st, NULL, 0);
	near(st.pcr_oi, -1, 1e-12);
	near(st.zero_gamma, -1, 1e-12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_black_scholes),
		cmocka_unit_test(test_implied_vol),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_chain_solves_iv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
