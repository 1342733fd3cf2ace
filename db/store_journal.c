/*
 * Writes that survive an outage (store_journal.h).  Live, they run on the
 * store's connection like any statement; kept, they are journal entries
 * {"op", "p": [params], "id": uid} replayed in append order, all queued
 * at once on the one connection (so in order), the replayed prefix
 * removed once the statements answered.
 */
#include <stdlib.h>
#include <string.h>

#include "db/store_int.h"
#include "db/store_journal.h"
#include "util/journal.h"

#define DURABLE_MAXP	8

struct durable_op {
	const char	*name;
	const char	*sql;
	int		 n;
	int		 urgent;	/* live: store_run_urgent */
};

static const struct durable_op durable_ops[] = {
	{ "order.broker_ids", store_sql_broker_ids, 2, 0 },
	/* Written by earlier versions; still replayed from their journals. */
	{ "order.broker_id", store_sql_broker_id, 3, 0 },
	{ "fanout.finish", store_sql_fanout_finish, 7, 0 },
	{ "position.fill", store_sql_position_fill, 7, 0 },
	{ "order.fill", store_sql_order_fill, 4, 0 },
	{ "fanout.legs", store_sql_fanout_legs, 2, 1 },
	{ "rms.breaches", store_sql_rms_breaches, 5, 0 },
	{ "rms.note", store_sql_rms_note, 8, 0 },
};

struct store_journal {
	struct journal	*j;
	int		 replaying;
	size_t		 inflight;	/* replayed statements unanswered */
	int64_t		 ok_upto;	/* answered in order up to this seq */
	int64_t		 loaded_upto;	/* the last seq this replay read */
	int		 broken;	/* the connection failed meanwhile */
	int		 warned;	/* once per outage */
	int		 seen_empty;	/* at checked_us, untouched since */
	int64_t		 checked_us;
};

/* How long a journal seen empty is believed empty without a stat(). */
#define SJ_RECHECK_US	1000000

/* One live write, until it answers. */
struct durable_call {
	struct store		*st;
	const struct durable_op	*op;
	char			*p[DURABLE_MAXP];
	store_rows_cb		 cb;
	void			*arg;
};

struct replay_call {
	struct store	*st;
	int64_t		 seq;
	json_t		*obj;		/* the entry, to set aside */
};

static void	durable_replay(struct store *);
static int	replay_aside(struct store_journal *, json_t *, const char *);

static struct store_journal *
sj_of(struct store *st)
{
	return *store_journal_slot(st);
}

/*
 * Kept writes waiting, this process's or another's.  A live write asked
 * twice (before and after), a stat() of the file each time: two system
 * calls per order's broker id.  A journal seen empty, that this process
 * has not written to since, is now believed empty for SJ_RECHECK_US;
 * another process's kept writes are found that much later.
 */
static size_t
sj_backlog(struct store_journal *sj)
{
	int64_t	now = time_mono_us();
	size_t	n;

	if (sj->seen_empty && now - sj->checked_us < SJ_RECHECK_US)
		return 0;
	n = journal_count(sj->j);
	sj->seen_empty = n == 0;
	sj->checked_us = now;
	return n;
}

static const struct durable_op *
durable_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(durable_ops); i++) {
		if (name != NULL && strcmp(durable_ops[i].name, name) == 0)
			return &durable_ops[i];
	}
	return NULL;
}

static void
rows_empty(store_rows_cb cb, void *arg)
{
	json_t	*rows = json_array();

	cb(rows, NULL, arg);
	json_decref(rows);
}

/*
 * Append the write; its callback learns it is durable, or -- the journal
 * failing too -- that it is lost, with both reasons.
 */
