/*
 * View 7, analytics: four panels over the analytics commands' results,
 * switched by key -- PnL by account (p), the exposure heatmap account x
 * underlying (x; m changes the measure, o the sort), options: PCR, max
 * pain, zero gamma and GEX by strike (g; u changes the underlying), and
 * the execution SLA (s).  The panel shown is refreshed while the view is
 * visible (options less often: they cost a quote call), and at once
 * after a fill (the equity NOTIFY).  Each panel is the --json result of
 * the command of the same name, so the screen and a script agree.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "ui/tui.h"
#include "util/jsonget.h"

#define AN_REFRESH_S		3
#define AN_OPTIONS_EVERY	4	/* ticks between option refreshes */

enum an_panel { AP_PNL, AP_HEAT, AP_OPTIONS, AP_SLA, AP__N };

static const char *const an_panel_names[AP__N] = {
	"p PnL", "x exposure", "g options", "s SLA"
};
static const char *const an_measures[] = { "lots", "notional", "delta" };
static const char *const an_sorts[] = { "notional", "lots", "delta",
	"account" };
static const char *const an_unders[] = { "NIFTY", "BANKNIFTY", "FINNIFTY" };

enum { PC_NAME, PC_REAL, PC_UNREAL, PC_CHARGES, PC_NET, PC_ORDERS, PC__N };
static const struct wtable_col pnl_cols[PC__N] = {
	{ "Account", 6, 20, WALIGN_LEFT, WCOL_PIN, 10 },
	{ "Realised", 8, 16, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 9 },
	{ "Unrealised", 8, 16, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 8 },
	{ "Charges", 7, 14, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 6 },
	{ "Net", 8, 16, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 9 },
	{ "Orders", 4, 8, WALIGN_RIGHT, WCOL_NUM, 3 },
};

enum { SC_SCOPE, SC_NAME, SC_ORDERS, SC_P50, SC_P90, SC_P99, SC_IN, SC_REJ,
	SC_RETRY, SC_SLIP, SC__N };
static const struct wtable_col sla_cols[SC__N] = {
	{ "Scope", 6, 8, WALIGN_LEFT, WCOL_DROP, 2 },
	{ "Name", 6, 16, WALIGN_LEFT, WCOL_PIN, 10 },
	{ "Orders", 4, 8, WALIGN_RIGHT, WCOL_NUM, 8 },
	{ "p50 ms", 6, 9, WALIGN_RIGHT, WCOL_NUM, 7 },
	{ "p90 ms", 6, 9, WALIGN_RIGHT, WCOL_NUM, 6 },
	{ "p99 ms", 6, 9, WALIGN_RIGHT, WCOL_NUM, 9 },
	{ "In SLA", 6, 8, WALIGN_RIGHT, WCOL_NUM, 9 },
	{ "Rej %", 5, 7, WALIGN_RIGHT, WCOL_NUM, 5 },
	{ "Retry %", 5, 7, WALIGN_RIGHT, WCOL_NUM, 4 },
	{ "Slip bps", 5, 9, WALIGN_RIGHT, WCOL_NUM, 3 },
};

struct analytics {
	struct tui		*tui;
	enum an_panel		 panel;
	int			 measure, sort, under;
	struct wtable		*pnl, *sla;
	struct wheatmap		*heat;
	struct wbars		*gex;
	json_t			*data[AP__N];	/* the last results */
	char			*why[AP__N];	/* the last error */
	int			 inflight, dead;
	unsigned		 ticks;
	struct event		*timer;
};

struct an_job {
	struct analytics	*a;
	enum an_panel		 panel;
	struct cmd		 cmd;
};

static void an_fill(struct analytics *);

static double
jnum(json_t *o, const char *k)
{
	json_t	*v = json_object_get(o, k);

	if (json_is_string(v))
		return strtod(json_string_value(v), NULL);
	return json_is_number(v) ? json_number_value(v) : NAN;
}


static void
an_done(const struct cmd *cmd, struct cmd_result *r, void *arg)
{
	struct an_job		*j = arg;
	struct analytics	*a = j->a;

	a->inflight = 0;
	if (a->dead) {
		cmd_free(&j->cmd);
		free(j);
		free(a);
		return;
	}
	free(a->why[j->panel]);
	a->why[j->panel] = NULL;
	if (r->status == CMD_OK) {
		json_decref(a->data[j->panel]);
		a->data[j->panel] = json_incref(r->data);
	} else
		a->why[j->panel] = xstrdup(r->err.msg);
	cmd_free(&j->cmd);
	free(j);
	an_fill(a);
	tui_dirty(a->tui);
}

