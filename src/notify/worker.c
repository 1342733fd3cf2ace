/*
 * The delivery worker: claims due deliveries from the outbox (FOR UPDATE
 * SKIP LOCKED, with a lease), sends each over its channel on the loop,
 * and records the attempt and the delivery's new state.  Woken by NOTIFY
 * phalanx_notify and by a poll timer (retries fall due on their own).
 *
 * Sends run concurrently with a timeout each, so a channel that hangs
 * holds only its own rows.  Per channel, a spacing limiter keeps to the
 * channel's rate (Telegram: one message a second per chat and 30 a second
 * per bot); a 429 pauses the channel for every worker through the store.
 * Delivery is at least once: a worker that dies after sending but before
 * recording leaves the row to be sent again when its lease runs out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "notify/notify_int.h"
#include "util/metrics.h"

/* Telegram's documented ceiling for one bot across all chats. */
#define TELEGRAM_BOT_PER_SEC	30
/* How far ahead a channel's sends are claimed and held in memory. */
#define NW_CLAIM_AHEAD_US	1000000

/*
 * A channel's limiter: slots spaced by its rate, handed out when a job is
 * claimed, and a window of the last sends' real times, checked at the
 * moment of sending -- a loop that stalled would otherwise let the late
 * slots go out bunched, more than the rate in one second.
 */
struct nw_limit {
	char		*key;
	int64_t		 next_us;	/* monotonic: next free slot */
	int64_t		*sent;		/* ring of the last nsent send times */
	size_t		 nsent;
	size_t		 at;
	int64_t		 window_us;
	struct nw_limit	*next;
};

struct nw_job {
	struct notify_worker	*w;
	json_t			*row;		/* owns the message's strings */
	struct notify_channel	 ch;
	struct notify_message	 msg;
	char			*title;		/* with the count */
	int64_t			 delivery_id;
	int			 attempts;
	int			 sending;	/* notify_send called, no cb yet */
	struct event		*wait;
	struct nw_limit		*lim[2];	/* channel, Telegram bot */
	struct nw_job		*prev;
	struct nw_job		*next;
};

struct notify_worker {
	struct store		*st;
	struct http_client	*hc;
	char			*home;
	char			*id;
	int			 poll_ms;
	int			 timeout_ms;
	int			 max_attempts;
	int			 backoff_ms;
	int			 backoff_max_ms;
	int			 batch;
	int			 lease_ms;
	struct event		*tick;
	int			 claiming;
	int			 again;
	int			 stopping;
	size_t			 njobs;
	struct nw_job		*jobs;
	struct nw_limit		*limits;
	uint64_t		 sent;
	uint64_t		 retried;
	uint64_t		 failed;
};

static void	nw_claim(struct notify_worker *);
static void	nw_send(struct nw_job *);

static struct nw_limit *
nw_limit_get(struct notify_worker *w, const char *key)
{
	struct nw_limit	*l;

	for (l = w->limits; l != NULL; l = l->next) {
		if (strcmp(l->key, key) == 0)
			return l;
	}
	l = xcalloc(1, sizeof *l);
	l->key = xstrdup(key);
	l->next = w->limits;
	w->limits = l;
	return l;
}

/* Take the next slot of a limiter; how long until it comes (us). */
static int64_t
nw_limit_take(struct notify_worker *w, const char *key, int64_t gap_us)
{
	struct nw_limit	*l = nw_limit_get(w, key);
	int64_t		 now = time_mono_us(), at;

	at = l->next_us > now ? l->next_us : now;
	l->next_us = at + gap_us;
	return at - now;
}

/*
 * A limiter's window: at most n sends in any window_us.  Sized on first
 * use (and again if the channel's rate changed); 0 frees it.
 */
static void
nw_limit_window(struct nw_limit *l, size_t n, int64_t window_us)
{
	if (n == l->nsent && window_us == l->window_us)
		return;
	free(l->sent);
	l->sent = n > 0 ? xcalloc(n, sizeof *l->sent) : NULL;
	l->nsent = n;
	l->at = 0;
	l->window_us = window_us;
}