static void
durable_keep(struct store *st, const struct durable_op *op,
    const char *const *p, const struct err *cause, store_rows_cb cb,
    void *arg)
{
	struct store_journal	*sj = sj_of(st);
	struct err		 e, out;
	json_t			*o, *a;
	int			 i;

	err_clear(&e);
	if (sj == NULL)
		err_set(&e, "journal", "no journal");
	else {
		a = json_array();
		for (i = 0; i < op->n - 1; i++)
			json_array_append_new(a, p[i] != NULL ?
			    json_string(p[i]) : json_null());
		o = json_pack("{s:s,s:o,s:s}", "op", op->name, "p", a, "id",
		    p[op->n - 1]);
		sj->seen_empty = 0;
		if (journal_append(sj->j, &o, 1, &e) == 0) {
			json_decref(o);
			if (!sj->warned) {
				log_warn("store", "%s: the store is "
				    "unreachable%s%s: writes kept in %s, "
				    "replayed when it is back", op->name,
				    cause != NULL ? " -- " : "",
				    cause != NULL ? cause->msg : "",
				    journal_path(sj->j));
				sj->warned = 1;
			}
			rows_empty(cb, arg);
			return;
		}
		json_decref(o);
	}
	err_set(&out, "store-unreachable", "%s not stored (%s) and not "
	    "journaled (%s)", op->name, cause != NULL ? cause->msg :
	    "store unreachable", e.msg);
	log_error("store", "%s", out.msg);
	cb(NULL, &out, arg);
}

static void
durable_call_free(struct durable_call *c)
{
	int	i;

	for (i = 0; i < DURABLE_MAXP; i++)
		free(c->p[i]);
	free(c);
}

static void
durable_done(PGresult *res, const struct err *err, void *arg)
{
	struct durable_call	*c = arg;
	struct store_journal	*sj = sj_of(c->st);
	json_t			*rows;

	if (err != NULL && err_isset(err) && strncmp(err->code, "sql:", 4))
		durable_keep(c->st, c->op, (const char *const *)c->p, err,
		    c->cb, c->arg);
	else if (err != NULL && err_isset(err))
		c->cb(NULL, err, c->arg);
	else {
		rows = store_rows_json(res);
		c->cb(rows, NULL, c->arg);
		json_decref(rows);
		/* Another process may have left entries behind. */
		if (sj != NULL && !sj->replaying && sj_backlog(sj) > 0)
			durable_replay(c->st);
	}
	durable_call_free(c);
}