static void
an_fetch(struct analytics *a, enum an_panel p)
{
	struct an_job	*j;
	struct err	 err;
	char		 line[128];

	if (a->inflight)
		return;
	switch (p) {
	case AP_PNL:
		snprintf(line, sizeof line, "pnl by account");
		break;
	case AP_HEAT:
		snprintf(line, sizeof line, "exposure show %s sort %s",
		    an_measures[a->measure], an_sorts[a->sort]);
		break;
	case AP_OPTIONS:
		snprintf(line, sizeof line, "gamma %s", an_unders[a->under]);
		break;
	default:
		snprintf(line, sizeof line, "sla");
		break;
	}
	j = xcalloc(1, sizeof *j);
	j->a = a;
	j->panel = p;
	err_clear(&err);
	if (cmd_parse_line(line, 1, &j->cmd, NULL, &err) != 0) {
		free(j);
		return;
	}
	a->inflight = 1;
	cmd_run(&a->tui->env, &j->cmd, an_done, j);
}

static void
an_tick(evutil_socket_t fd, short what, void *arg)
{
	struct analytics	*a = arg;

	a->ticks++;
	if (a->tui->view != TV_ANALYTICS)
		return;
	if (a->panel == AP_OPTIONS && a->ticks % AN_OPTIONS_EVERY != 0)
		return;
	an_fetch(a, a->panel);
}

static void *
analytics_create(struct tui *tui)
{
	struct analytics	*a = xcalloc(1, sizeof *a);
	struct timeval		 tv = { AN_REFRESH_S, 0 };

	a->tui = tui;
	a->pnl = wtable_new(pnl_cols, PC__N);
	wtable_set_empty(a->pnl, "no fills today");
	a->sla = wtable_new(sla_cols, SC__N);
	wtable_set_empty(a->sla, "no orders today");
	a->heat = wheatmap_new("Exposure");
	free(a->heat->empty);
	a->heat->empty = xstrdup("no open positions");
	a->gex = wbars_new("Net GEX by strike (Cr per 1% move)");
	a->timer = event_new(loop_base(), -1, EV_PERSIST, an_tick, a);
	event_add(a->timer, &tv);
	return a;
}

static void
analytics_destroy(void *v)
{
	struct analytics	*a = v;
	int			 i;

	event_free(a->timer);
	widget_free(&a->pnl->w);
	widget_free(&a->sla->w);
	widget_free(&a->heat->w);
	widget_free(&a->gex->w);
	for (i = 0; i < AP__N; i++) {
		json_decref(a->data[i]);
		free(a->why[i]);
	}
	if (a->inflight)
		a->dead = 1;
	else
		free(a);
}

static void
analytics_show(void *v, struct tui *tui)
{
	an_fetch(v, ((struct analytics *)v)->panel);
}

static void
an_money(struct wtable *t, size_t row, int col, double v)
{
	char	buf[48];

	wfmt_inr((int64_t)llround(v * 100), 2, buf, sizeof buf);
	wtable_set(t, row, col, buf);
}

static void
an_fill_pnl(struct analytics *a, json_t *d)
{
	json_t	*r;
	size_t	 i, row;

	wtable_clear(a->pnl);
	json_array_foreach(json_object_get(d, "rows"), i, r) {
		row = wtable_add(a->pnl, jstr(r, "account"),
		    jnum(r, "net") < 0 ? WR_BAD : WR_NORMAL);
		wtable_set(a->pnl, row, PC_NAME, jstr(r, "account"));
		an_money(a->pnl, row, PC_REAL, jnum(r, "realised"));
		an_money(a->pnl, row, PC_UNREAL, jnum(r, "unrealised"));
		an_money(a->pnl, row, PC_CHARGES, jnum(r, "charges"));
		an_money(a->pnl, row, PC_NET, jnum(r, "net"));
		wtable_setf(a->pnl, row, PC_ORDERS, "%.0f", jnum(r, "orders"));
	}
	wtable_commit(a->pnl);
}

