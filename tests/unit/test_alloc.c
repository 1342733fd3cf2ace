/* Allocation policies, caps, skips and freeze slicing (src/exec/alloc.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exec/exec.h"

#define MAXACCT 64

struct fixture {
	struct account		 a[MAXACCT];
	const struct account	*p[MAXACCT];
	struct target_match	 m;
	char			 names[MAXACCT][24];
};

static struct fixture	fx;

/* n enabled accounts in priority order, lots 1, multiplier 1x, weight 1. */
static void
accounts(size_t n)
{
	size_t	i;

	memset(&fx, 0, sizeof fx);
	for (i = 0; i < n; i++) {
		snprintf(fx.names[i], sizeof fx.names[i], "a%zu", i);
		fx.a[i].id = (int64_t)i + 1;
		fx.a[i].name = fx.names[i];
		fx.a[i].enabled = 1;
		fx.a[i].priority = (int)i;
		fx.a[i].lots = 1;
		fx.a[i].multiplier = CORE_RATIO_ONE;
		fx.a[i].weight = CORE_RATIO_ONE;
		fx.p[i] = &fx.a[i];
	}
	fx.m.v = fx.p;
	fx.m.n = n;
}

static struct alloc_req
req(enum alloc_policy policy, int64_t qty)
{
	struct alloc_req	r;

	memset(&r, 0, sizeof r);
	r.policy = policy;
	r.qty = qty;
	r.unit = ALLOC_LOTS;
	r.lot_size = 65;
	return r;
}

static void
plan_ok(const struct alloc_req *r, struct alloc_plan *p)
{
	struct err	e;

	err_clear(&e);
	if (alloc_plan(r, &fx.m, p, &e) != 0)
		fail_msg("alloc_plan: %s: %s", e.code, e.msg);
}

static void
test_equal_4_3_3(void **state)
{
	struct alloc_req	r = req(ALLOC_EQUAL, 10);
	struct alloc_plan	p;

	accounts(3);
	plan_ok(&r, &p);
	assert_int_equal(p.nlegs, 3);
	assert_int_equal(p.legs[0].lots, 4);
	assert_int_equal(p.legs[1].lots, 3);
	assert_int_equal(p.legs[2].lots, 3);
	assert_int_equal(p.legs[0].qty, 4 * 65);
	assert_int_equal(p.total_lots, 10);
	alloc_plan_free(&p);
}

static void
test_capital_1_2_4(void **state)
{
	struct alloc_req	r = req(ALLOC_CAPITAL, 7);
	struct alloc_plan	p;

	accounts(3);
	fx.a[0].capital = 100000;
	fx.a[1].capital = 200000;
	fx.a[2].capital = 400000;
	plan_ok(&r, &p);
	assert_int_equal(p.legs[0].lots, 1);
	assert_int_equal(p.legs[1].lots, 2);
	assert_int_equal(p.legs[2].lots, 4);
	alloc_plan_free(&p);
}

/* 10 lots by capital 1:1:1 is 3.33 each: the leftover lot goes by priority. */
static void
test_capital_ties_by_priority(void **state)
{
	struct alloc_req	r = req(ALLOC_CAPITAL, 10);
	struct alloc_plan	p;

	accounts(3);
	fx.a[0].capital = fx.a[1].capital = fx.a[2].capital = 5000000;
	plan_ok(&r, &p);
	assert_int_equal(p.legs[0].lots, 4);
	assert_int_equal(p.legs[1].lots, 3);
	assert_int_equal(p.legs[2].lots, 3);
	alloc_plan_free(&p);
}

/* Largest remainder, not priority: 5 lots over 1:3 is 1.25 / 3.75. */
static void
test_ratio_largest_remainder(void **state)
{
	struct alloc_req	r = req(ALLOC_RATIO, 5);
	struct alloc_plan	p;

	accounts(2);
	fx.a[0].weight = 1 * CORE_RATIO_ONE;
	fx.a[1].weight = 3 * CORE_RATIO_ONE;
	plan_ok(&r, &p);
	assert_int_equal(p.legs[0].lots, 1);
	assert_int_equal(p.legs[1].lots, 4);
	alloc_plan_free(&p);
}

