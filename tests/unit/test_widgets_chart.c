/*
 * Axis scaling, the dot canvas and chart rasterising, bars and sparklines
 * (widgets/scale.c, canvas.c, chart.c, bars.c, spark.c).
 */
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/widgets.h"

static void
test_nice_ticks(void **state)
{
	struct wscale	s;

	wscale_nice(0, 97, 6, &s);
	assert_true(s.lo == 0);
	assert_true(s.hi == 100);
	assert_true(s.step == 20);
	assert_int_equal(s.nticks, 6);

	wscale_nice(-1234, 5678, 8, &s);
	assert_true(s.lo <= -1234 && s.hi >= 5678);
	assert_true(s.nticks <= 8 && s.nticks >= 2);
	/* The step is 1, 2 or 5 times a power of ten. */
	{
		double	m = s.step / pow(10, floor(log10(s.step)));

		assert_true(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 ||
		    fabs(m - 5) < 1e-9);
	}
	assert_true(fabs(fmod(s.lo, s.step)) < 1e-9);
}

static void
test_nice_degenerate(void **state)
{
	struct wscale	s;

	/* A flat series still gets a span around its value. */
	wscale_nice(500, 500, 5, &s);
	assert_true(s.lo < 500 && s.hi > 500);
	wscale_nice(0, 0, 5, &s);
	assert_true(s.lo < 0 && s.hi > 0);
	wscale_nice(NAN, 3, 5, &s);
	assert_true(s.hi > s.lo);
	/* Reversed bounds are put right. */
	wscale_nice(10, 0, 3, &s);
	assert_true(s.lo <= 0 && s.hi >= 10 && s.nticks <= 3);
}

static void
test_time_ticks(void **state)
{
	struct wscale	s;

	/* 09:15 to 15:30 IST as epoch seconds: hour-ish ticks. */
	wscale_time(1700000000, 1700000000 + 6 * 3600 + 900, 8, &s);
	assert_true(s.step == 3600);
	assert_true(s.nticks >= 6 && s.nticks <= 8);
	wscale_time(0, 300, 6, &s);
	assert_true(s.step == 60);
	wscale_time(0, 40 * 86400, 4, &s);
	assert_true(s.step == 2592000);
}

static void
test_pos_clamps(void **state)
{
	struct wscale	s = { 0, 100, 20, 6 };

	assert_int_equal(wscale_pos(&s, 0, 11), 0);
	assert_int_equal(wscale_pos(&s, 100, 11), 10);
	assert_int_equal(wscale_pos(&s, 50, 11), 5);
	assert_int_equal(wscale_pos(&s, -5, 11), 0);
	assert_int_equal(wscale_pos(&s, 500, 11), 10);
	assert_int_equal(wscale_pos(&s, 50, 1), 0);
}

static void
test_labels(void **state)
{
	char	buf[32];

	wscale_label(250000, 50000, buf, sizeof buf);
	assert_string_equal(buf, "2.5L");
	wscale_label(-40000, 20000, buf, sizeof buf);
	assert_string_equal(buf, "-40k");
	wscale_label(0, 20000, buf, sizeof buf);
	assert_string_equal(buf, "0");
	wscale_label(1.5, 0.5, buf, sizeof buf);
	assert_string_equal(buf, "1.5");
	wscale_label(20000000, 10000000, buf, sizeof buf);
	assert_string_equal(buf, "2Cr");
	wscale_label(4, 2, buf, sizeof buf);
	assert_string_equal(buf, "4");
}

static void
test_canvas_dots(void **state)
{
	struct wcanvas	*c = wcanvas_new(2, 1);

	wcanvas_dot(c, 0, 0);
	assert_int_equal(wcanvas_cell(c, 0, 0), 0x01);
	wcanvas_dot(c, 1, 3);
	assert_int_equal(wcanvas_cell(c, 0, 0), 0x81);
	wcanvas_dot(c, 3, 2);
	assert_int_equal(wcanvas_cell(c, 1, 0), 0x20);
	/* Outside the raster: nothing, no crash. */
	wcanvas_dot(c, 4, 0);
	wcanvas_dot(c, -1, 0);
	wcanvas_dot(c, 0, 4);
	assert_int_equal(wcanvas_cell(c, 5, 5), 0);
	assert_int_equal(wcanvas_glyph(0x81, WCANVAS_BRAILLE), 0x2881);
	assert_int_equal(wcanvas_glyph(0, WCANVAS_BRAILLE), ' ');
	/* Upper-left and lower-right dots: the diagonal quadrant block. */
	assert_int_equal(wcanvas_glyph(0x81, WCANVAS_BLOCK), 0x259a);
	assert_int_equal(wcanvas_glyph(0xff, WCANVAS_BLOCK), 0x2588);
	assert_int_equal(wcanvas_glyph(0x01, WCANVAS_ASCII), '\'');
	assert_int_equal(wcanvas_glyph(0x40, WCANVAS_ASCII), '.');
	assert_int_equal(wcanvas_glyph(0x41, WCANVAS_ASCII), ':');
	wcanvas_clear(c);
	assert_int_equal(wcanvas_cell(c, 0, 0), 0);
	wcanvas_free(c);
}