void
store_run_durable(struct store *st, const char *name, int n,
    const char **p, store_rows_cb cb, void *arg)
{
	struct store_journal	*sj = sj_of(st);
	const struct durable_op	*op = durable_find(name);
	struct durable_call	*c;
	char			 uid[JOURNAL_UID_LEN];
	int			 i;

	if (op == NULL || op->n != n || n > DURABLE_MAXP)
		fatal("store_run_durable: %s with %d parameters", name, n);
	journal_uid(uid);
	p[n - 1] = uid;
	/* Behind older kept writes, or with no connection: keep it too. */
	if (sj != NULL && (pg_conn_state(store_conn(st)) != PG_READY ||
	    sj->replaying || sj_backlog(sj) > 0)) {
		durable_keep(st, op, p, NULL, cb, arg);
		durable_replay(st);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->st = st;
	c->op = op;
	for (i = 0; i < n; i++)
		c->p[i] = p[i] != NULL ? xstrdup(p[i]) : NULL;
	c->cb = cb;
	c->arg = arg;
	(op->urgent ? pg_query_urgent : pg_query)(store_conn(st), op->sql, n,
	    p, durable_done, c);
}

/* Replay ----------------------------------------------------------------- */

static void
replay_settle(struct store *st)
{
	struct store_journal	*sj = sj_of(st);
	struct err		 e;

	sj->replaying = 0;
	/* Every entry read was applied, or set aside: all of it goes. */
	if (!sj->broken)
		sj->ok_upto = sj->loaded_upto;
	err_clear(&e);
	if (sj->ok_upto > 0 && journal_drop_upto(sj->j, sj->ok_upto, &e) != 0)
		log_error("store", "%s", e.msg);
	if (sj->broken)
		return;
	sj->warned = 0;
	if (journal_count(sj->j) > 0)
		durable_replay(st);
}

static void
replay_done(PGresult *res, const struct err *err, void *arg)
{
	struct replay_call	*rc = arg;
	struct store		*st = rc->st;
	struct store_journal	*sj = sj_of(st);

	if (err != NULL && err_isset(err)) {
		/* Refused by the store, it would be forever: set aside. */
		if (strncmp(err->code, "sql:", 4) != 0 ||
		    replay_aside(sj, rc->obj, err->msg) != 0)
			sj->broken = 1;
	}
	if (!sj->broken)
		sj->ok_upto = rc->seq;
	json_decref(rc->obj);
	free(rc);
	if (--sj->inflight == 0)
		replay_settle(st);
}

struct replay_load {
	struct store	*st;
	int64_t		 last;
};

/* Out of the way, not lost; the drop after the replay removes it. */
static int
replay_aside(struct store_journal *sj, json_t *o, const char *why)
{
	struct err	e;

	err_clear(&e);
	if (journal_set_aside(sj->j, o, why, &e) != 0) {
		log_error("store", "%s", e.msg);
		return -1;	/* stop: nothing after it is dropped */
	}
	return 0;
}

static int
replay_one(json_t *o, int64_t seq, void *arg)
{
	struct replay_load	*rl = arg;
	struct store_journal	*sj = sj_of(rl->st);
	const struct durable_op	*op;
	const char		*p[DURABLE_MAXP], *id;
	struct replay_call	*rc;
	json_t			*a, *v;
	size_t			 i;

	rl->last = seq;
	op = durable_find(json_string_value(json_object_get(o, "op")));
	a = json_object_get(o, "p");
	id = json_string_value(json_object_get(o, "id"));
	if (op == NULL || !json_is_array(a) || id == NULL ||
	    json_array_size(a) != (size_t)op->n - 1)
		return replay_aside(sj, o, "not a write this version knows");
	json_array_foreach(a, i, v) {
		if (!json_is_null(v) && !json_is_string(v))
			return replay_aside(sj, o, "a parameter is not text");
		p[i] = json_string_value(v);
	}
	p[op->n - 1] = id;
	rc = xcalloc(1, sizeof *rc);
	rc->st = rl->st;
	rc->seq = seq;
	rc->obj = json_incref(o);
	sj->inflight++;
	pg_query(store_conn(rl->st), op->sql, op->n, p, replay_done, rc);
	return 0;
}

static void
durable_replay(struct store *st)
{
	struct store_journal	*sj = sj_of(st);
	struct replay_load	 rl = { st, 0 };
	struct err		 e;

	if (sj == NULL || sj->replaying ||
	    pg_conn_state(store_conn(st)) != PG_READY ||
	    journal_count(sj->j) == 0)
		return;
	sj->replaying = 1;
	sj->seen_empty = 0;
	sj->ok_upto = 0;
	sj->broken = 0;
	sj->inflight = 1;	/* held until every entry is queued */
	err_clear(&e);
	switch (journal_replay(sj->j, replay_one, &rl, &e)) {
	case -1:
		log_error("store", "cannot replay the journal: %s", e.msg);
		sj->broken = 1;
		break;
	case 1:		/* an entry could not be set aside: keep it */
		sj->broken = 1;
		break;
	}
	sj->loaded_upto = rl.last;
	if (--sj->inflight == 0)
		replay_settle(st);
}

static void
durable_on_state(enum pg_state state, const char *why, void *arg)
{
	if (state == PG_READY)
		durable_replay(arg);
}

/* Public --------------------------------------------------------------- */

int
store_journal_open(struct store *st, const char *home, struct err *err)
{
	struct store_journal	*sj;
	struct journal		*j;
	char			*path;

	path = xasprintf("%s/journal/store.jsonl", home);
	j = journal_open_path(path, err);
	free(path);
	if (j == NULL)
		return -1;
	store_journal_free(st);
	sj = xcalloc(1, sizeof *sj);
	sj->j = j;
	*store_journal_slot(st) = sj;
	pg_conn_on_state(store_conn(st), durable_on_state, st);
	durable_replay(st);
	return 0;
}

size_t
store_journal_pending(struct store *st)
{
	struct store_journal	*sj = sj_of(st);

	return sj != NULL ? journal_count(sj->j) : 0;
}

void
store_journal_free(struct store *st)
{
	struct store_journal	*sj = sj_of(st);

	if (sj == NULL)
		return;
	journal_close(sj->j);
	free(sj);
	*store_journal_slot(st) = NULL;
}
