/* The per-account token bucket (src/exec/throttle.c) on a fake clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "exec/exec.h"

static void
test_burst_then_rate(void **state)
{
	struct throttle	t;
	int64_t		now = 1000000;
	int		i;

	throttle_init(&t, 10, 0, now);
	assert_int_equal(t.rate, 10);
	assert_int_equal(t.burst, 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(throttle_take(&t, now), 0);
	/* Empty: the next token is 100 ms away, and waiting takes none. */
	assert_int_equal(throttle_take(&t, now), 100000);
	assert_int_equal(throttle_take(&t, now + 40000), 60000);
	assert_int_equal(throttle_take(&t, now + 99999), 1);
	assert_int_equal(throttle_take(&t, now + 100000), 0);
	assert_int_equal(throttle_take(&t, now + 100000), 100000);
}

/* Over any long stretch, no more than rate x seconds + burst get through. */
static void
test_long_run_rate(void **state)
{
	struct throttle	t;
	int64_t		now = 0, wait;
	int		sent = 0;

	throttle_init(&t, 10, 10, now);
	while (now <= 60000000) {
		if ((wait = throttle_take(&t, now)) == 0)
			sent++;
		else
			now += wait;
	}
	assert_int_equal(sent, 10 * 60 + 10);
}

static void
test_defaults_and_idle(void **state)
{
	struct throttle	t;

	throttle_init(&t, 0, 0, 5);
	assert_int_equal(t.rate, THROTTLE_DEFAULT_RATE);
	assert_int_equal(throttle_available(&t, 5), 10);
	while (throttle_take(&t, 5) == 0)
		;
	assert_int_equal(throttle_available(&t, 5), 0);
	/* A day idle refills to the burst, no further, without overflow. */
	assert_int_equal(throttle_available(&t, 86400000000LL), 10);
	/* A clock stepping back refills nothing. */
	assert_int_equal(throttle_take(&t, 1), 0);
	assert_int_equal(throttle_available(&t, 1), 9);
}

static void
test_burst_one(void **state)
{
	struct throttle	t;

	throttle_init(&t, 4, 1, 0);
	assert_int_equal(throttle_take(&t, 0), 0);
	assert_int_equal(throttle_take(&t, 0), 250000);
	assert_int_equal(throttle_take(&t, 1000000), 0);
	assert_int_equal(throttle_take(&t, 1000000), 250000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_long_run_rate),
		cmocka_unit_test(test_defaults_and_idle),
		cmocka_unit_test(test_burst_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
