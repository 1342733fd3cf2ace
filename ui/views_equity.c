/*
 * View 3, equity: a braille line chart of equity over time for all
 * accounts or the selected one (a toggles), and PnL by broker as bars.
 * Until the analytics module writes equity_points the chart says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/tui.h"

struct equity {
	struct wchart	*chart;
	struct wbars	*bars;
	int		 one;		/* the selected account, not all */
	char		*scope;		/* the account shown, if one */
};

static void *
equity_create(struct tui *tui)
{
	struct equity	*e;

	e = xcalloc(1, sizeof *e);
	e->chart = wchart_new("Equity");
	e->chart->time_x = 1;
	wchart_set_empty(e->chart, "loading equity...");
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
equity_chart(struct equity *e, struct tui *tui)
{
	const char	*absent;
	json_t		*rows = tui_data_equity(tui->data, &absent), *row;
	double		*x, *y;
	size_t		 i, n = json_array_size(rows);
	char		*title, *empty;

	title = xasprintf("Equity, %s, last 7 days (IST)", e->scope ?
	    e->scope : "all accounts");
	free(e->chart->title);
	e->chart->title = title;
	wchart_clear(e->chart);
	if (absent != NULL)
		empty = xasprintf("No equity history yet (%s). The analytics "
		    "module records it from MTM snapshots.", absent);
	else
		empty = xasprintf("No equity points for %s in the last 7 days.",
		    e->scope ? e->scope : "any account");
	wchart_set_empty(e->chart, empty);
	free(empty);
	if (n == 0)
		return;
	x = xcalloc(n, sizeof *x);
	y = xcalloc(n, sizeof *y);
	json_array_foreach(rows, i, row) {
		x[i] = strtod(tui_str(row, "t"), NULL);
		y[i] = strtod(tui_str(row, "v"), NULL);
	}
	wchart_add(e->chart, x, y, n, WR_LINE);
	free(x);
	free(y);
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
	widget_move(&e->chart->w, y, x, h - bh, w);
	widget_draw(&e->chart->w, win);
	widget_move(&e->bars->w, y + h - bh, x, bh, w);
	widget_draw(&e->bars->w, win);
}

static int
equity_key(void *v, struct tui *tui, int key)
{
	struct equity	*e = v;

	if (keymap_lookup(TC_EQUITY, key) != TA_EQUITY_SCOPE)
		return WIDGET_IGNORED;
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
