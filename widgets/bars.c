/*
 * Horizontal bars for signed values (PnL by broker): a zero line, gains
 * to its right, losses to its left, in eighths of a cell where the
 * terminal has the partial blocks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "widgets/widgets.h"

static void wbars_draw(struct widget *, WINDOW *);
static void wbars_free(struct widget *);

static const struct widget_class wbars_class = {
	"bars", wbars_draw, NULL, wbars_free
};

struct wbars *
wbars_new(const char *title)
{
	struct wbars	*b;

	b = xcalloc(1, sizeof *b);
	widget_init(&b->w, &wbars_class);
	b->title = xstrdup(title != NULL ? title : "");
	b->empty = xstrdup("no data");
	return b;
}

void
wbars_clear(struct wbars *b)
{
	size_t	i;

	for (i = 0; i < b->n; i++) {
		free(b->v[i].label);
		free(b->v[i].text);
	}
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

static void
wbars_free(struct widget *w)
{
	struct wbars	*b = (struct wbars *)w;

	wbars_clear(b);
	free(b->title);
	free(b->empty);
}

void
wbars_add(struct wbars *b, const char *label, double value, const char *text)
{
	b->v = xreallocarray(b->v, b->n + 1, sizeof *b->v);
	b->v[b->n].label = xstrdup(label);
	b->v[b->n].value = value;
	b->v[b->n].text = xstrdup(text != NULL ? text : "");
	b->n++;
}

void
wbars_span(double value, double maxabs, int has_neg, int width, int *zero,
    int *start8, int *len8)
{
	int	half;
	long	len;

	*zero = has_neg ? width / 2 : 0;
	half = has_neg ? (value < 0 ? *zero : width - *zero) : width;
	if (maxabs <= 0 || !isfinite(value) || width <= 0) {
		*start8 = *zero * 8;
		*len8 = 0;
		return;
	}
	len = lround(fabs(value) / maxabs * half * 8);
	if (len > half * 8)
		len = half * 8;
	if (len == 0 && value != 0)
		len = 1;
	*len8 = (int)len;
	*start8 = value < 0 ? *zero * 8 - (int)len : *zero * 8;
}

/* One cell of a bar from eighth e0 to e1 (cell-relative, 0..8). */
static wchar_t
wbars_cell(int e0, int e1)
{
	static const wchar_t	left[9] = {
		' ', 0x258f, 0x258e, 0x258d, 0x258c, 0x258b, 0x258a, 0x2589,
		0x2588
	};

	if (e1 - e0 <= 0)
		return ' ';
	if (widget_ascii)
		return e1 - e0 >= 4 ? '#' : '=';
	if (e0 == 0)
		return left[e1];
	/* Right-anchored partials exist only for half a cell. */
	return e1 - e0 >= 4 ? 0x2590 : ' ';
}

static void
wbars_draw_bar(WINDOW *win, int y, int x, int width, int start8, int len8,
    attr_t a)
{
	wchar_t	g[2] = { 0, 0 };
	int	col, c0, c1, e0, e1;

	wattrset(win, a);
	for (col = 0; col < width; col++) {
		c0 = col * 8;
		c1 = c0 + 8;
		e0 = start8 > c0 ? start8 - c0 : 0;
		e1 = start8 + len8 < c1 ? start8 + len8 - c0 : 8;
		if (e1 <= 0 || e0 >= 8)
			continue;
		g[0] = wbars_cell(e0, e1);
		if (g[0] != ' ')
			mvwaddnwstr(win, y, x + col, g, 1);
	}
}

static void
wbars_draw(struct widget *w, WINDOW *win)
{
	struct wbars	*b = (struct wbars *)w;
	double		 maxabs = 0;
	int		 has_neg = 0, lw = 4, tw = 4, bw, zero, s8, l8, row;
	size_t		 i;

	widget_clear(win, w->y, w->x, w->h, w->w, widget_attr[WR_NORMAL]);
	wtext_put(win, w->y, w->x, w->w, WALIGN_LEFT, widget_attr[WR_TITLE],
	    b->title);
	if (b->n == 0) {
		wtext_put(win, w->y + w->h / 2, w->x, w->w, WALIGN_CENTER,
		    widget_attr[WR_DIM], b->empty);
		return;
	}
	for (i = 0; i < b->n; i++) {
		maxabs = fmax(maxabs, fabs(b->v[i].value));
		has_neg |= b->v[i].value < 0;
		lw = lw > wtext_width(b->v[i].label) ? lw :
		    wtext_width(b->v[i].label);
		tw = tw > wtext_width(b->v[i].text) ? tw :
		    wtext_width(b->v[i].text);
	}
	if (lw > w->w / 4)
		lw = w->w / 4;
	bw = w->w - lw - tw - 2;
	for (i = 0; i < b->n && (int)i + 1 < w->h; i++) {
		row = w->y + 1 + (int)i;
		wtext_put(win, row, w->x, lw, WALIGN_LEFT,
		    widget_attr[WR_NORMAL], b->v[i].label);
		wbars_span(b->v[i].value, maxabs, has_neg, bw, &zero, &s8, &l8);
		wbars_draw_bar(win, row, w->x + lw + 1, bw, s8, l8,
		    widget_attr[b->v[i].value < 0 ? WR_BAD : WR_GOOD]);
		wtext_put(win, row, w->x + w->w - tw, tw, WALIGN_RIGHT,
		    widget_attr[b->v[i].value < 0 ? WR_BAD : WR_GOOD],
		    b->v[i].text);
	}
}
