/*
 * The full-screen console's insides, shared by the files of ui/ only.
 * One struct tui per process: the screen, the views, the data they show
 * and the command bar, all driven by the engine's event loop.
 */
#ifndef PX_UI_TUI_H
#define PX_UI_TUI_H

#include <stdint.h>

#include <jansson.h>

#include "cmd/dispatch.h"
#include "net/net.h"
#include "util/config.h"
#include "widgets/widgets.h"

struct tui;
struct tui_data;
struct cmdbar;
struct tour;
struct notify_worker;
struct tui_rms;

enum tui_view_id { TV_MATRIX, TV_FEED, TV_EQUITY, TV_RMS, TV_BOOK, TV_FIRM,
	TV_ANALYTICS, TV_RUNS, TV__COUNT };

/* What changed in the data, for the views. */
#define TUI_D_ACCOUNTS	0x01
#define TUI_D_EVENTS	0x02
#define TUI_D_BOOK	0x04
#define TUI_D_EQUITY	0x08
#define TUI_D_INCIDENTS	0x10
#define TUI_D_STATE	0x20
#define TUI_D_FIRM	0x40	/* every account's positions */
#define TUI_D_INCIDENT	0x80	/* the incident open in view 4 */

/* A view: one tab of the console (ui/views_*.c). */
struct tui_view_ops {
	const char	*title;
	void		*(*create)(struct tui *);
	void		 (*destroy)(void *);
	/* Became the visible view: ask for what it shows. */
	void		 (*show)(void *, struct tui *);
	void		 (*data)(void *, struct tui *, int what);
	void		 (*draw)(void *, struct tui *, WINDOW *, int y, int x,
			     int h, int w);
	/* View keys; WIDGET_* flags. */
	int		 (*key)(void *, struct tui *, int key);
	void		 (*filter)(void *, struct tui *, const char *);
	/* Which data flags the view shows, for its stale marker. */
	int		 sources;
};

extern const struct tui_view_ops view_matrix_ops;
extern const struct tui_view_ops view_feed_ops;
extern const struct tui_view_ops view_equity_ops;
extern const struct tui_view_ops view_rms_ops;
extern const struct tui_view_ops view_book_ops;
extern const struct tui_view_ops view_firm_ops;
extern const struct tui_view_ops view_analytics_ops;
extern const struct tui_view_ops view_runs_ops;

/* Modal layers, topmost first when handling keys. */
enum tui_mode { TM_NORMAL, TM_FILTER, TM_CMDBAR };

struct tui {
	struct config		 *cfg;
	struct cmd_env		  env;		/* commands run here */
	struct tui_data		 *data;
	struct tui_rms		 *rms;		/* alarms, incident, RMS marks */
	struct cmdbar		 *bar;
	WINDOW			 *win;
	int			  rows, cols;
	int			  curses_on;
	int			  quit;
	int			  drained;	/* router events stored */

	int			  view;
	void			 *vstate[TV__COUNT];
	const struct tui_view_ops *vops[TV__COUNT];

	struct wtabs		 *tabs;
	struct wstatus		 *status;
	struct wdialog		 *dialog;
	struct wpager		 *popup;
	enum tui_mode		  mode;
	char			  filter[128];	/* being typed */
	size_t			  filter_len;

	struct notify_worker	 *notify;	/* delivers alerts; NULL: off */
	struct tour		 *tour;		/* the walkthrough, when on */
	char			 *account;	/* selected on the matrix */
	char			 *pending_cmd;	/* run if the dialog says yes */

	struct event		 *ev_stdin;
	struct event		 *ev_winch;
	struct event		 *ev_int;
	struct event		 *ev_term;
	struct event		 *ev_hup;
	struct event		 *ev_redraw;
	struct event		 *ev_tick;
	int			  redraw_due;
	int64_t			  last_draw_us;
	int64_t			  frame_us;	/* 1 / ui.refresh_hz */
	unsigned		  jobs;		/* commands in flight */
};

/* tui.c */
void tui_dirty(struct tui *);
void tui_switch(struct tui *, int view);
void tui_set_account(struct tui *, const char *);
void tui_message(struct tui *, enum wrole, const char *fmt, ...)
    PX_PRINTF(3, 4);
void tui_popup(struct tui *, const char *title, const char *text);
void tui_dialog(struct tui *, struct wdialog *, const char *cmd);
/* A line for the feed (console actions and their results). */
void tui_feed_note(struct tui *, enum wrole, const char *fmt, ...)
    PX_PRINTF(3, 4);

/* screen.c: layout and painting */
void screen_draw(struct tui *);
void screen_header(struct tui *, WINDOW *, int y, int w);

/* signal.c: the terminal comes back whatever happens */
void tui_signals_crash(void);
void tui_signals_restore_terminal(void);

/* tour.c: the walkthrough */
void tui_tour_start(struct tui *);
void tui_tour_stop(struct tui *);
/* At start: begin it unless done before or PHALANX_TOUR=off. */
void tui_tour_first(struct tui *);
/* 1 when the key was the tour's; other keys act as usual. */
int tui_tour_key(struct tui *, int key);
void tui_tour_draw(struct tui *, int top, int h);
/* 1 when line is the console word "tour" (and the tour started). */
int tui_tour_command(struct tui *, const char *line);

/* conlog.c: stderr and engine warnings kept off the screen */
char *tui_conlog_path(const struct tui *);
int tui_conlog_start(struct tui *, struct err *);
void tui_conlog_restore(void);		/* async-signal-safe */
void tui_conlog_stop(void);

/* theme.c */
int theme_init(const struct config *);	/* returns ascii mode */
const char *theme_name(void);
enum wrole theme_state_role(const char *order_state);