static int
count_dots(const struct wcanvas *c)
{
	int	col, row, n = 0;
	uint8_t	b;

	for (row = 0; row < c->rows; row++)
		for (col = 0; col < c->cols; col++)
			for (b = wcanvas_cell(c, col, row); b; b &= b - 1)
				n++;
	return n;
}

static void
test_canvas_line(void **state)
{
	struct wcanvas	*c = wcanvas_new(4, 2);	/* 8 x 8 dots */

	wcanvas_line(c, 0, 0, 7, 7);
	assert_int_equal(count_dots(c), 8);
	assert_int_equal(wcanvas_cell(c, 0, 0), 0x01 | 0x10);
	assert_int_equal(wcanvas_cell(c, 3, 1), 0x04 | 0x80);
	wcanvas_clear(c);
	wcanvas_line(c, 7, 0, 0, 0);
	assert_int_equal(count_dots(c), 8);
	/* Clipped: a line running off the raster keeps its visible part. */
	wcanvas_clear(c);
	wcanvas_line(c, -4, 3, 20, 3);
	assert_int_equal(count_dots(c), 8);
	wcanvas_free(c);
}

static void
test_chart_layout_and_plot(void **state)
{
	struct wchart		*ch = wchart_new("equity");
	struct wchart_layout	 l;
	struct wcanvas		*cv;
	double			 x[3] = { 0, 50, 100 }, y[3] = { 0, 50, 100 };

	assert_int_equal(wchart_layout(ch, 20, 60, &l), -1);
	wchart_add(ch, x, y, 3, WR_LINE);
	assert_int_equal(wchart_layout(ch, 20, 60, &l), 0);
	assert_int_equal(l.ph, 17);
	assert_true(l.px >= 2 && l.px + l.pw < 60);
	assert_true(l.ys.lo <= 0 && l.ys.hi >= 100);
	/* Too small to draw anything sensible. */
	assert_int_equal(wchart_layout(ch, 4, 60, &l), -1);
	assert_int_equal(wchart_layout(ch, 20, 6, &l), -1);

	assert_int_equal(wchart_layout(ch, 20, 60, &l), 0);
	cv = wcanvas_new(l.pw, l.ph);
	wchart_plot(ch, &l, cv);
	/* A rising line: lower left and upper right cells are inked. */
	assert_true(wcanvas_cell(cv, 0, l.ph - 1) != 0);
	assert_true(wcanvas_cell(cv, l.pw - 1, 0) != 0);
	assert_int_equal(wcanvas_cell(cv, 0, 0), 0);
	wcanvas_free(cv);
	widget_free(&ch->w);
}

static void
test_bars_span(void **state)
{
	int	zero, s8, l8;

	/* No negatives: zero at the left, the max fills the width. */
	wbars_span(100, 100, 0, 10, &zero, &s8, &l8);
	assert_int_equal(zero, 0);
	assert_int_equal(s8, 0);
	assert_int_equal(l8, 80);
	wbars_span(50, 100, 0, 10, &zero, &s8, &l8);
	assert_int_equal(l8, 40);
	/* With negatives: zero in the middle, losses grow to the left. */
	wbars_span(-100, 100, 1, 10, &zero, &s8, &l8);
	assert_int_equal(zero, 5);
	assert_int_equal(l8, 40);
	assert_int_equal(s8, 0);
	wbars_span(25, 100, 1, 10, &zero, &s8, &l8);
	assert_int_equal(s8, 40);
	assert_int_equal(l8, 10);
	/* A tiny non-zero value still shows. */
	wbars_span(0.001, 100, 0, 10, &zero, &s8, &l8);
	assert_int_equal(l8, 1);
	wbars_span(0, 0, 0, 10, &zero, &s8, &l8);
	assert_int_equal(l8, 0);
}

static void
test_spark_levels(void **state)
{
	double	v[5] = { 10, 20, 30, 40, 50 }, flat[3] = { 7, 7, 7 };
	double	zero[3] = { 0, 0, 0 };
	int	out[5];

	wspark_levels(v, 5, 8, out);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[4], 7);
	assert_true(out[1] <= out[2] && out[2] <= out[3]);
	wspark_levels(flat, 3, 8, out);
	assert_int_equal(out[0], 4);
	assert_int_equal(out[2], 4);
	/* Nothing at all sits on the floor. */
	wspark_levels(zero, 3, 8, out);
	assert_int_equal(out[1], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_ticks),
		cmocka_unit_test(test_nice_degenerate),
		cmocka_unit_test(test_time_ticks),
		cmocka_unit_test(test_pos_clamps),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_canvas_dots),
		cmocka_unit_test(test_canvas_line),
		cmocka_unit_test(test_chart_layout_and_plot),
		cmocka_unit_test(test_bars_span),
		cmocka_unit_test(test_spark_levels),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
