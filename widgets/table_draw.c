/* Painting a table, moving its cursor and scrolling it sideways. */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "widgets/table_int.h"

static void
wtable_draw_head(struct wtable *t, WINDOW *win, const int *width)
{
	struct widget	*w = &t->w;
	char		*title, arrow[8];
	int		 c, x = w->x + 1;

	widget_clear(win, w->y, w->x, 1, w->w, widget_attr[WR_TITLE]);
	for (c = 0; c < t->ncols; c++) {
		if (width[c] == 0)
			continue;
		if (c == t->sort_col)
			title = xasprintf("%s%s", t->cols[c].title,
			    t->sort_desc ? (widget_ascii ? "v" : "\u25be") :
			    (widget_ascii ? "^" : "\u25b4"));
		else
			title = xstrdup(t->cols[c].title);
		wtext_put(win, w->y, x, width[c], t->cols[c].align,
		    widget_attr[WR_TITLE], title);
		free(title);
		x += width[c] + 1;
	}
	/* More columns either side: say so where the eye ends. */
	if (t->fit.more_left > 0) {
		snprintf(arrow, sizeof arrow, "%lc",
		    (wint_t)widget_glyph(WG_ARROW_LEFT));
		wtext_puts(win, w->y, w->x, 1, widget_attr[WR_ACCENT], arrow);
	}
	if (t->fit.more_right > 0) {
		snprintf(arrow, sizeof arrow, "%lc",
		    (wint_t)widget_glyph(WG_ARROW_RIGHT));
		wtext_puts(win, w->y, w->x + w->w - 1, 1,
		    widget_attr[WR_ACCENT], arrow);
	}
}

static void
wtable_draw_cell(struct wtable *t, WINDOW *win, int y, int x, int c,
    int width, int compact, attr_t a, const char *cell)
{
	int64_t	p;
	char	buf[48];

	if (compact && cell != NULL && wtext_width(cell) > width &&
	    wfmt_parse_inr(cell, &p) == 0) {
		wfmt_inr_compact(p, buf, sizeof buf);
		cell = buf;
	}
	wtext_put(win, y, x, width, t->cols[c].align, a, cell);
}

static void
wtable_draw_row(struct wtable *t, WINDOW *win, int y, size_t vi,
    const int *width, const unsigned char *compact)
{
	struct wtable_row	*r = &t->rows[t->vis[vi]];
	attr_t			 a;
	int			 c, x = t->w.x + 1;

	if (vi == t->cursor && !t->hide_cursor)
		a = widget_attr[WR_CURSOR];
	else if (r->marked)
		a = widget_attr[WR_MARK];
	else
		a = widget_attr[r->role];
	widget_clear(win, y, t->w.x, 1, t->w.w, a);
	if (r->marked)
		wtext_puts(win, y, t->w.x, 1, a, widget_ascii ? "*" :
		    "\u25cf");
	for (c = 0; c < t->ncols; c++) {
		if (width[c] == 0)
			continue;
		wtable_draw_cell(t, win, y, x, c, width[c], compact[c], a,
		    r->cells[c]);
		x += width[c] + 1;
	}
}

/* Scrolled further than there are columns: come back. */
static void
wtable_clamp_hoff(struct wtable *t)
{
	int	c, scrollable = 0;

	for (c = 0; c < t->ncols; c++)
		scrollable += !(t->cols[c].flags & WCOL_PIN);
	if (t->hoff > scrollable - 1)
		t->hoff = scrollable > 0 ? scrollable - 1 : 0;
	if (t->hoff < 0)
		t->hoff = 0;
}

void
wtable_draw(struct widget *w, WINDOW *win)
{
	struct wtable		*t = (struct wtable *)w;
	struct wtable_measure	*m, *blank = NULL;
	unsigned char		*compact;
	int			*width, h = w->h - 1, i;
	size_t			 vi;

	widget_clear(win, w->y, w->x, w->h, w->w, widget_attr[WR_NORMAL]);
	width = xcalloc((size_t)t->ncols, sizeof *width);
	compact = xcalloc((size_t)t->ncols, 1);
	if ((m = t->measure) == NULL)
		m = blank = xcalloc((size_t)t->ncols, sizeof *m);
	wtable_clamp_hoff(t);
	/* One column for marks on the left, one for the marker on the right. */
	wtable_fit(t->cols, t->ncols, m, w->w - 2, 1, t->hoff, width, compact,
	    &t->fit);
	wtable_draw_head(t, win, width);
	if (t->nvis == 0 || h <= 0) {
		wtext_put(win, w->y + 1 + (h > 2 ? h / 2 - 1 : 0), w->x, w->w,
		    WALIGN_CENTER, widget_attr[WR_DIM], t->empty);
		goto out;
	}
	t->top = wtable_scroll(t->top, t->cursor, (size_t)h, t->nvis);
	for (i = 0, vi = t->top; i < h && vi < t->nvis; i++, vi++)
		wtable_draw_row(t, win, w->y + 1 + i, vi, width, compact);
out:
	free(blank);
	free(compact);
	free(width);
}

int
wtable_key(struct widget *w, int key)
{
	struct wtable	*t = (struct wtable *)w;
	size_t		 page = w->h > 2 ? (size_t)w->h - 2 : 1;

	switch (key) {
	case 'h':
	case KEY_LEFT:
		if (t->hoff == 0)
			return WIDGET_HANDLED;
		t->hoff--;
		return WIDGET_HANDLED | WIDGET_REDRAW;
	case 'l':
	case KEY_RIGHT:
		if (t->fit.more_right == 0)
			return WIDGET_HANDLED;
		t->hoff++;
		return WIDGET_HANDLED | WIDGET_REDRAW;
	}
	if (t->nvis == 0)
		return WIDGET_IGNORED;
	switch (key) {
	case 'j':
	case KEY_DOWN:
		if (t->cursor + 1 < t->nvis)
			t->cursor++;
		break;
	case 'k':
	case KEY_UP:
		if (t->cursor > 0)
			t->cursor--;
		break;
	case KEY_NPAGE:
	case WIDGET_KEY_CTRL('f'):
		t->cursor = t->cursor + page < t->nvis ? t->cursor + page :
		    t->nvis - 1;
		break;
	case KEY_PPAGE:
	case WIDGET_KEY_CTRL('b'):
		t->cursor = t->cursor > page ? t->cursor - page : 0;
		break;
	case 'g':
	case KEY_HOME:
		t->cursor = 0;
		break;
	case 'G':
	case KEY_END:
		t->cursor = t->nvis - 1;
		break;
	default:
		return WIDGET_IGNORED;
	}
	return WIDGET_HANDLED | WIDGET_REDRAW;
}
