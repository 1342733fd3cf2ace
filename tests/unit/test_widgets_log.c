/*
 * Log view ring buffer, follow and filter; the confirmation dialog's keys;
 * tab layout; timeline order and placement (widgets/logview.c, dialog.c,
 * status.c, timeline.c).
 */
#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/widgets.h"

static void
test_ring_drops_oldest(void **state)
{
	struct wlog	*l = wlog_new(NULL, 3);

	wlog_add(l, WR_NORMAL, "one");
	wlog_add(l, WR_GOOD, "two");
	assert_int_equal(l->n, 2);
	assert_string_equal(wlog_line(l, 0)->text, "one");
	wlog_add(l, WR_BAD, "three");
	wlog_addf(l, WR_WARN, "%s", "four");
	assert_int_equal(l->n, 3);
	assert_int_equal(l->added, 4);
	assert_string_equal(wlog_line(l, 0)->text, "two");
	assert_string_equal(wlog_line(l, 2)->text, "four");
	assert_int_equal(wlog_line(l, 2)->role, WR_WARN);
	assert_null(wlog_line(l, 3));
	widget_free(&l->w);
}

static void
test_visible_follow_and_scroll(void **state)
{
	struct wlog		*l = wlog_new(NULL, 100);
	const struct wlog_line	*v[4];
	char			 buf[32];
	int			 i;

	for (i = 0; i < 10; i++) {
		snprintf(buf, sizeof buf, "line %d", i);
		wlog_add(l, WR_NORMAL, buf);
	}
	widget_move(&l->w, 0, 0, 4, 40);
	assert_int_equal(wlog_visible(l, v, 4), 4);
	assert_string_equal(v[0]->text, "line 6");
	assert_string_equal(v[3]->text, "line 9");
	/* Scrolling up leaves follow mode and stays put as lines arrive. */
	widget_key(&l->w, 'k');
	assert_int_equal(l->follow, 0);
	wlog_visible(l, v, 4);
	assert_string_equal(v[3]->text, "line 8");
	wlog_add(l, WR_NORMAL, "line 10");
	wlog_visible(l, v, 4);
	assert_string_equal(v[3]->text, "line 8");
	widget_key(&l->w, 'G');
	assert_int_equal(l->follow, 1);
	wlog_visible(l, v, 4);
	assert_string_equal(v[3]->text, "line 10");
	/* Scrolling stops at the oldest page. */
	for (i = 0; i < 50; i++)
		widget_key(&l->w, 'k');
	wlog_visible(l, v, 4);
	assert_string_equal(v[0]->text, "line 0");
	widget_free(&l->w);
}

static void
test_filter(void **state)
{
	struct wlog		*l = wlog_new(NULL, 100);
	const struct wlog_line	*v[8];

	wlog_add(l, WR_NORMAL, "alice NIFTY OPEN");
	wlog_add(l, WR_NORMAL, "bob BANKNIFTY FILLED");
	wlog_add(l, WR_NORMAL, "alice NIFTY FILLED");
	wlog_set_filter(l, "filled");
	assert_int_equal(wlog_visible(l, v, 8), 2);
	assert_string_equal(v[0]->text, "bob BANKNIFTY FILLED");
	wlog_set_filter(l, "ALICE");
	assert_int_equal(wlog_visible(l, v, 8), 2);
	wlog_set_filter(l, "");
	assert_null(l->filter);
	assert_int_equal(wlog_visible(l, v, 8), 3);
	widget_free(&l->w);
}

static void
test_dialog_defaults_to_no(void **state)
{
	struct wdialog	*d = wdialog_new("Square off");

	wdialog_line(d, "account %s", "alice");
	assert_int_equal(d->nlines, 1);
	assert_true(wdialog_key(d, '\n') & WIDGET_CLOSE);
	assert_int_equal(d->state, WDIALOG_NO);
	widget_free(&d->w);

	d = wdialog_new(NULL);
	wdialog_key(d, 'x');
	wdialog_key(d, ' ');
	assert_int_equal(d->state, WDIALOG_PENDING);
	wdialog_key(d, WIDGET_KEY_ESC);
	assert_int_equal(d->state, WDIALOG_NO);
	/* Closed: further keys change nothing. */
	assert_int_equal(wdialog_key(d, 'Y'), WIDGET_IGNORED);
	assert_int_equal(d->state, WDIALOG_NO);
	widget_free(&d->w);
}