/* keymap.c */
enum tui_action {
	TA_NONE,
	TA_VIEW1, TA_VIEW2, TA_VIEW3, TA_VIEW4, TA_VIEW5, TA_VIEW6, TA_VIEW7, TA_VIEW8,
	TA_QUIT, TA_HELP, TA_CMDBAR, TA_FILTER, TA_REDRAW, TA_REFRESH,
	TA_SQUAREOFF, TA_SQUAREOFF_GROUP, TA_KILL, TA_CANCEL, TA_MARK,
	TA_SORT, TA_SORT_REVERSE, TA_TAG_FILTER, TA_OPEN_BOOK,
	TA_EQUITY_SCOPE, TA_BOOK_FOCUS, TA_SQUAREOFF_SYMBOL, TA_EXPAND,
	TA_EXPAND_ALL, TA_TOUR,
	TA_CURSOR_LEFT, TA_CURSOR_RIGHT,
	TA_AN_PNL, TA_AN_HEAT, TA_AN_OPTIONS, TA_AN_SLA, TA_AN_NEXT,
	TA_AN_MEASURE, TA_AN_UNDERLYING
};

enum tui_ctx { TC_GLOBAL, TC_MATRIX, TC_FEED, TC_EQUITY, TC_RMS, TC_BOOK,
	TC_FIRM, TC_ANALYTICS, TC_DOC };

enum tui_action keymap_lookup(int view, int key);
char *keymap_help(void);
const char *keymap_hint(int view);

/* data.c: the store behind the views */
struct tui_data *tui_data_new(struct tui *, const char *conninfo,
    const struct pg_opts *);
void tui_data_free(struct tui_data *);
void tui_data_refresh(struct tui_data *, int what);
json_t *tui_data_accounts(const struct tui_data *);
/* The account tag that sorts next after `after` (NULL: the first); NULL
 * when there is none.  Borrowed from the data. */
const char *tui_data_next_tag(const struct tui_data *, const char *after);
json_t *tui_data_new_events(const struct tui_data *);
json_t *tui_data_positions(const struct tui_data *);
json_t *tui_data_orders(const struct tui_data *);
json_t *tui_data_firm(const struct tui_data *);
const char *tui_data_book_account(const struct tui_data *);
void tui_data_book(struct tui_data *, const char *account);
json_t *tui_data_equity(const struct tui_data *, const char **absent);
json_t *tui_data_broker_pnl(const struct tui_data *);
void tui_data_equity_scope(struct tui_data *, const char *account);
json_t *tui_data_incidents(const struct tui_data *, const char **absent);
json_t *tui_data_words(const struct tui_data *);
struct store *tui_data_store(const struct tui_data *);
/* Store state for the header: "ok", "connecting", "down". */
const char *tui_data_store_state(const struct tui_data *, enum wrole *);
/* Seconds a source has been stale (0: fresh). */
int tui_data_stale(const struct tui_data *, int what);
int64_t tui_data_events_seen(const struct tui_data *);

/* data_rms.c: the header's alarms, view 4's incident, the matrix's RMS */
struct tui_rms *tui_rms_new(struct tui *);
/* Before tui_data_free: answers that come back are dropped. */
void tui_rms_stop(struct tui_rms *);
void tui_rms_free(struct tui_rms *);
/* Fetch alarms now, the per-account marks too when marks is set. */
void tui_rms_refresh(struct tui_rms *, int marks);
/* {breaches, newest: {id, kind, name, rule} | null, failed} or NULL. */
json_t *tui_rms_alarms(const struct tui_rms *);
/* Fetch incident id (store_incident_show); TUI_D_INCIDENT when in. */
void tui_rms_incident(struct tui_rms *, const char *id);
json_t *tui_rms_detail(const struct tui_rms *);
/* {state, loss_bp: basis points of the MTM loss limit | null} or NULL. */
json_t *tui_rms_account(const struct tui_rms *, const char *name);

/* run.c: commands from the bar and the action keys */
void tui_run_line(struct tui *, const char *line);

/* actions.c: square off, kill, cancel with a confirmation */
void tui_action(struct tui *, enum tui_action, const char *const *accounts,
    size_t n, const char *tag);
/* Square off one instrument in every account named. */
void tui_action_symbol(struct tui *, const char *const *accounts, size_t n,
    const char *symbol);

/* cmdbar.c: GNU readline in the bottom line */
struct cmdbar *cmdbar_new(struct tui *, const char *history_path);
void cmdbar_free(struct cmdbar *);
void cmdbar_focus(struct cmdbar *);
void cmdbar_blur(struct cmdbar *);
/*
 * Ask for one line of text after prompt (not a command, not kept in the
 * history): Enter hands it to cb, Esc drops it.  The console is in
 * TM_CMDBAR meanwhile.
 */
void cmdbar_ask(struct cmdbar *, const char *prompt,
    void (*cb)(struct tui *, const char *text, void *), void *arg);
/* A key while focused: a curses key code or a character. */
void cmdbar_key(struct cmdbar *, int is_keycode, int ch);
void cmdbar_draw(struct cmdbar *, WINDOW *, int y, int w);
void cmdbar_resize(struct cmdbar *, int cols);

/* Row helpers shared by the views. */
const char *tui_str(json_t *row, const char *key);
int64_t tui_int(json_t *row, const char *key);
/* Rupee text ("-1234.50") as paise; 0 and -1 when blank. */
int tui_paise(json_t *row, const char *key, int64_t *out);
void tui_fmt_money(json_t *row, const char *key, char *buf, size_t len);
void tui_fmt_clock(int64_t wall_us, int ms, char *buf, size_t len);

#endif