static void
test_multiplier_half(void **state)
{
	struct alloc_req	r = req(ALLOC_MULTIPLIER, 3);
	struct alloc_plan	p;

	accounts(2);
	fx.a[0].multiplier = CORE_RATIO_ONE / 2;
	fx.a[1].multiplier = 25000;	/* 2.5x */
	plan_ok(&r, &p);
	assert_int_equal(p.legs[0].lots, 1);
	assert_int_equal(p.legs[1].lots, 7);
	alloc_plan_free(&p);
}

static void
test_fixed_uses_account_lots(void **state)
{
	struct alloc_req	r = req(ALLOC_FIXED, 2);
	struct alloc_plan	p;

	accounts(3);
	fx.a[1].lots = 3;
	fx.a[2].lots = 0;
	plan_ok(&r, &p);
	assert_int_equal(p.legs[0].lots, 2);
	assert_int_equal(p.legs[1].lots, 6);
	assert_int_equal(p.legs[2].skip, ALLOC_SKIP_ZERO);
	assert_int_equal(p.legs[2].lots, 0);
	assert_int_equal(p.legs[2].nslices, 0);
	assert_non_null(strstr(p.legs[2].reason, "0 whole lots"));
	assert_int_equal(p.ntrading, 2);
	assert_int_equal(p.total_lots, 8);
	alloc_plan_free(&p);
}

static void
test_multiplier_zero_skipped(void **state)
{
	struct alloc_req	r = req(ALLOC_MULTIPLIER, 3);
	struct alloc_plan	p;

	accounts(1);
	fx.a[0].multiplier = 3000;	/* 0.3 x 3 = 0.9 */
	plan_ok(&r, &p);
	assert_int_equal(p.legs[0].skip, ALLOC_SKIP_ZERO);
	assert_int_equal(p.ntrading, 0);
	assert_int_equal(p.nslices, 0);
	alloc_plan_free(&p);
}

/* Disabled and halted accounts are listed with a reason, not split over. */
static void
test_disabled_and_halted_skipped(void **state)
{
	struct alloc_req	r = req(ALLOC_EQUAL, 10);
	struct alloc_plan	p;

	accounts(4);
	fx.a[0].enabled = 0;
	fx.a[2].state = TRADING_HALTED;
	plan_ok(&r, &p);
	assert_int_equal(p.nlegs, 4);
	assert_int_equal(p.legs[0].skip, ALLOC_SKIP_DISABLED);
	assert_string_equal(p.legs[0].reason, "account disabled");
	assert_string_equal(alloc_skip_name(p.legs[0].skip), "disabled");
	assert_int_equal(p.legs[2].skip, ALLOC_SKIP_HALTED);
	assert_int_equal(p.legs[1].lots, 5);
	assert_int_equal(p.legs[3].lots, 5);
	assert_int_equal(p.total_lots, 10);
	alloc_plan_free(&p);
}

/*
 * Under a guard a HALTED account is not left out: it takes its share and
 * the guard refuses its leg (DENIED, rule "halted"), so the fan-out names
 * it.  Disabled accounts are still skipped.
 */
static void
test_guarded_halted_takes_part(void **state)
{
	struct alloc_req	r = req(ALLOC_FIXED, 2);
	struct alloc_plan	p;

	accounts(3);
	fx.a[0].enabled = 0;
	fx.a[1].state = TRADING_HALTED;
	r.guarded = 1;
	plan_ok(&r, &p);
	assert_int_equal(p.nlegs, 3);
	assert_int_equal(p.legs[0].skip, ALLOC_SKIP_DISABLED);
	assert_int_equal(p.legs[1].skip, ALLOC_OK);
	assert_int_equal(p.legs[1].lots, 2);
	assert_int_equal(p.legs[2].lots, 2);
	assert_int_equal(p.ntrading, 2);
	alloc_plan_free(&p);
}

