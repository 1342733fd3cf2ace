/*
 * The console's data: what the views show, fetched from the store on
 * their own connection so that a long command never delays the screen.
 * A second connection only LISTENs.  Fetches are coalesced: at most one
 * query per source in flight, a NOTIFY storm becomes one fetch per tick,
 * and the matrix (the heaviest query) refreshes at most once a second.
 * A query that takes too long marks its view stale; nothing waits for it.
 */
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "db/store_analytics.h"
#include "db/store_console.h"
#include "ui/tui.h"

/* NOTIFY of db/migrations/0021_analytics.sql: new equity points. */
#define CHANNEL_ANALYTICS	"phalanx_analytics"
#define EQUITY_WIDTH		"15m"
#define EQUITY_DAYS		7

enum { SRC_ACC, SRC_EV, SRC_BOOK, SRC_EQ, SRC_INC, SRC_WORDS, SRC_FIRM,
	SRC__N };

#define STALE_AFTER_US		2000000
#define KICK_US			100000	/* notify -> fetch */
#define ACCOUNTS_MIN_US		1000000
#define POLL_US			1000000	/* events, without NOTIFY */
#define ACCOUNTS_POLL_US	5000000
#define EVENTS_BATCH		2000
#define EVENTS_FIRST		500

struct tui_src {
	int	inflight;
	int	again;
	int	failed;
	int64_t	started_us;
	int64_t	ok_us;
};

struct tui_data {
	struct tui	*tui;
	struct store	*rd;
	struct store	*ln;
	int		 closing;
	struct tui_src	 src[SRC__N];
	int		 want;		/* TUI_D_* to fetch at the next kick */

	json_t		*accounts;
	json_t		*new_events;	/* during TUI_D_EVENTS only */
	json_t		*positions;
	json_t		*orders;
	json_t		*firm;
	json_t		*equity;
	json_t		*bpnl;
	json_t		*incidents;
	json_t		*words;
	char		*equity_absent;
	char		*incidents_absent;
	char		*book_account;
	char		*equity_account;
	int64_t		 ev_last_id;
	char		*ev_last_ts;
	int64_t		 ev_seen;
	int64_t		 acc_started_us;
	int64_t		 acc_polled_us;

	struct event	*ev_kick;
	struct event	*ev_poll;
	struct an_cache	*cache;		/* equity curves, until a NOTIFY */
	char		*equity_key;	/* of the curve being fetched */
};

static void data_fetch(struct tui_data *, int what);

static int
src_begin(struct tui_data *d, int i)
{
	if (d->closing)
		return 0;
	if (d->src[i].inflight) {
		d->src[i].again = 1;
		return 0;
	}
	d->src[i].inflight = 1;
	d->src[i].started_us = time_mono_us();
	return 1;
}

/* 1 when the result should be used; a retry is queued if one was asked. */
static int
src_end(struct tui_data *d, int i, const struct err *err, int what)
{
	d->src[i].inflight = 0;
	if (d->closing)
		return 0;
	if (err != NULL && strcmp(err->code, "absent") != 0) {
		d->src[i].failed = 1;
		log_warn("tui", "fetch failed: %s", err->msg);
		tui_dirty(d->tui);
	} else {
		d->src[i].failed = 0;
		d->src[i].ok_us = time_mono_us();
	}
	if (d->src[i].again) {
		d->src[i].again = 0;
		d->want |= what;
		event_active(d->ev_kick, EV_TIMEOUT, 0);
	}
	return err == NULL || strcmp(err->code, "absent") == 0;
}

static void
data_keep(json_t **slot, json_t *rows)
{
	json_decref(*slot);
	*slot = rows != NULL ? json_incref(rows) : NULL;
}

static void
data_accounts_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_data	*d = arg;

	if (!src_end(d, SRC_ACC, err, TUI_D_ACCOUNTS))
		return;
	data_keep(&d->accounts, rows);
	d->tui->vops[TV_MATRIX]->data(d->tui->vstate[TV_MATRIX], d->tui,
	    TUI_D_ACCOUNTS);
	tui_dirty(d->tui);
}

