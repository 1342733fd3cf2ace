/*
 * A heatmap: labelled rows and columns of signed values, each cell shaded
 * by its size against the largest and coloured by its sign (gains good,
 * losses bad), the value written over the shade where it fits.  Rows
 * arrive in the order to show them (the caller sorts); columns too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "widgets/widgets.h"

static void wheatmap_draw(struct widget *, WINDOW *);
static void wheatmap_free(struct widget *);

static const struct widget_class wheatmap_class = {
	"heatmap", wheatmap_draw, NULL, wheatmap_free
};

struct wheatmap *
wheatmap_new(const char *title)
{
	struct wheatmap	*h = xcalloc(1, sizeof *h);

	widget_init(&h->w, &wheatmap_class);
	h->title = xstrdup(title != NULL ? title : "");
	h->empty = xstrdup("no data");
	return h;
}

static void
strv_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
wheatmap_clear(struct wheatmap *h)
{
	strv_free(h->rows, h->nrows);
	strv_free(h->cols, h->ncols);
	free(h->v);
	free(h->has);
	h->rows = h->cols = NULL;
	h->v = NULL;
	h->has = NULL;
	h->nrows = h->ncols = 0;
}

static void
wheatmap_free(struct widget *w)
{
	struct wheatmap	*h = (struct wheatmap *)w;

	wheatmap_clear(h);
	free(h->title);
	free(h->empty);
}

/* The grid's shape; every cell empty until set. */
void
wheatmap_shape(struct wheatmap *h, const char *const *rows, size_t nrows,
    const char *const *cols, size_t ncols)
{
	size_t	i;

	wheatmap_clear(h);
	h->rows = xcalloc(nrows + 1, sizeof *h->rows);
	h->cols = xcalloc(ncols + 1, sizeof *h->cols);
	for (i = 0; i < nrows; i++)
		h->rows[i] = xstrdup(rows[i]);
	for (i = 0; i < ncols; i++)
		h->cols[i] = xstrdup(cols[i]);
	h->nrows = nrows;
	h->ncols = ncols;
	h->v = xcalloc(nrows * ncols + 1, sizeof *h->v);
	h->has = xcalloc(nrows * ncols + 1, 1);
}

void
wheatmap_set(struct wheatmap *h, size_t row, size_t col, double v)
{
	if (row >= h->nrows || col >= h->ncols)
		return;
	h->v[row * h->ncols + col] = v;
	h->has[row * h->ncols + col] = 1;
}

int
wheatmap_level(double v, double maxabs, int nlevels)
{
	int	l;

	if (maxabs <= 0 || !isfinite(v) || v == 0 || nlevels <= 1)
		return 0;
	l = (int)ceil(fabs(v) / maxabs * (nlevels - 1));
	return l < 1 ? 1 : l > nlevels - 1 ? nlevels - 1 : l;
}

/* The shade of a level: blank, light, medium, dark (ASCII . : #). */
static wchar_t
wheatmap_shade(int level)
{
	static const wchar_t	uni[4] = { ' ', 0x2591, 0x2592, 0x2593 };
	static const wchar_t	asc[4] = { ' ', '.', ':', '#' };

	return widget_ascii ? asc[level & 3] : uni[level & 3];
}

static void
wheatmap_cell(WINDOW *win, int y, int x, int cw, double v, int level,
    const char *text)
{
	attr_t	a = widget_attr[v < 0 ? WR_BAD : v > 0 ? WR_GOOD : WR_DIM];
	wchar_t	g[2] = { wheatmap_shade(level), 0 };
	int	i, tw = wtext_width(text);

	wattrset(win, a);
	for (i = 0; i < cw; i++)
		mvwaddnwstr(win, y, x + i, g, 1);
	if (tw + 1 <= cw)
		wtext_put(win, y, x + cw - tw - 1, tw, WALIGN_RIGHT,
		    a | (level >= 2 ? A_BOLD | A_REVERSE : 0), text);
}

static void
wheatmap_draw(struct widget *w, WINDOW *win)
{
	struct wheatmap	*h = (struct wheatmap *)w;
	double		 maxabs = 0;
	size_t		 r, c, i;
	int		 lw = 6, cw, ncols, y;
	char		 text[32];

	widget_clear(win, w->y, w->x, w->h, w->w, widget_attr[WR_NORMAL]);
	wtext_put(win, w->y, w->x, w->w, WALIGN_LEFT, widget_attr[WR_TITLE],
	    h->title);
	if (h->nrows == 0 || h->ncols == 0) {
		wtext_put(win, w->y + w->h / 2, w->x, w->w, WALIGN_CENTER,
		    widget_attr[WR_DIM], h->empty);
		return;
	}
	for (i = 0; i < h->nrows * h->ncols; i++)
		maxabs = h->has[i] ? fmax(maxabs, fabs(h->v[i])) : maxabs;
	for (r = 0; r < h->nrows; r++)
		lw = lw > wtext_width(h->rows[r]) ? lw : wtext_width(h->rows[r]);
	if (lw > w->w / 4)
		lw = w->w / 4;
	/* Columns of at least 9 cells; those that do not fit are left out. */
	ncols = (int)h->ncols;
	cw = ncols > 0 ? (w->w - lw - 1) / ncols : 0;
	if (cw < 9) {
		cw = 9;
		ncols = (w->w - lw - 1) / cw;
	}
	if (cw > 14)
		cw = 14;
	for (c = 0; (int)c < ncols && c < h->ncols; c++)
		wtext_put(win, w->y + 1, w->x + lw + 1 + (int)c * cw, cw - 1,
		    WALIGN_RIGHT, widget_attr[WR_TITLE], h->cols[c]);
	for (r = 0; r < h->nrows && (int)r + 2 < w->h; r++) {
		y = w->y + 2 + (int)r;
		wtext_put(win, y, w->x, lw, WALIGN_LEFT,
		    widget_attr[r == h->cursor ? WR_CURSOR : WR_NORMAL],
		    h->rows[r]);
		for (c = 0; (int)c < ncols && c < h->ncols; c++) {
			i = r * h->ncols + c;
			if (!h->has[i]) {
				wtext_put(win, y, w->x + lw + 1 + (int)c * cw,
				    cw - 1, WALIGN_RIGHT, widget_attr[WR_DIM],
				    ".");
				continue;
			}
			if (fabs(h->v[i]) >= 1e5)
				wfmt_compact(h->v[i], 1, text, sizeof text);
			else
				snprintf(text, sizeof text, h->decimals ?
				    "%.1f" : "%.0f", h->v[i]);
			wheatmap_cell(win, y, w->x + lw + 1 + (int)c * cw,
			    cw - 1, h->v[i], wheatmap_level(h->v[i], maxabs,
			    4), text);
		}
	}
	if (ncols < (int)h->ncols)
		wtext_put(win, w->y + w->h - 1, w->x, w->w, WALIGN_RIGHT,
		    widget_attr[WR_DIM], "more columns: widen the terminal");
}
