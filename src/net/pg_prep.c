/*
 * Named statements for one connection: a statement sent with
 * PQsendQueryParams is parsed and planned by the server every time, which
 * on the order and webhook paths is a fifth to a third of what the store
 * spends on it (parse 0.04-0.15 ms, bind and plan 0.05-0.3 ms, against
 * 0.2-1 ms of execution).  So a statement text the connection sends a
 * second time is prepared under a name of its own (px1, px2, ...) and
 * from then on only bound and executed; a text seen once (a query with
 * values written into it) is never prepared.
 *
 * One query at a time, the Parse goes alone first and the query follows
 * once it is answered: one extra round trip, once per statement and
 * connection.  In pipeline mode both go at once, ahead of the same sync.
 *
 * The server forgets the names when the connection ends (pg_prep_reset at
 * every teardown).  When it forgot them anyway -- DISCARD ALL, or a
 * connection pooler handing us another server connection -- it answers
 * "prepared statement does not exist" before running anything: the query
 * is sent again unnamed and the connection stops preparing.  A statement
 * whose result type changed under it (a migration meanwhile) fails the
 * same way, before running: it is prepared again under a new name.
 * store.prepare = false turns all of it off (pg_prepare_default).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "net/pg_int.h"

/* Statements one connection prepares at most; texts it remembers seeing. */
#define PG_STMT_SLOTS	256
#define PG_STMT_MAX	192
#define PG_SEEN_SLOTS	1024

enum { STMT_EMPTY, STMT_NEW, STMT_SENT, STMT_READY };

struct pg_stmt {
	uint64_t	 hash;
	char		*sql;
	char		 name[16];
	int		 state;
};

static int	pg_prepare_on = 1;

void
pg_prepare_default(int on)
{
	pg_prepare_on = on;
}

static void
pg_prep_rename(struct pg_conn *c, struct pg_stmt *st)
{
	snprintf(st->name, sizeof st->name, "px%u", ++c->stmt_seq);
	st->state = STMT_NEW;
}

/*
 * The named statement q runs as, or NULL for the unnamed one: NULL for
 * COPY, our LISTENs, a text seen only once so far, or a full table.
 */
static struct pg_stmt *
pg_prep_find(struct pg_conn *c, struct pg_query *q)
{
	struct pg_stmt	*st;
	uint64_t	 h, *seen;
	size_t		 i, n;

	if (!pg_prepare_on || c->prep_off || q->copy != NULL || q->internal)
		return NULL;
	h = str_hash64(q->sql);
	if (c->stmts == NULL) {
		c->stmts = xcalloc(PG_STMT_SLOTS, sizeof *c->stmts);
		c->seen = xcalloc(PG_SEEN_SLOTS, sizeof *c->seen);
	}
	for (i = h % PG_STMT_SLOTS, n = 0; n < PG_STMT_SLOTS;
	    i = (i + 1) % PG_STMT_SLOTS, n++) {
		st = &c->stmts[i];
		if (st->state == STMT_EMPTY)
			break;
		if (st->hash == h && strcmp(st->sql, q->sql) == 0)
			return st;
	}
	if (n == PG_STMT_SLOTS || c->nstmts >= PG_STMT_MAX)
		return NULL;
	seen = &c->seen[h % PG_SEEN_SLOTS];
	if (*seen != h) {
		*seen = h;
		return NULL;
	}
	st->hash = h;
	st->sql = xstrdup(q->sql);
	pg_prep_rename(c, st);
	c->nstmts++;
	return st;
}

/*
 * Send q: by name when prepared; else its Parse first -- alone (q is
 * then "preparing": pg_prep_parsed sends it) or with q in a pipeline (q
 * is "preparing" until the Parse's own result, pg_prep_parse_result) --
 * else unnamed, as while its Parse is still at the server.  libpq's 1
 * when sent, 0 when not.
 */