static void
an_fill_heat(struct analytics *a, json_t *d)
{
	json_t		*accs = json_object_get(d, "accounts");
	json_t		*unds = json_object_get(d, "underlyings"), *c;
	const char	**rn, **cn;
	size_t		 nr = json_array_size(accs), nc = json_array_size(unds);
	size_t		 i, r, k;
	double		 v;
	char		*title;

	rn = xcalloc(nr + 1, sizeof *rn);
	cn = xcalloc(nc + 1, sizeof *cn);
	for (i = 0; i < nr; i++)
		rn[i] = jstr(json_array_get(accs, i), "account");
	for (i = 0; i < nc; i++)
		cn[i] = jstr(json_array_get(unds, i), "underlying");
	wheatmap_shape(a->heat, rn, nr, cn, nc);
	a->heat->decimals = a->measure == 0;
	json_array_foreach(json_object_get(d, "cells"), i, c) {
		for (r = 0; r < nr && strcmp(rn[r], jstr(c, "account")); r++)
			;
		for (k = 0; k < nc && strcmp(cn[k], jstr(c, "underlying")); k++)
			;
		v = jnum(c, an_measures[a->measure]);
		if (!isnan(v))
			wheatmap_set(a->heat, r, k, v);
	}
	title = xasprintf("Exposure: net %s by account x underlying, "
	    "sorted by %s  (m measure, o sort)", an_measures[a->measure],
	    an_sorts[a->sort]);
	free(a->heat->title);
	a->heat->title = title;
	free(rn);
	free(cn);
}

static void
an_fill_options(struct analytics *a, json_t *d)
{
	json_t	*s;
	size_t	 i;
	double	 spot = jnum(d, "spot"), k;
	char	 buf[32], label[32];

	wbars_clear(a->gex);
	json_array_foreach(json_object_get(d, "strikes"), i, s) {
		k = jnum(s, "strike");
		/* The strikes near the money: the rest would not fit. */
		if (fabs(k - spot) > spot * 0.03)
			continue;
		snprintf(buf, sizeof buf, "%.2f", jnum(s, "net_gex") / 1e7);
		snprintf(label, sizeof label, "%.0f", k);
		wbars_add(a->gex, label, jnum(s, "net_gex"), buf);
	}
}

static void
an_sla_ms(struct wtable *t, size_t row, int col, json_t *v)
{
	if (json_is_integer(v))
		wtable_setf(t, row, col, "%.1f",
		    (double)json_integer_value(v) / 1000);
	else
		wtable_set(t, row, col, "-");
}

static void
an_fill_sla(struct analytics *a, json_t *d)
{
	json_t	*r;
	size_t	 i, row;
	char	 key[96];

	wtable_clear(a->sla);
	json_array_foreach(json_object_get(d, "rows"), i, r) {
		snprintf(key, sizeof key, "%s/%s", jstr(r, "scope"),
		    jstr(r, "name"));
		row = wtable_add(a->sla, key, jnum(r, "within_sla_pct") < 95 &&
		    jnum(r, "acked") > 0 ? WR_WARN : WR_NORMAL);
		wtable_set(a->sla, row, SC_SCOPE, jstr(r, "scope"));
		wtable_set(a->sla, row, SC_NAME, jstr(r, "name"));
		wtable_setf(a->sla, row, SC_ORDERS, "%.0f", jnum(r, "orders"));
		an_sla_ms(a->sla, row, SC_P50, json_object_get(r, "p50_us"));
		an_sla_ms(a->sla, row, SC_P90, json_object_get(r, "p90_us"));
		an_sla_ms(a->sla, row, SC_P99, json_object_get(r, "p99_us"));
		wtable_setf(a->sla, row, SC_IN, "%.1f%%",
		    jnum(r, "within_sla_pct"));
		wtable_setf(a->sla, row, SC_REJ, "%.1f", jnum(r, "reject_pct"));
		wtable_setf(a->sla, row, SC_RETRY, "%.1f",
		    jnum(r, "retry_pct"));
		wtable_set(a->sla, row, SC_SLIP, json_is_string(
		    json_object_get(r, "slippage_bps")) ?
		    jstr(r, "slippage_bps") : "-");
	}
	wtable_commit(a->sla);
}

static void
an_fill(struct analytics *a)
{
	if (a->data[AP_PNL] != NULL)
		an_fill_pnl(a, a->data[AP_PNL]);
	if (a->data[AP_HEAT] != NULL)
		an_fill_heat(a, a->data[AP_HEAT]);
	if (a->data[AP_OPTIONS] != NULL)
		an_fill_options(a, a->data[AP_OPTIONS]);
	if (a->data[AP_SLA] != NULL)
		an_fill_sla(a, a->data[AP_SLA]);
}

static void
analytics_data(void *v, struct tui *tui, int what)
{
	struct analytics	*a = v;

	/* A fill moved PnL and exposure: show it now, not at the tick. */
	if ((what & TUI_D_EQUITY) && tui->view == TV_ANALYTICS &&
	    a->panel != AP_OPTIONS)
		an_fetch(a, a->panel);
}

