/*
 * View 8, automation: the schedules with their next fire (IST), the
 * signal feeds -- each connector and strategy with its last signal (IST)
 * and state --, the latest runs as a timeline (state, when, how long,
 * outcome) and the selected run's log, following live (on the newest
 * run, the view moves to each new one).  Reads its own rows from the
 * store and wakes on the runs' NOTIFYs (STORE_RUNS_CHANNEL): a line a
 * daemon logs shows here within milliseconds, and every executed signal
 * is a run, so the feeds follow too (and on order events, at most once
 * a second).  j/k pick a run, Tab moves to the log (j/k scroll it, G
 * follows), c cancels the selected run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auto/cron.h"
#include "db/store_auto.h"
#include "db/store_console.h"
#include "db/store_hook.h"
#include "ui/tui.h"

#define RUNS_SHOWN	50
#define LOG_LINES	2000
/* Coalesce a burst of NOTIFYs into one read. */
#define RUNS_WAKE_US	150000
/* The feeds again on order events at most this often. */
#define FEEDS_EVERY_US	1000000

enum { SC_NAME, SC_CRON, SC_NEXT, SC_STATE, SC_LAST, SC__N };
enum { RC_ID, RC_KIND, RC_REF, RC_STATE, RC_START, RC_SECS, RC_OUT,
	RC__N };
enum { FC_NAME, FC_KIND, FC_FEEDS, FC_LAST, FC_STATE, FC__N };

static const struct wtable_col sched_cols[SC__N] = {
	{ "Schedule", 6, 20, WALIGN_LEFT, WCOL_PIN, 10 },
	{ "Cron", 9, 24, WALIGN_LEFT, WCOL_DROP, 4 },
	{ "Next fire (IST)", 16, 30, WALIGN_LEFT, 0, 9 },
	{ "State", 6, 8, WALIGN_LEFT, 0, 8 },
	{ "Last run", 6, 20, WALIGN_LEFT, WCOL_DROP, 5 },
};

/* A connector feeds a strategy; a strategy feeds its target. */
static const struct wtable_col feed_cols[FC__N] = {
	{ "Feed", 6, 20, WALIGN_LEFT, WCOL_PIN, 10 },
	{ "Kind", 8, 11, WALIGN_LEFT, WCOL_DROP, 4 },
	{ "Feeds", 5, 20, WALIGN_LEFT, WCOL_DROP, 3 },
	{ "Last signal (IST)", 19, 19, WALIGN_LEFT, 0, 9 },
	{ "State", 8, 24, WALIGN_LEFT, 0, 8 },
};

static const struct wtable_col run_cols[RC__N] = {
	{ "Run", 3, 8, WALIGN_RIGHT, WCOL_NUM | WCOL_PIN, 10 },
	{ "Kind", 6, 8, WALIGN_LEFT, WCOL_DROP, 3 },
	{ "Ref", 4, 16, WALIGN_LEFT, 0, 7 },
	{ "State", 7, 9, WALIGN_LEFT, 0, 9 },
	{ "Created", 8, 19, WALIGN_LEFT, WCOL_DROP, 5 },
	{ "Secs", 4, 9, WALIGN_RIGHT, WCOL_NUM, 6 },
	{ "Outcome", 8, 0, WALIGN_LEFT, WCOL_DROP, 4 },
};

struct runsv {
	struct tui	*tui;
	struct wtable	*sched;
	struct wtable	*feeds;
	struct wtable	*runs;
	struct wlog	*log;
	int		 focus_log;
	int		 listening;
	int		 wake_due;
	int		 reading_logs;
	int		 logs_again;
	int		 reading_feeds;
	int64_t		 feeds_at;	/* when the feeds were last read */
	json_t		*conns;		/* the connectors, until strategies */
	int64_t		 sel;		/* run whose log is shown */
	int64_t		 after;		/* its last log row shown */
	char		 sel_state[16];
	int32_t		*holidays;
	size_t		 nholidays;
};

static void	runs_read(struct runsv *);
static void	runs_read_logs(struct runsv *);

