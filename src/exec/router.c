/*
 * The router object: one adapter and one token bucket per account, kept
 * across fan-outs (a console routes many), the latency histograms, and
 * the one place lifecycle events are recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker_lib.h"
#include "core/order.h"
#include "db/store_broker.h"
#include "db/store_journal.h"
#include "db/store_positions.h"
#include "exec/paper_hooks.h"
#include "exec/router_int.h"
#include "net/net.h"
#include "util/config.h"

/*
 * Lifecycle events go through the batched writer; while the store is down
 * they wait in an fsynced journal under store.home and are replayed, in
 * order, by whichever process next reaches the store.
 */
static void
router_events_open(struct router *r)
{
	struct err	 err;
	char		*path;

	err_clear(&err);
	path = xasprintf("%s/journal", r->home);
	if (path_mkdirs(path, 0700) != 0)
		log_warn("router", "cannot create %s", path);
	free(path);
	path = xasprintf("%s/journal/events.jsonl", r->home);
	r->journal = journal_open_path(path, &err);
	if (r->journal == NULL)
		log_warn("router", "no event journal (%s): events are lost "
		    "if the store goes away", err.msg);
	free(path);
	/*
	 * A connection of its own: a batch of events in flight must not hold
	 * up the statement that records the next fan-out's orders.
	 */
	r->events_pg = pg_conn_new(loop_base(),
	    pg_conn_conninfo(store_conn(r->store)),
	    pg_conn_opts(store_conn(r->store)));
	r->events = events_writer_new(loop_base(), r->events_pg, r->journal,
	    NULL);
	/* Broker order ids, final states and fills: their own journal. */
	err_clear(&err);
	if (store_journal_open(r->store, r->home, &err) != 0)
		log_warn("router", "no store journal (%s): order ids, fan-out "
		    "states and positions fail if the store goes away",
		    err.msg);
}

static void
router_changed(const char *what, void *arg)
{
	struct router	*r = arg;

	if (what != NULL && strcmp(what, "instruments") == 0) {
		json_object_clear(r->instruments);
		return;
	}
	account_set_free(&r->accounts);
	r->accounts_ok = 0;
	json_decref(r->creds);
	r->creds = NULL;
}

static void
router_notified(const char *channel, const char *payload, void *arg)
{
	router_changed(payload, arg);
}

struct router *
router_new(struct store *st, struct config *cfg, const char *home)
{
	struct router	*r;

	r = xcalloc(1, sizeof *r);
	r->store = st;
	r->cfg = cfg;
	r->home = xstrdup(home);
	r->http = http_client_new(loop_base());
	r->lat_broker = lat_map_new();
	r->lat_account = lat_map_new();
	r->os_user = xstrdup(path_os_user());
	r->front = xstrdup("batch");
	r->rate = (int)config_int(cfg, "exec.rate_per_sec");
	r->settle_ms = (int)config_int(cfg, "exec.settle_ms");
	r->poll_ms = (int)config_int(cfg, "exec.poll_ms");
	r->retry_max = (int)config_int(cfg, "exec.retry_max");
	r->reconcile_ms = (int)config_int(cfg, "exec.reconcile_deadline_ms");
	router_events_open(r);
	r->instruments = json_object();
	pg_listen(store_conn(st), STORE_REGISTRY_CHANNEL, router_notified, r);
	store_on_change(st, router_changed, r);
	return r;
}

static void
router_acct_free(struct router_acct *ra)
{
	broker_free(ra->b);
	free(ra->name);
	free(ra->broker);
	free(ra->fingerprint);
	free(ra);
}

void
router_free(struct router *r)
{
	struct router_acct	*ra, *next;

	if (r == NULL)
		return;
	for (ra = r->accts; ra != NULL; ra = next) {
		next = ra->next;
		router_acct_free(ra);
	}
	store_on_change(r->store, NULL, NULL);
	router_changed(NULL, r);
	json_decref(r->instruments);
	events_writer_free(r->events);
	pg_conn_free(r->events_pg);
	journal_close(r->journal);
	http_client_free(r->http);
	lat_map_free(r->lat_broker);
	lat_map_free(r->lat_account);
	free(r->home);
	free(r->os_user);
	free(r->front);
	free(r);
}

