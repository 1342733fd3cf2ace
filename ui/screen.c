/*
 * Layout and painting, one frame at a time:
 *   row 0        header: clock, store, kill state, breaches (flashing
 *                until acknowledged), failed alerts, total MTM
 *   row 1        tab line, with the view's stale marker on the right
 *   rows 2..h-3  the view
 *   row h-2      message line
 *   row h-1      command bar, filter prompt or key hints
 * Dialogs and popups are drawn over the view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/mtm.h"
#include "ui/tui.h"

#define MIN_ROWS	10
#define MIN_COLS	40

struct header_totals {
	int64_t	mtm;		/* unrealised, open positions */
	int64_t	realised;	/* today */
	int	have_mtm;
	int	have_realised;
	int	accounts;
	int	halted;
	int	brokers;
};

static void
screen_totals(struct tui *tui, struct header_totals *t)
{
	json_t		*rows = tui_data_accounts(tui->data), *row;
	const char	*seen[64];
	size_t		 i, j, nseen = 0;
	int64_t		 p;

	memset(t, 0, sizeof *t);
	json_array_foreach(rows, i, row) {
		t->accounts++;
		if (strcmp(tui_str(row, "state"), "HALTED") == 0)
			t->halted++;
		if (tui_paise(row, "mtm", &p) == 0) {
			t->mtm += p;
			t->have_mtm = 1;
		}
		if (tui_paise(row, "day_realised", &p) == 0) {
			t->realised += p;
			t->have_realised = 1;
		}
		for (j = 0; j < nseen; j++) {
			if (strcmp(seen[j], tui_str(row, "broker")) == 0)
				break;
		}
		if (j == nseen && nseen < nitems(seen))
			seen[nseen++] = tui_str(row, "broker");
	}
	t->brokers = (int)nseen;
}

/* A segment goes on whole or not at all: a number is never cut. */
static int
screen_seg(WINDOW *win, int y, int x, int w, attr_t a, const char *s)
{
	int	n = wtext_width(s);

	if (x + n > w)
		return 0;
	return wtext_puts(win, y, x, n, a, s);
}

/* Money for the header: whole when it fits the budget, else compact. */
static void
screen_money(int have, int64_t p, int whole, char *buf, size_t len)
{
	if (!have)
		snprintf(buf, len, "-");
	else if (whole)
		wfmt_inr(p, 2, buf, len);
	else
		wfmt_inr_compact(p, buf, len);
}

static const char *
screen_broker_state(struct tui *tui)
{
	switch (mtm_broker_state(tui->env.mtm, NULL)) {
	case MTM_BROKER_OK:
		return "ok";
	case MTM_BROKER_DOWN:
		return "DOWN";
	default:
		return "-";
	}
}

/*
 * Breaches (OPEN incidents) flash until someone acknowledges them: the
 * segment swaps between two looks every second (and blinks where the
 * terminal can).  Deliveries that failed in the last day follow.
 */
static int
screen_alarms(struct tui *tui, WINDOW *win, int y, int x0, int w)
{
	json_t		*a = tui_rms_alarms(tui->rms), *nw;
	char		 seg[64];
	int		 x = x0, on;
	long long	 n, failed;

	if (a == NULL)
		return 0;
	n = tui_int(a, "breaches");
	failed = tui_int(a, "failed");
	nw = json_object_get(a, "newest");
	if (n > 0) {
		if (n == 1 && json_is_object(nw))
			snprintf(seg, sizeof seg, "  BREACH #%lld %.10s ",
			    (long long)tui_int(nw, "id"), tui_str(nw, "name"));
		else
			snprintf(seg, sizeof seg, "  %lld BREACHES ", n);
		on = (time_display_us() / 1000000) % 2 == 0;
		x += screen_seg(win, y, x, w, (on ?
		    widget_attr[WR_DIALOG_TITLE] : widget_attr[WR_BAD] |
		    A_REVERSE) | A_BLINK, seg);
	}
	if (failed > 0) {
		snprintf(seg, sizeof seg, "  alerts: %lld failed", failed);
		x += screen_seg(win, y, x, w, widget_attr[WR_WARN], seg);
	}
	return x - x0;
}

/*
 * Left to right: clock, store, kill state, breaches and failed alerts, the firm's unrealised MTM and
 * realised PnL of the day; accounts and brokers on the right.  What does
 * not fit is left out whole, the right part first; money compacts first.
 */