static enum wrole
state_role(const char *s)
{
	if (strcmp(s, "SUCCEEDED") == 0)
		return WR_GOOD;
	if (strcmp(s, "FAILED") == 0 || strcmp(s, "TIMED_OUT") == 0)
		return WR_BAD;
	if (strcmp(s, "RUNNING") == 0)
		return WR_INFO;
	if (strcmp(s, "CANCELLED") == 0)
		return WR_DIM;
	return WR_WARN;
}

static struct store *
runs_store(struct runsv *r)
{
	return tui_data_store(r->tui->data);
}

static void
runs_next_fire(struct runsv *r, json_t *row, char *buf, size_t len)
{
	struct cron_calendar	cal = { r->holidays, r->nholidays };
	struct cron		c;
	struct err		err;
	int64_t			t;

	if (json_is_true(json_object_get(row, "paused"))) {
		snprintf(buf, len, "paused");
		return;
	}
	if (cron_parse(tui_str(row, "cron"), &c, &err) != 0 ||
	    (t = cron_next(&c, time_display_us() / 1000000, json_is_true(
	    json_object_get(row, "trading_days")) ? &cal : NULL)) < 0) {
		snprintf(buf, len, "never");
		return;
	}
	cron_fmt_ist(t, buf, len);
}

static void
runs_scheds(json_t *rows, const struct err *err, void *arg)
{
	struct runsv	*r = arg;
	json_t		*row;
	size_t		 i, at;
	char		 next[40];

	if (err != NULL) {
		wtable_set_empty(r->sched, err->msg);
		return;
	}
	wtable_clear(r->sched);
	json_array_foreach(rows, i, row) {
		at = wtable_add(r->sched, tui_str(row, "name"),
		    json_is_true(json_object_get(row, "paused")) ? WR_DIM :
		    WR_NORMAL);
		runs_next_fire(r, row, next, sizeof next);
		wtable_set(r->sched, at, SC_NAME, tui_str(row, "name"));
		wtable_set(r->sched, at, SC_CRON, tui_str(row, "cron"));
		wtable_set(r->sched, at, SC_NEXT, next);
		wtable_set(r->sched, at, SC_STATE, json_is_true(json_object_get(
		    row, "paused")) ? "paused" : tui_int(row, "active") > 0 ?
		    "running" : "waiting");
		wtable_set(r->sched, at, SC_LAST, tui_str(row, "last_run"));
	}
	wtable_commit(r->sched);
	tui_dirty(r->tui);
}

static void
runs_holidays(json_t *rows, const struct err *err, void *arg)
{
	struct runsv	*r = arg;
	json_t		*row;
	size_t		 i;
	int		 y, m, d;

	if (err == NULL) {
		free(r->holidays);
		r->holidays = xcalloc(json_array_size(rows) + 1,
		    sizeof *r->holidays);
		r->nholidays = 0;
		json_array_foreach(rows, i, row) {
			if (sscanf(tui_str(row, "day"), "%d-%d-%d", &y, &m,
			    &d) == 3)
				r->holidays[r->nholidays++] = y * 10000 +
				    m * 100 + d;
		}
	}
	store_schedule_list(runs_store(r), runs_scheds, r);
}

/* The selected run changed: its log starts over. */
static void
runs_select(struct runsv *r)
{
	struct wtable_row	*cur = wtable_current(r->runs);
	int64_t			 id = cur != NULL ? strtoll(cur->key, NULL,
				    10) : 0;

	if (id == r->sel)
		return;
	r->sel = id;
	r->after = 0;
	widget_free(&r->log->w);
	r->log = wlog_new(NULL, LOG_LINES);
	runs_read_logs(r);
}

