/*
 * Line chart: series rasterised on a dot canvas, a y axis with nice ticks
 * on the left, an x axis (numbers or clock times) below.  Layout and
 * rasterising are separate from drawing so they can be tested.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/util.h"
#include "widgets/widgets.h"

static void wchart_draw(struct widget *, WINDOW *);
static void wchart_free(struct widget *);

static const struct widget_class wchart_class = {
	"chart", wchart_draw, NULL, wchart_free
};

struct wchart *
wchart_new(const char *title)
{
	struct wchart	*c;

	c = xcalloc(1, sizeof *c);
	widget_init(&c->w, &wchart_class);
	c->title = xstrdup(title != NULL ? title : "");
	c->empty = xstrdup("no data");
	c->mode = WCANVAS_BRAILLE;
	return c;
}

void
wchart_clear(struct wchart *c)
{
	size_t	i;

	for (i = 0; i < c->nseries; i++) {
		free(c->series[i].x);
		free(c->series[i].y);
	}
	free(c->series);
	c->series = NULL;
	c->nseries = 0;
}

static void
wchart_free(struct widget *w)
{
	struct wchart	*c = (struct wchart *)w;

	wchart_clear(c);
	free(c->title);
	free(c->empty);
}

void
wchart_add(struct wchart *c, const double *x, const double *y, size_t n,
    enum wrole role)
{
	struct wchart_series	*s;

	c->series = xreallocarray(c->series, c->nseries + 1, sizeof *c->series);
	s = &c->series[c->nseries++];
	s->x = xcalloc(n + 1, sizeof *s->x);
	s->y = xcalloc(n + 1, sizeof *s->y);
	memcpy(s->x, x, n * sizeof *x);
	memcpy(s->y, y, n * sizeof *y);
	s->n = n;
	s->role = role;
}

void
wchart_set_empty(struct wchart *c, const char *text)
{
	free(c->empty);
	c->empty = xstrdup(text);
}

static int
wchart_bounds(const struct wchart *c, double *x0, double *x1, double *y0,
    double *y1)
{
	size_t	i, j;
	int	any = 0;

	*x0 = *y0 = INFINITY;
	*x1 = *y1 = -INFINITY;
	for (i = 0; i < c->nseries; i++) {
		for (j = 0; j < c->series[i].n; j++) {
			if (!isfinite(c->series[i].x[j]) ||
			    !isfinite(c->series[i].y[j]))
				continue;
			*x0 = fmin(*x0, c->series[i].x[j]);
			*x1 = fmax(*x1, c->series[i].x[j]);
			*y0 = fmin(*y0, c->series[i].y[j]);
			*y1 = fmax(*y1, c->series[i].y[j]);
			any = 1;
		}
	}
	return any;
}

int
wchart_layout(const struct wchart *c, int h, int w, struct wchart_layout *l)
{
	double	x0, x1, y0, y1, t;
	char	buf[32];
	int	len;

	memset(l, 0, sizeof *l);
	if (!wchart_bounds(c, &x0, &x1, &y0, &y1))
		return -1;
	/* Title row above, axis and labels rows below. */
	l->ph = h - 3;
	if (l->ph < 2)
		return -1;
	wscale_nice(y0, y1, l->ph / 2 + 1 < 2 ? 2 : l->ph / 2 + 1, &l->ys);
	l->ylabel_w = 1;
	for (t = l->ys.lo; t <= l->ys.hi + l->ys.step / 2; t += l->ys.step) {
		wscale_label(t, l->ys.step, buf, sizeof buf);
		len = (int)strlen(buf);
		if (len > l->ylabel_w)
			l->ylabel_w = len;
	}
	l->py = 1;
	l->px = l->ylabel_w + 1;
	l->pw = w - l->px - 1;
	if (l->pw < 4)
		return -1;
	if (c->time_x)
		wscale_time(x0, x1, l->pw / 12 + 1, &l->xs);
	else
		wscale_nice(x0, x1, l->pw / 10 + 1, &l->xs);
	return 0;
}

void
wchart_plot(const struct wchart *c, const struct wchart_layout *l,
    struct wcanvas *cv)
{
	const struct wchart_series	*s;
	size_t				 i, j;
	int				 px, py, lx = 0, ly = 0, have;

	for (i = 0; i < c->nseries; i++) {
		s = &c->series[i];
		have = 0;
		for (j = 0; j < s->n; j++) {
			if (!isfinite(s->x[j]) || !isfinite(s->y[j]))
				continue;
			px = wscale_pos(&l->xs, s->x[j], cv->cols * 2);
			py = cv->rows * 4 - 1 -
			    wscale_pos(&l->ys, s->y[j], cv->rows * 4);
			if (have)
				wcanvas_line(cv, lx, ly, px, py);
			else
				wcanvas_dot(cv, px, py);
			lx = px;
			ly = py;
			have = 1;
		}
	}
}

