/*
 * View 2, the live execution feed: every order lifecycle event as it is
 * stored, by this process or any other (NOTIFY phalanx_events), coloured
 * by state, with the broker's latency.  The console's own commands and
 * their results are noted in the same stream.  A sparkline shows the
 * event rate over the last minute.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/tui.h"

#define FEED_LINES	5000
#define FEED_RATE_SECS	60

/* The columns of an event line; console notes are plain text. */
static const struct wtable_col feed_cols[] = {
	{ "Time", 8, 12, WALIGN_LEFT, WCOL_NUM, 6 },
	{ "Account", 6, 16, WALIGN_LEFT, WCOL_PIN, 10 },
	{ "Broker", 6, 12, WALIGN_LEFT, WCOL_DROP, 1 },
	{ "Side", 4, 4, WALIGN_LEFT, 0, 9 },
	{ "Qty", 3, 8, WALIGN_RIGHT, WCOL_NUM, 8 },
	{ "Symbol", 13, 28, WALIGN_LEFT, 0, 8 },
	{ "State", 9, 16, WALIGN_LEFT, 0, 9 },
	{ "Filled", 6, 16, WALIGN_RIGHT, WCOL_NUM, 7 },
	{ "Latency", 7, 8, WALIGN_RIGHT, WCOL_NUM, 6 },
	{ "Order", 5, 12, WALIGN_RIGHT, WCOL_NUM, 4 },
	{ "Broker status", 6, 16, WALIGN_LEFT, WCOL_DROP, 2 },
	{ "Message", 7, 0, WALIGN_LEFT, WCOL_DROP, 0 },
};

struct feed {
	struct wlog	*log;
	double		 rate[FEED_RATE_SECS];	/* events per second */
	int64_t		 rate_sec;		/* mono second of rate[last] */
};

/* Shift the per-second counts up to now. */
static void
feed_rate_roll(struct feed *f)
{
	int64_t	now = time_mono_us() / 1000000, gap;

	gap = now - f->rate_sec;
	if (gap <= 0)
		return;
	if (gap >= FEED_RATE_SECS)
		memset(f->rate, 0, sizeof f->rate);
	else {
		memmove(f->rate, f->rate + gap,
		    (size_t)(FEED_RATE_SECS - gap) * sizeof *f->rate);
		memset(f->rate + FEED_RATE_SECS - gap, 0,
		    (size_t)gap * sizeof *f->rate);
	}
	f->rate_sec = now;
}

/* A cell never holds a tab or a newline: they would split the row. */
static void
feed_cell(struct strbuf *b, const char *s, int last)
{
	for (; *s != '\0'; s++)
		strbuf_putc(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' :
		    *s);
	if (!last)
		strbuf_putc(b, '\t');
}

static void
feed_event(struct feed *f, json_t *e)
{
	char		 clock[24], lat[24], num[64];
	json_t		*l = json_object_get(e, "latency_us");
	const char	*state = tui_str(e, "state");
	struct strbuf	 b;

	tui_fmt_clock(tui_int(e, "ts_us"), 1, clock, sizeof clock);
	if (json_is_integer(l))
		wfmt_latency(json_integer_value(l), lat, sizeof lat);
	else
		snprintf(lat, sizeof lat, "-");
	strbuf_init(&b);
	feed_cell(&b, clock, 0);
	feed_cell(&b, tui_str(e, "account"), 0);
	feed_cell(&b, tui_str(e, "broker"), 0);
	feed_cell(&b, tui_str(e, "side"), 0);
	snprintf(num, sizeof num, "%lld", (long long)tui_int(e, "qty"));
	feed_cell(&b, num, 0);
	feed_cell(&b, tui_str(e, "symbol"), 0);
	feed_cell(&b, state, 0);
	snprintf(num, sizeof num, "%lld/%lld",
	    (long long)tui_int(e, "filled_qty"), (long long)tui_int(e, "qty"));
	feed_cell(&b, num, 0);
	feed_cell(&b, lat, 0);
	snprintf(num, sizeof num, "#%lld", (long long)tui_int(e, "order_id"));
	feed_cell(&b, num, 0);
	feed_cell(&b, tui_str(e, "broker_status"), 0);
	feed_cell(&b, tui_str(e, "message"), 1);
	wlog_add(f->log, theme_state_role(state), b.s != NULL ? b.s : "");
	strbuf_free(&b);
}