static void
runs_listed(json_t *rows, const struct err *err, void *arg)
{
	struct runsv	*r = arg;
	json_t		*row;
	size_t		 i, at;
	char		 key[24];
	int		 follow;

	if (err != NULL) {
		wtable_set_empty(r->runs, err->msg);
		return;
	}
	follow = r->runs->cursor == 0;
	wtable_clear(r->runs);
	json_array_foreach(rows, i, row) {
		snprintf(key, sizeof key, "%lld", (long long)tui_int(row,
		    "id"));
		at = wtable_add(r->runs, key, state_role(tui_str(row,
		    "state")));
		wtable_set(r->runs, at, RC_ID, key);
		wtable_set(r->runs, at, RC_KIND, tui_str(row, "kind"));
		wtable_set(r->runs, at, RC_REF, tui_str(row, "ref"));
		wtable_set(r->runs, at, RC_STATE, tui_str(row, "state"));
		wtable_set(r->runs, at, RC_START, tui_str(row, "created_at"));
		wtable_set(r->runs, at, RC_SECS, tui_str(row, "seconds"));
		wtable_set(r->runs, at, RC_OUT, tui_str(row, "outcome"));
		if (tui_int(row, "id") == r->sel)
			snprintf(r->sel_state, sizeof r->sel_state, "%s",
			    tui_str(row, "state"));
	}
	wtable_commit(r->runs);
	/* On the newest run, stay on the newest: the timeline follows. */
	if (follow) {
		r->runs->cursor = 0;
		r->runs->top = 0;
	}
	runs_select(r);
	tui_dirty(r->tui);
}

static void
runs_logs(json_t *rows, const struct err *err, void *arg)
{
	struct runsv	*r = arg;
	json_t		*row;
	size_t		 i;
	const char	*s;

	r->reading_logs = 0;
	if (err == NULL) {
		json_array_foreach(rows, i, row) {
			r->after = tui_int(row, "id");
			s = tui_str(row, "stream");
			wlog_addf(r->log, strcmp(s, "err") == 0 ? WR_BAD :
			    strcmp(s, "sys") == 0 ? WR_DIM : WR_NORMAL,
			    "%s  %s", tui_str(row, "ts") + 11,
			    tui_str(row, "line"));
		}
		tui_dirty(r->tui);
	}
	if (r->logs_again) {
		r->logs_again = 0;
		runs_read_logs(r);
	}
}

static void
runs_read_logs(struct runsv *r)
{
	if (r->sel == 0)
		return;
	if (r->reading_logs) {
		r->logs_again = 1;
		return;
	}
	r->reading_logs = 1;
	store_run_logs(runs_store(r), r->sel, r->after, 500, runs_logs, r);
}

/*
 * A connector's state: disabled, or its last signal's outcome; a
 * strategy's: its trading state and what it has queued.
 */
static void
feeds_conn_row(struct runsv *r, json_t *row)
{
	const char	*name = tui_str(row, "name"), *st;
	char		 key[80], state[40];
	size_t		 at;
	int		 on = json_is_true(json_object_get(row, "enabled"));

	st = tui_str(row, "last_status");
	snprintf(key, sizeof key, "c:%s", name);
	snprintf(state, sizeof state, "%s", !on ? "disabled" : st[0] != '\0' ?
	    st : "no signal yet");
	at = wtable_add(r->feeds, key, !on ? WR_DIM : strcmp(st, "FAILED")
	    == 0 || strcmp(st, "REJECTED") == 0 ? WR_BAD : strcmp(st, "DONE")
	    == 0 ? WR_GOOD : WR_NORMAL);
	wtable_set(r->feeds, at, FC_NAME, name);
	wtable_set(r->feeds, at, FC_KIND, tui_str(row, "dialect"));
	wtable_set(r->feeds, at, FC_FEEDS, tui_str(row, "strategy"));
	wtable_set(r->feeds, at, FC_LAST, tui_str(row, "last_payload"));
	wtable_set(r->feeds, at, FC_STATE, state);
}