void
router_set_actor(struct router *r, const char *os_user, const char *front)
{
	free(r->os_user);
	free(r->front);
	r->os_user = xstrdup(os_user);
	r->front = xstrdup(front);
}

struct store_actor
router_actor(const struct router *r)
{
	struct store_actor	a;

	a.os_user = r->os_user;
	a.front = r->front;
	return a;
}

struct router_acct *
router_acct_find(struct router *r, int64_t id)
{
	struct router_acct	*ra;

	for (ra = r->accts; ra != NULL; ra = ra->next) {
		if (ra->id == id)
			return ra;
	}
	return NULL;
}

/* What identifies an adapter's configuration; a token refresh changes it. */
static char *
router_fingerprint(json_t *row)
{
	static const char	*keys[] = { "broker", "kind", "url", "api_key",
				    "access_token", "api_secret" };
	struct strbuf		 b;
	size_t			 i;
	const char		*v;

	strbuf_init(&b);
	for (i = 0; i < nitems(keys); i++) {
		v = json_string_value(json_object_get(row, keys[i]));
		strbuf_printf(&b, "%s|", v != NULL ? v : "");
	}
	return strbuf_steal(&b);
}

static void
router_acct_refresh(struct router *r, json_t *row, struct err *err)
{
	struct router_acct	*ra;
	struct broker_env	 env;
	struct broker		*b;
	int64_t			 id;
	char			*fp;

	id = json_integer_value(json_object_get(row, "account_id"));
	fp = router_fingerprint(row);
	ra = router_acct_find(r, id);
	if (ra != NULL && strcmp(ra->fingerprint, fp) == 0) {
		free(fp);
		return;
	}
	memset(&env, 0, sizeof env);
	env.cfg = r->cfg;
	env.home = r->home;
	exec_paper_hooks(&env, r->store);
	env.http = r->http;
	if ((b = broker_from_row(&env, row, err)) == NULL) {
		free(fp);
		return;
	}
	if (ra == NULL) {
		ra = xcalloc(1, sizeof *ra);
		ra->id = id;
		ra->next = r->accts;
		r->accts = ra;
		throttle_init(&ra->bucket, r->rate, r->rate, time_mono_us());
	} else {
		broker_free(ra->b);
		free(ra->name);
		free(ra->broker);
		free(ra->fingerprint);
	}
	ra->b = b;
	ra->fingerprint = fp;
	ra->name = xstrdup(json_string_value(json_object_get(row, "account")));
	ra->broker = xstrdup(json_string_value(json_object_get(row,
	    "broker")));
}

struct router_load {
	struct fanout	*fo;
	void		(*next)(struct fanout *);
};

static void
router_creds_apply(struct fanout *fo, json_t *rows)
{
	size_t			 i, j;
	json_t			*row;
	struct err		 e;

	/* Only the accounts this fan-out reaches need an adapter. */
	json_array_foreach(rows, i, row) {
		int64_t id = json_integer_value(json_object_get(row,
		    "account_id"));

		for (j = 0; j < fo->match.n; j++) {
			if (fo->match.v[j]->id != id)
				continue;
			err_clear(&e);
			router_acct_refresh(fo->r, row, &e);
			if (err_isset(&e))
				json_object_set_new(fo->notes,
				    fo->match.v[j]->name, json_string(e.msg));
		}
	}
}

static void
router_creds_loaded(json_t *rows, const struct err *err, void *arg)
{
	struct router_load	*rl = arg;
	struct fanout		*fo = rl->fo;
	void			(*next)(struct fanout *) = rl->next;

	free(rl);
	if (err != NULL) {
		fanout_fail(fo, err->code, "%s", err->msg);
		return;
	}
	json_decref(fo->r->creds);
	fo->r->creds = json_deep_copy(rows);
	router_creds_apply(fo, rows);
	next(fo);
}

/* Make sure every targeted account has a current adapter, then next(). */
void
router_load_brokers(struct fanout *fo, void (*next)(struct fanout *))
{
	struct router_load	*rl;

	if (fo->r->creds != NULL) {
		router_creds_apply(fo, fo->r->creds);
		next(fo);
		return;
	}
	rl = xmalloc(sizeof *rl);
	rl->fo = fo;
	rl->next = next;
	store_broker_creds(fo->r->store, NULL, NULL, router_creds_loaded, rl);
}

