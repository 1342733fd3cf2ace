/* Table model: column widths, scrolling, filter, sort, cursor by key. */
#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/widgets.h"

static const struct wtable_col cols[] = {
	{ "Account", 6, 16, WALIGN_LEFT, 0 },
	{ "Broker", 4, 10, WALIGN_LEFT, 0 },
	{ "MTM", 8, 0, WALIGN_RIGHT, WCOL_NUM },
};

static void
test_layout_fits(void **state)
{
	int	nat[3] = { 10, 8, 12 }, out[3];

	assert_int_equal(wtable_layout(cols, 3, nat, 80, 1, out), 3);
	assert_int_equal(out[0], 10);
	assert_int_equal(out[1], 8);
	assert_int_equal(out[2], 12);
}

static void
test_layout_clamps(void **state)
{
	int	nat[3] = { 40, 1, 3 }, out[3];

	wtable_layout(cols, 3, nat, 80, 1, out);
	assert_int_equal(out[0], 16);	/* max */
	assert_int_equal(out[1], 4);	/* min */
	assert_int_equal(out[2], 8);
}

static void
test_layout_shrinks_widest_first(void **state)
{
	int	nat[3] = { 16, 10, 12 }, out[3];

	/* 16 + 10 + 12 + 2 gaps = 40; squeeze to 34. */
	assert_int_equal(wtable_layout(cols, 3, nat, 34, 1, out), 3);
	assert_int_equal(out[0] + out[1] + out[2] + 2, 34);
	assert_true(out[0] >= cols[0].min && out[1] >= cols[1].min &&
	    out[2] >= cols[2].min);
	assert_int_equal(out[0], 11);
	assert_int_equal(out[2], 11);
}

static void
test_layout_drops_columns(void **state)
{
	int	nat[3] = { 16, 10, 12 }, out[3];

	/* Minimums 6 + 4 + 8 + 2 = 20: at 15 the last column goes. */
	assert_int_equal(wtable_layout(cols, 3, nat, 15, 1, out), 2);
	assert_int_equal(out[2], 0);
	assert_true(out[0] + out[1] + 1 <= 15);
	assert_int_equal(wtable_layout(cols, 3, nat, 3, 1, out), 0);
}

static void
test_scroll(void **state)
{
	assert_int_equal(wtable_scroll(0, 0, 10, 100), 0);
	assert_int_equal(wtable_scroll(0, 15, 10, 100), 6);
	assert_int_equal(wtable_scroll(20, 15, 10, 100), 15);
	assert_int_equal(wtable_scroll(95, 99, 10, 100), 90);
	assert_int_equal(wtable_scroll(50, 3, 10, 5), 0);
	assert_int_equal(wtable_scroll(5, 5, 0, 10), 0);
	assert_int_equal(wtable_scroll(5, 50, 10, 0), 0);
}

static void
test_cmp_cells(void **state)
{
	assert_true(wtable_cmp_cells("9", "10", 1) < 0);
	assert_true(wtable_cmp_cells("9", "10", 0) > 0);
	assert_true(wtable_cmp_cells("-1,200.50", "300", 1) < 0);
	assert_true(wtable_cmp_cells("12,34,567", "9,99,999", 1) > 0);
	/* Blanks and dashes sort after numbers. */
	assert_true(wtable_cmp_cells("-", "5", 1) > 0);
	assert_true(wtable_cmp_cells("", "5", 1) > 0);
	assert_int_equal(wtable_cmp_cells("", "-", 1), 0);
}

static struct wtable *
sample(void)
{
	struct wtable	*t = wtable_new(cols, 3);
	size_t		 r;

	r = wtable_add(t, "alice", WR_NORMAL);
	wtable_set(t, r, 0, "alice");
	wtable_set(t, r, 1, "zerodha");
	wtable_set(t, r, 2, "1,200.00");
	r = wtable_add(t, "bob", WR_NORMAL);
	wtable_set(t, r, 0, "bob");
	wtable_set(t, r, 1, "paper");
	wtable_set(t, r, 2, "-300.00");
	r = wtable_add(t, "carol", WR_NORMAL);
	wtable_set(t, r, 0, "carol");
	wtable_set(t, r, 1, "zerodha");
	wtable_set(t, r, 2, "-");
	wtable_commit(t);
	return t;
}

static void
test_filter_sort_cursor(void **state)
{
	struct wtable	*t = sample();

	assert_int_equal(t->nvis, 3);
	assert_string_equal(wtable_current(t)->key, "alice");
	widget_key(&t->w, 'j');
	assert_string_equal(wtable_current(t)->key, "bob");

	wtable_sort(t, 2, 0);
	assert_string_equal(t->rows[t->vis[0]].key, "bob");
	assert_string_equal(t->rows[t->vis[2]].key, "carol");
	/* The cursor followed bob. */
	assert_string_equal(wtable_current(t)->key, "bob");
	wtable_sort(t, 2, 1);
	assert_string_equal(t->rows[t->vis[0]].key, "alice");
	assert_string_equal(t->rows[t->vis[2]].key, "carol");

	wtable_set_filter(t, "ZERO");
	assert_int_equal(t->nvis, 2);
	/* bob is filtered out: the cursor keeps its place in the list. */
	assert_string_equal(wtable_current(t)->key, "carol");
	wtable_set_filter(t, "nobody");
	assert_int_equal(t->nvis, 0);
	assert_null(wtable_current(t));
	assert_int_equal(widget_key(&t->w, 'j'), WIDGET_IGNORED);
	wtable_set_filter(t, NULL);
	assert_int_equal(t->nvis, 3);
	widget_free(&t->w);
}

/* A refresh rebuilds the rows; the cursor stays on the same account. */
static void
test_refresh_keeps_cursor(void **state)
{
	struct wtable	*t = sample();
	size_t		 r;

	widget_key(&t->w, 'G');
	assert_string_equal(wtable_current(t)->key, "carol");
	wtable_clear(t);
	r = wtable_add(t, "carol", WR_NORMAL);
	wtable_set(t, r, 0, "carol");
	r = wtable_add(t, "dave", WR_NORMAL);
	wtable_set(t, r, 0, "dave");
	r = wtable_add(t, "erin", WR_NORMAL);
	wtable_set(t, r, 0, "erin");
	wtable_commit(t);
	assert_string_equal(wtable_current(t)->key, "carol");
	/* Gone: the cursor stays in range. */
	wtable_clear(t);
	r = wtable_add(t, "zed", WR_NORMAL);
	wtable_commit(t);
	assert_string_equal(wtable_current(t)->key, "zed");
	assert_int_equal(t->cursor, 0);
	widget_free(&t->w);
}

static void
test_natural_widths_use_display_width(void **state)
{
	struct wtable	*t = wtable_new(cols, 3);
	size_t		 r;

	r = wtable_add(t, "k", WR_NORMAL);
	/* Six CJK characters: 12 columns, 18 bytes. */
	wtable_set(t, r, 0, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	wtable_commit(t);
	assert_int_equal(t->natural[0], 12);
	widget_free(&t->w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_fits),
		cmocka_unit_test(test_layout_clamps),
		cmocka_unit_test(test_layout_shrinks_widest_first),
		cmocka_unit_test(test_layout_drops_columns),
		cmocka_unit_test(test_scroll),
		cmocka_unit_test(test_cmp_cells),
		cmocka_unit_test(test_filter_sort_cursor),
		cmocka_unit_test(test_refresh_keeps_cursor),
		cmocka_unit_test(test_natural_widths_use_display_width),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
