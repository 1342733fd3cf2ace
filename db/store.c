/*
 * The store's connection and the one conversion every query shares:
 * PGresult rows into JSON objects.
 */
#include <stdlib.h>
#include <string.h>

#include "db/store.h"
#include "db/store_fanout.h"
#include "db/store_int.h"

#define OID_BOOL	16
#define OID_INT8	20
#define OID_INT2	21
#define OID_INT4	23
#define OID_JSON	114
#define OID_JSONB	3802

struct store {
	struct pg_conn	*pg;
	struct pg_conn	*first;		/* store_run_first: opened on demand */
	struct event_base *base;
	/* Fan-outs whose ownership lock the first connection holds, and
	 * those of them finished, whose lock is to be dropped. */
	int64_t		*held;
	size_t		 nheld, held_cap;
	int64_t		*release;
	size_t		 nrelease, release_cap;
	struct event	*ev_release;
	struct store_journal	*journal;
	struct store_bids	*bids;		/* store_bids.c */
	void		(*on_change)(const char *, void *);
	void		*on_change_arg;
};

struct store_call {
	store_rows_cb	 cb;
	void		*arg;
};

struct store *
store_open(struct event_base *base, const char *conninfo,
    const struct pg_opts *opts)
{
	struct store	*st;

	st = xcalloc(1, sizeof *st);
	st->base = base;
	st->pg = pg_conn_new(base, conninfo, opts);
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	/* Writes still queued fail as "cancelled" and go to the journal. */
	if (st->journal != NULL)
		pg_conn_on_state(st->pg, NULL, NULL);
	store_bids_flush(st);
	pg_conn_free(st->first);
	pg_conn_free(st->pg);
	store_bids_free(st);
	if (st->ev_release != NULL)
		event_free(st->ev_release);
	free(st->held);
	free(st->release);
	store_journal_free(st);
	free(st);
}

struct pg_conn *
store_conn(struct store *st)
{
	return st->pg;
}

struct store_journal **
store_journal_slot(struct store *st)
{
	return &st->journal;
}

struct store_bids **
store_bids_slot(struct store *st)
{
	return &st->bids;
}

struct event_base *
store_base(struct store *st)
{
	return st->base;
}

static json_t *
store_value(const PGresult *res, int row, int col)
{
	const char	*v;
	json_t		*j;

	if (PQgetisnull(res, row, col))
		return json_null();
	v = PQgetvalue(res, row, col);
	switch (PQftype(res, col)) {
	case OID_BOOL:
		return json_boolean(v[0] == 't');
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
		return json_integer(strtoll(v, NULL, 10));
	case OID_JSON:
	case OID_JSONB:
		if ((j = json_loads(v, JSON_DECODE_ANY, NULL)) != NULL)
			return j;
		return json_string(v);
	default:
		return json_string(v);
	}
}

/* Rows as [{col: value, ...}, ...]; the caller owns the array. */
json_t *
store_rows_json(const PGresult *res)
{
	json_t	*rows, *obj;
	int	 r, c, nr, nc;

	rows = json_array();
	nr = PQntuples(res);
	nc = PQnfields(res);
	for (r = 0; r < nr; r++) {
		obj = json_object();
		for (c = 0; c < nc; c++)
			json_object_set_new(obj, PQfname(res, c),
			    store_value(res, r, c));
		json_array_append_new(rows, obj);
	}
	return rows;
}

static void
store_call_done(PGresult *res, const struct err *err, void *arg)
{
	struct store_call	*call = arg;
	json_t			*rows;

	if (err != NULL && err_isset(err)) {
		call->cb(NULL, err, call->arg);
	} else {
		rows = store_rows_json(res);
		call->cb(rows, NULL, call->arg);
		json_decref(rows);
	}
	free(call);
}

static struct store_call *
store_call_new(store_rows_cb cb, void *arg)
{
	struct store_call	*call;

	call = xmalloc(sizeof *call);
	call->cb = cb;
	call->arg = arg;
	return call;
}

/* Run one statement; rows reach cb as JSON. */
void
store_run(struct store *st, const char *sql, int n, const char *const *params,
    store_rows_cb cb, void *arg)
{
	pg_query(st->pg, sql, n, params, store_call_done,
	    store_call_new(cb, arg));
}

void
store_run_urgent(struct store *st, const char *sql, int n,
    const char *const *params, store_rows_cb cb, void *arg)
{
	pg_query_urgent(st->pg, sql, n, params, store_call_done,
	    store_call_new(cb, arg));
}

/*
 * The connection of store_run_first: opened at once (a router opens it
 * when it starts, so that its first intent does not wait for a connect).
 */
static void store_first_release_cb(evutil_socket_t, short, void *);

/* A new session holds none of the old one's locks. */
static void
store_first_state(enum pg_state state, const char *why, void *arg)
{
	struct store	*st = arg;

	if (state != PG_READY) {
		st->nheld = 0;
		st->nrelease = 0;
	} else
		store_fanout_warm(st);
}