/* Clock time in IST for a time axis: HH:MM within a day, else DD Mon. */
static void
wchart_xlabel(const struct wchart *c, const struct wchart_layout *l,
    double v, char *buf, size_t len)
{
	time_t		t;
	struct tm	tm;

	if (!c->time_x) {
		wscale_label(v, l->xs.step, buf, len);
		return;
	}
	t = (time_t)v + 19800;
	gmtime_r(&t, &tm);
	if (l->xs.step >= 86400)
		strftime(buf, len, "%d %b", &tm);
	else if (l->xs.step < 60)
		strftime(buf, len, "%H:%M:%S", &tm);
	else
		strftime(buf, len, "%H:%M", &tm);
}

static void
wchart_draw_yaxis(const struct wchart *c, const struct wchart_layout *l,
    WINDOW *win)
{
	const struct widget	*w = &c->w;
	double			 t;
	char			 buf[32];
	int			 row, i;

	for (i = 0; i < l->ph; i++)
		wtext_puts(win, w->y + l->py + i, w->x + l->px - 1, 1,
		    widget_attr[WR_AXIS], widget_ascii ? "|" : "\u2502");
	for (t = l->ys.lo; t <= l->ys.hi + l->ys.step / 2; t += l->ys.step) {
		row = l->ph - 1 - wscale_pos(&l->ys, t, l->ph);
		wscale_label(t, l->ys.step, buf, sizeof buf);
		wtext_put(win, w->y + l->py + row, w->x, l->ylabel_w,
		    WALIGN_RIGHT, widget_attr[WR_AXIS], buf);
	}
}

static void
wchart_draw_xaxis(const struct wchart *c, const struct wchart_layout *l,
    WINDOW *win)
{
	const struct widget	*w = &c->w;
	double			 t;
	char			 buf[32];
	int			 y, col, next = 0, len, i;

	y = w->y + l->py + l->ph;
	for (i = 0; i < l->pw; i++)
		wtext_puts(win, y, w->x + l->px + i, 1, widget_attr[WR_AXIS],
		    widget_ascii ? "-" : "\u2500");
	wtext_puts(win, y, w->x + l->px - 1, 1, widget_attr[WR_AXIS],
	    widget_ascii ? "+" : "\u2514");
	for (t = ceil(l->xs.lo / l->xs.step) * l->xs.step;
	    t <= l->xs.hi + l->xs.step * 1e-9; t += l->xs.step) {
		col = wscale_pos(&l->xs, t, l->pw);
		wchart_xlabel(c, l, t, buf, sizeof buf);
		len = (int)strlen(buf);
		col -= len / 2;
		if (col < next || col + len > l->pw)
			continue;
		wtext_puts(win, y + 1, w->x + l->px + col, len,
		    widget_attr[WR_AXIS], buf);
		next = col + len + 1;
	}
}

static void
wchart_draw(struct widget *w, WINDOW *win)
{
	struct wchart		*c = (struct wchart *)w;
	struct wchart_layout	 l;
	struct wcanvas		*cv;
	wchar_t			 g[2] = { 0, 0 };
	int			 r, col;

	widget_clear(win, w->y, w->x, w->h, w->w, widget_attr[WR_NORMAL]);
	wtext_put(win, w->y, w->x, w->w, WALIGN_LEFT, widget_attr[WR_TITLE],
	    c->title);
	if (wchart_layout(c, w->h, w->w, &l) != 0) {
		wtext_put(win, w->y + w->h / 2, w->x, w->w, WALIGN_CENTER,
		    widget_attr[WR_DIM], c->empty);
		return;
	}
	wchart_draw_yaxis(c, &l, win);
	wchart_draw_xaxis(c, &l, win);
	cv = wcanvas_new(l.pw, l.ph);
	wchart_plot(c, &l, cv);
	wattrset(win, widget_attr[c->nseries ? c->series[0].role : WR_LINE]);
	for (r = 0; r < l.ph; r++) {
		for (col = 0; col < l.pw; col++) {
			g[0] = wcanvas_glyph(wcanvas_cell(cv, col, r),
			    widget_ascii ? WCANVAS_ASCII : c->mode);
			if (g[0] != ' ')
				mvwaddnwstr(win, w->y + l.py + r,
				    w->x + l.px + col, g, 1);
		}
	}
	wcanvas_free(cv);
}
