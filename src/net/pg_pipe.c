/*
 * Pipeline mode for one connection (pg_conn_set_pipeline): up to depth
 * queries in flight at once instead of one, so the next statement is at
 * the server while the previous one's answer comes back.
 *
 * Each query is followed by a sync point of its own, so it runs as its own
 * transaction -- exactly as it would alone -- and one that fails aborts
 * none of the others.  A query completes at its sync, not at the end of
 * its rows: the server commits between the two, so a caller told "done"
 * is told "committed".  Results come back in the order sent; pipe_head is
 * the query whose results are read next, c->res the result kept for it.
 *
 * A lost connection fails every query in flight with store-unreachable,
 * as pg.c fails its one: any of them may have run, so none is sent again.
 * Queries not yet sent wait for the reconnect, which enters pipeline mode
 * again before it sends.  COPY is refused: libpq has no COPY in a pipeline.
 */
#include <stdio.h>
#include <string.h>

#include "net/net.h"
#include "net/pg_int.h"

void
pg_conn_set_pipeline(struct pg_conn *c, int depth)
{
	c->pipe_depth = depth > 1 ? depth : 1;
	if (!c->freeing && c->state == PG_READY)
		event_active(c->ev_kick, EV_TIMEOUT, 0);
}

static void
pg_pipe_push(struct pg_conn *c, struct pg_query *q)
{
	pg_append(&c->pipe_head, &c->pipe_tail, q);
	c->npipe++;
}

static struct pg_query *
pg_pipe_pop(struct pg_conn *c)
{
	struct pg_query	*q;

	if ((q = c->pipe_head) == NULL)
		return NULL;
	if ((c->pipe_head = q->next) == NULL)
		c->pipe_tail = NULL;
	q->next = NULL;
	c->npipe--;
	return q;
}

/* Only when nothing is in flight: libpq refuses it otherwise. */
static int
pg_pipe_enter(struct pg_conn *c)
{
	if (c->piped)
		return 0;
	if (PQenterPipelineMode(c->pq) != 1) {
		pg_lost(c, PQerrorMessage(c->pq));
		return -1;
	}
	c->piped = 1;
	return 0;
}

/* Send queued queries while fewer than depth are in flight. */
int
pg_pipe_send(struct pg_conn *c)
{
	struct pg_query	*q;
	struct err	 e;
	int		 sent = 0;

	if (c->state != PG_READY || c->inflight != NULL)
		return 0;
	while (c->npipe < c->pipe_depth && c->head != NULL) {
		if (pg_pipe_enter(c) == -1)
			return -1;
		q = pg_dequeue(c);
		if (q->copy != NULL) {
			err_set(&e, "store-error", "COPY is not sent on a "
			    "pipelined connection");
			if (pg_complete(c, q, NULL, &e) == -1)
				return -1;
			continue;
		}
		if (!pg_prep_send(c, q)) {
			if (pg_unsent(c, q) == -1)
				return -1;
			continue;
		}
		/* In flight from here: part of it may have left already. */
		pg_pipe_push(c, q);
		sent = 1;
		if (!PQpipelineSync(c->pq)) {
			pg_lost(c, PQerrorMessage(c->pq));
			return -1;
		}
	}
	return sent ? pg_flush(c) : 0;
}

/* The head reached its sync: committed, or failed. */
static int
pg_pipe_finish(struct pg_conn *c)
{
	struct pg_query	*q = pg_pipe_pop(c);

	/* Refused by name: failed all the same, the next goes unnamed. */
	(void)pg_prep_refused(c, q);
	return pg_finish(c, q, q->aborted);
}

/*
 * Collect complete results; -1 if c may be gone or the link was lost.
 * A NULL from PQgetResult ends a query's results (its sync comes next);
 * two in a row mean libpq has nothing more until the server sends more.
 */
int
pg_pipe_drain(struct pg_conn *c)
{
	PGresult	*r;
	int		 nulls = 0;

	while (c->pipe_head != NULL && !PQisBusy(c->pq)) {
		if ((r = PQgetResult(c->pq)) == NULL) {
			if (pg_link_dead(c)) {
				pg_lost_dead(c);
				return -1;
			}
			if (++nulls > 1)
				break;
			continue;
		}
		nulls = 0;
		switch (PQresultStatus(r)) {
		case PGRES_PIPELINE_SYNC:
			PQclear(r);
			if (pg_pipe_finish(c) == -1)
				return -1;
			break;
		case PGRES_PIPELINE_ABORTED:
			PQclear(r);
			c->pipe_head->aborted = 1;
			break;
		case PGRES_COPY_IN:
		case PGRES_COPY_OUT:
		case PGRES_COPY_BOTH:
			PQclear(r);
			pg_lost(c, "COPY is not supported on a pipelined "
			    "connection");
			return -1;
		default:
			if (c->pipe_head->preparing &&
			    pg_prep_parse_result(c, c->pipe_head, r))
				break;
			pg_keep_result(c, r);
			break;
		}
	}
	return 0;
}

/* After pg_lost's teardown: each in flight may have run, none is resent. */
void
pg_pipe_lost(struct pg_conn *c)
{
	pg_fail_all(c, pg_pipe_pop);
}

void
pg_pipe_cancel(struct pg_conn *c)
{
	struct pg_query	*q;

	while ((q = pg_pipe_pop(c)) != NULL)
		pg_cancel(c, q);
}

size_t
pg_in_flight(const struct pg_conn *c)
{
	return c->inflight != NULL ? 1 : (size_t)c->npipe;
}
