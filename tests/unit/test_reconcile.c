/*
 * The reconciler's decisions (src/exec/reconcile_match.c): which broker
 * order is which leg, and what a fan-out whose sender died has become.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exec/exec.h"

static const struct recon_book_entry book[] = {
	{ "", "2501" },			/* placed at the broker by hand */
	{ "P1111061", "2502" },
	{ "P11112s3", "2503" },
	{ NULL, "2504" },
	{ "P11112s3", "2505" },		/* a tag twice: the first wins */
};

static void
match_by_tag(void **state)
{
	assert_int_equal(reconcile_book_match(book, 5, "P1111061", NULL), 1);
	assert_int_equal(reconcile_book_match(book, 5, "P11112s3", ""), 2);
	/* The tag decides even when a stale broker id points elsewhere. */
	assert_int_equal(reconcile_book_match(book, 5, "P1111061", "2504"),
	    1);
}

static void
match_by_broker_id(void **state)
{
	/* No tag (or one the broker dropped): the id the ack gave. */
	assert_int_equal(reconcile_book_match(book, 5, NULL, "2504"), 3);
	assert_int_equal(reconcile_book_match(book, 5, "", "2501"), 0);
	assert_int_equal(reconcile_book_match(book, 5, "Pnothere", "2503"), 2);
}

static void
match_nothing(void **state)
{
	/* Empty tags and ids never match an entry that has none. */
	assert_int_equal(reconcile_book_match(book, 5, "", ""), -1);
	assert_int_equal(reconcile_book_match(book, 5, NULL, NULL), -1);
	assert_int_equal(reconcile_book_match(book, 5, "P9", "9999"), -1);
	assert_int_equal(reconcile_book_match(NULL, 0, "P1111061", "2502"),
	    -1);
	/* A prefix is not a tag. */
	assert_int_equal(reconcile_book_match(book, 5, "P111106", NULL), -1);
}

static void
leg_outcomes(void **state)
{
	/* At the broker: never sent again, whatever the store said. */
	assert_int_equal(reconcile_leg(1, "NEW", 1, 0), RECON_AT_BROKER);
	assert_int_equal(reconcile_leg(1, "SUBMITTED", 0, 1), RECON_AT_BROKER);
	/* Refused before the book: settled already. */
	assert_int_equal(reconcile_leg(0, "DENIED", 1, 0), RECON_FAILED);
	assert_int_equal(reconcile_leg(0, "REJECTED", 0, 0), RECON_FAILED);
	/* Absent: only after the window is it "never sent". */
	assert_int_equal(reconcile_leg(0, "NEW", 1, 0), RECON_WAIT);
	assert_int_equal(reconcile_leg(0, "SUBMITTED", 1, 0), RECON_WAIT);
	assert_int_equal(reconcile_leg(0, "NEW", 1, 1), RECON_NEVER_SENT);
	assert_int_equal(reconcile_leg(0, "UNKNOWN", 1, 1), RECON_NEVER_SENT);
	/* An unreadable book decides nothing, even after the window. */
	assert_int_equal(reconcile_leg(0, "NEW", 0, 1), RECON_UNREAD);
	assert_int_equal(reconcile_leg(0, "SUBMITTED", 0, 1), RECON_UNREAD);
}

static const char *
verdict_of(const enum recon_leg *l, const char *const *st, size_t n)
{
	struct recon_tally	t;
	size_t			i;

	memset(&t, 0, sizeof t);
	for (i = 0; i < n; i++)
		reconcile_tally(&t, l[i], st[i]);
	return reconcile_verdict(&t);
}

static void
verdicts(void **state)
{
	const enum recon_leg	 all_at[] = { RECON_AT_BROKER, RECON_AT_BROKER,
				    RECON_AT_BROKER };
	const char *const	 filled[] = { "FILLED", "FILLED", "OPEN" };
	const char *const	 one_rej[] = { "FILLED", "REJECTED", "FILLED" };
	const char *const	 all_rej[] = { "REJECTED", "REJECTED",
				    "EXPIRED" };
	const enum recon_leg	 some_never[] = { RECON_AT_BROKER,
				    RECON_NEVER_SENT, RECON_FAILED };
	const char *const	 some_never_st[] = { "FILLED", "NEW", "DENIED" };
	const enum recon_leg	 waiting[] = { RECON_AT_BROKER,
				    RECON_NEVER_SENT, RECON_WAIT };
	const enum recon_leg	 unread[] = { RECON_NEVER_SENT, RECON_UNREAD,
				    RECON_AT_BROKER };
	const char *const	 three_new[] = { "NEW", "NEW", "FILLED" };
	const enum recon_leg	 denied[] = { RECON_FAILED, RECON_AT_BROKER,
				    RECON_AT_BROKER };
	const char *const	 denied_st[] = { "DENIED", "FILLED", "FILLED" };

	assert_string_equal(verdict_of(all_at, filled, 3), "COMPLETED");
	assert_string_equal(verdict_of(all_at, one_rej, 3), "PARTIAL");
	assert_string_equal(verdict_of(all_at, all_rej, 3), "FAILED");
	assert_string_equal(verdict_of(some_never, some_never_st, 3),
	    "INTERRUPTED");
	assert_string_equal(verdict_of(denied, denied_st, 3), "PARTIAL");
	/* Undecided legs keep it RUNNING: looked at again later. */
	assert_null(verdict_of(waiting, three_new, 3));
	assert_null(verdict_of(unread, three_new, 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(match_by_tag),
		cmocka_unit_test(match_by_broker_id),
		cmocka_unit_test(match_nothing),
		cmocka_unit_test(leg_outcomes),
		cmocka_unit_test(verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