/* How long until one more send keeps to the window; 0: now. */
static int64_t
nw_limit_hold(const struct nw_limit *l, int64_t now)
{
	int64_t	oldest;

	if (l == NULL || l->nsent == 0)
		return 0;
	oldest = l->sent[l->at];
	if (oldest == 0 || now - oldest >= l->window_us)
		return 0;
	return l->window_us - (now - oldest);
}

static void
nw_limit_sent(struct nw_limit *l, int64_t now)
{
	if (l == NULL || l->nsent == 0)
		return;
	l->sent[l->at] = now;
	l->at = (l->at + 1) % l->nsent;
}

static void
nw_limit_pause(struct notify_worker *w, const char *key, int64_t us)
{
	struct nw_limit	*l = nw_limit_get(w, key);
	int64_t		 until = time_mono_us() + us;

	if (l->next_us < until)
		l->next_us = until;
}

static void
nw_job_free(struct nw_job *j)
{
	struct notify_worker	*w = j->w;

	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		w->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	w->njobs--;
	if (j->wait != NULL)
		event_free(j->wait);
	notify_channel_clear(&j->ch);
	free(j->title);
	json_decref(j->row);
	free(j);
}

static void
nw_finished(json_t *rows, const struct err *err, void *arg)
{
	struct nw_job		*j = arg;
	struct notify_worker	*w = j->w;

	if (err != NULL)
		log_warn("notify", "delivery %lld: result not stored: %s "
		    "(its lease will expire and it will be sent again)",
		    (long long)j->delivery_id, err->msg);
	nw_job_free(j);
	if (w->again && !w->stopping)
		nw_claim(w);
}

static void
nw_record(struct nw_job *j, const char *outcome, const struct notify_result *r,
    int64_t retry_ms, int64_t pause_ms, int uncount)
{
	struct notify_worker		*w = j->w;
	struct store_notify_result	 s;

	memset(&s, 0, sizeof s);
	s.delivery_id = j->delivery_id;
	s.worker = w->id;
	s.outcome = outcome;
	s.http_status = r->status;
	s.error = r->error[0] != '\0' ? r->error : NULL;
	s.elapsed_ms = r->elapsed_us / 1000;
	s.retry_ms = retry_ms;
	s.pause_ms = pause_ms;
	s.uncount = uncount;
	store_notify_finish(w->st, &s, nw_finished, j);
}

/* attempts 1, 2, 3... wait backoff, 2x, 4x... capped, +-20% jitter. */
static int64_t
nw_backoff_ms(const struct notify_worker *w, int attempts)
{
	int64_t	d = w->backoff_ms;
	int	i;

	for (i = 1; i < attempts && d < w->backoff_max_ms; i++)
		d *= 2;
	if (d > w->backoff_max_ms)
		d = w->backoff_max_ms;
	return d * 8 / 10 + (int64_t)randombytes_uniform(
	    (uint32_t)(d * 4 / 10 + 1));
}

static void
nw_sent(const struct notify_result *r, void *arg)
{
	struct nw_job		*j = arg;
	struct notify_worker	*w = j->w;
	struct notify_result	 fin;
	int64_t			 retry_ms;
	char			 key[48];

	j->sending = 0;
	if (w->stopping) {
		/* The client is closing: the lease or release handles it. */
		nw_job_free(j);
		return;
	}
	if (r->outcome == NOTIFY_SENT) {
		w->sent++;
		if (j->msg.ts_us > 0 && time_wall_us() > j->msg.ts_us)
			metric_observe(pxm.notify_seconds,
			    (time_wall_us() - j->msg.ts_us) / 1e6, j->ch.kind);
		log_info("notify", "alert %lld sent over %s in %lld ms",
		    (long long)j->msg.id, j->ch.name,
		    (long long)(r->elapsed_us / 1000));
		nw_record(j, "sent", r, 0, 0, 0);
		return;
	}
	metric_inc(pxm.notify_failures, j->ch.kind);
	if (r->outcome == NOTIFY_RETRY && r->retry_after_ms > 0) {
		/* The channel asked us to wait: not the message's fault. */
		w->retried++;
		snprintf(key, sizeof key, "c:%lld", (long long)j->ch.id);
		nw_limit_pause(w, key, r->retry_after_ms * 1000);
		nw_record(j, "retry", r, r->retry_after_ms, r->retry_after_ms,
		    1);
		return;
	}
	if (r->outcome == NOTIFY_RETRY && j->attempts < w->max_attempts) {
		w->retried++;
		retry_ms = nw_backoff_ms(w, j->attempts);
		nw_record(j, "retry", r, retry_ms, 0, 0);
		return;
	}
	w->failed++;
	fin = *r;
	if (r->outcome == NOTIFY_RETRY)
		snprintf(fin.error, sizeof fin.error, "gave up after %d "
		    "attempts: %.200s", j->attempts, r->error);
	log_warn("notify", "alert %lld over %s failed: %s",
	    (long long)j->msg.id, j->ch.name, fin.error);
	nw_record(j, "failed", &fin, 0, 0, 0);
}