static void *
feed_create(struct tui *tui)
{
	struct feed	*f;

	f = xcalloc(1, sizeof *f);
	f->log = wlog_new(NULL, FEED_LINES);
	wlog_set_columns(f->log, feed_cols, (int)nitems(feed_cols));
	f->rate_sec = time_mono_us() / 1000000;
	return f;
}

static void
feed_destroy(void *v)
{
	struct feed	*f = v;

	widget_free(&f->log->w);
	free(f);
}

static void
feed_show(void *v, struct tui *tui)
{
	tui_data_refresh(tui->data, TUI_D_EVENTS);
}

static void
feed_data(void *v, struct tui *tui, int what)
{
	struct feed	*f = v;
	json_t		*rows, *e;
	size_t		 i;

	if (!(what & TUI_D_EVENTS))
		return;
	rows = tui_data_new_events(tui->data);
	feed_rate_roll(f);
	/* The first batch is the history read at start, not a rate of
	 * events arriving. */
	if (tui_data_events_seen(tui->data) > (int64_t)json_array_size(rows))
		f->rate[FEED_RATE_SECS - 1] += (double)json_array_size(rows);
	json_array_foreach(rows, i, e)
		feed_event(f, e);
}

static void
feed_draw(void *v, struct tui *tui, WINDOW *win, int y, int x, int h, int w)
{
	struct feed	*f = v;
	char		 title[160];
	int		 tw, sw;

	feed_rate_roll(f);
	snprintf(title, sizeof title, "Execution feed  %lld events  %.0f/s  "
	    "%s%s%s", (long long)tui_data_events_seen(tui->data),
	    f->rate[FEED_RATE_SECS - 2], f->log->filter ? "filter \"" : "",
	    f->log->filter ? f->log->filter : "",
	    f->log->filter ? "\"  " : "");
	widget_clear(win, y, x, 1, w, widget_attr[WR_NORMAL]);
	tw = wtext_puts(win, y, x, w, widget_attr[WR_DIM], title);
	sw = w - tw - 2 < FEED_RATE_SECS ? w - tw - 2 : FEED_RATE_SECS;
	if (sw > 8)
		wspark_draw(win, y, x + w - sw, sw,
		    f->rate + FEED_RATE_SECS - sw, (size_t)sw,
		    widget_attr[WR_LINE]);
	if (!f->log->follow)
		wtext_put(win, y + h - 1, x, w, WALIGN_RIGHT,
		    widget_attr[WR_WARN], "scrolled back -- G follows");
	widget_move(&f->log->w, y + 1, x, f->log->follow ? h - 1 : h - 2, w);
	widget_draw(&f->log->w, win);
}

static int
feed_key(void *v, struct tui *tui, int key)
{
	struct feed	*f = v;

	return widget_key(&f->log->w, key);
}

static void
feed_filter(void *v, struct tui *tui, const char *text)
{
	struct feed	*f = v;

	wlog_set_filter(f->log, text);
}

void
tui_feed_note(struct tui *tui, enum wrole role, const char *fmt, ...)
{
	struct feed	*f = tui->vstate[TV_FEED];
	char		 clock[24], *s, *p;
	va_list		 ap;

	if (f == NULL)
		return;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	/* A note is text: a tab in it would make it a row of cells. */
	for (p = s; (p = strchr(p, '\t')) != NULL; p++)
		*p = ' ';
	tui_fmt_clock(time_display_us(), 1, clock, sizeof clock);
	wlog_addf(f->log, role, "%s  %s", clock, s);
	free(s);
}

const struct tui_view_ops view_feed_ops = {
	"Feed", feed_create, feed_destroy, feed_show, feed_data, feed_draw,
	feed_key, feed_filter, TUI_D_EVENTS
};