/* Record a transition; the state machine decides whether it is legal. */
void
router_event(struct leg *leg, enum broker_state to, const char *message,
    int64_t latency_us)
{
	struct order_event	ev;
	struct err		err;

	err_clear(&err);
	if (leg->state != to && order_fsm_step(leg->state, to, &err) != 0) {
		log_warn("router", "order %lld: %s", (long long)leg->order_id,
		    err.msg);
		return;
	}
	leg->state = to;
	if (message != NULL && message != leg->message)
		snprintf(leg->message, sizeof leg->message, "%s", message);
	if (leg->order_id == 0)
		return;
	memset(&ev, 0, sizeof ev);
	ev.order_id = leg->order_id;
	ev.state = to;
	ev.broker_status = leg->broker_status[0] ? leg->broker_status : NULL;
	ev.message = message;
	ev.filled_qty = leg->filled;
	ev.avg_price = leg->avg;
	ev.latency_us = latency_us;
	if (events_write(leg->fo->r->events, &ev, &err) != 0)
		log_warn("router", "order %lld: event not queued: %s",
		    (long long)leg->order_id, err.msg);
}

struct router_call {
	struct fanout	*fo;
	void		*cb;
	char		 key[64];
};

static void
router_accounts_loaded(struct account_set *set, const struct err *err,
    void *arg)
{
	struct router_call	*c = arg;
	store_accounts_cb	 cb = (store_accounts_cb)c->cb;
	struct router		*r = c->fo->r;

	if (err == NULL && !r->accounts_ok) {
		account_set_copy(&r->accounts, set);
		r->accounts_ok = 1;
	}
	cb(set, err, c->fo);
	free(c);
}

