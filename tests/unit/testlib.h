/*
 * Scaffolding shared by the unit tests that drive the real loop.  Each
 * tests/unit/test_*.c is its own program, so this is a header of static
 * functions, not a library: include it after <cmocka.h>.
 */
#ifndef PX_TESTLIB_H
#define PX_TESTLIB_H

#include <stdint.h>

#include "net/net.h"

static int		*testlib_counter;
static int		 testlib_target;
static int64_t		 testlib_deadline;
static int		 testlib_expired;

static void
testlib_tick(evutil_socket_t fd, short what, void *arg)
{
	if (*testlib_counter >= testlib_target)
		loop_exit();
	else if (time_mono_us() > testlib_deadline) {
		testlib_expired = 1;
		loop_exit();
	}
}

/*
 * Run the loop until *counter reaches target; fails the test after ms.
 * A 1ms tick polls the counter, so the code under test needs no hook.
 */
static void
run_until(int *counter, int target, int ms)
{
	struct event	*ev;
	struct timeval	 tv = { 0, 1000 };

	testlib_counter = counter;
	testlib_target = target;
	testlib_deadline = time_mono_us() + (int64_t)ms * 1000;
	testlib_expired = 0;
	ev = event_new(loop_base(), -1, EV_PERSIST, testlib_tick, NULL);
	event_add(ev, &tv);
	loop_run();
	event_free(ev);
	if (testlib_expired)
		fail_msg("timed out waiting (%d of %d)", *counter, target);
}

static int	testlib_waited;

static inline void
testlib_wait_over(void *arg)
{
	testlib_waited = 1;
}

/* Turn the loop for ms, whatever happens meanwhile. */
static inline void
loop_for(int ms)
{
	testlib_waited = 0;
	loop_later((int64_t)ms * 1000, testlib_wait_over, NULL);
	run_until(&testlib_waited, 1, ms + 5000);
}

#endif
