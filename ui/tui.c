/*
 * The full-screen console: curses on the engine's event loop.  Input is an
 * event on stdin read with wget_wch in nodelay mode; SIGWINCH, SIGINT,
 * SIGTERM and SIGHUP are libevent signal events; redraws are coalesced to
 * at most ui.refresh_hz frames a second.  Nothing here waits for the store
 * or a broker: data arrives in callbacks and marks the screen dirty.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd/batch.h"
#include "db/store.h"
#include "exec/router.h"
#include "notify/notify.h"
#include "ui/tui.h"
#include "ui/ui.h"

#define MSG_TTL_US	8000000
#define ERR_TTL_US	15000000

static const struct tui_view_ops *const tui_views[TV__COUNT] = {
	&view_matrix_ops, &view_feed_ops, &view_equity_ops, &view_rms_ops,
	&view_book_ops, &view_firm_ops, &view_analytics_ops, &view_runs_ops
};

static const char *tui_tab_names[TV__COUNT];

/* The one console of the process, for the exit-time terminal restore. */
static struct tui	*tui_active;
static SCREEN		*tui_screen;

static void
tui_redraw_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct tui	*tui = arg;

	tui->redraw_due = 0;
	tui->last_draw_us = time_mono_us();
	screen_draw(tui);
}

/* Ask for a frame; several requests before it is drawn make one. */
void
tui_dirty(struct tui *tui)
{
	struct timeval	tv;
	int64_t		wait;

	if (tui->redraw_due || tui->ev_redraw == NULL || tui->quit)
		return;
	tui->redraw_due = 1;
	wait = tui->last_draw_us + tui->frame_us - time_mono_us();
	if (wait < 0)
		wait = 0;
	tv.tv_sec = (time_t)(wait / 1000000);
	tv.tv_usec = (suseconds_t)(wait % 1000000);
	evtimer_add(tui->ev_redraw, &tv);
}

void
tui_message(struct tui *tui, enum wrole role, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	wstatus_set(tui->status, role, role == WR_BAD ? ERR_TTL_US :
	    MSG_TTL_US, "%s", s);
	free(s);
	tui_dirty(tui);
}

/*
 * A command's result: it closes with Esc or Enter, and q still quits.  It
 * used to take q as "close", so that after a confirmed square-off (whose
 * result pops up) the first q only closed the result and the trader had
 * to quit twice.
 */
void
tui_popup(struct tui *tui, const char *title, const char *text)
{
	if (tui->popup != NULL)
		widget_free(&tui->popup->w);
	tui->popup = wpager_new(title, text);
	tui->popup->passive = 1;
	tui_dirty(tui);
}

void
tui_dialog(struct tui *tui, struct wdialog *d, const char *cmd)
{
	if (tui->dialog != NULL)
		widget_free(&tui->dialog->w);
	free(tui->pending_cmd);
	tui->dialog = d;
	tui->pending_cmd = xstrdup(cmd);
	tui_dirty(tui);
}

void
tui_set_account(struct tui *tui, const char *name)
{
	if (name == NULL || (tui->account != NULL &&
	    strcmp(tui->account, name) == 0))
		return;
	free(tui->account);
	tui->account = xstrdup(name);
}

void
tui_switch(struct tui *tui, int view)
{
	if (view < 0 || view >= TV__COUNT)
		return;
	if (tui->mode == TM_FILTER)
		tui->mode = TM_NORMAL;
	tui->view = view;
	tui->tabs->active = view;
	tui->vops[view]->show(tui->vstate[view], tui);
	tui_dirty(tui);
}

static void
tui_quit(struct tui *tui)
{
	tui->quit = 1;
	loop_exit();
}

/* New size: lay out again.  resizeterm() queues a KEY_RESIZE, hence two. */
static void
tui_relayout(struct tui *tui)
{
	tui->rows = LINES;
	tui->cols = COLS;
	cmdbar_resize(tui->bar, tui->cols);
	clearok(curscr, TRUE);
	tui_dirty(tui);
}

static void
tui_resize(struct tui *tui)
{
	struct winsize	ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	tui_relayout(tui);
}

static void
tui_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct tui	*tui = arg;

	if (sig == SIGWINCH)
		tui_resize(tui);
	else
		tui_quit(tui);
}

static void
tui_tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct tui	*tui = arg;

	wstatus_expire(tui->status, time_mono_us());
	tui_dirty(tui);
}

