/*
 * View 3, equity: a braille line chart of equity over time for the firm
 * or the selected account (a toggles), from the 15-minute rollups of the
 * last 7 days, with the max drawdown marked (peak and trough) and a
 * crosshair (Left, Right) whose point's values show under the chart;
 * and PnL by broker as bars.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "ui/tui.h"

struct equity {
	struct wchart	*chart;
	struct wbars	*bars;
	int		 one;		/* the selected account, not all */
	char		*scope;		/* the account shown, if one */
	double		*x, *y, *re, *un;	/* the curve */
	size_t		 n;
	size_t		 cur;		/* crosshair point */
	int		 follow;	/* crosshair stays on the newest */
	struct an_drawdown dd;
};

static void *
equity_create(struct tui *tui)
{
	struct equity	*e;

	e = xcalloc(1, sizeof *e);
	e->chart = wchart_new("Equity");
	e->chart->time_x = 1;
	wchart_set_empty(e->chart, "loading equity...");
	e->follow = 1;
	e->bars = wbars_new("PnL by broker (realised + unrealised)");
	free(e->bars->empty);
	e->bars->empty = xstrdup("no brokers yet");
	return e;
}

static void
equity_destroy(void *v)
{
	struct equity	*e = v;

	widget_free(&e->chart->w);
	widget_free(&e->bars->w);
	free(e->scope);
	free(e->x);
	free(e->y);
	free(e->re);
	free(e->un);
	free(e);
}

static void
equity_show(void *v, struct tui *tui)
{
	struct equity	*e = v;

	free(e->scope);
	e->scope = e->one && tui->account != NULL ? xstrdup(tui->account) :
	    NULL;
	tui_data_equity_scope(tui->data, e->scope);
}

static void
equity_keep(struct equity *e, json_t *rows)
{
	json_t	*row;
	size_t	 i, n = json_array_size(rows);

	free(e->x);
	free(e->y);
	free(e->re);
	free(e->un);
	e->x = xcalloc(n + 1, sizeof *e->x);
	e->y = xcalloc(n + 1, sizeof *e->y);
	e->re = xcalloc(n + 1, sizeof *e->re);
	e->un = xcalloc(n + 1, sizeof *e->un);
	json_array_foreach(rows, i, row) {
		e->x[i] = (double)tui_int(row, "t");
		e->y[i] = strtod(tui_str(row, "equity"), NULL);
		e->re[i] = strtod(tui_str(row, "realised"), NULL);
		e->un[i] = strtod(tui_str(row, "unrealised"), NULL);
	}
	e->n = n;
	if (e->follow || e->cur >= n)
		e->cur = n > 0 ? n - 1 : 0;
	an_max_drawdown(e->y, n, &e->dd);
}

static void
equity_chart(struct equity *e, struct tui *tui)
{
	const char	*absent;
	json_t		*rows = tui_data_equity(tui->data, &absent);
	char		*title, *empty, dd[48];

	equity_keep(e, rows);
	dd[0] = '\0';
	if (e->dd.amount > 0) {
		wfmt_inr_compact(-(int64_t)llround(e->dd.amount * 100), dd,
		    sizeof dd);
		title = xasprintf("Equity, %s, 7 days (IST), max drawdown %s "
		    "(%.2f%%)", e->scope ? e->scope : "firm", dd, e->dd.pct);
	} else
		title = xasprintf("Equity, %s, 7 days (IST)", e->scope ?
		    e->scope : "firm");
	free(e->chart->title);
	e->chart->title = title;
	wchart_clear(e->chart);
	if (absent != NULL)
		empty = xasprintf("No equity history yet (%s).", absent);
	else
		empty = xasprintf("No equity points for %s in the last 7 days: "
		    "snapshots come every analytics.snapshot_s and at fills.",
		    e->scope ? e->scope : "the firm");
	wchart_set_empty(e->chart, empty);
	free(empty);
	if (e->n > 0)
		wchart_add(e->chart, e->x, e->y, e->n, WR_LINE);
}

/* A glyph at the cell of point i, if it is inside the plot. */
static void
equity_mark(struct equity *e, WINDOW *win, const struct wchart_layout *l,
    size_t i, wchar_t g, enum wrole role, int *col, int *row)
{
	wchar_t	s[2] = { g, 0 };

	*col = l->px + wscale_pos(&l->xs, e->x[i], l->pw);
	*row = l->py + l->ph - 1 - wscale_pos(&l->ys, e->y[i], l->ph);
	if (g != 0) {
		wattrset(win, widget_attr[role] | A_BOLD);
		mvwaddnwstr(win, *row, *col, s, 1);
	}
}