static void
test_caps(void **state)
{
	struct alloc_req	r = req(ALLOC_EQUAL, 12);
	struct alloc_plan	p;
	int64_t			used[3] = { 0, 5, 2 };

	accounts(3);
	fx.a[0].max_lots = 3;	/* 4 wanted, capped to 3 */
	fx.a[1].max_lots = 5;	/* already at cap: not in the split */
	fx.a[2].max_lots = 10;	/* room 8 */
	r.used_lots = used;
	plan_ok(&r, &p);
	assert_int_equal(p.legs[1].skip, ALLOC_SKIP_AT_CAP);
	assert_non_null(strstr(p.legs[1].reason, "max-lots 5"));
	/* 12 over two eligible: 6 and 6; first capped at 3. */
	assert_int_equal(p.legs[0].wanted, 6);
	assert_int_equal(p.legs[0].lots, 3);
	assert_true(p.legs[0].capped);
	assert_non_null(strstr(p.legs[0].reason, "capped from 6 to 3"));
	assert_int_equal(p.legs[2].lots, 6);
	assert_false(p.legs[2].capped);
	assert_int_equal(p.total_lots, 9);
	alloc_plan_free(&p);

	used[2] = 7;
	plan_ok(&r, &p);
	assert_int_equal(p.legs[2].lots, 3);
	assert_true(p.legs[2].capped);
	alloc_plan_free(&p);
}

/* NIFTY lot 65, freeze 1800: 27 lots (1755) per child at most. */
static void
test_slices_freeze(void **state)
{
	struct alloc_req	r = req(ALLOC_FIXED, 30);
	struct alloc_plan	p;

	accounts(2);
	fx.a[1].lots = 2;
	r.freeze_qty = 1800;
	assert_int_equal(alloc_slice_lots(65, 1800), 27);
	plan_ok(&r, &p);
	assert_int_equal(p.slice_lots, 27);
	assert_int_equal(p.legs[0].qty, 1950);
	assert_int_equal(p.legs[0].nslices, 2);
	assert_int_equal(p.slices[p.legs[0].slice0].lots, 27);
	assert_int_equal(p.slices[p.legs[0].slice0].qty, 1755);
	assert_int_equal(p.slices[p.legs[0].slice0].slice, 0);
	assert_int_equal(p.slices[p.legs[0].slice0 + 1].lots, 3);
	assert_int_equal(p.slices[p.legs[0].slice0 + 1].qty, 195);
	assert_int_equal(p.slices[p.legs[0].slice0 + 1].slice, 1);
	/* 60 lots: 27 + 27 + 6, slice numbers restart per account. */
	assert_int_equal(p.legs[1].nslices, 3);
	assert_int_equal(p.slices[p.legs[1].slice0].slice, 0);
	assert_int_equal(p.slices[p.legs[1].slice0 + 2].lots, 6);
	assert_int_equal(p.nslices, 5);
	alloc_plan_free(&p);

	/* Exactly at the freeze quantity is allowed; no freeze: one order. */
	assert_int_equal(alloc_slice_lots(50, 1800), 36);
	assert_int_equal(alloc_slice_lots(65, 0), INT64_MAX);
	r.freeze_qty = 0;
	plan_ok(&r, &p);
	assert_int_equal(p.nslices, 2);
	alloc_plan_free(&p);
}

static void
test_units(void **state)
{
	struct alloc_req	r = req(ALLOC_EQUAL, 650);
	struct alloc_plan	p;
	struct err		e;
	int64_t			lots;

	accounts(3);
	r.unit = ALLOC_UNITS;
	plan_ok(&r, &p);
	assert_int_equal(p.qty_lots, 10);
	assert_int_equal(p.legs[0].lots, 4);
	alloc_plan_free(&p);

	r.qty = 100;
	err_clear(&e);
	assert_int_equal(alloc_plan(&r, &fx.m, &p, &e), -1);
	assert_string_equal(e.code, "bad-qty");
	assert_non_null(strstr(e.msg, "100 units"));
	assert_non_null(strstr(e.msg, "lot size 65"));
	assert_non_null(strstr(e.msg, "65 or 130"));
	assert_null(p.legs);

	assert_int_equal(alloc_qty_lots(130, ALLOC_UNITS, 65, &lots, &e), 0);
	assert_int_equal(lots, 2);
	assert_int_equal(alloc_qty_lots(0, ALLOC_LOTS, 65, &lots, &e), -1);
	assert_string_equal(e.code, "bad-qty");
	assert_int_equal(alloc_qty_lots(5, ALLOC_LOTS, 0, &lots, &e), -1);
	assert_string_equal(e.code, "bad-lot-size");
}

