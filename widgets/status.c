/*
 * The message line (results, errors, hints; messages expire) and the tab
 * line naming the views.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "widgets/widgets.h"

static void wstatus_draw(struct widget *, WINDOW *);
static void wstatus_free(struct widget *);
static void wtabs_draw(struct widget *, WINDOW *);
static void wtabs_free(struct widget *);

static const struct widget_class wstatus_class = {
	"status", wstatus_draw, NULL, wstatus_free
};
static const struct widget_class wtabs_class = {
	"tabs", wtabs_draw, NULL, wtabs_free
};

struct wstatus *
wstatus_new(void)
{
	struct wstatus	*s;

	s = xcalloc(1, sizeof *s);
	widget_init(&s->w, &wstatus_class);
	return s;
}

static void
wstatus_free(struct widget *w)
{
	struct wstatus	*s = (struct wstatus *)w;

	free(s->msg);
	free(s->hint);
}

void
wstatus_set(struct wstatus *s, enum wrole role, int64_t ttl_us,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	free(s->msg);
	va_start(ap, fmt);
	s->msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* One line: a multi-line message shows its first line. */
	if ((p = strchr(s->msg, '\n')) != NULL)
		*p = '\0';
	s->role = role;
	s->until_us = ttl_us > 0 ? time_mono_us() + ttl_us : 0;
}

void
wstatus_hint(struct wstatus *s, const char *hint)
{
	free(s->hint);
	s->hint = hint != NULL ? xstrdup(hint) : NULL;
}

int
wstatus_expire(struct wstatus *s, int64_t now)
{
	if (s->msg == NULL || s->until_us == 0 || now < s->until_us)
		return 0;
	free(s->msg);
	s->msg = NULL;
	return 1;
}

static void
wstatus_draw(struct widget *w, WINDOW *win)
{
	struct wstatus	*s = (struct wstatus *)w;

	if (s->msg != NULL)
		wtext_put(win, w->y, w->x, w->w, WALIGN_LEFT,
		    widget_attr[s->role], s->msg);
	else
		wtext_put(win, w->y, w->x, w->w, WALIGN_LEFT,
		    widget_attr[WR_STATUS], s->hint != NULL ? s->hint : "");
}

struct wtabs *
wtabs_new(const char **names, int n)
{
	struct wtabs	*t;

	t = xcalloc(1, sizeof *t);
	widget_init(&t->w, &wtabs_class);
	t->names = names;
	t->n = n;
	return t;
}

static void
wtabs_free(struct widget *w)
{
	free(((struct wtabs *)w)->right);
}

void
wtabs_set_right(struct wtabs *t, enum wrole role, const char *text)
{
	free(t->right);
	t->right = text != NULL && *text != '\0' ? xstrdup(text) : NULL;
	t->right_role = role;
}

/*
 * Each tab is " N Name " (number, space, name, a space either side).
 * When they do not fit, names shrink evenly; the numbers always stay.
 */
static int
wtabs_width(const char *name, int cap)
{
	int	nw = wtext_width(name);

	return 3 + (cap > 0 ? 1 + (nw < cap ? nw : cap) : 0);
}

int
wtabs_layout(const char **names, int n, int width, int *x, int *w)
{
	int	i, total, cap = 0, used = 0;

	for (i = 0; i < n; i++)
		cap = wtext_width(names[i]) > cap ? wtext_width(names[i]) : cap;
	for (; cap > 0; cap--) {
		total = n > 0 ? n - 1 : 0;
		for (i = 0; i < n; i++)
			total += wtabs_width(names[i], cap);
		if (total <= width)
			break;
	}
	for (i = 0; i < n; i++) {
		x[i] = used < width ? used : width;
		w[i] = wtabs_width(names[i], cap);
		if (used + w[i] > width)
			w[i] = width - used > 0 ? width - used : 0;
		if (w[i] > 0)
			used += w[i] + 1;
	}
	used = used > 0 ? used - 1 : 0;
	return used < width ? used : width;
}

static void
wtabs_draw(struct widget *w, WINDOW *win)
{
	struct wtabs	*t = (struct wtabs *)w;
	int		 x[16], tw[16], i, n = t->n < 16 ? t->n : 16, rw = 0;
	int		 avail = w->w;
	char		*label;

	widget_clear(win, w->y, w->x, 1, w->w, widget_attr[WR_TAB]);
	if (t->right != NULL) {
		rw = wtext_width(t->right);
		if (rw > w->w / 3)
			rw = w->w / 3;
		wtext_put(win, w->y, w->x + w->w - rw, rw, WALIGN_RIGHT,
		    widget_attr[t->right_role], t->right);
		avail -= rw + 1;
	}
	wtabs_layout(t->names, n, avail, x, tw);
	for (i = 0; i < n; i++) {
		if (tw[i] <= 0)
			continue;
		label = xasprintf("%d %s", i + 1, t->names[i]);
		wtext_put(win, w->y, w->x + x[i], tw[i], WALIGN_CENTER,
		    widget_attr[i == t->active ? WR_TAB_ACTIVE : WR_TAB],
		    label);
		free(label);
	}
}