static void
data_events_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_data	*d = arg;
	json_t		*last;
	size_t		 n;
	int		 i;

	if (!src_end(d, SRC_EV, err, TUI_D_EVENTS))
		return;
	n = json_array_size(rows);
	if (n == 0)
		return;
	last = json_array_get(rows, n - 1);
	if (tui_int(last, "id") > d->ev_last_id) {
		d->ev_last_id = tui_int(last, "id");
		free(d->ev_last_ts);
		d->ev_last_ts = xstrdup(tui_str(last, "ts"));
	}
	d->ev_seen += (int64_t)n;
	d->new_events = rows;
	for (i = 0; i < TV__COUNT; i++)
		d->tui->vops[i]->data(d->tui->vstate[i], d->tui, TUI_D_EVENTS);
	d->new_events = NULL;
	/* A full batch: more are waiting. */
	if (n >= EVENTS_BATCH)
		data_fetch(d, TUI_D_EVENTS);
	/* Fills move positions and MTM: the matrix follows, throttled. */
	d->want |= TUI_D_ACCOUNTS | TUI_D_BOOK | TUI_D_FIRM;
	if (!evtimer_pending(d->ev_kick, NULL))
		event_active(d->ev_kick, EV_TIMEOUT, 0);
	tui_dirty(d->tui);
}

static void
data_orders_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_data	*d = arg;

	if (!src_end(d, SRC_BOOK, err, TUI_D_BOOK))
		return;
	data_keep(&d->orders, rows);
	d->tui->vops[TV_BOOK]->data(d->tui->vstate[TV_BOOK], d->tui,
	    TUI_D_BOOK);
	tui_dirty(d->tui);
}

static void
data_positions_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_data	*d = arg;

	if (d->closing) {
		d->src[SRC_BOOK].inflight = 0;
		return;
	}
	if (err != NULL) {
		src_end(d, SRC_BOOK, err, TUI_D_BOOK);
		return;
	}
	data_keep(&d->positions, rows);
	store_console_orders(d->rd, d->book_account, data_orders_done, d);
}

static void
data_firm_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_data	*d = arg;

	if (!src_end(d, SRC_FIRM, err, TUI_D_FIRM))
		return;
	data_keep(&d->firm, rows);
	d->tui->vops[TV_FIRM]->data(d->tui->vstate[TV_FIRM], d->tui,
	    TUI_D_FIRM);
	tui_dirty(d->tui);
}

static void
data_absent(char **slot, const struct err *err)
{
	free(*slot);
	*slot = err != NULL ? xstrdup(err->msg) : NULL;
}

static void
data_bpnl_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_data	*d = arg;

	if (!src_end(d, SRC_EQ, err, TUI_D_EQUITY))
		return;
	data_keep(&d->bpnl, rows);
	d->tui->vops[TV_EQUITY]->data(d->tui->vstate[TV_EQUITY], d->tui,
	    TUI_D_EQUITY);
	d->tui->vops[TV_ANALYTICS]->data(d->tui->vstate[TV_ANALYTICS], d->tui,
	    TUI_D_EQUITY);
	tui_dirty(d->tui);
}

static void
data_equity_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_data	*d = arg;

	if (d->closing) {
		d->src[SRC_EQ].inflight = 0;
		return;
	}
	if (err != NULL && strcmp(err->code, "absent") != 0) {
		src_end(d, SRC_EQ, err, TUI_D_EQUITY);
		return;
	}
	data_absent(&d->equity_absent, err);
	data_keep(&d->equity, rows);
	if (err == NULL && rows != NULL && d->equity_key != NULL)
		an_cache_put(d->cache, d->equity_key, rows);
	store_console_broker_pnl(d->rd, data_bpnl_done, d);
}

static void
data_incidents_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_data	*d = arg;

	if (!src_end(d, SRC_INC, err, TUI_D_INCIDENTS))
		return;
	data_absent(&d->incidents_absent, err);
	data_keep(&d->incidents, rows);
	d->tui->vops[TV_RMS]->data(d->tui->vstate[TV_RMS], d->tui,
	    TUI_D_INCIDENTS);
	tui_dirty(d->tui);
}