static void
test_bad_input(void **state)
{
	struct alloc_req	r = req(ALLOC_CAPITAL, 5);
	struct alloc_plan	p;
	struct err		e;

	accounts(2);
	err_clear(&e);
	assert_int_equal(alloc_plan(&r, &fx.m, &p, &e), -1);
	assert_string_equal(e.code, "no-weights");
	assert_non_null(strstr(e.msg, "capital"));

	r = req(ALLOC_EQUAL, 5);
	r.freeze_qty = 60;
	assert_int_equal(alloc_plan(&r, &fx.m, &p, &e), -1);
	assert_string_equal(e.code, "bad-freeze");

	r = req(ALLOC_FIXED, INT64_MAX / 2);
	fx.a[0].lots = 3;
	assert_int_equal(alloc_plan(&r, &fx.m, &p, &e), -1);
	assert_string_equal(e.code, "overflow");

	r = req(ALLOC_MULTIPLIER, INT64_MAX);
	fx.a[0].multiplier = 2 * CORE_RATIO_ONE;
	assert_int_equal(alloc_plan(&r, &fx.m, &p, &e), -1);
	assert_string_equal(e.code, "overflow");
}

/* Huge capitals and quantities: the products need 128 bits. */
static void
test_no_overflow_in_split(void **state)
{
	struct alloc_req	r = req(ALLOC_CAPITAL, ALLOC_MAX_UNITS - 1);
	struct alloc_plan	p;
	struct err		e;

	accounts(3);
	r.lot_size = 1;
	fx.a[0].capital = INT64_MAX / 2;
	fx.a[1].capital = INT64_MAX / 3;
	fx.a[2].capital = 7;
	plan_ok(&r, &p);
	assert_int_equal(p.legs[0].lots + p.legs[1].lots + p.legs[2].lots,
	    ALLOC_MAX_UNITS - 1);
	alloc_plan_free(&p);

	/* Past the ceiling the products still do not overflow: refused. */
	r.qty = INT64_MAX / 4;
	err_clear(&e);
	assert_int_equal(alloc_plan(&r, &fx.m, &p, &e), -1);
	assert_string_equal(e.code, "too-large");
	assert_null(p.slices);
}

/*
 * No quantity, multiplier or capital can make a plan of millions of
 * child orders (the 2 GB plan of "buy FUT 2147483647 to all"): a leg
 * above ALLOC_MAX_UNITS or ALLOC_MAX_SLICES refuses the whole plan.
 */
static void
test_ceilings(void **state)
{
	struct alloc_req	r = req(ALLOC_FIXED, 2147483647);
	struct alloc_plan	p;
	struct err		e;

	accounts(3);
	r.lot_size = 75;
	r.freeze_qty = 1800;
	err_clear(&e);
	assert_int_equal(alloc_plan(&r, &fx.m, &p, &e), -1);
	assert_string_equal(e.code, "too-large");
	assert_non_null(strstr(e.msg, "account \"a0\""));
	assert_int_equal(p.nslices, 0);
	assert_null(p.legs);

	/* 24 lots a slice: 50 slices are 1200 lots, 1201 need 51. */
	r.qty = 1200;
	plan_ok(&r, &p);
	assert_int_equal(p.legs[0].nslices, ALLOC_MAX_SLICES);
	assert_int_equal(p.nslices, 3 * ALLOC_MAX_SLICES);
	alloc_plan_free(&p);
	r.qty = 1201;
	assert_int_equal(alloc_plan(&r, &fx.m, &p, &e), -1);
	assert_string_equal(e.code, "too-large");
	assert_non_null(strstr(e.msg, "need 51 orders of at most 24 lots"));

	/* A runaway multiplier or account lots, not the signal. */
	r = req(ALLOC_MULTIPLIER, 100);
	fx.a[2].multiplier = 10000 * CORE_RATIO_ONE;
	assert_int_equal(alloc_plan(&r, &fx.m, &p, &e), -1);
	assert_string_equal(e.code, "too-large");
	assert_non_null(strstr(e.msg, "account \"a2\": 1000000 lots of 65 "
	    "units"));
	r = req(ALLOC_FIXED, 100);
	fx.a[1].lots = 100000;
	assert_int_equal(alloc_plan(&r, &fx.m, &p, &e), -1);
	assert_string_equal(e.code, "too-large");
	/* ... unless max-lots caps it first. */
	fx.a[1].max_lots = 20;
	plan_ok(&r, &p);
	assert_int_equal(p.legs[1].lots, 20);
	alloc_plan_free(&p);

	/* Capital split of a huge signal over one account. */
	accounts(1);
	fx.a[0].capital = 100;
	r = req(ALLOC_CAPITAL, 10000000);
	assert_int_equal(alloc_plan(&r, &fx.m, &p, &e), -1);
	assert_string_equal(e.code, "too-large");

	/* The ceiling itself is allowed: lot size 1, no freeze. */
	r = req(ALLOC_FIXED, ALLOC_MAX_UNITS);
	r.lot_size = 1;
	plan_ok(&r, &p);
	assert_int_equal(p.legs[0].qty, ALLOC_MAX_UNITS);
	assert_int_equal(p.nslices, 1);
	alloc_plan_free(&p);
	r.qty++;
	assert_int_equal(alloc_plan(&r, &fx.m, &p, &e), -1);
	assert_string_equal(e.code, "too-large");
}