static void
feeds_strategy_row(struct runsv *r, json_t *row)
{
	const char	*name = tui_str(row, "name"), *ts;
	char		 key[80], state[48];
	size_t		 at;
	json_int_t	 q = tui_int(row, "queued");

	ts = tui_str(row, "trading_state");
	snprintf(key, sizeof key, "s:%s", name);
	if (q > 0)
		snprintf(state, sizeof state, "%s, %lld queued", ts[0] != '\0' ?
		    ts : "ACTIVE", (long long)q);
	else
		snprintf(state, sizeof state, "%s", ts[0] != '\0' ? ts :
		    "ACTIVE");
	at = wtable_add(r->feeds, key, strncmp(state, "HALTED", 6) == 0 ? WR_BAD :
	    q > 0 ? WR_WARN : WR_NORMAL);
	wtable_set(r->feeds, at, FC_NAME, name);
	wtable_set(r->feeds, at, FC_KIND, "strategy");
	wtable_set(r->feeds, at, FC_FEEDS, tui_str(row, "target"));
	wtable_set(r->feeds, at, FC_LAST, tui_str(row, "last_signal"));
	wtable_set(r->feeds, at, FC_STATE, state);
}

static void
feeds_strategies(json_t *rows, const struct err *err, void *arg)
{
	struct runsv	*r = arg;
	json_t		*row;
	size_t		 i;

	r->reading_feeds = 0;
	if (err != NULL) {
		wtable_set_empty(r->feeds, err->msg);
	} else {
		wtable_clear(r->feeds);
		json_array_foreach(r->conns, i, row)
			feeds_conn_row(r, row);
		json_array_foreach(rows, i, row)
			feeds_strategy_row(r, row);
		wtable_commit(r->feeds);
	}
	json_decref(r->conns);
	r->conns = NULL;
	tui_dirty(r->tui);
}

static void
feeds_connectors(json_t *rows, const struct err *err, void *arg)
{
	struct runsv	*r = arg;

	if (err != NULL) {
		r->reading_feeds = 0;
		wtable_set_empty(r->feeds, err->msg);
		tui_dirty(r->tui);
		return;
	}
	json_decref(r->conns);
	r->conns = json_incref(rows);
	store_strategy_list(runs_store(r), feeds_strategies, r);
}

static void
feeds_read(struct runsv *r)
{
	if (r->reading_feeds)
		return;
	r->reading_feeds = 1;
	r->feeds_at = time_mono_us();
	store_connector_list(runs_store(r), feeds_connectors, r);
}

static void
runs_read(struct runsv *r)
{
	store_holidays_list(runs_store(r), 0, runs_holidays, r);
	feeds_read(r);
	store_run_list(runs_store(r), RUNS_SHOWN, NULL, NULL, runs_listed, r);
}

static void
runs_wake(void *arg)
{
	struct runsv	*r = arg;

	r->wake_due = 0;
	runs_read(r);
}

static void
runs_notified(const char *channel, const char *payload, void *arg)
{
	struct runsv	*r = arg;
	long long	 id;
	char		 what[16];

	if (sscanf(payload, "%lld %15s", &id, what) != 2)
		return;
	if (id == r->sel && strcmp(what, "log") == 0) {
		runs_read_logs(r);
		return;
	}
	if (!r->wake_due) {
		r->wake_due = 1;
		loop_later(RUNS_WAKE_US, runs_wake, r);
	}
}

static void *
runs_create(struct tui *tui)
{
	struct runsv	*r = xcalloc(1, sizeof *r);

	r->tui = tui;
	r->sched = wtable_new(sched_cols, SC__N);
	r->feeds = wtable_new(feed_cols, FC__N);
	r->feeds->hide_cursor = 1;
	wtable_set_empty(r->feeds, "No connectors or strategies (strategy add "
	    "NAME target TARGET; connector add NAME ...).");
	r->runs = wtable_new(run_cols, RC__N);
	r->log = wlog_new(NULL, LOG_LINES);
	r->sched->hide_cursor = 1;
	wtable_set_empty(r->sched, "No schedules (schedule add NAME cron "
	    "\"M H DOM MON DOW\" run \"COMMAND\").");
	wtable_set_empty(r->runs, "No runs yet.");
	return r;
}

static void
runs_destroy(void *v)
{
	struct runsv	*r = v;

	widget_free(&r->sched->w);
	widget_free(&r->feeds->w);
	widget_free(&r->runs->w);
	json_decref(r->conns);
	widget_free(&r->log->w);
	free(r->holidays);
	free(r);
}