static void
test_dialog_needs_deliberate_yes(void **state)
{
	struct wdialog	*d = wdialog_new(NULL);

	wdialog_key(d, 'y');
	assert_int_equal(d->state, WDIALOG_PENDING);
	assert_int_equal(d->armed, 1);
	wdialog_key(d, '\r');
	assert_int_equal(d->state, WDIALOG_YES);
	widget_free(&d->w);

	d = wdialog_new(NULL);
	wdialog_key(d, 'Y');
	assert_int_equal(d->state, WDIALOG_YES);
	widget_free(&d->w);

	/* y, then a stray key, then Enter: not a yes. */
	d = wdialog_new(NULL);
	wdialog_key(d, 'y');
	wdialog_key(d, 'u');
	wdialog_key(d, '\n');
	assert_int_equal(d->state, WDIALOG_NO);
	widget_free(&d->w);

	d = wdialog_new(NULL);
	wdialog_key(d, 'y');
	wdialog_key(d, KEY_BACKSPACE);
	wdialog_key(d, KEY_ENTER);
	assert_int_equal(d->state, WDIALOG_NO);
	widget_free(&d->w);

	d = wdialog_new(NULL);
	wdialog_key(d, 'n');
	assert_int_equal(d->state, WDIALOG_NO);
	widget_free(&d->w);
}

static const char *tab_names[] = {
	"Matrix", "Feed", "Equity", "RMS", "Positions"
};

static void
test_tabs_layout(void **state)
{
	int	x[5], w[5], used, i;

	used = wtabs_layout(tab_names, 5, 80, x, w);
	assert_true(used <= 80);
	assert_int_equal(x[0], 0);
	assert_int_equal(w[0], 10);	/* " 1 Matrix " */
	for (i = 1; i < 5; i++)
		assert_int_equal(x[i], x[i - 1] + w[i - 1] + 1);
	/* Narrow: names shrink, every tab keeps its number. */
	used = wtabs_layout(tab_names, 5, 30, x, w);
	assert_true(used <= 30);
	for (i = 0; i < 5; i++)
		assert_true(w[i] >= 3);
	used = wtabs_layout(tab_names, 5, 10, x, w);
	assert_true(used <= 10);
}

static void
test_status_expiry(void **state)
{
	struct wstatus	*s = wstatus_new();

	wstatus_set(s, WR_BAD, 1000, "error: %s\nsecond line", "x");
	assert_string_equal(s->msg, "error: x");
	assert_int_equal(wstatus_expire(s, s->until_us - 1), 0);
	assert_int_equal(wstatus_expire(s, s->until_us), 1);
	assert_null(s->msg);
	wstatus_set(s, WR_INFO, 0, "sticky");
	assert_int_equal(wstatus_expire(s, INT64_MAX), 0);
	widget_free(&s->w);
}

static void
test_timeline(void **state)
{
	struct wtimeline	*t = wtimeline_new("incidents");

	wtimeline_add(t, 3000, WR_BAD, "third");
	wtimeline_add(t, 1000, WR_WARN, "first");
	wtimeline_add(t, 2000, WR_INFO, "second");
	wtimeline_add(t, 2000, WR_INFO, "second again");
	assert_int_equal(t->n, 4);
	assert_string_equal(t->v[0].text, "first");
	assert_string_equal(t->v[1].text, "second");
	assert_string_equal(t->v[2].text, "second again");
	assert_string_equal(t->v[3].text, "third");
	assert_int_equal(wtimeline_col(1000, 3000, 11, 1000), 0);
	assert_int_equal(wtimeline_col(1000, 3000, 11, 2000), 5);
	assert_int_equal(wtimeline_col(1000, 3000, 11, 3000), 10);
	assert_int_equal(wtimeline_col(1000, 3000, 11, 99999), 10);
	assert_int_equal(wtimeline_col(1000, 1000, 11, 1000), 0);
	wtimeline_clear(t);
	assert_int_equal(t->n, 0);
	widget_free(&t->w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_drops_oldest),
		cmocka_unit_test(test_visible_follow_and_scroll),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_dialog_defaults_to_no),
		cmocka_unit_test(test_dialog_needs_deliberate_yes),
		cmocka_unit_test(test_tabs_layout),
		cmocka_unit_test(test_status_expiry),
		cmocka_unit_test(test_timeline),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