static void
data_words_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_data	*d = arg;

	if (!src_end(d, SRC_WORDS, err, 0))
		return;
	data_keep(&d->words, rows);
}

static void
data_fetch_accounts(struct tui_data *d)
{
	int64_t		now = time_mono_us();
	struct timeval	tv;

	/* Throttled: come back when a second has passed. */
	if (now - d->acc_started_us < ACCOUNTS_MIN_US) {
		d->want |= TUI_D_ACCOUNTS;
		tv.tv_sec = 0;
		tv.tv_usec = (long)(ACCOUNTS_MIN_US -
		    (now - d->acc_started_us));
		if (!evtimer_pending(d->ev_kick, NULL))
			evtimer_add(d->ev_kick, &tv);
		return;
	}
	if (!src_begin(d, SRC_ACC))
		return;
	d->acc_started_us = now;
	store_console_accounts(d->rd, data_accounts_done, d);
}

/*
 * The curve from the rollups: the firm's, or the account's.  A repeat
 * is served from the cache until a NOTIFY says a snapshot or a fill came.
 */
static void
data_fetch_equity(struct tui_data *d)
{
	json_t	*hit, *names;
	char	 since[40];

	free(d->equity_key);
	d->equity_key = xasprintf("%s|%s", d->equity_account != NULL ?
	    "account" : "firm", d->equity_account != NULL ? d->equity_account :
	    "firm");
	if ((hit = an_cache_get(d->cache, d->equity_key)) != NULL) {
		json_incref(hit);
		data_equity_done(hit, NULL, d);
		json_decref(hit);
		return;
	}
	names = json_pack("[s]", d->equity_account != NULL ?
	    d->equity_account : "firm");
	time_fmt_utc(time_display_us() - (int64_t)EQUITY_DAYS * 86400 * 1000000,
	    since, sizeof since);
	store_equity_series(d->rd, EQUITY_WIDTH, d->equity_account != NULL ?
	    "account" : "firm", names, since, data_equity_done, d);
	json_decref(names);
}

static void
data_fetch(struct tui_data *d, int what)
{
	if (d->closing)
		return;
	if (what & TUI_D_ACCOUNTS)
		data_fetch_accounts(d);
	if ((what & TUI_D_EVENTS) && src_begin(d, SRC_EV))
		store_console_events(d->rd, d->ev_last_id, d->ev_last_ts,
		    d->ev_last_id > 0 ? EVENTS_BATCH : EVENTS_FIRST,
		    data_events_done, d);
	if ((what & TUI_D_BOOK) && d->book_account != NULL &&
	    d->tui->view == TV_BOOK && src_begin(d, SRC_BOOK))
		store_console_positions(d->rd, d->book_account,
		    data_positions_done, d);
	if ((what & TUI_D_FIRM) && d->tui->view == TV_FIRM &&
	    src_begin(d, SRC_FIRM))
		store_console_firm_positions(d->rd, data_firm_done, d);
	if ((what & TUI_D_EQUITY) && src_begin(d, SRC_EQ))
		data_fetch_equity(d);
	if ((what & TUI_D_INCIDENTS) && src_begin(d, SRC_INC))
		store_console_incidents(d->rd, data_incidents_done, d);
	if ((what & TUI_D_STATE) && src_begin(d, SRC_WORDS))
		store_console_words(d->rd, data_words_done, d);
}

void
tui_data_refresh(struct tui_data *d, int what)
{
	data_fetch(d, what);
}

static void
data_kick(evutil_socket_t fd, short ev, void *arg)
{
	struct tui_data	*d = arg;
	int		 what = d->want;

	d->want = 0;
	data_fetch(d, what);
}

static void
data_kick_soon(struct tui_data *d, int what)
{
	struct timeval	tv = { 0, KICK_US };

	d->want |= what;
	if (!evtimer_pending(d->ev_kick, NULL))
		evtimer_add(d->ev_kick, &tv);
}