static void
nw_wait_done(evutil_socket_t fd, short what, void *arg)
{
	nw_send(arg);
}

static void
nw_send(struct nw_job *j)
{
	int64_t		now = time_mono_us(), hold, h2;
	struct timeval	tv;

	hold = nw_limit_hold(j->lim[0], now);
	h2 = nw_limit_hold(j->lim[1], now);
	if (h2 > hold)
		hold = h2;
	if (hold > 0) {
		if (j->wait == NULL)
			j->wait = evtimer_new(loop_base(), nw_wait_done, j);
		tv.tv_sec = hold / 1000000;
		tv.tv_usec = hold % 1000000;
		evtimer_add(j->wait, &tv);
		return;
	}
	nw_limit_sent(j->lim[0], now);
	nw_limit_sent(j->lim[1], now);
	j->sending = 1;
	notify_send(j->w->hc, &j->ch, &j->msg, j->w->timeout_ms, nw_sent, j);
}

/* Wait for the channel's (and a Telegram bot's) next free slot. */
static void
nw_schedule(struct nw_job *j)
{
	struct notify_worker	*w = j->w;
	char			 key[48];
	unsigned char		 h[8];
	char			 hx[17];
	int64_t			 wait, w2;
	int			 per_min;
	struct timeval		 tv;

	/*
	 * Spaced 5% wider than the rate: requests that leave evenly can
	 * arrive bunched, and the receiver counts arrivals.
	 */
	snprintf(key, sizeof key, "c:%lld", (long long)j->ch.id);
	per_min = j->ch.rate_per_min > 0 ? j->ch.rate_per_min : 60;
	wait = nw_limit_take(w, key, 63000000LL / per_min);
	/* The window: a second's worth, or a minute's for slower rates,
	 * 5% wider for the same reason. */
	j->lim[0] = nw_limit_get(w, key);
	if (per_min >= 60)
		nw_limit_window(j->lim[0], (size_t)(per_min / 60), 1050000);
	else
		nw_limit_window(j->lim[0], (size_t)per_min, 63000000);
	if (strcmp(j->ch.kind, "telegram") == 0 && j->ch.secret != NULL) {
		crypto_generichash(h, sizeof h, (const unsigned char *)
		    j->ch.secret, strlen(j->ch.secret), NULL, 0);
		sodium_bin2hex(hx, sizeof hx, h, sizeof h);
		snprintf(key, sizeof key, "bot:%s", hx);
		w2 = nw_limit_take(w, key, 1000000 / TELEGRAM_BOT_PER_SEC);
		j->lim[1] = nw_limit_get(w, key);
		nw_limit_window(j->lim[1], TELEGRAM_BOT_PER_SEC, 1050000);
		if (w2 > wait)
			wait = w2;
	}
	if (wait <= 0) {
		nw_send(j);
		return;
	}
	j->wait = evtimer_new(loop_base(), nw_wait_done, j);
	tv.tv_sec = wait / 1000000;
	tv.tv_usec = wait % 1000000;
	evtimer_add(j->wait, &tv);
}

static const char *
row_s(json_t *row, const char *k)
{
	return json_string_value(json_object_get(row, k));
}