void
screen_header(struct tui *tui, WINDOW *win, int y, int w)
{
	struct header_totals	 t;
	char			 clock[64], wall[32], m1[48], m2[48], seg[160];
	const char		*st;
	enum wrole		 role;
	attr_t			 ha = widget_attr[WR_HEADER];
	int			 x = 0, n, whole;

	widget_clear(win, y, 0, 1, w, ha);
	screen_totals(tui, &t);
	time_fmt_ist(time_display_us(), wall, sizeof wall);
	snprintf(clock, sizeof clock, " phalanx  %s IST", wall + 11);
	x += screen_seg(win, y, x, w, ha, clock);
	st = tui_data_store_state(tui->data, &role);
	x += screen_seg(win, y, x, w, ha, "  store ");
	x += screen_seg(win, y, x, w, ha | (role == WR_BAD ? A_BLINK : 0), st);
	if (t.halted > 0)
		snprintf(seg, sizeof seg, "  KILL: %d HALTED ", t.halted);
	else
		snprintf(seg, sizeof seg, "  kill: none");
	x += screen_seg(win, y, x, w, t.halted > 0 ?
	    widget_attr[WR_DIALOG_TITLE] : ha, seg);
	x += screen_alarms(tui, win, y, x, w);
	for (whole = 1; whole >= 0; whole--) {
		screen_money(t.have_mtm, t.mtm, whole, m1, sizeof m1);
		screen_money(t.have_realised, t.realised, whole, m2, sizeof m2);
		snprintf(seg, sizeof seg, "  MTM %s  realised %s", m1, m2);
		if (x + wtext_width(seg) <= w)
			break;
	}
	if (whole < 0) {
		screen_money(t.have_mtm, t.mtm, 0, m1, sizeof m1);
		snprintf(seg, sizeof seg, "  MTM %s", m1);
	}
	x += screen_seg(win, y, x, w, ha, seg);
	n = snprintf(seg, sizeof seg, "  %d accts  %d brokers: %s ",
	    t.accounts, t.brokers, screen_broker_state(tui));
	if (x + n <= w)
		wtext_puts(win, y, w - n, n, ha, seg);
}

static void
screen_tabs(struct tui *tui, int y)
{
	const struct tui_view_ops	*ops = tui->vops[tui->view];
	int				 stale;
	char				 buf[48];

	stale = tui_data_stale(tui->data, ops->sources);
	if (stale > 0) {
		snprintf(buf, sizeof buf, "STALE %ds ", stale);
		wtabs_set_right(tui->tabs, WR_WARN, buf);
	} else if (tui->jobs > 0) {
		snprintf(buf, sizeof buf, "running %u ", tui->jobs);
		wtabs_set_right(tui->tabs, WR_INFO, buf);
	} else
		wtabs_set_right(tui->tabs, WR_TAB, NULL);
	widget_move(&tui->tabs->w, y, 0, 1, tui->cols);
	widget_draw(&tui->tabs->w, tui->win);
}

/* Key hints, "k what" separated by two spaces: cut between two keys. */
static void
screen_hint(WINDOW *win, int y, int w, const char *hint)
{
	char	*s = xstrdup(hint), *sep, *last;

	/* Drop the last key while too wide: cut at the last double space. */
	while (wtext_width(s) > w && (last = strstr(s, "  ")) != NULL) {
		while ((sep = strstr(last + 2, "  ")) != NULL)
			last = sep;
		*last = '\0';
	}
	wtext_put(win, y, 0, w, WALIGN_LEFT, widget_attr[WR_STATUS], s);
	free(s);
}

static void
screen_bottom(struct tui *tui, int y)
{
	char	*s;

	widget_clear(tui->win, y, 0, 1, tui->cols, widget_attr[WR_NORMAL]);
	if (tui->mode == TM_CMDBAR) {
		cmdbar_draw(tui->bar, tui->win, y, tui->cols);
		return;
	}
	if (tui->mode == TM_FILTER) {
		s = xasprintf("/%s", tui->filter);
		wtext_put(tui->win, y, 0, tui->cols, WALIGN_LEFT,
		    widget_attr[WR_INPUT], s);
		free(s);
		curs_set(1);
		wmove(tui->win, y, wtext_width(tui->filter) + 1);
		return;
	}
	screen_hint(tui->win, y, tui->cols, keymap_hint(tui->view));
}

static void
screen_overlays(struct tui *tui, int top, int h)
{
	if (tui->popup != NULL) {
		widget_move(&tui->popup->w, top, 1, h, tui->cols - 2);
		widget_draw(&tui->popup->w, tui->win);
	}
	if (tui->dialog != NULL) {
		widget_move(&tui->dialog->w, top, 0, h, tui->cols);
		widget_draw(&tui->dialog->w, tui->win);
	}
}

void
screen_draw(struct tui *tui)
{
	int	h = tui->rows, w = tui->cols;

	werase(tui->win);
	curs_set(0);
	if (h < MIN_ROWS || w < MIN_COLS) {
		wtext_put(tui->win, h / 2, 0, w, WALIGN_CENTER,
		    widget_attr[WR_WARN], "terminal too small");
		wnoutrefresh(tui->win);
		doupdate();
		return;
	}
	screen_header(tui, tui->win, 0, w);
	screen_tabs(tui, 1);
	tui->vops[tui->view]->draw(tui->vstate[tui->view], tui, tui->win, 2,
	    0, h - 4, w);
	tui_tour_draw(tui, 2, h - 4);
	screen_overlays(tui, 2, h - 4);
	widget_move(&tui->status->w, h - 2, 0, 1, w);
	widget_clear(tui->win, h - 2, 0, 1, w, widget_attr[WR_NORMAL]);
	widget_draw(&tui->status->w, tui->win);
	screen_bottom(tui, h - 1);
	wnoutrefresh(tui->win);
	doupdate();
}
