/*
 * The PDF's charts, drawn with cairo: axes with a few labelled ticks, a
 * line for cumulative series and bars for per-key ones.  Everything is in
 * PDF points; text uses the toy API (fontconfig picks the face).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/chart.h"
#include "util/util.h"

#define AXIS_W	60	/* room for the value labels left of the plot */
#define TITLE_H	18
#define FOOT_H	28	/* room for the key labels under the plot */

void
chart_series_add(struct chart_series *s, const char *key, double v)
{
	size_t	i;

	if (s->n > 0 && strcmp(s->keys[s->n - 1], key) == 0) {
		s->v[s->n - 1] += v;
		return;
	}
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->keys[i], key) == 0) {
			s->v[i] += v;
			return;
		}
	}
	if (s->n == CHART_MAX_KEYS) {
		s->dropped++;
		return;
	}
	s->keys[s->n] = xstrdup(key);
	s->v[s->n++] = v;
}

void
chart_series_clear(struct chart_series *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		free(s->keys[i]);
	memset(s, 0, sizeof *s);
}

static void
text_at(cairo_t *cr, double x, double y, double size, const char *s,
    double align)
{
	cairo_text_extents_t	te;

	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, s, &te);
	cairo_move_to(cr, x - te.x_advance * align, y);
	cairo_show_text(cr, s);
}

/* The value range with zero in it, widened a little when flat. */
static void
value_range(const double *v, size_t n, double *lo, double *hi)
{
	size_t	i;

	*lo = 0;
	*hi = 0;
	for (i = 0; i < n; i++) {
		*lo = fmin(*lo, v[i]);
		*hi = fmax(*hi, v[i]);
	}
	if (*hi - *lo < 1e-9)
		*hi = *lo + 1;
}

/* Frame, title, four value ticks; returns the plot area. */
static struct chart_box
chart_frame(cairo_t *cr, const struct chart_box *b, const char *title,
    double lo, double hi)
{
	struct chart_box	p = { b->x + AXIS_W, b->y + TITLE_H,
	    b->w - AXIS_W - 6, b->h - TITLE_H - FOOT_H };
	char			lab[32];
	double			v, y;
	int			i;

	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
	    CAIRO_FONT_WEIGHT_BOLD);
	text_at(cr, b->x, b->y + 11, 10, title, 0);
	cairo_select_font_face(cr, "monospace", CAIRO_FONT_SLANT_NORMAL,
	    CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_line_width(cr, 0.4);
	for (i = 0; i <= 4; i++) {
		v = lo + (hi - lo) * i / 4;
		y = p.y + p.h - p.h * i / 4;
		cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
		cairo_move_to(cr, p.x, y);
		cairo_line_to(cr, p.x + p.w, y);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
		snprintf(lab, sizeof lab, fabs(hi - lo) >= 100 ? "%.0f" :
		    "%.2f", v);
		text_at(cr, p.x - 4, y + 2.5, 6.5, lab, 1);
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_rectangle(cr, p.x, p.y, p.w, p.h);
	cairo_stroke(cr);
	return p;
}

/* A few key labels under the plot, evenly spread. */
static void
key_labels(cairo_t *cr, const struct chart_box *p,
    const struct chart_series *s, double step)
{
	size_t	i, every = s->n / 8 + 1;

	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	for (i = 0; i < s->n; i += every)
		text_at(cr, p->x + step * ((double)i + 0.5), p->y + p->h + 10,
		    6, s->keys[i], 0.5);
}

void
chart_line(cairo_t *cr, const struct chart_box *b, const char *title,
    const struct chart_series *s)
{
	struct chart_box	p;
	double			lo, hi, step, x, y, ylow = 0, xlow = 0;
	size_t			i, low = 0;
	char			lab[48];

	value_range(s->v, s->n, &lo, &hi);
	p = chart_frame(cr, b, title, lo, hi);
	if (s->n == 0) {
		text_at(cr, p.x + p.w / 2, p.y + p.h / 2, 9,
		    "no data in this period", 0.5);
		return;
	}
	step = p.w / (double)s->n;
	cairo_set_source_rgb(cr, 0.1, 0.3, 0.8);
	cairo_set_line_width(cr, 1.2);
	for (i = 0; i < s->n; i++) {
		x = p.x + step * ((double)i + 0.5);
		y = p.y + p.h - (s->v[i] - lo) / (hi - lo) * p.h;
		if (i == 0)
			cairo_move_to(cr, x, y);
		else
			cairo_line_to(cr, x, y);
		if (s->v[i] < s->v[low] || i == 0)
			low = i, xlow = x, ylow = y;
	}
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
	cairo_arc(cr, xlow, ylow, 2.5, 0, 2 * M_PI);
	cairo_fill(cr);
	snprintf(lab, sizeof lab, "low %.2f", s->v[low]);
	text_at(cr, xlow + 4, ylow + 9, 6.5, lab, 0);
	key_labels(cr, &p, s, step);
}

void
chart_bars(cairo_t *cr, const struct chart_box *b, const char *title,
    const struct chart_series *s)
{
	struct chart_box	p;
	double			lo, hi, step, zero, top, bot;
	size_t			i;

	value_range(s->v, s->n, &lo, &hi);
	p = chart_frame(cr, b, title, lo, hi);
	if (s->n == 0) {
		text_at(cr, p.x + p.w / 2, p.y + p.h / 2, 9,
		    "no data in this period", 0.5);
		return;
	}
	step = p.w / (double)s->n;
	zero = p.y + p.h - (0 - lo) / (hi - lo) * p.h;
	for (i = 0; i < s->n; i++) {
		top = p.y + p.h - (s->v[i] - lo) / (hi - lo) * p.h;
		bot = zero;
		if (s->v[i] >= 0)
			cairo_set_source_rgb(cr, 0.15, 0.6, 0.3);
		else {
			cairo_set_source_rgb(cr, 0.8, 0.2, 0.2);
			top = zero;
			bot = p.y + p.h - (s->v[i] - lo) / (hi - lo) * p.h;
		}
		cairo_rectangle(cr, p.x + step * (double)i + step * 0.1, top,
		    step * 0.8, fmax(bot - top, 0.3));
		cairo_fill(cr);
	}
	key_labels(cr, &p, s, step);
}