static void
data_notify(const char *channel, const char *payload, void *arg)
{
	struct tui_data	*d = arg;

	if (strcmp(channel, CHANNEL_ANALYTICS) == 0) {
		an_cache_clear(d->cache);
		data_kick_soon(d, TUI_D_EQUITY);
	} else if (strcmp(channel, STORE_CHANNEL_EVENTS) == 0)
		data_kick_soon(d, TUI_D_EVENTS);
	else {
		data_kick_soon(d, TUI_D_ACCOUNTS | TUI_D_STATE | TUI_D_BOOK |
		    TUI_D_FIRM | (d->tui->view == TV_RMS ? TUI_D_INCIDENTS :
		    0));
		/* An incident moved, a state changed: the header at once. */
		if (d->tui->rms != NULL)
			tui_rms_refresh(d->tui->rms, 0);
	}
}

/* Writers that do not NOTIFY yet are caught by polling. */
static void
data_poll(evutil_socket_t fd, short ev, void *arg)
{
	struct tui_data	*d = arg;
	int64_t		 now = time_mono_us();
	int		 what = TUI_D_EVENTS;

	if (now - d->acc_polled_us >= ACCOUNTS_POLL_US) {
		d->acc_polled_us = now;
		what |= TUI_D_ACCOUNTS;
		if (d->tui->view == TV_BOOK)
			what |= TUI_D_BOOK;
		if (d->tui->view == TV_FIRM)
			what |= TUI_D_FIRM;
		if (d->tui->view == TV_EQUITY)
			what |= TUI_D_EQUITY;
		if (d->tui->view == TV_RMS)
			what |= TUI_D_INCIDENTS;
	}
	data_fetch(d, what);
}

static void
data_state(enum pg_state st, const char *why, void *arg)
{
	struct tui_data	*d = arg;

	if (d->closing)
		return;
	if (st == PG_READY)
		data_kick_soon(d, TUI_D_ACCOUNTS | TUI_D_EVENTS | TUI_D_STATE);
	tui_dirty(d->tui);
}

struct tui_data *
tui_data_new(struct tui *tui, const char *conninfo, const struct pg_opts *o)
{
	struct tui_data	*d;
	struct timeval	 tv = { POLL_US / 1000000, POLL_US % 1000000 };

	d = xcalloc(1, sizeof *d);
	d->tui = tui;
	d->rd = store_open(loop_base(), conninfo, o);
	d->ln = store_open(loop_base(), conninfo, o);
	pg_conn_on_state(store_conn(d->rd), data_state, d);
	store_console_listen(d->ln, STORE_CHANNEL_EVENTS, data_notify, d);
	store_console_listen(d->ln, STORE_CHANNEL_REGISTRY, data_notify, d);
	store_console_listen(d->ln, CHANNEL_ANALYTICS, data_notify, d);
	d->cache = an_cache_new(8);
	d->ev_kick = evtimer_new(loop_base(), data_kick, d);
	d->ev_poll = event_new(loop_base(), -1, EV_PERSIST, data_poll, d);
	evtimer_add(d->ev_poll, &tv);
	d->acc_polled_us = time_mono_us();
	d->acc_started_us = -ACCOUNTS_MIN_US;
	data_fetch(d, TUI_D_ACCOUNTS | TUI_D_EVENTS | TUI_D_STATE);
	return d;
}

void
tui_data_free(struct tui_data *d)
{
	if (d == NULL)
		return;
	d->closing = 1;
	event_free(d->ev_kick);
	event_free(d->ev_poll);
	/* Pending queries complete as cancelled, into a closing d. */
	store_close(d->rd);
	store_close(d->ln);
	json_decref(d->accounts);
	json_decref(d->positions);
	json_decref(d->orders);
	json_decref(d->firm);
	json_decref(d->equity);
	json_decref(d->bpnl);
	json_decref(d->incidents);
	json_decref(d->words);
	free(d->equity_absent);
	free(d->incidents_absent);
	free(d->book_account);
	free(d->equity_account);
	free(d->equity_key);
	an_cache_free(d->cache);
	free(d->ev_last_ts);
	free(d);
}

