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
wdialog_row(const struct wdialog *d, int i, int shown, int *hidden)
{
	int	n = (int)d->nlines, tail, head;

	*hidden = 0;
	if (n <= shown)
		return i;
	tail = d->has_tail ? n - (int)d->tail : 0;
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

/* Centred box sized to its text, within the widget's area. */
static void
wdialog_draw(struct widget *w, WINDOW *win)
{
	struct wdialog	*d = (struct wdialog *)w;
	const char	*foot = "y then Enter (or Y) confirms; n, Esc or "
			    "Enter cancels.";
	int		 bw, bh, by, bx, i, shown, lw, li, hidden;
	char		*more, *answer;

	bw = wtext_width(foot) + 4;
	for (i = 0; i < (int)d->nlines; i++) {
		lw = wtext_width(d->lines[i]) + 4;
		bw = lw > bw ? lw : bw;
	}
	if (bw > w->w - 2)
		bw = w->w - 2;
	bh = (int)d->nlines + 6;
	if (bh > w->h)
		bh = w->h;
	if (bw < 10 || bh < 5)
		return;
	by = w->y + (w->h - bh) / 2;
	bx = w->x + (w->w - bw) / 2;
	widget_box(win, by, bx, bh, bw, d->title, widget_attr[WR_DIALOG],
	    widget_attr[WR_DIALOG]);
	shown = bh - 6;
	for (i = 0; i < shown && i < (int)d->nlines; i++) {
		li = wdialog_row(d, i, shown, &hidden);
		if (li < 0) {
			more = xasprintf("... and %d more lines", hidden);
			wtext_put(win, by + 1 + i, bx + 2, bw - 4, WALIGN_LEFT,
			    widget_attr[WR_DIALOG], more);
			free(more);
			continue;
		}
		wtext_put_words(win, by + 1 + i, bx + 2, bw - 4,
		    widget_attr[WR_DIALOG], d->lines[li]);
	}
	wtext_put_words(win, by + bh - 4, bx + 2, bw - 4,
	    widget_attr[WR_DIALOG], foot);
	answer = xasprintf("Confirm? [y/N] %s", d->armed ? "y" : "");
	wtext_put(win, by + bh - 2, bx + 2, bw - 4, WALIGN_LEFT,
	    widget_attr[WR_DIALOG_TITLE], answer);
	free(answer);
}