static void
runs_show(void *v, struct tui *tui)
{
	struct runsv	*r = v;

	if (!r->listening) {
		store_console_listen(runs_store(r), STORE_RUNS_CHANNEL,
		    runs_notified, r);
		r->listening = 1;
	}
	runs_read(r);
}

/* A signal that ran moved orders: its feed's last signal and state. */
static void
runs_data(void *v, struct tui *tui, int what)
{
	struct runsv	*r = v;

	if ((what & TUI_D_EVENTS) && tui->view == TV_RUNS && r->listening &&
	    time_mono_us() - r->feeds_at >= FEEDS_EVERY_US)
		feeds_read(r);
}

static void
runs_title(WINDOW *win, int y, int x, int w, const char *text)
{
	widget_clear(win, y, x, 1, w, widget_attr[WR_NORMAL]);
	wtext_puts(win, y, x, w, widget_attr[WR_TITLE], text);
}

static void
runs_draw(void *v, struct tui *tui, WINDOW *win, int y, int x, int h, int w)
{
	struct runsv	*r = v;
	int		 hs, hf, hr, hl, cap;
	size_t		 ns = r->sched->nvis, nf = r->feeds->nvis;
	char		 title[96];

	/*
	 * Schedules and feeds: a heading and a few rows each (more when the
	 * screen is tall); the runs and the log share the rest.  At 80x24
	 * that is 3 schedules, 3 feeds, 5 runs and a 5-line log.
	 */
	cap = h >= 36 ? 8 : h >= 28 ? 5 : 3;
	hs = 1 + (ns == 0 ? 1 : (int)(ns < (size_t)cap ? ns : (size_t)cap));
	hf = 1 + (nf == 0 ? 1 : (int)(nf < (size_t)cap ? nf : (size_t)cap));
	if (h - hs - hf < 8)
		hf = 0;		/* too short: the runs come first */
	hr = (h - hs - hf - 1) / 2;
	if (hr < 3)
		hr = 3;
	hl = h - hs - hf - hr - 1;
	widget_move(&r->sched->w, y, x, hs, w);
	widget_draw(&r->sched->w, win);
	if (hf > 0) {
		widget_move(&r->feeds->w, y + hs, x, hf, w);
		widget_draw(&r->feeds->w, win);
	}
	r->runs->hide_cursor = r->focus_log;
	widget_move(&r->runs->w, y + hs + hf, x, hr, w);
	widget_draw(&r->runs->w, win);
	if (hl < 1)
		return;
	snprintf(title, sizeof title, "Log of run %lld%s%s%s", (long long)r->sel,
	    r->log->follow ? "  (following)" : "  (scrolled back -- G follows)",
	    r->focus_log ? "" : "  Tab: log", "");
	if (r->sel == 0)
		snprintf(title, sizeof title, "Log: select a run (j/k)");
	runs_title(win, y + hs + hf + hr, x, w, title);
	widget_move(&r->log->w, y + hs + hf + hr + 1, x, hl, w);
	widget_draw(&r->log->w, win);
}

static int
runs_key(void *v, struct tui *tui, int key)
{
	struct runsv		*r = v;
	struct wtable_row	*cur;
	char			*line;
	int			 res;

	if (key == '\t') {
		r->focus_log = !r->focus_log;
		tui_dirty(tui);
		return WIDGET_HANDLED | WIDGET_REDRAW;
	}
	if (key == 'c' && (cur = wtable_current(r->runs)) != NULL) {
		line = xasprintf("run cancel %s", cur->key);
		tui_run_line(tui, line);
		free(line);
		return WIDGET_HANDLED;
	}
	if (r->focus_log)
		return widget_key(&r->log->w, key);
	res = widget_key(&r->runs->w, key);
	runs_select(r);
	return res;
}

static void
runs_filter(void *v, struct tui *tui, const char *text)
{
	struct runsv	*r = v;

	wtable_set_filter(r->runs, text);
	runs_select(r);
}

const struct tui_view_ops view_runs_ops = {
	"Runs", runs_create, runs_destroy, runs_show, runs_data, runs_draw,
	runs_key, runs_filter, 0
};
