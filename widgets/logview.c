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

static void
wlog_draw(struct widget *w, WINDOW *win)
{
	struct wlog		 *l = (struct wlog *)w;
	const struct wlog_line	**v;
	size_t			  n, i;
	int			  y = w->y, h = w->h;

	widget_clear(win, w->y, w->x, w->h, w->w, widget_attr[WR_NORMAL]);
	if (l->title != NULL) {
		wtext_put(win, y++, w->x, w->w, WALIGN_LEFT,
		    widget_attr[WR_TITLE], l->title);
		h--;
	}
	if (h <= 0)
		return;
	v = xcalloc((size_t)h, sizeof *v);
	n = wlog_visible(l, v, (size_t)h);
	for (i = 0; i < n; i++)
		wtext_put(win, y + (int)i, w->x, w->w, WALIGN_LEFT,
		    widget_attr[v[i]->role], v[i]->text);
	if (n == 0)
		wtext_put(win, y + h / 2, w->x, w->w, WALIGN_CENTER,
		    widget_attr[WR_DIM], l->filter != NULL ?
		    "no line matches the filter" : "nothing yet");
	free(v);
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
