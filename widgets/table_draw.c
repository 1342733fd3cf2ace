/* Painting a table and moving its cursor. */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "widgets/table_int.h"


static void
wtable_draw_head(struct wtable *t, WINDOW *win, const int *width)
{
	struct widget	*w = &t->w;
	char		*title;
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
}

static void
wtable_draw_row(struct wtable *t, WINDOW *win, int y, size_t vi,
    const int *width)
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
		wtext_put(win, y, x, width[c], t->cols[c].align, a,
		    r->cells[c]);
		x += width[c] + 1;
	}
}

void
wtable_draw(struct widget *w, WINDOW *win)
{
	struct wtable	*t = (struct wtable *)w;
	int		*width, *natural, h = w->h - 1, i;
	size_t		 vi;

	widget_clear(win, w->y, w->x, w->h, w->w, widget_attr[WR_NORMAL]);
	width = xcalloc((size_t)t->ncols, sizeof *width);
	natural = t->natural;
	if (natural == NULL)
		natural = width;
	wtable_layout(t->cols, t->ncols, natural, w->w - 1, 1, width);
	wtable_draw_head(t, win, width);
	if (t->nvis == 0 || h <= 0) {
		wtext_put(win, w->y + 1 + (h > 2 ? h / 2 - 1 : 0), w->x, w->w,
		    WALIGN_CENTER, widget_attr[WR_DIM], t->empty);
		free(width);
		return;
	}
	t->top = wtable_scroll(t->top, t->cursor, (size_t)h, t->nvis);
	for (i = 0, vi = t->top; i < h && vi < t->nvis; i++, vi++)
		wtable_draw_row(t, win, w->y + 1 + i, vi, width);
	free(width);
}

int
wtable_key(struct widget *w, int key)
{
	struct wtable	*t = (struct wtable *)w;
	size_t		 page = w->h > 2 ? (size_t)w->h - 2 : 1;

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