static void
nw_start(struct notify_worker *w, json_t *row)
{
	struct nw_job		*j;
	struct notify_result	 r;
	struct err		 err;

	j = xcalloc(1, sizeof *j);
	j->w = w;
	j->row = json_incref(row);
	j->next = w->jobs;
	if (w->jobs != NULL)
		w->jobs->prev = j;
	w->jobs = j;
	w->njobs++;
	j->delivery_id = json_integer_value(json_object_get(row, "id"));
	j->attempts = (int)json_integer_value(json_object_get(row,
	    "attempts"));
	j->msg.id = json_integer_value(json_object_get(row,
	    "notification_id"));
	j->msg.ts_us = json_integer_value(json_object_get(row, "ts_us"));
	j->msg.severity = row_s(row, "severity");
	j->msg.source = row_s(row, "source");
	j->msg.scope = row_s(row, "scope");
	j->msg.title = row_s(row, "title");
	j->msg.body = row_s(row, "body");
	j->msg.ref = row_s(row, "ref");
	j->msg.attachments = json_object_get(row, "attachments");
	/* De-duplicated repeats travel as a count in the title. */
	j->msg.count = 1 + (int)json_integer_value(json_object_get(row,
	    "repeats"));
	if (j->msg.count > 1 && j->msg.title != NULL) {
		j->title = xasprintf("%s (x%d)", j->msg.title, j->msg.count);
		j->msg.title = j->title;
	}
	memset(&r, 0, sizeof r);
	err_clear(&err);
	if (notify_channel_load(row, w->home, &j->ch, &err) != 0) {
		w->failed++;
		j->ch.name = xstrdup(row_s(row, "channel"));
		j->ch.kind = xstrdup("");
		j->ch.url = xstrdup("");
		snprintf(r.error, sizeof r.error, "channel secret: %.200s",
		    err.msg);
		nw_record(j, "failed", &r, 0, 0, 0);
		return;
	}
	if (j->attempts > w->max_attempts) {
		/* Leases ran out this often: senders died mid-send. */
		w->failed++;
		snprintf(r.error, sizeof r.error, "gave up after %d attempts "
		    "(no result recorded)", j->attempts - 1);
		nw_record(j, "failed", &r, 0, 0, 0);
		return;
	}
	nw_schedule(j);
}

static void
nw_claimed(json_t *rows, const struct err *err, void *arg)
{
	struct notify_worker	*w = arg;
	size_t			 i;
	json_t			*row;

	w->claiming = 0;
	if (w->stopping)
		return;
	if (err != NULL) {
		log_warn("notify", "claim failed: %s", err->msg);
		return;
	}
	json_array_foreach(rows, i, row)
		nw_start(w, row);
	/*
	 * Anything claimed means more may be waiting: a claim takes only a
	 * few rows per channel.  It stops when every channel with due rows
	 * is booked a second ahead (nw_busy_channels); the poll tick takes
	 * the next second's worth, so a channel runs at its full rate.
	 */
	if (w->again || json_array_size(rows) > 0)
		nw_claim(w);
}

/*
 * Channels whose limiter is booked more than a second ahead (never past
 * half a lease: rows claimed then could outwait their lease and be sent
 * twice).  Rows for them stay in the store, free for other workers.
 */
static json_t *
nw_busy_channels(struct notify_worker *w)
{
	struct nw_limit	*l;
	json_t		*a = json_array();
	int64_t		 ahead = (int64_t)w->lease_ms * 500;
	int64_t		 horizon;

	if (ahead > NW_CLAIM_AHEAD_US)
		ahead = NW_CLAIM_AHEAD_US;
	horizon = time_mono_us() + ahead;

	for (l = w->limits; l != NULL; l = l->next) {
		if (strncmp(l->key, "c:", 2) == 0 && l->next_us > horizon)
			json_array_append_new(a, json_integer(strtoll(l->key + 2,
			    NULL, 10)));
	}
	return a;
}

static void
nw_claim(struct notify_worker *w)
{
	json_t	*skip;
	int	 room;

	w->again = 0;
	if (w->stopping)
		return;
	if (w->claiming || pg_conn_state(store_conn(w->st)) != PG_READY) {
		w->again = w->claiming;
		return;
	}
	room = w->batch - (int)w->njobs;
	if (room <= 0) {
		w->again = 1;	/* a finishing job claims again */
		return;
	}
	w->claiming = 1;
	skip = nw_busy_channels(w);
	store_notify_claim(w->st, w->id, room, w->lease_ms, skip, nw_claimed,
	    w);
	json_decref(skip);
}