/* The dialog answered: run its command only on a deliberate yes. */
static void
tui_dialog_key(struct tui *tui, int key)
{
	int	r = wdialog_key(tui->dialog, key);
	char	*cmd;

	if (!(r & WIDGET_CLOSE))
		return;
	cmd = tui->pending_cmd;
	tui->pending_cmd = NULL;
	if (tui->dialog->state == WDIALOG_YES && cmd != NULL)
		tui_run_line(tui, cmd);
	else
		tui_message(tui, WR_INFO, "cancelled: nothing was sent");
	widget_free(&tui->dialog->w);
	tui->dialog = NULL;
	free(cmd);
}

static void
tui_filter_key(struct tui *tui, int key)
{
	const struct tui_view_ops	*ops = tui->vops[tui->view];

	switch (key) {
	case WIDGET_KEY_ESC:
		tui->filter_len = 0;
		tui->filter[0] = '\0';
		tui->mode = TM_NORMAL;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		tui->mode = TM_NORMAL;
		return;
	case KEY_BACKSPACE:
	case 127:
	case '\b':
		if (tui->filter_len > 0) {
			/* Back over a whole UTF-8 sequence. */
			do
				tui->filter_len--;
			while (tui->filter_len > 0 &&
			    ((unsigned char)tui->filter[tui->filter_len] &
			    0xc0) == 0x80);
			tui->filter[tui->filter_len] = '\0';
		}
		break;
	default:
		if (key < 0x20 || key > 0x7e || tui->filter_len + 2 >=
		    sizeof tui->filter)
			return;
		tui->filter[tui->filter_len++] = (char)key;
		tui->filter[tui->filter_len] = '\0';
		break;
	}
	if (ops->filter != NULL)
		ops->filter(tui->vstate[tui->view], tui, tui->filter);
}

static void
tui_start_filter(struct tui *tui)
{
	if (tui->vops[tui->view]->filter == NULL) {
		tui_message(tui, WR_INFO, "this view has no filter");
		return;
	}
	tui->mode = TM_FILTER;
	tui->filter_len = 0;
	tui->filter[0] = '\0';
	tui->vops[tui->view]->filter(tui->vstate[tui->view], tui, NULL);
}

static void
tui_help(struct tui *tui)
{
	char	*text = keymap_help();

	tui_popup(tui, "Keys", text);
	tui->popup->passive = 0;
	free(text);
}

static int
tui_global_key(struct tui *tui, int key)
{
	enum tui_action	a = keymap_lookup(TC_GLOBAL, key);

	switch (a) {
	case TA_VIEW1:
	case TA_VIEW2:
	case TA_VIEW3:
	case TA_VIEW4:
	case TA_VIEW5:
	case TA_VIEW6:
	case TA_VIEW7:
	case TA_VIEW8:
		tui_switch(tui, (int)(a - TA_VIEW1));
		return 1;
	case TA_QUIT:
		tui_quit(tui);
		return 1;
	case TA_HELP:
		tui_help(tui);
		return 1;
	case TA_TOUR:
		tui_tour_start(tui);
		return 1;
	case TA_CMDBAR:
		tui->mode = TM_CMDBAR;
		cmdbar_focus(tui->bar);
		tui_dirty(tui);
		return 1;
	case TA_FILTER:
		tui_start_filter(tui);
		tui_dirty(tui);
		return 1;
	case TA_REDRAW:
		clearok(curscr, TRUE);
		tui_dirty(tui);
		return 1;
	case TA_REFRESH:
		tui_data_refresh(tui->data, TUI_D_ACCOUNTS | TUI_D_EVENTS |
		    TUI_D_BOOK | TUI_D_EQUITY | TUI_D_INCIDENTS);
		tui_message(tui, WR_INFO, "refreshing");
		return 1;
	default:
		return 0;
	}
}

/* One key, to whichever layer is on top. */
static void
tui_key(struct tui *tui, int is_code, wint_t wc)
{
	int	key, r;

	key = is_code || wc < 0x80 ? (int)wc : WIDGET_KEY_WIDE(wc);
	if (is_code && wc == KEY_RESIZE) {
		tui_relayout(tui);
		return;
	}
	if (tui->mode == TM_CMDBAR) {
		cmdbar_key(tui->bar, is_code, (int)wc);
		tui_dirty(tui);
		return;
	}
	tui_dirty(tui);
	if (tui->dialog != NULL) {
		tui_dialog_key(tui, key);
		return;
	}
	/* Keys the popup does not use close it and go on to the view. */
	if (tui->popup != NULL) {
		r = wpager_key(tui->popup, key);
		if (r & (WIDGET_CLOSE | WIDGET_HANDLED) && !(r & WIDGET_CLOSE))
			return;
		widget_free(&tui->popup->w);
		tui->popup = NULL;
		if ((r & WIDGET_CLOSE) && (r & WIDGET_HANDLED))
			return;
	}
	if (tui->mode == TM_FILTER) {
		tui_filter_key(tui, key);
		return;
	}
	if (tui_tour_key(tui, key))
		return;
	if (tui_global_key(tui, key))
		return;
	tui->vops[tui->view]->key(tui->vstate[tui->view], tui, key);
}

