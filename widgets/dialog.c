/*
 * Confirmation dialog for actions that send orders.  It names exactly
 * what will happen and defaults to No: Enter alone cancels, and only a
 * capital Y, or y followed by Enter, confirms -- a stray keystroke or a
 * held Enter can never square off an account.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "widgets/widgets.h"

static void wdialog_draw(struct widget *, WINDOW *);
static int wdialog_keyf(struct widget *, int);
static void wdialog_free(struct widget *);

static const struct widget_class wdialog_class = {
	"dialog", wdialog_draw, wdialog_keyf, wdialog_free
};

struct wdialog *
wdialog_new(const char *title)
{
	struct wdialog	*d;

	d = xcalloc(1, sizeof *d);
	widget_init(&d->w, &wdialog_class);
	d->title = xstrdup(title != NULL ? title : "Confirm");
	d->state = WDIALOG_PENDING;
	return d;
}

static void
wdialog_free(struct widget *w)
{
	struct wdialog	*d = (struct wdialog *)w;
	size_t		 i;

	for (i = 0; i < d->nlines; i++)
		free(d->lines[i]);
	free(d->lines);
	free(d->title);
}

void
wdialog_line(struct wdialog *d, const char *fmt, ...)
{
	va_list	ap;

	d->lines = xreallocarray(d->lines, d->nlines + 1, sizeof *d->lines);
	va_start(ap, fmt);
	d->lines[d->nlines++] = xvasprintf(fmt, ap);
	va_end(ap);
}

int
wdialog_key(struct wdialog *d, int key)
{
	if (d->state != WDIALOG_PENDING)
		return WIDGET_IGNORED;
	switch (key) {
	case 'Y':
		d->state = WDIALOG_YES;
		return WIDGET_HANDLED | WIDGET_REDRAW | WIDGET_CLOSE;
	case 'y':
		d->armed = 1;
		return WIDGET_HANDLED | WIDGET_REDRAW;
	case '\n':
	case '\r':
	case KEY_ENTER:
		d->state = d->armed ? WDIALOG_YES : WDIALOG_NO;
		return WIDGET_HANDLED | WIDGET_REDRAW | WIDGET_CLOSE;
	case KEY_BACKSPACE:
	case 127:
	case '\b':
		d->armed = 0;
		return WIDGET_HANDLED | WIDGET_REDRAW;
	case 'n':
	case 'N':
	case 'q':
	case WIDGET_KEY_ESC:
	case WIDGET_KEY_CTRL('c'):
		d->state = WDIALOG_NO;
		return WIDGET_HANDLED | WIDGET_REDRAW | WIDGET_CLOSE;
	default:
		/* Anything else disarms: "y", "x", Enter is not a yes. */
		d->armed = 0;
		return WIDGET_HANDLED | WIDGET_REDRAW;
	}
}

static int
wdialog_keyf(struct widget *w, int key)
{
	return wdialog_key((struct wdialog *)w, key);
}

void
wdialog_keep_from_here(struct wdialog *d)
{
	d->tail = d->nlines;
	d->has_tail = 1;
}

/*
 * Which line goes on row i of shown rows: the head, a "more" line, then
 * the kept tail.  Returns the line index, -1 for the "more" row.
 */
static int
wdialog_row(size_t nlines, size_t tailpos, int has_tail, int i, int shown,
    int *hidden)
{
	int	n = (int)nlines, tail, head;

	*hidden = 0;
	if (n <= shown)
		return i;
	tail = has_tail ? n - (int)tailpos : 0;
	if (tail > shown - 2)
		tail = shown - 2 > 0 ? shown - 2 : 0;
	head = shown - 1 - tail;
	*hidden = n - head - tail;
	if (i < head)
		return i;
	if (i == head)
		return -1;
	return n - tail + (i - head - 1);
}

/*
 * Where to break s to fit width columns: after the last space or comma
 * that fits, else at width (a long target list has neither).
 */
static size_t
wdialog_break(const char *s, int width)
{
	size_t	i, best = 0;
	char	*t;
	int	 w;

	for (i = 1; s[i - 1] != '\0'; i++) {
		t = xstrndup(s, i);
		w = wtext_width(t);
		free(t);
		if (w > width)
			break;
		if (s[i - 1] == ' ' || s[i - 1] == ',')
			best = i;
	}
	if (s[i - 1] == '\0')
		return i - 1;
	return best > 0 ? best : i - 1;
}

/* The lines wrapped to width; tail is moved to where its line went. */
static char **
wdialog_wrap(const struct wdialog *d, int width, size_t *n, size_t *tail)
{
	char		**v = NULL;
	const char	 *s;
	size_t		  i, cut;
	int		  indent;

	*n = 0;
	*tail = 0;
	for (i = 0; i < d->nlines; i++) {
		if (d->has_tail && i == d->tail)
			*tail = *n;
		s = d->lines[i];
		indent = 0;
		do {
			cut = wdialog_break(s, width - indent);
			if (cut == 0)
				cut = strlen(s);
			v = xreallocarray(v, *n + 1, sizeof *v);
			v[*n] = xasprintf("%*s%.*s", indent, "", (int)cut, s);
			(*n)++;
			s += cut;
			s += strspn(s, " ");
			indent = 4;
		} while (*s != '\0');
	}
	if (d->has_tail && d->tail >= d->nlines)
		*tail = *n;
	return v;
}

/* Centred box sized to its text, within the widget's area. */
static void
wdialog_draw(struct widget *w, WINDOW *win)
{
	struct wdialog	*d = (struct wdialog *)w;
	const char	*foot = "y then Enter (or Y) confirms; n, Esc or "
			    "Enter cancels.";
	int		 bw, bh, by, bx, i, shown, lw, li, hidden;
	char		*more, *answer, **v;
	size_t		 n, tailpos, k;

	bw = wtext_width(foot) + 4;
	for (i = 0; i < (int)d->nlines; i++) {
		lw = wtext_width(d->lines[i]) + 4;
		bw = lw > bw ? lw : bw;
	}
	if (bw > w->w - 2)
		bw = w->w - 2;
	if (bw < 10)
		return;
	v = wdialog_wrap(d, bw - 4, &n, &tailpos);
	bh = (int)n + 6;
	if (bh > w->h)
		bh = w->h;
	if (bh < 5)
		goto out;
	by = w->y + (w->h - bh) / 2;
	bx = w->x + (w->w - bw) / 2;
	widget_box(win, by, bx, bh, bw, d->title, widget_attr[WR_DIALOG],
	    widget_attr[WR_DIALOG]);
	shown = bh - 6;
	for (i = 0; i < shown && i < (int)n; i++) {
		li = wdialog_row(n, tailpos, d->has_tail, i, shown, &hidden);
		if (li < 0) {
			more = xasprintf("... and %d more lines", hidden);
			wtext_put(win, by + 1 + i, bx + 2, bw - 4, WALIGN_LEFT,
			    widget_attr[WR_DIALOG], more);
			free(more);
			continue;
		}
		wtext_put_words(win, by + 1 + i, bx + 2, bw - 4,
		    widget_attr[WR_DIALOG], v[li]);
	}
	wtext_put_words(win, by + bh - 4, bx + 2, bw - 4,
	    widget_attr[WR_DIALOG], foot);
	answer = xasprintf("Confirm? [y/N] %s", d->armed ? "y" : "");
	wtext_put(win, by + bh - 2, bx + 2, bw - 4, WALIGN_LEFT,
	    widget_attr[WR_DIALOG_TITLE], answer);
	free(answer);
out:
	for (k = 0; k < n; k++)
		free(v[k]);
	free(v);
}
