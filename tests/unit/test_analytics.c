/*
 * The analytics arithmetic (src/analytics series.c, charges.c, pnl.c,
 * cache.c) and the heatmap's shading (widgets/heatmap.c), against values
 * worked out by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "analytics/analytics.h"
#include "widgets/widgets.h"

#define near(a, b, eps)	assert_true(fabs((a) - (b)) < (eps))

static void
test_drawdown(void **state)
{
	const double		y[] = { 100, 120, 90, 110, 130, 95, 140 };
	const double		up[] = { 1, 2, 3 };
	struct an_drawdown	dd;

	/* 130 -> 95 (35) is deeper than 120 -> 90 (30). */
	an_max_drawdown(y, 7, &dd);
	near(dd.amount, 35, 1e-9);
	assert_int_equal(dd.peak, 4);
	assert_int_equal(dd.trough, 5);
	near(dd.pct, 35.0 / 130 * 100, 1e-9);
	an_max_drawdown(up, 3, &dd);
	near(dd.amount, 0, 1e-12);
	an_max_drawdown(NULL, 0, &dd);
	near(dd.amount, 0, 1e-12);
}

static void
test_nearest(void **state)
{
	const double	x[] = { 10, 20, 30 };

	assert_int_equal(an_nearest(x, 3, 0), 0);
	assert_int_equal(an_nearest(x, 3, 14), 0);
	assert_int_equal(an_nearest(x, 3, 16), 1);
	assert_int_equal(an_nearest(x, 3, 99), 2);
	assert_int_equal(an_nearest(x, 0, 5), 0);
}

/*
 * One NIFTY futures lot sold at 26,000 (65 x 26000 = 16,90,000): Rs 20
 * brokerage (0.03% would be 507), STT 0.02% = 338, exchange 0.00173% =
 * 29.24, SEBI 1.69, no stamp on a sale, GST 18% of (20 + 29.24 + 1.69).
 */
static void
test_charges(void **state)
{
	struct an_charges	c, sum;

	an_charges_order("FUT", "NRML", 0, 1690000, &c);
	near(c.brokerage, 20, 1e-9);
	near(c.stt, 338, 1e-9);
	near(c.exchange, 29.24, 1e-9);
	near(c.sebi, 1.69, 1e-9);
	near(c.stamp, 0, 1e-9);
	near(c.gst, 9.17, 1e-9);
	near(c.total, 20 + 338 + 29.24 + 1.69 + 9.17, 1e-9);
	/* Bought: stamp 0.002% = 33.80, no STT. */
	an_charges_order("FUT", "NRML", 1, 1690000, &c);
	near(c.stt, 0, 1e-9);
	near(c.stamp, 33.8, 1e-9);
	/* An option bought for 6,500 of premium: brokerage 0.03% = 1.95. */
	an_charges_order("CE", "NRML", 1, 6500, &c);
	near(c.brokerage, 1.95, 1e-9);
	near(c.exchange, 2.28, 1e-9);
	near(c.stamp, 0.2, 1e-9);
	/* Equity delivery: no brokerage, STT both sides. */
	an_charges_order("EQ", "CNC", 1, 100000, &c);
	near(c.brokerage, 0, 1e-9);
	near(c.stt, 100, 1e-9);
	memset(&sum, 0, sizeof sum);
	an_charges_add(&sum, &c);
	an_charges_add(&sum, &c);
	near(sum.total, 2 * c.total, 1e-9);
	an_charges_order("FUT", "NRML", 1, 0, &c);
	near(c.total, 0, 1e-12);
}

/* Average cost as the positions table keeps it: add, close part, flip. */
static void
test_pnl(void **state)
{
	struct an_pnl		 p;
	struct an_pnl_row	*r;

	an_pnl_init(&p);
	near(an_pnl_fill(&p, "k", "a", 1, 1, 100, 10, -1), 0, 1e-12);
	near(an_pnl_fill(&p, "k", "a", 1, 1, 100, 20, -1), 0, 1e-12);
	/* Average 15: selling 50 at 18 realises 150. */
	near(an_pnl_fill(&p, "k", "a", 1, 0, 50, 18, -1), 150, 1e-9);
	/* Selling 250 at 12 closes 150 (-450) and opens 100 short at 12. */
	near(an_pnl_fill(&p, "k", "a", 1, 0, 250, 12, 11), -450, 1e-9);
	/* A fill outside the period moves the position, not the row. */
	near(an_pnl_fill(&p, "k", "a", 0, 1, 50, 10, 11), 100, 1e-9);
	an_pnl_mark(&p);
	r = an_pnl_row(&p, "a");
	near(r->realised, -300, 1e-9);
	/* 50 short from 12, marked at 11: +50. */
	near(r->unrealised, 50, 1e-9);
	assert_int_equal(p.nrows, 1);
	an_pnl_free(&p);
}

static void
test_cache(void **state)
{
	struct an_cache	*c = an_cache_new(2);
	json_t		*a = json_integer(1), *b = json_integer(2);
	json_t		*d = json_integer(3);
	uint64_t	 hits, misses;

	assert_null(an_cache_get(c, "a"));
	an_cache_put(c, "a", a);
	an_cache_put(c, "b", b);
	assert_ptr_equal(an_cache_get(c, "a"), a);
	/* Past max the oldest goes. */
	an_cache_put(c, "d", d);
	assert_null(an_cache_get(c, "a"));
	assert_ptr_equal(an_cache_get(c, "d"), d);
	an_cache_clear(c);
	assert_null(an_cache_get(c, "b"));
	an_cache_stats(c, &hits, &misses);
	assert_int_equal(hits, 2);
	assert_int_equal(misses, 3);
	json_decref(a);
	json_decref(b);
	json_decref(d);
	an_cache_free(c);
}

static void
test_heatmap_level(void **state)
{
	struct wheatmap	*h = wheatmap_new("x");
	const char	*rows[] = { "a", "b" }, *cols[] = { "N", "B", "F" };

	assert_int_equal(wheatmap_level(0, 10, 4), 0);
	assert_int_equal(wheatmap_level(10, 10, 4), 3);
	assert_int_equal(wheatmap_level(-10, 10, 4), 3);
	assert_int_equal(wheatmap_level(0.01, 10, 4), 1);
	assert_int_equal(wheatmap_level(5, 10, 4), 2);
	assert_int_equal(wheatmap_level(NAN, 10, 4), 0);
	wheatmap_shape(h, rows, 2, cols, 3);
	wheatmap_set(h, 1, 2, -4);
	wheatmap_set(h, 5, 5, 1);	/* outside: ignored */
	assert_true(h->has[5]);
	near(h->v[5], -4, 1e-12);
	assert_false(h->has[0]);
	widget_free(&h->w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drawdown),
		cmocka_unit_test(test_nearest),
		cmocka_unit_test(test_charges),
		cmocka_unit_test(test_pnl),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_heatmap_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
