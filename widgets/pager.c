/* A boxed, scrollable text: the help overlay and multi-line results. */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "widgets/widgets.h"

static void wpager_draw(struct widget *, WINDOW *);
static int wpager_keyf(struct widget *, int);
static void wpager_free(struct widget *);

static const struct widget_class wpager_class = {
	"pager", wpager_draw, wpager_keyf, wpager_free
};

struct wpager *
wpager_new(const char *title, const char *text)
{
	struct wpager	*p;
	const char	*s, *nl;

	p = xcalloc(1, sizeof *p);
	widget_init(&p->w, &wpager_class);
	p->title = xstrdup(title != NULL ? title : "");
	for (s = text; s != NULL && *s != '\0';
	    s = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		p->lines = xreallocarray(p->lines, p->nlines + 1,
		    sizeof *p->lines);
		p->lines[p->nlines++] = nl != NULL ?
		    xstrndup(s, (size_t)(nl - s)) : xstrdup(s);
	}
	return p;
}

static void
wpager_free(struct widget *w)
{
	struct wpager	*p = (struct wpager *)w;
	size_t		 i;

	for (i = 0; i < p->nlines; i++)
		free(p->lines[i]);
	free(p->lines);
	free(p->title);
}

static int
wpager_page(const struct wpager *p)
{
	return p->w.h > 4 ? p->w.h - 4 : 1;
}

int
wpager_key(struct wpager *p, int key)
{
	size_t	page = (size_t)wpager_page(p);
	size_t	last = p->nlines > page ? p->nlines - page : 0;

	switch (key) {
	case 'j':
	case KEY_DOWN:
		if (p->top < last)
			p->top++;
		break;
	case 'k':
	case KEY_UP:
		if (p->top > 0)
			p->top--;
		break;
	case ' ':
	case KEY_NPAGE:
		p->top = p->top + page < last ? p->top + page : last;
		break;
	case KEY_PPAGE:
		p->top = p->top > page ? p->top - page : 0;
		break;
	case 'g':
	case KEY_HOME:
		p->top = 0;
		break;
	case 'G':
	case KEY_END:
		p->top = last;
		break;
	case 'q':
	case '?':
	case '\n':
	case '\r':
	case KEY_ENTER:
	case WIDGET_KEY_ESC:
		return WIDGET_HANDLED | WIDGET_REDRAW | WIDGET_CLOSE;
	default:
		return WIDGET_IGNORED;
	}
	return WIDGET_HANDLED | WIDGET_REDRAW;
}

static int
wpager_keyf(struct widget *w, int key)
{
	return wpager_key((struct wpager *)w, key);
}

static void
wpager_draw(struct widget *w, WINDOW *win)
{
	struct wpager	*p = (struct wpager *)w;
	int		 bw = 20, bh, by, bx, i, lw, page;
	char		*foot;

	for (i = 0; i < (int)p->nlines; i++) {
		lw = wtext_width(p->lines[i]) + 4;
		bw = lw > bw ? lw : bw;
	}
	if (bw > w->w)
		bw = w->w;
	bh = (int)p->nlines + 4;
	if (bh > w->h)
		bh = w->h;
	if (bw < 10 || bh < 4)
		return;
	by = w->y + (w->h - bh) / 2;
	bx = w->x + (w->w - bw) / 2;
	widget_box(win, by, bx, bh, bw, p->title, widget_attr[WR_BORDER],
	    widget_attr[WR_NORMAL]);
	page = bh - 4;
	for (i = 0; i < page && p->top + (size_t)i < p->nlines; i++)
		wtext_put(win, by + 1 + i, bx + 2, bw - 4, WALIGN_LEFT,
		    widget_attr[WR_NORMAL], p->lines[p->top + (size_t)i]);
	if ((int)p->nlines > page)
		foot = xasprintf("%zu-%zu of %zu  j/k PgUp/PgDn  q: close",
		    p->top + 1, p->top + (size_t)i, p->nlines);
	else
		foot = xstrdup("q, Esc or Enter: close");
	wtext_put(win, by + bh - 2, bx + 2, bw - 4, WALIGN_RIGHT,
	    widget_attr[WR_DIM], foot);
	free(foot);
}