static void
tui_stdin_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct tui	*tui = arg;
	wint_t		 wc;
	int		 rc;

	while (!tui->quit && (rc = wget_wch(tui->win, &wc)) != ERR)
		tui_key(tui, rc == KEY_CODE_YES, wc);
}

static int
tui_curses_start(struct tui *tui, struct err *err)
{
	SCREEN	*sp;

	if ((sp = newterm(NULL, stdout, stdin)) == NULL) {
		err_set(err, "usage", "cannot start the screen on terminal "
		    "type \"%s\"", getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	set_term(sp);
	tui_screen = sp;
	tui->curses_on = 1;
	cbreak();
	noecho();
	nonl();
	set_escdelay(25);
	tui->win = stdscr;
	keypad(tui->win, TRUE);
	nodelay(tui->win, TRUE);
	curs_set(0);
	widget_ascii = theme_init(tui->cfg);
	tui->rows = LINES;
	tui->cols = COLS;
	return 0;
}

static void
tui_events_start(struct tui *tui)
{
	struct event_base	*base = loop_base();
	struct timeval		 sec = { 1, 0 };

	tui->ev_redraw = evtimer_new(base, tui_redraw_cb, tui);
	tui->ev_stdin = event_new(base, STDIN_FILENO, EV_READ | EV_PERSIST,
	    tui_stdin_cb, tui);
	tui->ev_winch = evsignal_new(base, SIGWINCH, tui_signal_cb, tui);
	tui->ev_int = evsignal_new(base, SIGINT, tui_signal_cb, tui);
	tui->ev_term = evsignal_new(base, SIGTERM, tui_signal_cb, tui);
	tui->ev_hup = evsignal_new(base, SIGHUP, tui_signal_cb, tui);
	tui->ev_tick = event_new(base, -1, EV_PERSIST, tui_tick_cb, tui);
	event_add(tui->ev_stdin, NULL);
	evsignal_add(tui->ev_winch, NULL);
	evsignal_add(tui->ev_int, NULL);
	evsignal_add(tui->ev_term, NULL);
	evsignal_add(tui->ev_hup, NULL);
	evtimer_add(tui->ev_tick, &sec);
}

static void
tui_events_stop(struct tui *tui)
{
	struct event	**ev[] = {
		&tui->ev_redraw, &tui->ev_stdin, &tui->ev_winch, &tui->ev_int,
		&tui->ev_term, &tui->ev_hup, &tui->ev_tick
	};
	size_t		  i;

	for (i = 0; i < nitems(ev); i++) {
		if (*ev[i] != NULL)
			event_free(*ev[i]);
		*ev[i] = NULL;
	}
}

void
tui_signals_restore_terminal(void)
{
	if (tui_active != NULL && tui_active->curses_on && !isendwin())
		endwin();
	tui_conlog_restore();
}

static void
tui_views_start(struct tui *tui)
{
	int	i;

	for (i = 0; i < TV__COUNT; i++) {
		tui->vops[i] = tui_views[i];
		tui_tab_names[i] = tui_views[i]->title;
		tui->vstate[i] = tui->vops[i]->create(tui);
	}
	tui->tabs = wtabs_new(tui_tab_names, TV__COUNT);
	tui->status = wstatus_new();
}

static void
tui_views_stop(struct tui *tui)
{
	int	i;

	for (i = 0; i < TV__COUNT; i++) {
		if (tui->vstate[i] != NULL)
			tui->vops[i]->destroy(tui->vstate[i]);
		tui->vstate[i] = NULL;
	}
	if (tui->dialog != NULL)
		widget_free(&tui->dialog->w);
	if (tui->popup != NULL)
		widget_free(&tui->popup->w);
	widget_free(tui->tabs != NULL ? &tui->tabs->w : NULL);
	widget_free(tui->status != NULL ? &tui->status->w : NULL);
	tui->dialog = NULL;
	tui->popup = NULL;
}

/*
 * The store first: without it there is nothing to show.  The commands get
 * the same environment as batch mode; the views read on connections of
 * their own (data.c).
 */
static int
tui_open_store(struct tui *tui, char **conninfo, struct pg_opts *o)
{
	struct err	err;

	err_clear(&err);
	if (db_store_open_info(tui->cfg, conninfo, &err) != 0 ||
	    batch_env_open(&tui->env, tui->cfg, "console", 1, &err) != 0) {
		fprintf(stderr, "phalanx: %s\n", err.msg);
		fprintf(stderr, "phalanx: the console needs the store; check "
		    "PHALANX_DSN or store.dsn (phalanx config)\n");
		free(*conninfo);
		*conninfo = NULL;
		return -1;
	}
	memset(o, 0, sizeof *o);
	o->connect_timeout_ms = (int)config_int(tui->cfg,
	    "store.connect_timeout_ms");
	return 0;
}

/* The reconciler's lines (interrupted fan-outs above all) in the feed. */
static void
tui_reconcile_note(const char *line, void *arg)
{
	struct tui	*tui = arg;

	tui_feed_note(tui, WR_WARN, "%s", line);
	if (strncmp(line, "warning:", 8) == 0)
		tui_message(tui, WR_WARN, "%s", line);
}

static void
tui_drained(void *arg)
{
	struct tui	*tui = arg;

	tui->drained = 1;
	loop_exit();
}

/* Lifecycle events of orders sent from here reach the store before exit. */
static void
tui_drain(struct tui *tui)
{
	if (tui->env.router == NULL)
		return;
	/* A loop_exit() before the loop runs is lost: run only if needed. */
	tui->drained = 0;
	router_drain(tui->env.router, 5000, tui_drained, tui);
	if (!tui->drained)
		loop_run();
}

static void
tui_teardown(struct tui *tui)
{
	log_set_sink(NULL, NULL);
	tui_events_stop(tui);
	/* Callbacks of cancelled queries still find the console whole. */
	tui->quit = 1;
	tui_rms_stop(tui->rms);
	tui_data_free(tui->data);
	tui->data = NULL;
	tui_rms_free(tui->rms);
	tui->rms = NULL;
	notify_worker_free(tui->notify);
	tui->notify = NULL;
	tui_drain(tui);
	batch_env_close(&tui->env);
	cmdbar_free(tui->bar);
	tui_views_stop(tui);
	if (tui->curses_on) {
		endwin();
		delscreen(tui_screen);
		tui_screen = NULL;
		tui->curses_on = 0;
	}
	tui_conlog_stop();
	tui_active = NULL;
	free(tui->tour);
	free(tui->account);
	free(tui->pending_cmd);
	loop_free();
}

int
tui_main(struct config *cfg)
{
	struct tui	 tui;
	struct pg_opts	 opts;
	struct err	 err;
	char		*conninfo = NULL, *hist, *logerr;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "phalanx: the console needs a terminal; use "
		    "\"phalanx batch\" or \"phalanx -c\" for scripts\n");
		return 2;
	}
	memset(&tui, 0, sizeof tui);
	tui.cfg = cfg;
	tui.frame_us = 1000000 / config_int(cfg, "ui.refresh_hz");
	if (tui_open_store(&tui, &conninfo, &opts) != 0)
		return CMD_UNREACHABLE;
	err_clear(&err);
	if (tui_curses_start(&tui, &err) != 0) {
		fprintf(stderr, "phalanx: %s\n", err.msg);
		free(conninfo);
		batch_env_close(&tui.env);
		loop_free();
		return 2;
	}
	tui_active = &tui;
	tui_signals_crash();
	atexit(tui_signals_restore_terminal);
	path_mkdirs(tui.env.home, 0700);
	err_clear(&err);
	logerr = tui_conlog_start(&tui, &err) == 0 ? NULL : xstrdup(err.msg);
	tui_views_start(&tui);
	if (logerr != NULL) {
		tui_message(&tui, WR_BAD, "%s", logerr);
		free(logerr);
	}
	hist = xasprintf("%s/history", tui.env.home);
	tui.bar = cmdbar_new(&tui, hist);
	free(hist);
	tui_events_start(&tui);
	tui.data = tui_data_new(&tui, conninfo, &opts);
	free(conninfo);
	tui.rms = tui_rms_new(&tui);
	/*
	 * A console delivers alerts too, with or without a daemon: rows are
	 * claimed FOR UPDATE SKIP LOCKED, so each is sent by one worker.
	 */
	if (config_bool(cfg, "notify.worker") == 1)
		tui.notify = notify_worker_start(tui.env.store, cfg,
		    tui.env.home);
	tui_switch(&tui, TV_MATRIX);
	tui_tour_first(&tui);
	batch_env_reconcile(&tui.env, tui_reconcile_note, &tui);
	screen_draw(&tui);
	while (!tui.quit && loop_run() == 0)
		;
	tui_teardown(&tui);
	return 0;
}