/* Crosshair lines through the point, the drawdown's ends, the values. */
static void
equity_crosshair(struct equity *e, WINDOW *win, int y, int x, int h, int w)
{
	struct wchart_layout	 l;
	wchar_t			 vl[2] = { widget_glyph(WG_VLINE), 0 };
	wchar_t			 hl[2] = { widget_glyph(WG_HLINE), 0 };
	int			 col, row, r, c;
	char			 when[32], v[3][40], line[320];

	if (e->n == 0 || wchart_layout(e->chart, h - 1, w, &l) != 0)
		return;
	l.py += y;
	l.px += x;
	equity_mark(e, win, &l, e->cur, 0, WR_NORMAL, &col, &row);
	wattrset(win, widget_attr[WR_DIM]);
	for (r = l.py; r < l.py + l.ph; r++) {
		if (r != row && (mvwinch(win, r, col) & A_CHARTEXT) == ' ')
			mvwaddnwstr(win, r, col, vl, 1);
	}
	for (c = l.px; c < l.px + l.pw; c++) {
		if (c != col && (mvwinch(win, row, c) & A_CHARTEXT) == ' ')
			mvwaddnwstr(win, row, c, hl, 1);
	}
	if (e->dd.amount > 0) {
		equity_mark(e, win, &l, e->dd.peak, widget_glyph(WG_ARROW_DOWN),
		    WR_GOOD, &c, &r);
		equity_mark(e, win, &l, e->dd.trough, widget_glyph(WG_ARROW_UP),
		    WR_BAD, &c, &r);
	}
	equity_mark(e, win, &l, e->cur, widget_glyph(WG_MARKER), WR_ACCENT,
	    &c, &r);
	time_fmt_ist((int64_t)e->x[e->cur] * 1000000, when, sizeof when);
	when[16] = '\0';	/* "yyyy-mm-dd hh:mm", shown from the month */
	wfmt_inr((int64_t)llround(e->y[e->cur] * 100), 2, v[0], sizeof v[0]);
	wfmt_inr((int64_t)llround(e->re[e->cur] * 100), 2, v[1], sizeof v[1]);
	wfmt_inr((int64_t)llround(e->un[e->cur] * 100), 2, v[2], sizeof v[2]);
	snprintf(line, sizeof line, "%s equity %s realised %s unrealised %s%s",
	    when + 5, v[0], v[1], v[2], e->dd.amount > 0 &&
	    e->cur == e->dd.trough ? " trough" : e->dd.amount > 0 &&
	    e->cur == e->dd.peak ? " peak" : "");
	wtext_put(win, y + h - 1, x, w, WALIGN_LEFT, widget_attr[WR_INFO],
	    line);
}

static void
equity_bars(struct equity *e, struct tui *tui)
{
	json_t	*row;
	size_t	 i;
	int64_t	 p;
	char	 buf[48];

	wbars_clear(e->bars);
	json_array_foreach(tui_data_broker_pnl(tui->data), i, row) {
		tui_paise(row, "pnl", &p);
		wfmt_inr(p, 0, buf, sizeof buf);
		wbars_add(e->bars, tui_str(row, "broker"), (double)p / 100.0,
		    buf);
	}
}

static void
equity_data(void *v, struct tui *tui, int what)
{
	struct equity	*e = v;

	if (!(what & TUI_D_EQUITY))
		return;
	equity_chart(e, tui);
	equity_bars(e, tui);
}

static void
equity_draw(void *v, struct tui *tui, WINDOW *win, int y, int x, int h,
    int w)
{
	struct equity	*e = v;
	int		 bh = (int)e->bars->n + 2;

	if (bh < 3)
		bh = 3;
	if (bh > h / 3)
		bh = h / 3;
	widget_move(&e->chart->w, y, x, h - bh - 1, w);
	widget_draw(&e->chart->w, win);
	widget_clear(win, y + h - bh - 1, x, 1, w, widget_attr[WR_NORMAL]);
	equity_crosshair(e, win, y, x, h - bh, w);
	widget_move(&e->bars->w, y + h - bh, x, bh, w);
	widget_draw(&e->bars->w, win);
}

static int
equity_key(void *v, struct tui *tui, int key)
{
	struct equity	*e = v;

	switch (keymap_lookup(TC_EQUITY, key)) {
	case TA_CURSOR_LEFT:
		if (e->cur > 0)
			e->cur--;
		e->follow = 0;
		return WIDGET_HANDLED | WIDGET_REDRAW;
	case TA_CURSOR_RIGHT:
		if (e->cur + 1 < e->n)
			e->cur++;
		e->follow = e->cur + 1 >= e->n;
		return WIDGET_HANDLED | WIDGET_REDRAW;
	case TA_EQUITY_SCOPE:
		break;
	default:
		return WIDGET_IGNORED;
	}
	if (!e->one && tui->account == NULL) {
		tui_message(tui, WR_WARN, "select an account on the matrix "
		    "first");
		return WIDGET_HANDLED;
	}
	e->one = !e->one;
	equity_show(e, tui);
	return WIDGET_HANDLED | WIDGET_REDRAW;
}

const struct tui_view_ops view_equity_ops = {
	"Equity", equity_create, equity_destroy, equity_show, equity_data,
	equity_draw, equity_key, NULL, TUI_D_EQUITY
};