/* The registry for one fan-out: its own copy, from the cache if warm. */
void
router_load_accounts(struct fanout *fo, store_accounts_cb cb)
{
	struct router		*r = fo->r;
	struct router_call	*c;
	struct account_set	 copy;

	if (r->accounts_ok) {
		account_set_copy(&copy, &r->accounts);
		cb(&copy, NULL, fo);
		account_set_free(&copy);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->fo = fo;
	c->cb = (void *)cb;
	store_accounts_load(r->store, router_accounts_loaded, c);
}

static void
router_instrument_loaded(json_t *rows, const struct err *err, void *arg)
{
	struct router_call	*c = arg;
	store_rows_cb		 cb = (store_rows_cb)c->cb;

	if (err == NULL && json_array_size(rows) > 0)
		json_object_set(c->fo->r->instruments, c->key, rows);
	cb(rows, err, c->fo);
	free(c);
}

void
router_instrument(struct fanout *fo, const char *exchange,
    const char *symbol, store_rows_cb cb)
{
	struct router_call	*c;
	json_t			*rows;

	c = xcalloc(1, sizeof *c);
	snprintf(c->key, sizeof c->key, "%s:%s", exchange != NULL ? exchange :
	    "", symbol);
	if ((rows = json_object_get(fo->r->instruments, c->key)) != NULL) {
		free(c);
		cb(rows, NULL, fo);
		return;
	}
	c->fo = fo;
	c->cb = (void *)cb;
	store_instrument_resolve(fo->r->store, exchange, symbol,
	    router_instrument_loaded, c);
}

static void
router_ids_loaded(json_t *rows, const struct err *err, void *arg)
{
	struct router_call	*c = arg;
	struct fanout		*fo = c->fo;
	struct router		*r = fo->r;
	void			(*cb)(struct fanout *, int64_t,
				    const struct err *) = c->cb;
	size_t			 i;
	json_t			*row;

	free(c);
	if (err != NULL) {
		cb(fo, 0, err);
		return;
	}
	json_array_foreach(rows, i, row) {
		if (r->nids < nitems(r->ids))
			r->ids[r->nids++] = json_integer_value(json_object_get(
			    row, "id"));
	}
	router_next_id(fo, cb);
}

/* A fan-out id from the prefetched block, fetching a block if empty. */
void
router_next_id(struct fanout *fo, void (*cb)(struct fanout *, int64_t,
    const struct err *))
{
	struct router		*r = fo->r;
	struct router_call	*c;
	int64_t			 id;
	size_t			 i;

	if (r->nids > 0) {
		/* Smallest first, so fan-outs of one router number upwards. */
		id = r->ids[0];
		for (i = 1; i < r->nids; i++)
			r->ids[i - 1] = r->ids[i];
		r->nids--;
		cb(fo, id, NULL);
		return;
	}
	/*
	 * One id for a router's first fan-out (a one-command batch wastes
	 * none), a block once it has shown it fans out again.
	 */
	c = xcalloc(1, sizeof *c);
	c->fo = fo;
	c->cb = (void *)cb;
	store_fanout_next_ids(r->store, r->ids_fetched++ ? (int)nitems(r->ids) :
	    1, router_ids_loaded, c);
}

static void
router_position_stored(json_t *rows, const struct err *err, void *arg)
{
	if (err != NULL)
		log_warn("router", "position not updated: %s", err->msg);
}

/*
 * The broker reports a leg's cumulative fill; the store moves the
 * position by what it does not hold yet (store_order_fill), so a fill
 * also seen by a postback or the reconciler counts once.
 */
void
router_leg_filled(struct leg *leg, int64_t filled, int64_t avg)
{
	if (filled > leg->filled && leg->order_id != 0)
		store_order_fill(leg->fo->r->store, leg->order_id, filled, avg,
		    router_position_stored, NULL);
	leg->filled = filled;
	leg->avg = avg;
}

/* A monotonic instant of this fan-out as wall-clock RFC 3339 text. */
char *
router_wall_text(const struct fanout *fo, int64_t mono_us)
{
	char	buf[40];

	if (mono_us == 0)
		return NULL;
	time_fmt_utc(fo->wall_intent + (mono_us - fo->t_intent), buf,
	    sizeof buf);
	return xstrdup(buf);
}

static void
router_lat_json(const char *key, const struct lat_hist *h, void *arg)
{
	json_t			*out = arg;
	struct lat_summary	 s;

	lat_summarize(h, &s);
	json_object_set_new(out, key, json_pack("{s:I,s:I,s:I,s:I,s:I}",
	    "count", (json_int_t)s.count, "p50_us", (json_int_t)s.p50,
	    "p90_us", (json_int_t)s.p90, "p99_us", (json_int_t)s.p99,
	    "max_us", (json_int_t)s.max));
}

json_t *
router_latency_json(const struct router *r)
{
	json_t	*b = json_object(), *a = json_object();

	lat_map_each(r->lat_broker, router_lat_json, b);
	lat_map_each(r->lat_account, router_lat_json, a);
	return json_pack("{s:o,s:o}", "brokers", b, "accounts", a);
}

struct router_drain {
	struct router	*r;
	void		(*cb)(void *);
	void		*arg;
	int64_t		 until;
};

static void
router_drain_check(void *arg)
{
	struct router_drain	*d = arg;

	struct router		*r = d->r;
	int			 idle;

	/* Also wait for a journal replay, unless the store is gone. */
	idle = events_writer_pending(r->events) == 0 &&
	    ((events_writer_journaled(r->events) == 0 &&
	    store_journal_pending(r->store) == 0 &&
	    pg_pending(store_conn(r->store)) == 0) ||
	    pg_conn_state(r->events_pg) == PG_FAILED);
	if (idle || time_mono_us() >= d->until) {
		d->cb(d->arg);
		free(d);
		return;
	}
	loop_later(2000, router_drain_check, d);
}

/*
 * Before a front exits: wait until every queued event and statement
 * reached the store (or, the store being gone, the journal), at most
 * timeout_ms.
 */
void
router_drain(struct router *r, int timeout_ms, void (*cb)(void *), void *arg)
{
	struct router_drain	*d;

	if (r == NULL) {
		cb(arg);
		return;
	}
	d = xmalloc(sizeof *d);
	d->r = r;
	d->cb = cb;
	d->arg = arg;
	d->until = time_mono_us() + (int64_t)timeout_ms * 1000;
	router_drain_check(d);
}

const char *
fanout_mode_name(enum fanout_mode m)
{
	return m == FANOUT_SYNC ? "sync" : "async";
}

const char *
fanout_on_fail_name(enum fanout_on_fail f)
{
	switch (f) {
	case FANOUT_RETRY:
		return "retry";
	case FANOUT_ALL_OR_NONE:
		return "all-or-none";
	default:
		return "best-effort";
	}
}
