/* Finding an order by client tag and the read backoff (src/exec/book.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exec/router_int.h"

static void
set_order(struct broker_order *o, const char *id, const char *tag,
    int64_t filled)
{
	memset(o, 0, sizeof *o);
	snprintf(o->order_id, sizeof o->order_id, "%s", id);
	snprintf(o->tag, sizeof o->tag, "%s", tag);
	o->filled = filled;
}

static void
test_find_tag(void **state)
{
	struct broker_order	 book[4];
	const struct broker_order *o;
	size_t			 n;

	set_order(&book[0], "1", "P1100a", 0);
	set_order(&book[1], "2", "", 0);
	set_order(&book[2], "3", "P1100b", 65);
	set_order(&book[3], "4", "P1100a2", 0);
	o = book_find_tag(book, 4, "P1100b", &n);
	assert_non_null(o);
	assert_string_equal(o->order_id, "3");
	assert_int_equal(n, 1);
	/* A prefix of another tag is not that tag. */
	o = book_find_tag(book, 4, "P1100a", &n);
	assert_string_equal(o->order_id, "1");
	assert_int_equal(n, 1);
	assert_null(book_find_tag(book, 4, "P1100c", &n));
	assert_int_equal(n, 0);
	/* An empty tag never matches an untagged order. */
	assert_null(book_find_tag(book, 4, "", &n));
	assert_null(book_find_tag(NULL, 0, "P1100a", NULL));
}

/* Placed twice under one tag: the one with fills, so none is missed. */
static void
test_find_tag_twice(void **state)
{
	struct broker_order	 book[3];
	const struct broker_order *o;
	size_t			 n;

	set_order(&book[0], "1", "P1100a", 0);
	set_order(&book[1], "2", "P1100a", 130);
	set_order(&book[2], "3", "P1100a", 65);
	o = book_find_tag(book, 3, "P1100a", &n);
	assert_string_equal(o->order_id, "2");
	assert_int_equal(n, 3);
}

static void
test_backoff(void **state)
{
	int	a;
	int64_t	d;

	for (a = 0; a < 40; a++) {
		d = book_backoff_us(a);
		assert_true(d >= 50000);
		assert_true(d <= 2000000);
	}
	/* Doubling: the fifth wait is at least half of 1.6 s. */
	assert_true(book_backoff_us(5) >= 800000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_tag),
		cmocka_unit_test(test_find_tag_twice),
		cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