static void
an_draw_tabs(struct analytics *a, WINDOW *win, int y, int x, int w)
{
	int	i, col = x;

	widget_clear(win, y, x, 1, w, widget_attr[WR_NORMAL]);
	for (i = 0; i < AP__N && col < x + w; i++)
		col += wtext_puts(win, y, col, x + w - col, widget_attr[i ==
		    (int)a->panel ? WR_TAB_ACTIVE : WR_TAB],
		    an_panel_names[i]) + 2;
}

static void
an_draw_options(struct analytics *a, WINDOW *win, int y, int x, int h,
    int w)
{
	json_t	*d = a->data[AP_OPTIONS];
	char	 line[160], zg[32];

	widget_clear(win, y, x, 2, w, widget_attr[WR_NORMAL]);
	if (d == NULL) {
		wtext_put(win, y, x, w, WALIGN_LEFT, widget_attr[WR_DIM],
		    a->why[AP_OPTIONS] != NULL ? a->why[AP_OPTIONS] :
		    "loading the option chain...");
		return;
	}
	if (json_is_number(json_object_get(d, "zero_gamma")))
		snprintf(zg, sizeof zg, "%.2f", jnum(d, "zero_gamma"));
	else
		snprintf(zg, sizeof zg, "none");
	snprintf(line, sizeof line, "%s %s  spot %.2f  PCR OI %.3f  vol %.3f  "
	    "max pain %.0f  zero gamma %s  (u underlying)", jstr(d,
	    "underlying"), jstr(d, "expiry"), jnum(d, "spot"), jnum(d,
	    "pcr_oi"), jnum(d, "pcr_volume"), jnum(d, "max_pain"), zg);
	wtext_put(win, y, x, w, WALIGN_LEFT, widget_attr[WR_INFO], line);
	widget_move(&a->gex->w, y + 1, x, h - 1, w);
	widget_draw(&a->gex->w, win);
}

static void
analytics_draw(void *v, struct tui *tui, WINDOW *win, int y, int x, int h,
    int w)
{
	struct analytics	*a = v;
	struct widget		*wd = NULL;

	an_draw_tabs(a, win, y, x, w);
	y++;
	h--;
	if (a->panel == AP_OPTIONS) {
		an_draw_options(a, win, y, x, h, w);
		return;
	}
	wd = a->panel == AP_PNL ? &a->pnl->w : a->panel == AP_HEAT ?
	    &a->heat->w : &a->sla->w;
	widget_move(wd, y, x, h - (a->why[a->panel] != NULL), w);
	widget_draw(wd, win);
	if (a->why[a->panel] != NULL)
		wtext_put(win, y + h - 1, x, w, WALIGN_LEFT,
		    widget_attr[WR_BAD], a->why[a->panel]);
}

static int
analytics_key(void *v, struct tui *tui, int key)
{
	struct analytics	*a = v;
	int			 p = -1;

	switch (keymap_lookup(TC_ANALYTICS, key)) {
	case TA_AN_PNL:
		p = AP_PNL;
		break;
	case TA_AN_HEAT:
		p = AP_HEAT;
		break;
	case TA_AN_OPTIONS:
		p = AP_OPTIONS;
		break;
	case TA_AN_SLA:
		p = AP_SLA;
		break;
	case TA_AN_NEXT:
		p = ((int)a->panel + 1) % AP__N;
		break;
	case TA_AN_MEASURE:
		a->measure = (a->measure + 1) % 3;
		p = AP_HEAT;
		break;
	case TA_SORT:
		a->sort = (a->sort + 1) % 4;
		p = AP_HEAT;
		break;
	case TA_AN_UNDERLYING:
		a->under = (a->under + 1) % (int)nitems(an_unders);
		json_decref(a->data[AP_OPTIONS]);
		a->data[AP_OPTIONS] = NULL;
		p = AP_OPTIONS;
		break;
	default:
		if (a->panel == AP_PNL)
			return widget_key(&a->pnl->w, key);
		if (a->panel == AP_SLA)
			return widget_key(&a->sla->w, key);
		return WIDGET_IGNORED;
	}
	a->panel = (enum an_panel)p;
	an_fetch(a, a->panel);
	return WIDGET_HANDLED | WIDGET_REDRAW;
}

const struct tui_view_ops view_analytics_ops = {
	"Analytics", analytics_create, analytics_destroy, analytics_show,
	analytics_data, analytics_draw, analytics_key, NULL, TUI_D_EQUITY
};
