/*
 * Timeline: events in time order.  A strip across the top places each
 * event on the span it covers (several in one column show as a count);
 * below, the events are listed newest first with their markers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/util.h"
#include "widgets/widgets.h"

static void wtimeline_draw(struct widget *, WINDOW *);
static int wtimeline_key(struct widget *, int);
static void wtimeline_free(struct widget *);

static const struct widget_class wtimeline_class = {
	"timeline", wtimeline_draw, wtimeline_key, wtimeline_free
};

struct wtimeline *
wtimeline_new(const char *title)
{
	struct wtimeline	*t;

	t = xcalloc(1, sizeof *t);
	widget_init(&t->w, &wtimeline_class);
	t->title = xstrdup(title != NULL ? title : "");
	t->empty = xstrdup("no events");
	return t;
}

void
wtimeline_clear(struct wtimeline *t)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
	t->v = NULL;
	t->n = 0;
	t->top = 0;
}

static void
wtimeline_free(struct widget *w)
{
	struct wtimeline	*t = (struct wtimeline *)w;

	wtimeline_clear(t);
	free(t->title);
	free(t->empty);
}

void
wtimeline_set_empty(struct wtimeline *t, const char *text)
{
	free(t->empty);
	t->empty = xstrdup(text);
}

/* Insertion keeps the array sorted; equal times keep arrival order. */
void
wtimeline_add(struct wtimeline *t, int64_t ts_us, enum wrole role,
    const char *text)
{
	size_t	i;

	t->v = xreallocarray(t->v, t->n + 1, sizeof *t->v);
	for (i = t->n; i > 0 && t->v[i - 1].ts_us > ts_us; i--)
		t->v[i] = t->v[i - 1];
	t->v[i].ts_us = ts_us;
	t->v[i].role = role;
	t->v[i].text = xstrdup(text);
	t->n++;
}

int
wtimeline_col(int64_t t0, int64_t t1, int width, int64_t ts)
{
	int64_t	c;

	if (width <= 1 || t1 <= t0)
		return 0;
	if (ts <= t0)
		return 0;
	if (ts >= t1)
		return width - 1;
	c = (ts - t0) * (width - 1) / (t1 - t0);
	return (int)c;
}

static void
wtimeline_clock(int64_t us, char *buf, size_t len)
{
	time_t		t = (time_t)(us / 1000000) + 19800;
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%d %b %H:%M:%S", &tm);
}

static void
wtimeline_strip(struct wtimeline *t, WINDOW *win)
{
	struct widget	*w = &t->w;
	int		*count, col, i;
	char		 a[32], b[32], num[4];
	size_t		 k;

	count = xcalloc((size_t)w->w, sizeof *count);
	for (k = 0; k < t->n; k++)
		count[wtimeline_col(t->v[0].ts_us, t->v[t->n - 1].ts_us, w->w,
		    t->v[k].ts_us)]++;
	for (i = 0; i < w->w; i++) {
		if (count[i] == 0)
			wtext_puts(win, w->y + 1, w->x + i, 1,
			    widget_attr[WR_AXIS],
			    widget_ascii ? "-" : "\u2500");
		else if (count[i] == 1)
			wtext_puts(win, w->y + 1, w->x + i, 1,
			    widget_attr[WR_WARN],
			    widget_ascii ? "*" : "\u25c6");
		else {
			num[0] = (char)('0' + (count[i] > 9 ? 9 : count[i]));
			num[1] = '\0';
			wtext_puts(win, w->y + 1, w->x + i, 1,
			    widget_attr[WR_BAD], num);
		}
	}
	free(count);
	wtimeline_clock(t->v[0].ts_us, a, sizeof a);
	wtimeline_clock(t->v[t->n - 1].ts_us, b, sizeof b);
	wtext_put(win, w->y + 2, w->x, w->w, WALIGN_LEFT, widget_attr[WR_AXIS],
	    a);
	col = wtext_width(b);
	if (col < w->w - wtext_width(a) - 1)
		wtext_put(win, w->y + 2, w->x + w->w - col, col, WALIGN_LEFT,
		    widget_attr[WR_AXIS], b);
}

static void
wtimeline_draw(struct widget *w, WINDOW *win)
{
	struct wtimeline	*t = (struct wtimeline *)w;
	const struct wtl_event	*e;
	char			 clock[32];
	int			 row, cw;
	size_t			 k;

	widget_clear(win, w->y, w->x, w->h, w->w, widget_attr[WR_NORMAL]);
	wtext_put(win, w->y, w->x, w->w, WALIGN_LEFT, widget_attr[WR_TITLE],
	    t->title);
	if (t->n == 0) {
		wtext_put(win, w->y + w->h / 2, w->x, w->w, WALIGN_CENTER,
		    widget_attr[WR_DIM], t->empty);
		return;
	}
	if (w->h < 5)
		return;
	wtimeline_strip(t, win);
	if (t->top >= t->n)
		t->top = t->n - 1;
	for (row = 4, k = t->top; row < w->h && k < t->n; row++, k++) {
		e = &t->v[t->n - 1 - k];
		wtimeline_clock(e->ts_us, clock, sizeof clock);
		cw = wtext_puts(win, w->y + row, w->x, w->w,
		    widget_attr[WR_DIM], clock);
		wtext_puts(win, w->y + row, w->x + cw + 1, 1,
		    widget_attr[e->role], widget_ascii ? "*" : "\u25c6");
		wtext_put(win, w->y + row, w->x + cw + 3, w->w - cw - 3,
		    WALIGN_LEFT, widget_attr[e->role], e->text);
	}
}

static int
wtimeline_key(struct widget *w, int key)
{
	struct wtimeline	*t = (struct wtimeline *)w;

	switch (key) {
	case 'j':
	case KEY_DOWN:
		if (t->top + 1 < t->n)
			t->top++;
		break;
	case 'k':
	case KEY_UP:
		if (t->top > 0)
			t->top--;
		break;
	case 'g':
	case KEY_HOME:
		t->top = 0;
		break;
	default:
		return WIDGET_IGNORED;
	}
	return WIDGET_HANDLED | WIDGET_REDRAW;
}
