/*
 * Log view: a ring of coloured lines.  The oldest line is dropped when the
 * ring is full, so memory stays flat however fast events come.  In follow
 * mode the view sticks to the newest line; scrolling up leaves it, End
 * (or G) comes back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"
#include "widgets/widgets.h"

static void wlog_draw(struct widget *, WINDOW *);
static int wlog_key(struct widget *, int);
static void wlog_free(struct widget *);

static const struct widget_class wlog_class = {
	"log", wlog_draw, wlog_key, wlog_free
};

struct wlog *
wlog_new(const char *title, size_t cap)
{
	struct wlog	*l;

	l = xcalloc(1, sizeof *l);
	widget_init(&l->w, &wlog_class);
	l->title = title != NULL ? xstrdup(title) : NULL;
	l->cap = cap > 0 ? cap : 1;
	l->ring = xcalloc(l->cap, sizeof *l->ring);
	l->follow = 1;
	return l;
}

static void
wlog_free(struct widget *w)
{
	struct wlog	*l = (struct wlog *)w;
	size_t		 i;

	for (i = 0; i < l->cap; i++)
		free(l->ring[i].text);
	free(l->ring);
	free(l->title);
	free(l->filter);
	free(l->measure);
}

/* Cells of a tabbed line, pointing into copy (which the caller frees). */
static int
wlog_cells(const struct wlog *l, const char *text, char **copy,
    const char **cells)
{
	char	*p;
	int	 n = 0;

	*copy = xstrdup(text);
	for (p = *copy; n < l->ncols; n++) {
		cells[n] = p;
		if ((p = strchr(p, '\t')) == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	while (n < l->ncols)
		cells[n++] = "";
	return n;
}

static void
wlog_measure(struct wlog *l, const char *text)
{
	const char	**cells;
	char		 *copy;
	int		  c, w;

	if (l->cols == NULL || strchr(text, '\t') == NULL)
		return;
	cells = xcalloc((size_t)l->ncols, sizeof *cells);
	wlog_cells(l, text, &copy, cells);
	for (c = 0; c < l->ncols; c++) {
		w = wtext_width(cells[c]);
		if (w > l->measure[c].cells)
			l->measure[c].cells = w;
		if (w > l->measure[c].natural)
			l->measure[c].natural = w;
	}
	free(copy);
	free(cells);
}

void
wlog_set_columns(struct wlog *l, const struct wtable_col *cols, int n)
{
	int	c;

	free(l->measure);
	l->cols = cols;
	l->ncols = n;
	l->measure = xcalloc((size_t)n, sizeof *l->measure);
	for (c = 0; c < n; c++)
		l->measure[c].natural = wtext_width(cols[c].title);
}

void
wlog_add(struct wlog *l, enum wrole role, const char *text)
{
	struct wlog_line	*ln;

	if (l->n < l->cap)
		ln = &l->ring[(l->head + l->n++) % l->cap];
	else {
		ln = &l->ring[l->head];
		l->head = (l->head + 1) % l->cap;
		free(ln->text);
	}
	ln->text = xstrdup(text);
	ln->role = role;
	wlog_measure(l, text);
	l->added++;
	/* A reader scrolled back keeps looking at the same lines. */
	if (!l->follow && wlog_match(l, ln))
		l->back++;
}

void
wlog_addf(struct wlog *l, enum wrole role, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	wlog_add(l, role, s);
	free(s);
}

const struct wlog_line *
wlog_line(const struct wlog *l, size_t i)
{
	if (i >= l->n)
		return NULL;
	return &l->ring[(l->head + i) % l->cap];
}

void
wlog_set_filter(struct wlog *l, const char *f)
{
	free(l->filter);
	l->filter = f != NULL && *f != '\0' ? xstrdup(f) : NULL;
	l->back = 0;
	l->follow = 1;
}

int
wlog_match(const struct wlog *l, const struct wlog_line *ln)
{
	if (l->filter == NULL)
		return 1;
	return strcasestr(ln->text, l->filter) != NULL;
}

size_t
wlog_visible(const struct wlog *l, const struct wlog_line **out, size_t max)
{
	const struct wlog_line	*ln;
	size_t			 i, got = 0, skip = l->follow ? 0 : l->back;

	for (i = l->n; i > 0 && got < max; i--) {
		ln = wlog_line(l, i - 1);
		if (!wlog_match(l, ln))
			continue;
		if (skip > 0) {
			skip--;
			continue;
		}
		out[max - 1 - got++] = ln;
	}
	if (got < max)
		memmove(out, out + (max - got), got * sizeof *out);
	return got;
}

static size_t
wlog_count(const struct wlog *l)
{
	size_t	i, c = 0;

	if (l->filter == NULL)
		return l->n;
	for (i = 0; i < l->n; i++)
		c += wlog_match(l, wlog_line(l, i));
	return c;
}

/* A tabbed line as a table row, plain lines as text cut between words. */
static void
wlog_draw_line(struct wlog *l, WINDOW *win, int y, const int *width,
    const char *text, attr_t a)
{
	const char	**cells;
	char		 *copy;
	int		  c, x = l->w.x;

	if (l->cols == NULL || strchr(text, '\t') == NULL) {
		wtext_put_words(win, y, l->w.x, l->w.w, a, text);
		return;
	}
	cells = xcalloc((size_t)l->ncols, sizeof *cells);
	wlog_cells(l, text, &copy, cells);
	widget_clear(win, y, l->w.x, 1, l->w.w, a);
	for (c = 0; c < l->ncols; c++) {
		if (width[c] == 0)
			continue;
		wtext_put(win, y, x, width[c], l->cols[c].align, a, cells[c]);
		x += width[c] + 1;
	}
	free(copy);
	free(cells);
}

static void
wlog_draw_head(struct wlog *l, WINDOW *win, int y, const int *width,
    const struct wtable_fitting *f)
{
	char	arrow[8];
	int	c, x = l->w.x;

	widget_clear(win, y, l->w.x, 1, l->w.w, widget_attr[WR_TITLE]);
	for (c = 0; c < l->ncols; c++) {
		if (width[c] == 0)
			continue;
		wtext_put(win, y, x, width[c], l->cols[c].align,
		    widget_attr[WR_TITLE], l->cols[c].title);
		x += width[c] + 1;
	}
	if (f->more_right > 0) {
		snprintf(arrow, sizeof arrow, "%lc",
		    (wint_t)widget_glyph(WG_ARROW_RIGHT));
		wtext_puts(win, y, l->w.x + l->w.w - 1, 1,
		    widget_attr[WR_ACCENT], arrow);
	}
	if (f->more_left > 0) {
		snprintf(arrow, sizeof arrow, "%lc",
		    (wint_t)widget_glyph(WG_ARROW_LEFT));
		wtext_puts(win, y, l->w.x + l->w.w - 2, 1,
		    widget_attr[WR_ACCENT], arrow);
	}
}

static void
wlog_draw(struct widget *w, WINDOW *win)
{
	struct wlog		 *l = (struct wlog *)w;
	const struct wlog_line	**v;
	struct wtable_fitting	  fit;
	unsigned char		 *compact = NULL;
	int			 *width = NULL;
	size_t			  n, i;
	int			  y = w->y, h = w->h;

	widget_clear(win, w->y, w->x, w->h, w->w, widget_attr[WR_NORMAL]);
	if (l->title != NULL) {
		wtext_put(win, y++, w->x, w->w, WALIGN_LEFT,
		    widget_attr[WR_TITLE], l->title);
		h--;
	}
	if (l->cols != NULL && h > 1) {
		width = xcalloc((size_t)l->ncols, sizeof *width);
		compact = xcalloc((size_t)l->ncols, 1);
		wtable_fit(l->cols, l->ncols, l->measure, w->w - 2, 1, l->hoff,
		    width, compact, &fit);
		l->more_right = fit.more_right;
		wlog_draw_head(l, win, y++, width, &fit);
		h--;
	}
	if (h <= 0)
		goto out;
	v = xcalloc((size_t)h, sizeof *v);
	n = wlog_visible(l, v, (size_t)h);
	for (i = 0; i < n; i++)
		wlog_draw_line(l, win, y + (int)i, width, v[i]->text,
		    widget_attr[v[i]->role]);
	if (n == 0)
		wtext_put(win, y + h / 2, w->x, w->w, WALIGN_CENTER,
		    widget_attr[WR_DIM], l->filter != NULL ?
		    "no line matches the filter" : "nothing yet");
	free(v);
out:
	free(width);
	free(compact);
}

static void
wlog_scroll(struct wlog *l, long by)
{
	size_t	total = wlog_count(l), page = (size_t)(l->w.h > 1 ?
	    l->w.h - 1 : 1), maxback;

	maxback = total > page ? total - page : 0;
	if (by > 0) {
		l->back += (size_t)by;
		if (l->back > maxback)
			l->back = maxback;
	} else if ((size_t)-by >= l->back)
		l->back = 0;
	else
		l->back -= (size_t)-by;
	l->follow = l->back == 0;
}

static int
wlog_key(struct widget *w, int key)
{
	struct wlog	*l = (struct wlog *)w;
	long		 page = w->h > 2 ? w->h - 2 : 1;

	switch (key) {
	case 'h':
	case KEY_LEFT:
		if (l->cols == NULL || l->hoff == 0)
			return l->cols != NULL ? WIDGET_HANDLED : WIDGET_IGNORED;
		l->hoff--;
		break;
	case 'l':
	case KEY_RIGHT:
		if (l->cols == NULL || l->more_right == 0)
			return l->cols != NULL ? WIDGET_HANDLED : WIDGET_IGNORED;
		l->hoff++;
		break;
	case 'k':
	case KEY_UP:
		wlog_scroll(l, 1);
		break;
	case 'j':
	case KEY_DOWN:
		wlog_scroll(l, -1);
		break;
	case KEY_PPAGE:
		wlog_scroll(l, page);
		break;
	case KEY_NPAGE:
		wlog_scroll(l, -page);
		break;
	case 'g':
	case KEY_HOME:
		wlog_scroll(l, (long)l->n);
		break;
	case 'G':
	case KEY_END:
		l->back = 0;
		l->follow = 1;
		break;
	default:
		return WIDGET_IGNORED;
	}
	return WIDGET_HANDLED | WIDGET_REDRAW;
}
