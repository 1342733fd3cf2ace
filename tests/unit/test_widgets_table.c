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
	{ "Account", 6, 16, WALIGN_LEFT, 0, 0 },
	{ "Broker", 4, 10, WALIGN_LEFT, 0, 0 },
	{ "MTM", 8, 0, WALIGN_RIGHT, WCOL_NUM, 0 },
};

/* The matrix's columns, as the console has them. */
static const struct wtable_col mcols[] = {
	{ "Account", 7, 24, WALIGN_LEFT, WCOL_PIN, 10 },
	{ "Broker", 6, 16, WALIGN_LEFT, WCOL_DROP, 1 },
	{ "Tags", 4, 24, WALIGN_LEFT, WCOL_DROP, 0 },
	{ "RMS", 6, 8, WALIGN_LEFT, 0, 8 },
	{ "MTM", 6, 16, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 9 },
	{ "Day PnL", 6, 16, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 6 },
	{ "Margin", 6, 16, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 4 },
	{ "Ack ms", 5, 9, WALIGN_RIGHT, WCOL_NUM, 5 },
};

static void
mmeasure(struct wtable_measure *m)
{
	/* natural, cells, compact: "1,02,82,000.00" compacts to "1.03 Cr". */
	static const struct wtable_measure v[] = {
		{ 8, 6, 0 }, { 9, 9, 0 }, { 16, 16, 0 }, { 7, 6, 0 },
		{ 9, 9, 7 }, { 9, 9, 7 }, { 14, 14, 7 }, { 7, 4, 0 },
	};

	memcpy(m, v, sizeof v);
}

static void
test_fit_wide_shows_all(void **state)
{
	struct wtable_measure	m[8];
	struct wtable_fitting	f;
	unsigned char		c[8];
	int			w[8], i;

	mmeasure(m);
	wtable_fit(mcols, 8, m, 158, 1, 0, w, c, &f);
	assert_int_equal(f.shown, 8);
	assert_int_equal(f.more_right, 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(c[i], 0);
		assert_true(w[i] >= m[i].cells);
	}
}

/* Numbers keep their whole width; text shrinks, then drops. */
static void
test_fit_numbers_never_cut(void **state)
{
	struct wtable_measure	m[8];
	struct wtable_fitting	f;
	unsigned char		c[8];
	int			w[8], i, avail;

	mmeasure(m);
	for (avail = 78; avail >= 20; avail--) {
		wtable_fit(mcols, 8, m, avail, 1, 0, w, c, &f);
		for (i = 0; i < 8; i++) {
			if (w[i] == 0 || !(mcols[i].flags & WCOL_NUM))
				continue;
			if (c[i])
				assert_true(w[i] >= m[i].compact);
			else
				assert_true(w[i] >= m[i].cells);
		}
		if (f.more_right == 0 && avail < 60) {
			/* Everything that is shown fits. */
			int total = -1;

			for (i = 0; i < 8; i++)
				total += w[i] ? w[i] + 1 : 0;
			assert_true(total <= avail);
		}
	}
	/* At 60 the tags and the broker go before any money compacts. */
	wtable_fit(mcols, 8, m, 60, 1, 0, w, c, &f);
	assert_int_equal(w[2], 0);
	assert_int_equal(c[4] | c[5] | c[6], 0);
	assert_int_equal(w[6], 14);
	/* At 50 the margin (lowest money priority) compacts first. */
	wtable_fit(mcols, 8, m, 50, 1, 0, w, c, &f);
	assert_int_equal(c[6], 1);
	assert_int_equal(c[4], 0);
	assert_int_equal(w[6], 7);
	/* At 30 columns go behind the marker, the account stays. */
	wtable_fit(mcols, 8, m, 30, 1, 0, w, c, &f);
	assert_true(f.more_right > 0);
	assert_true(w[0] > 0);
}

static void
test_fit_scrolls(void **state)
{
	struct wtable_measure	m[8];
	struct wtable_fitting	f;
	unsigned char		c[8];
	int			w[8];

	mmeasure(m);
	wtable_fit(mcols, 8, m, 30, 1, 3, w, c, &f);
	assert_int_equal(f.more_left, 3);
	assert_true(w[0] > 0);		/* pinned */
	assert_int_equal(w[1], 0);
	assert_int_equal(w[3], 0);
	assert_true(w[4] > 0);		/* MTM is the first one shown */
}

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
	assert_int_equal(t->measure[0].natural, 12);
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
		cmocka_unit_test(test_fit_wide_shows_all),
		cmocka_unit_test(test_fit_numbers_never_cut),
		cmocka_unit_test(test_fit_scrolls),
		cmocka_unit_test(test_scroll),
		cmocka_unit_test(test_cmp_cells),
		cmocka_unit_test(test_filter_sort_cursor),
		cmocka_unit_test(test_refresh_keeps_cursor),
		cmocka_unit_test(test_natural_widths_use_display_width),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
