/* A boxed, scrollable text: the help overlay and multi-line results. */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "widgets/widgets.h"

#define WPAGER_HSTEP	8

static void wpager_draw(struct widget *, WINDOW *);
static int wpager_keyf(struct widget *, int);
static void wpager_free(struct widget *);

static const struct widget_class wpager_class = {
	"pager", wpager_draw, wpager_keyf, wpager_free
};

/* One laid-out line: a piece of a source line. */
struct wpager_piece {
	const char	*s;		/* into a source line */
	size_t		 len;		/* bytes */
	int		 indent;	/* columns before it */
	int		 table;		/* a table row: sideways scroll */
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

/* Columns of the first len bytes of s. */
static int
wpager_width(const char *s, size_t len)
{
	char	*t = xstrndup(s, len);
	int	 w = wtext_width(t);

	free(t);
	return w;
}

static int
wpager_is_table(const char *line)
{
	const char	*s = line + strspn(line, " ");

	return strstr(s, "  ") != NULL;
}

/* The longest prefix of s, ending before a space, within width columns. */
static size_t
wpager_fit_words(const char *s, int width)
{
	size_t	i, best = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == ' ' && i > 0 && s[i - 1] != ' ') {
			if (wpager_width(s, i) > width)
				break;
			best = i;
		}
	}
	if (s[i] == '\0' && wpager_width(s, i) <= width)
		return i;
	return best;
}

/* Lay the text out for width columns; returns the pieces (owned). */
static struct wpager_piece *
wpager_layout(const struct wpager *p, int width, size_t *n)
{
	struct wpager_piece	*v = NULL;
	const char		*s;
	size_t			 i, cut, cap = 0;
	int			 indent;

	*n = 0;
	for (i = 0; i < p->nlines; i++) {
		s = p->lines[i];
		indent = 0;
		do {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				v = xreallocarray(v, cap, sizeof *v);
			}
			v[*n].s = s;
			v[*n].indent = indent;
			v[*n].table = wpager_is_table(p->lines[i]);
			if (v[*n].table || wtext_width(s) + indent <= width ||
			    (cut = wpager_fit_words(s, width - indent)) == 0) {
				v[(*n)++].len = strlen(s);
				break;
			}
			v[(*n)++].len = cut;
			/* Continuation lines hang under the first word. */
			if (indent == 0)
				indent = (int)strspn(p->lines[i], " ") + 2;
			s += cut;
			s += strspn(s, " ");
		} while (*s != '\0');
	}
	return v;
}

/* A table row from hoff, cut between words; 1 when something is hidden. */
static int
wpager_put_table(WINDOW *win, int y, int x, int width, int hoff,
    const char *s)
{
	size_t	start = 0, len;
	char	*t;
	int	 cut;

	/* Start at a word, never in the middle of one. */
	while (s[start] != '\0' && (int)start < hoff)
		start++;
	if (start > 0)
		while (s[start] != '\0' && s[start - 1] != ' ')
			start++;
	s += start;
	if (wtext_width(s) <= width) {
		wtext_put(win, y, x, width, WALIGN_LEFT,
		    widget_attr[WR_NORMAL], s);
		return 0;
	}
	len = wpager_fit_words(s, width - 1);
	t = xstrndup(s, len);
	wtext_put(win, y, x, width, WALIGN_LEFT, widget_attr[WR_NORMAL], t);
	free(t);
	cut = 1;
	return cut;
}

int
wpager_key(struct wpager *p, int key)
{
	size_t	page = (size_t)wpager_page(p);
	size_t	last = p->nlaid > page ? p->nlaid - page : 0;

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
	case 'h':
	case KEY_LEFT:
		p->hoff = p->hoff > WPAGER_HSTEP ? p->hoff - WPAGER_HSTEP : 0;
		break;
	case 'l':
	case KEY_RIGHT:
		if (p->wide)
			p->hoff += WPAGER_HSTEP;
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
		if (p->passive)
			return WIDGET_CLOSE;
		return WIDGET_HANDLED | WIDGET_REDRAW | WIDGET_CLOSE;
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
wpager_foot(struct wpager *p, WINDOW *win, int y, int x, int width,
    size_t shown, int page)
{
	char	*foot;

	if ((int)p->nlaid > page)
		foot = xasprintf("%zu-%zu of %zu  j/k PgUp/PgDn%s  %s: close",
		    p->top + 1, p->top + shown, p->nlaid,
		    p->wide || p->hoff ? "  h/l" : "", p->passive ? "Esc" : "q");
	else if (p->wide || p->hoff)
		foot = xstrdup(p->passive ? "h/l: more columns  Esc or "
		    "Enter: close" : "h/l: more columns  q, Esc or Enter: "
		    "close");
	else
		foot = xstrdup(p->passive ? "Esc or Enter: close" :
		    "q, Esc or Enter: close");
	wtext_put_words(win, y, x, width, widget_attr[WR_DIM], foot);
	free(foot);
}

static void
wpager_draw(struct widget *w, WINDOW *win)
{
	struct wpager		*p = (struct wpager *)w;
	struct wpager_piece	*v;
	int			 bw = 30, bh, by, bx, i, lw, page, cw, wide = 0;
	size_t			 n, k;
	char			*t, arrow[8];

	for (k = 0; k < p->nlines; k++) {
		lw = wtext_width(p->lines[k]) + 4;
		bw = lw > bw ? lw : bw;
	}
	if (bw > w->w)
		bw = w->w;
	cw = bw - 4;
	if (cw < 6)
		return;
	v = wpager_layout(p, cw, &n);
	p->nlaid = n;
	bh = (int)n + 4;
	if (bh > w->h)
		bh = w->h;
	if (bh < 4) {
		free(v);
		return;
	}
	page = bh - 4;
	if (p->top > (n > (size_t)page ? n - (size_t)page : 0))
		p->top = n > (size_t)page ? n - (size_t)page : 0;
	by = w->y + (w->h - bh) / 2;
	bx = w->x + (w->w - bw) / 2;
	widget_box(win, by, bx, bh, bw, p->title, widget_attr[WR_BORDER],
	    widget_attr[WR_NORMAL]);
	snprintf(arrow, sizeof arrow, "%lc",
	    (wint_t)widget_glyph(WG_ARROW_RIGHT));
	for (i = 0; i < page && p->top + (size_t)i < n; i++) {
		t = xstrndup(v[p->top + i].s, v[p->top + i].len);
		if (v[p->top + i].table) {
			if (wpager_put_table(win, by + 1 + i, bx + 2, cw,
			    p->hoff, t)) {
				wide = 1;
				wtext_puts(win, by + 1 + i, bx + bw - 2, 1,
				    widget_attr[WR_ACCENT], arrow);
			}
		} else
			wtext_put(win, by + 1 + i, bx + 2 + v[p->top +
			    i].indent, cw - v[p->top + i].indent, WALIGN_LEFT,
			    widget_attr[WR_NORMAL], t);
		free(t);
	}
	p->wide = wide;
	wpager_foot(p, win, by + bh - 2, bx + 2, cw, (size_t)i, page);
	free(v);
}