void
store_open_first(struct store *st)
{
	if (st->first != NULL)
		return;
	st->first = pg_conn_new(st->base, pg_conn_conninfo(st->pg),
	    pg_conn_opts(st->pg));
	pg_conn_on_state(st->first, store_first_state, st);
	st->ev_release = evtimer_new(st->base, store_first_release_cb, st);
	if (st->ev_release == NULL)
		fatal("evtimer_new failed");
}

static void
store_ids_add(int64_t **v, size_t *n, size_t *cap, int64_t id)
{
	if (*n == *cap) {
		*cap = *cap * 2 + 16;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = id;
}

/* The intent of fan-out id took its ownership lock on the first conn. */
void
store_first_owns(struct store *st, int64_t id)
{
	store_ids_add(&st->held, &st->nheld, &st->held_cap, id);
}

/*
 * Fan-out id finished (its state is stored): its lock, if the first
 * connection holds it, goes with the next intent, or within 100 ms.
 */
void
store_first_disown(struct store *st, int64_t id)
{
	struct timeval	tv = { 0, 100000 };
	size_t		i;

	for (i = 0; i < st->nheld; i++) {
		if (st->held[i] != id)
			continue;
		st->held[i] = st->held[--st->nheld];
		store_ids_add(&st->release, &st->nrelease, &st->release_cap,
		    id);
		if (!evtimer_pending(st->ev_release, NULL))
			evtimer_add(st->ev_release, &tv);
		return;
	}
}

/* The locks to drop as a JSON array, now handed over; owned. */
char *
store_first_releases(struct store *st)
{
	struct strbuf	b;
	size_t		i;

	strbuf_init(&b);
	strbuf_putc(&b, '[');
	for (i = 0; i < st->nrelease; i++)
		strbuf_printf(&b, "%s%lld", i > 0 ? "," : "",
		    (long long)st->release[i]);
	strbuf_putc(&b, ']');
	st->nrelease = 0;
	if (st->ev_release != NULL)
		evtimer_del(st->ev_release);
	return strbuf_steal(&b);
}

static void
store_first_released(json_t *rows, const struct err *err, void *arg)
{
	if (err != NULL)
		log_warn("store", "fan-out ownership not released (it goes "
		    "with the connection): %s", err->msg);
}

static void
store_first_release_cb(evutil_socket_t fd, short what, void *arg)
{
	struct store	*st = arg;
	char		*ids;
	const char	*p[1];

	if (st->nrelease == 0)
		return;
	ids = store_first_releases(st);
	p[0] = ids;
	store_run_first(st, "SELECT phalanx_fanout_release($1::jsonb) AS n",
	    1, p, store_first_released, NULL);
	free(ids);
}

struct pg_conn *
store_conn_first(struct store *st)
{
	store_open_first(st);
	return st->first;
}

void
store_run_first(struct store *st, const char *sql, int n,
    const char *const *params, store_rows_cb cb, void *arg)
{
	pg_query(store_conn_first(st), sql, n, params, store_call_done,
	    store_call_new(cb, arg));
}

/*
 * SQLSTATEs a user can cause and fix: say what, in their words.  Anything
 * else keeps the server's message.
 */
void
store_explain(const struct err *in, const char *what, const char *name,
    struct err *out)
{
	const char	*state = "";

	if (strncmp(in->code, "sql:", 4) == 0)
		state = in->code + 4;
	if (strcmp(state, "23505") == 0)
		err_set(out, "duplicate", "%s \"%s\" already exists", what, name);
	else if (strcmp(state, "23514") == 0 || strcmp(state, "22P02") == 0 ||
	    strcmp(state, "22003") == 0)
		err_set(out, "bad-value", "%s \"%s\": %s", what, name, in->msg);
	else
		*out = *in;
}

static void
store_notified(json_t *rows, const struct err *err, void *arg)
{
	if (err != NULL)
		log_warn("store", "registry change not announced: %s",
		    err->msg);
}

/*
 * Tell every process that caches the registry (routers in consoles and
 * daemons) that it changed.  Queued after the change on the same
 * connection, so it is sent once the change is done.
 */
static const char sql_notify[] =
"SELECT pg_notify('" STORE_REGISTRY_CHANNEL "', $1)";

void
store_registry_changed(struct store *st, const char *what)
{
	const char	*p[1] = { what };

	/* This process's own caches must not wait for the round trip. */
	if (st->on_change != NULL)
		st->on_change(what, st->on_change_arg);
	store_run(st, sql_notify, 1, p, store_notified, NULL);
}

/* The same, for a change made by a statement of store_run_first. */
void
store_registry_changed_first(struct store *st, const char *what)
{
	const char	*p[1] = { what };

	if (st->on_change != NULL)
		st->on_change(what, st->on_change_arg);
	store_run_first(st, sql_notify, 1, p, store_notified, NULL);
}

void
store_on_change(struct store *st, void (*cb)(const char *, void *),
    void *arg)
{
	st->on_change = cb;
	st->on_change_arg = arg;
}