void
tui_data_book(struct tui_data *d, const char *account)
{
	if (account == NULL)
		return;
	if (d->book_account == NULL || strcmp(d->book_account, account) != 0) {
		free(d->book_account);
		d->book_account = xstrdup(account);
		data_keep(&d->positions, NULL);
		data_keep(&d->orders, NULL);
	}
	data_fetch(d, TUI_D_BOOK);
}

void
tui_data_equity_scope(struct tui_data *d, const char *account)
{
	free(d->equity_account);
	d->equity_account = account != NULL ? xstrdup(account) : NULL;
	data_fetch(d, TUI_D_EQUITY);
}

json_t *
tui_data_accounts(const struct tui_data *d)
{
	return d->accounts;
}

const char *
tui_data_next_tag(const struct tui_data *d, const char *after)
{
	const char	*next = NULL, *s;
	json_t		*row, *t;
	size_t		 i, j;

	json_array_foreach(d->accounts, i, row) {
		json_array_foreach(json_object_get(row, "tags"), j, t) {
			s = json_string_value(t);
			if (s == NULL || (after != NULL && strcmp(s, after) <= 0))
				continue;
			if (next == NULL || strcmp(s, next) < 0)
				next = s;
		}
	}
	return next;
}

json_t *
tui_data_new_events(const struct tui_data *d)
{
	return d->new_events;
}

json_t *
tui_data_positions(const struct tui_data *d)
{
	return d->positions;
}

json_t *
tui_data_firm(const struct tui_data *d)
{
	return d->firm;
}

json_t *
tui_data_orders(const struct tui_data *d)
{
	return d->orders;
}

const char *
tui_data_book_account(const struct tui_data *d)
{
	return d->book_account;
}

json_t *
tui_data_equity(const struct tui_data *d, const char **absent)
{
	*absent = d->equity_absent;
	return d->equity;
}

json_t *
tui_data_broker_pnl(const struct tui_data *d)
{
	return d->bpnl;
}

json_t *
tui_data_incidents(const struct tui_data *d, const char **absent)
{
	*absent = d->incidents_absent;
	return d->incidents;
}

json_t *
tui_data_words(const struct tui_data *d)
{
	return d->words;
}

struct store *
tui_data_store(const struct tui_data *d)
{
	return d->rd;
}

int64_t
tui_data_events_seen(const struct tui_data *d)
{
	return d->ev_seen;
}

const char *
tui_data_store_state(const struct tui_data *d, enum wrole *role)
{
	switch (pg_conn_state(store_conn(d->rd))) {
	case PG_READY:
		*role = WR_GOOD;
		return "ok";
	case PG_CONNECTING:
		*role = WR_WARN;
		return "connecting";
	default:
		*role = WR_BAD;
		return "DOWN";
	}
}

static int
data_src_of(int what)
{
	switch (what) {
	case TUI_D_ACCOUNTS:
		return SRC_ACC;
	case TUI_D_EVENTS:
		return SRC_EV;
	case TUI_D_BOOK:
		return SRC_BOOK;
	case TUI_D_EQUITY:
		return SRC_EQ;
	case TUI_D_INCIDENTS:
		return SRC_INC;
	case TUI_D_FIRM:
		return SRC_FIRM;
	default:
		return -1;
	}
}

int
tui_data_stale(const struct tui_data *d, int what)
{
	const struct tui_src	*s;
	int64_t			 now = time_mono_us(), since;
	int			 bit, i, worst = 0, secs;

	for (bit = 1; bit <= TUI_D_FIRM; bit <<= 1) {
		if (!(what & bit) || (i = data_src_of(bit)) < 0)
			continue;
		s = &d->src[i];
		if (!(s->failed || (s->inflight &&
		    now - s->started_us > STALE_AFTER_US)))
			continue;
		since = s->ok_us > 0 ? s->ok_us : s->started_us;
		secs = (int)((now - since) / 1000000);
		if (secs < 1)
			secs = 1;
		worst = secs > worst ? secs : worst;
	}
	return worst;
}
