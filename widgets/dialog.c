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

/* Centred box sized to its text, within the widget's area. */
static void
wdialog_draw(struct widget *w, WINDOW *win)
{
	struct wdialog	*d = (struct wdialog *)w;
	const char	*foot = "Type y then Enter (or Y) to confirm; "
			    "n, Esc or Enter cancels.";
	int		 bw, bh, by, bx, i, shown, lw;
	char		*more, *answer;

	bw = wtext_width(foot) + 4;
	for (i = 0; i < (int)d->nlines; i++) {
		lw = wtext_width(d->lines[i]) + 4;
		bw = lw > bw ? lw : bw;
	}
	if (bw > w->w - 2)
		bw = w->w - 2;
	bh = (int)d->nlines + 6;
	if (bh > w->h - 2)
		bh = w->h - 2;
	if (bw < 10 || bh < 5)
		return;
	by = w->y + (w->h - bh) / 2;
	bx = w->x + (w->w - bw) / 2;
	widget_box(win, by, bx, bh, bw, d->title, widget_attr[WR_DIALOG],
	    widget_attr[WR_DIALOG]);
	shown = bh - 6;
	for (i = 0; i < shown && i < (int)d->nlines; i++) {
		if (i == shown - 1 && (int)d->nlines > shown) {
			more = xasprintf("... and %d more lines",
			    (int)d->nlines - shown + 1);
			wtext_put(win, by + 1 + i, bx + 2, bw - 4, WALIGN_LEFT,
			    widget_attr[WR_DIALOG], more);
			free(more);
			break;
		}
		wtext_put(win, by + 1 + i, bx + 2, bw - 4, WALIGN_LEFT,
		    widget_attr[WR_DIALOG], d->lines[i]);
	}
	wtext_put(win, by + bh - 4, bx + 2, bw - 4, WALIGN_LEFT,
	    widget_attr[WR_DIALOG], foot);
	answer = xasprintf("Confirm? [y/N] %s", d->armed ? "y" : "");
	wtext_put(win, by + bh - 2, bx + 2, bw - 4, WALIGN_LEFT,
	    widget_attr[WR_DIALOG_TITLE], answer);
	free(answer);
}