int
pg_prep_send(struct pg_conn *c, struct pg_query *q)
{
	const char *const	*params = (const char *const *)q->params;
	struct pg_stmt		*st = pg_prep_find(c, q);

	q->preparing = 0;
	if (st != NULL && st->state == STMT_SENT)
		st = NULL;
	q->stmt = st;
	if (st == NULL)
		return PQsendQueryParams(c->pq, q->sql, q->nparams, NULL,
		    params, NULL, NULL, 0);
	if (st->state == STMT_NEW) {
		if (!PQsendPrepare(c->pq, st->name, q->sql, q->nparams, NULL))
			return 0;
		st->state = STMT_SENT;
		q->preparing = 1;
		if (!c->piped)
			return 1;
	}
	return PQsendQueryPrepared(c->pq, st->name, q->nparams, params,
	    NULL, NULL, 0);
}

/*
 * Pipeline mode: r is the first result of a query that carried its
 * Parse, the Parse's.  1 when it was consumed (prepared); 0 when it is
 * the error the query fails with (the query itself is skipped).
 */
int
pg_prep_parse_result(struct pg_conn *c, struct pg_query *q, PGresult *r)
{
	q->preparing = 0;
	if (pg_is_error(r)) {
		pg_prep_rename(c, q->stmt);
		return 0;
	}
	q->stmt->state = STMT_READY;
	PQclear(r);
	return 1;
}

/*
 * The inflight query's Parse was answered (c->res): on success send the
 * query by name, else fail it with the server's reason (its text would
 * not parse unnamed either).  -1 if c may be gone or was lost.
 */
int
pg_prep_parsed(struct pg_conn *c)
{
	struct pg_query	*q = c->inflight;

	q->preparing = 0;
	if (c->res != NULL && pg_is_error(c->res)) {
		pg_prep_rename(c, q->stmt);
		c->inflight = NULL;
		return pg_finish(c, q, 0);
	}
	if (c->res != NULL)
		PQclear(c->res);
	c->res = NULL;
	q->stmt->state = STMT_READY;
	if (!PQsendQueryPrepared(c->pq, q->stmt->name, q->nparams,
	    (const char *const *)q->params, NULL, NULL, 0)) {
		c->inflight = NULL;
		return pg_unsent(c, q);
	}
	return pg_flush(c);
}

/*
 * q, sent by name, failed with c->res: 1 if the server refused the name
 * before running anything (forgotten, or a plan whose result type
 * changed), so that q may go again, unnamed or under a new name.
 */
int
pg_prep_refused(struct pg_conn *c, struct pg_query *q)
{
	const char	*state, *msg;

	if (q->stmt == NULL || c->res == NULL || !pg_is_error(c->res))
		return 0;
	state = PQresultErrorField(c->res, PG_DIAG_SQLSTATE);
	msg = PQresultErrorField(c->res, PG_DIAG_MESSAGE_PRIMARY);
	if (state == NULL || msg == NULL)
		return 0;
	if (strcmp(state, "26000") == 0 &&
	    strstr(msg, q->stmt->name) != NULL) {
		if (!c->prep_off)
			log_warn("pg", "the server forgot a prepared statement "
			    "(DISCARD ALL, or a pooler between): this "
			    "connection sends every statement unnamed now");
		c->prep_off = 1;
		return 1;
	}
	if (strcmp(state, "0A000") == 0 &&
	    strcmp(msg, "cached plan must not change result type") == 0) {
		pg_prep_rename(c, q->stmt);
		return 1;
	}
	return 0;
}

/* The connection ended: the server has forgotten every name. */
void
pg_prep_reset(struct pg_conn *c)
{
	size_t	i;

	if (c->stmts != NULL) {
		for (i = 0; i < PG_STMT_SLOTS; i++)
			free(c->stmts[i].sql);
	}
	free(c->stmts);
	free(c->seen);
	c->stmts = NULL;
	c->seen = NULL;
	c->nstmts = 0;
	c->prep_off = 0;
}

size_t
pg_prepared(const struct pg_conn *c)
{
	size_t	i, n = 0;

	if (c->stmts == NULL)
		return 0;
	for (i = 0; i < PG_STMT_SLOTS; i++)
		n += c->stmts[i].state == STMT_READY;
	return n;
}
