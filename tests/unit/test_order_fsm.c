/*
 * The order state machine (src/core/order.c) against a table written out
 * here independently, one legal step per line: every one of the 144 pairs
 * is checked both ways.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/order.h"

#define N BROKER_NEW
#define D BROKER_DENIED
#define SU BROKER_SUBMITTED
#define O BROKER_OPEN
#define T BROKER_TRIGGER_PENDING
#define PF BROKER_PARTIALLY_FILLED
#define F BROKER_FILLED
#define PC BROKER_PENDING_CANCEL
#define C BROKER_CANCELLED
#define R BROKER_REJECTED
#define E BROKER_EXPIRED
#define U BROKER_UNKNOWN

static const struct { enum broker_state from, to; } legal[] = {
	{ N, SU }, { N, D }, { N, C }, { N, R }, { N, U },
	{ SU, SU }, { SU, O }, { SU, T }, { SU, PF }, { SU, F }, { SU, PC },
	{ SU, C }, { SU, R }, { SU, E }, { SU, U },
	{ O, O }, { O, T }, { O, PF }, { O, F }, { O, PC }, { O, C },
	{ O, R }, { O, E }, { O, U },
	{ T, O }, { T, T }, { T, PF }, { T, F }, { T, PC }, { T, C },
	{ T, R }, { T, E }, { T, U },
	{ PF, PF }, { PF, F }, { PF, PC }, { PF, C }, { PF, E }, { PF, U },
	{ PC, O }, { PC, T }, { PC, PF }, { PC, F }, { PC, PC }, { PC, C },
	{ PC, R }, { PC, E }, { PC, U },
	/* A late fill after a cancel. */
	{ C, PF }, { C, F },
	/* Whatever the broker's book says. */
	{ U, SU }, { U, O }, { U, T }, { U, PF }, { U, F }, { U, PC },
	{ U, C }, { U, R }, { U, E }, { U, U },
};

static int
expected(enum broker_state from, enum broker_state to)
{
	size_t	i;

	for (i = 0; i < sizeof legal / sizeof legal[0]; i++) {
		if (legal[i].from == from && legal[i].to == to)
			return 1;
	}
	return 0;
}

static void
test_every_pair(void **state)
{
	struct err	e;
	int		from, to, want, nlegal = 0;

	for (from = 0; from < BROKER_NSTATES; from++) {
		for (to = 0; to < BROKER_NSTATES; to++) {
			want = expected(from, to);
			nlegal += want;
			err_clear(&e);
			if (order_fsm_legal(from, to) != want)
				fail_msg("%s -> %s: expected %s",
				    broker_state_name(from),
				    broker_state_name(to),
				    want ? "legal" : "illegal");
			assert_int_equal(order_fsm_step(from, to, &e),
			    want ? 0 : -1);
			assert_int_equal(err_isset(&e), !want);
		}
	}
	assert_int_equal(nlegal, sizeof legal / sizeof legal[0]);
}

static void
test_message_names_both(void **state)
{
	struct err	e;

	err_clear(&e);
	assert_int_equal(order_fsm_step(BROKER_FILLED, BROKER_OPEN, &e), -1);
	assert_string_equal(e.code, "bad-transition");
	assert_non_null(strstr(e.msg, "FILLED"));
	assert_non_null(strstr(e.msg, "OPEN"));
	assert_int_equal(order_fsm_step(BROKER_REJECTED, BROKER_FILLED, &e),
	    -1);
	assert_non_null(strstr(e.msg, "REJECTED cannot become FILLED"));
}

static void
test_final_and_range(void **state)
{
	assert_true(order_fsm_final(BROKER_FILLED));
	assert_true(order_fsm_final(BROKER_DENIED));
	assert_true(order_fsm_final(BROKER_REJECTED));
	assert_true(order_fsm_final(BROKER_EXPIRED));
	assert_true(order_fsm_final(BROKER_CANCELLED));
	assert_false(order_fsm_final(BROKER_OPEN));
	assert_false(order_fsm_final(BROKER_UNKNOWN));
	assert_false(order_fsm_final(BROKER_NEW));
	assert_false(order_fsm_legal(BROKER_NSTATES, BROKER_OPEN));
	assert_false(order_fsm_legal(BROKER_OPEN, (enum broker_state)-1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_pair),
		cmocka_unit_test(test_message_names_both),
		cmocka_unit_test(test_final_and_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