static uint64_t	rng = 88172645463325252ull;

static uint64_t
rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

/* Remainders never create or lose a lot, whatever the weights. */
static void
test_property_sum(void **state)
{
	static const enum alloc_policy pol[] = {
		ALLOC_EQUAL, ALLOC_CAPITAL, ALLOC_RATIO
	};
	struct alloc_req	r;
	struct alloc_plan	p;
	int64_t			sum, prev;
	size_t			i, k, n, iter;

	for (iter = 0; iter < 20000; iter++) {
		n = 1 + (size_t)rnd(MAXACCT);
		accounts(n);
		for (i = 0; i < n; i++) {
			fx.a[i].capital = (int64_t)rnd(1000000000000ull) + 1;
			fx.a[i].weight = (int64_t)rnd(100000) + 1;
			if (rnd(4) == 0)
				fx.a[i].enabled = 0;
		}
		fx.a[rnd(n)].enabled = 1;
		r = req(pol[iter % 3], 1 + (int64_t)rnd(iter % 2 ? 50 : 100000));
		/* 50 slices of 27 lots at most (ALLOC_MAX_SLICES). */
		r.freeze_qty = r.qty <= 1350 && rnd(2) ? 1800 : 0;
		plan_ok(&r, &p);
		sum = 0;
		for (i = 0; i < n; i++) {
			sum += p.legs[i].lots;
			prev = 0;
			for (k = 0; k < p.legs[i].nslices; k++)
				prev += p.slices[p.legs[i].slice0 + k].lots;
			assert_int_equal(prev, p.legs[i].lots);
		}
		assert_int_equal(sum, r.qty);
		assert_int_equal(p.total_lots, r.qty);
		/* Equal: nobody differs by more than one lot. */
		if (r.policy == ALLOC_EQUAL) {
			for (i = 1; i < n; i++) {
				if (p.legs[i].skip == ALLOC_SKIP_DISABLED)
					continue;
				assert_true(p.legs[i].wanted <=
				    p.legs[0].wanted + 1 || !fx.a[0].enabled);
			}
		}
		alloc_plan_free(&p);
	}
}

static void
test_names(void **state)
{
	enum alloc_policy	p;

	assert_int_equal(alloc_policy_parse("capital", &p), 0);
	assert_int_equal(p, ALLOC_CAPITAL);
	assert_string_equal(alloc_policy_name(ALLOC_RATIO), "ratio");
	assert_int_equal(alloc_policy_parse("lots", &p), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_4_3_3),
		cmocka_unit_test(test_capital_1_2_4),
		cmocka_unit_test(test_capital_ties_by_priority),
		cmocka_unit_test(test_ratio_largest_remainder),
		cmocka_unit_test(test_multiplier_half),
		cmocka_unit_test(test_fixed_uses_account_lots),
		cmocka_unit_test(test_multiplier_zero_skipped),
		cmocka_unit_test(test_disabled_and_halted_skipped),
		cmocka_unit_test(test_guarded_halted_takes_part),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_slices_freeze),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_no_overflow_in_split),
		cmocka_unit_test(test_ceilings),
		cmocka_unit_test(test_property_sum),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