static void
nw_tick(evutil_socket_t fd, short what, void *arg)
{
	nw_claim(arg);
}

static void
nw_notified(const char *channel, const char *payload, void *arg)
{
	nw_claim(arg);
}

static void
nw_state(enum pg_state st, const char *why, void *arg)
{
	if (st == PG_READY)
		nw_claim(arg);
}

struct notify_worker *
notify_worker_start(struct store *st, struct config *cfg, const char *home)
{
	struct notify_worker	*w;
	struct pg_conn		*pg = store_conn(st);
	struct timeval		 tv;
	char			 host[128];

	w = xcalloc(1, sizeof *w);
	w->st = store_open(loop_base(), pg_conn_conninfo(pg),
	    pg_conn_opts(pg));
	w->hc = http_client_new(loop_base());
	w->home = xstrdup(home);
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	w->id = xasprintf("%s:%ld", host, (long)getpid());
	w->poll_ms = (int)config_int(cfg, "notify.poll_ms");
	w->timeout_ms = (int)config_int(cfg, "notify.timeout_ms");
	w->max_attempts = (int)config_int(cfg, "notify.max_attempts");
	w->backoff_ms = (int)config_int(cfg, "notify.backoff_ms");
	w->backoff_max_ms = (int)config_int(cfg, "notify.backoff_max_ms");
	w->batch = (int)config_int(cfg, "notify.batch");
	/* Long enough for a send that times out plus its limiter wait. */
	w->lease_ms = 2 * w->timeout_ms + 5000;
	pg_listen(store_conn(w->st), STORE_NOTIFY_CHANNEL, nw_notified, w);
	pg_conn_on_state(store_conn(w->st), nw_state, w);
	w->tick = event_new(loop_base(), -1, EV_PERSIST, nw_tick, w);
	tv.tv_sec = w->poll_ms / 1000;
	tv.tv_usec = (w->poll_ms % 1000) * 1000;
	event_add(w->tick, &tv);
	nw_claim(w);
	return w;
}

void
notify_worker_counts(const struct notify_worker *w, uint64_t *sent,
    uint64_t *retried, uint64_t *failed)
{
	*sent = w != NULL ? w->sent : 0;
	*retried = w != NULL ? w->retried : 0;
	*failed = w != NULL ? w->failed : 0;
}

/*
 * Hand back what this worker holds, so a restart sends it at once
 * instead of after the lease.  The loop has stopped: a short blocking
 * connection is the one way left, and it only runs at exit.
 */
static void
nw_release(struct notify_worker *w, const char *conninfo)
{
	static const char *const keys[] = { "dbname", "connect_timeout",
		NULL };
	const char	*vals[3] = { conninfo, "3", NULL };
	const char	*p[1] = { w->id };
	PGconn		*c;
	PGresult	*res;

	/* dbname with expand_dbname: a URI or key=value conninfo alike. */
	c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) == CONNECTION_OK) {
		res = PQexecParams(c, "UPDATE notification_deliveries SET"
		    " state = 'PENDING', attempts = greatest(attempts - 1, 0),"
		    " claimed_by = NULL, claimed_until = NULL"
		    " WHERE claimed_by = $1 AND state = 'SENDING'", 1, NULL, p,
		    NULL, NULL, 0);
		PQclear(res);
	}
	PQfinish(c);
}

void
notify_worker_free(struct notify_worker *w)
{
	struct nw_limit	*l;
	char		*conninfo;

	if (w == NULL)
		return;
	w->stopping = 1;
	event_free(w->tick);
	conninfo = xstrdup(pg_conn_conninfo(store_conn(w->st)));
	/* In-flight sends and pending results call back and free their
	 * jobs; what is left waits on a limiter. */
	http_client_free(w->hc);
	store_close(w->st);
	while (w->jobs != NULL)
		nw_job_free(w->jobs);
	nw_release(w, conninfo);
	free(conninfo);
	while ((l = w->limits) != NULL) {
		w->limits = l->next;
		free(l->key);
		free(l->sent);
		free(l);
	}
	free(w->home);
	free(w->id);
	free(w);
}
