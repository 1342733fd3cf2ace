/*
 * One asynchronous PostgreSQL connection driven by the loop.
 *
 * Connecting is PQconnectStart plus one PQconnectPoll per socket event; the
 * socket may change between steps (libpq tries the next host or address), so
 * each step watches with a fresh one-shot event.  Once ready, queries go out
 * one at a time from a FIFO with PQsendQueryParams; a persistent read event
 * feeds PQconsumeInput, and results are collected while PQisBusy says they
 * are complete.  A lost connection fails the query in flight (it may have
 * run: resending could place an order twice) and reconnects with
 * exponential backoff; queued queries simply wait.  After max_attempts
 * failed attempts in a row the connection gives up (PG_FAILED) and every
 * query completes with "store-unreachable".
 *
 * Any user callback may free the connection; c->alivep lets the code that
 * called it notice and stop touching c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "net/pg_int.h"
#include "util/metrics.h"

static void	pg_connect_failed(struct pg_conn *, const char *);
static int	pg_send_next(struct pg_conn *);
static void	pg_connect_cb(evutil_socket_t, short, void *);
static void	pg_read_cb(evutil_socket_t, short, void *);
static void	pg_write_cb(evutil_socket_t, short, void *);
static struct pg_query *pg_listen_query(const char *);

static void
pg_query_free(struct pg_query *q)
{
	int	i;

	for (i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	free(q->sql);
	free(q->copy);
	free(q);
}

static struct pg_query *
pg_query_new(const char *sql, int nparams, const char *const *params,
    pg_query_cb cb, void *arg)
{
	struct pg_query	*q;
	int		 i;

	q = xcalloc(1, sizeof *q);
	q->sql = xstrdup(sql);
	if (nparams < 0)
		nparams = 0;
	q->nparams = nparams;
	if (nparams > 0) {
		q->params = xcalloc(nparams, sizeof *q->params);
		for (i = 0; i < nparams; i++) {
			if (params[i] != NULL)
				q->params[i] = xstrdup(params[i]);
		}
	}
	q->cb = cb;
	q->arg = arg;
	return q;
}

/* q at the end of the list from *head to *tail. */
void
pg_append(struct pg_query **head, struct pg_query **tail, struct pg_query *q)
{
	q->next = NULL;
	if (*tail != NULL)
		(*tail)->next = q;
	else
		*head = q;
	*tail = q;
}

static void
pg_enqueue(struct pg_conn *c, struct pg_query *q)
{
	pg_append(&c->head, &c->tail, q);
}

void
pg_push_front(struct pg_conn *c, struct pg_query *q)
{
	q->next = c->head;
	c->head = q;
	if (c->tail == NULL)
		c->tail = q;
	if (q->urgent && c->urgent_tail == NULL)
		c->urgent_tail = q;
}

/* Behind the urgent queries already waiting, ahead of every other. */
static void
pg_enqueue_urgent(struct pg_conn *c, struct pg_query *q)
{
	struct pg_query	*after = c->urgent_tail;

	q->urgent = 1;
	if (after == NULL) {
		pg_push_front(c, q);
	} else {
		q->next = after->next;
		after->next = q;
		if (c->tail == after)
			c->tail = q;
	}
	c->urgent_tail = q;
}

struct pg_query *
pg_dequeue(struct pg_conn *c)
{
	struct pg_query	*q;

	if ((q = c->head) == NULL)
		return NULL;
	if (q == c->urgent_tail)
		c->urgent_tail = NULL;
	c->head = q->next;
	if (c->head == NULL)
		c->tail = NULL;
	q->next = NULL;
	return q;
}

/* Queued LISTENs are re-issued on every connect, so a lost one is dropped. */
static void
pg_drop_internal(struct pg_conn *c)
{
	struct pg_query	*q, *keep = NULL, *last = NULL;

	while ((q = pg_dequeue(c)) != NULL) {
		if (q->internal) {
			pg_query_free(q);
			continue;
		}
		if (last != NULL)
			last->next = q;
		else
			keep = q;
		last = q;
	}
	c->head = keep;
	c->tail = last;
	c->urgent_tail = NULL;
	for (q = keep; q != NULL && q->urgent; q = q->next)
		c->urgent_tail = q;
}

/* Completes q (already unlinked) and frees it; -1 if the callback freed c. */
int
pg_complete(struct pg_conn *c, struct pg_query *q, PGresult *res,
    const struct err *e)
{
	int	alive = 1, *outer = c->alivep;

	if (!q->internal)
		c->npending--;
	/* cppcheck-suppress autoVariables ; reset before return */
	c->alivep = &alive;
	q->cb(res, e, q->arg);
	pg_query_free(q);
	if (!alive) {
		if (outer != NULL)
			*outer = 0;
		return -1;
	}
	c->alivep = outer;
	return 0;
}

/* -1 if the state callback freed c. */
static int
pg_set_state(struct pg_conn *c, enum pg_state st, const char *why)
{
	int	alive = 1, *outer = c->alivep;

	if (c->state == st)
		return 0;
	c->state = st;
	if (c->state_cb == NULL)
		return 0;
	/* cppcheck-suppress autoVariables ; reset before return */
	c->alivep = &alive;
	c->state_cb(st, why, c->state_arg);
	if (!alive) {
		if (outer != NULL)
			*outer = 0;
		return -1;
	}
	c->alivep = outer;
	return 0;
}

/* libpq messages end in a newline; ours go into one-line logs and errors. */
void
pg_set_why(struct pg_conn *c, const char *msg)
{
	size_t	len;

	if (msg == NULL || *msg == '\0')
		msg = "unknown error";
	snprintf(c->why, sizeof c->why, "%s", msg);
	len = strlen(c->why);
	while (len > 0 && (c->why[len - 1] == '\n' || c->why[len - 1] == ' '))
		c->why[--len] = '\0';
}

void
pg_err_unreachable(struct pg_conn *c, struct err *e)
{
	err_set(e, "store-unreachable", "store unreachable: %s", c->why);
}

/* NOTICEs would otherwise be printed to stderr by libpq. */
static void
pg_notice(void *arg, const char *msg)
{
	size_t	len = strlen(msg);

	while (len > 0 && msg[len - 1] == '\n')
		len--;
	log_debug("pg", "notice: %.*s", (int)len, msg);
}

static void
pg_unwatch(struct pg_conn *c)
{
	if (c->ev_rd != NULL)
		event_free(c->ev_rd);
	c->ev_rd = NULL;
	if (c->ev_wr != NULL)
		event_free(c->ev_wr);
	c->ev_wr = NULL;
}

/* Events go before PQfinish: the fd must still be open when unregistered. */
static void
pg_teardown(struct pg_conn *c)
{
	pg_unwatch(c);
	evtimer_del(c->ev_timeout);
	if (c->res != NULL)
		PQclear(c->res);
	c->res = NULL;
	if (c->pq != NULL)
		PQfinish(c->pq);
	c->pq = NULL;
	c->piped = 0;
	pg_prep_reset(c);
}

static void
pg_schedule_retry(struct pg_conn *c)
{
	struct timeval	tv;

	tv.tv_sec = c->backoff_ms / 1000;
	tv.tv_usec = (c->backoff_ms % 1000) * 1000;
	evtimer_add(c->ev_retry, &tv);
	if (c->backoff_ms > c->opts.backoff_max_ms / 2)
		c->backoff_ms = c->opts.backoff_max_ms;
	else
		c->backoff_ms *= 2;
}

/* Each query pop gives fails with store-unreachable, until c is gone. */
void
pg_fail_all(struct pg_conn *c, struct pg_query *(*pop)(struct pg_conn *))
{
	struct pg_query	*q;
	struct err	 e;

	while ((q = pop(c)) != NULL) {
		pg_err_unreachable(c, &e);
		if (pg_complete(c, q, NULL, &e) == -1)
			return;
	}
}

/* Only ever called from a loop callback, so completing here is safe. */
static void
pg_fail_queued(struct pg_conn *c)
{
	pg_fail_all(c, pg_dequeue);
}

/* An event on the connection's socket, at its priority (pg_opts.urgent). */
static struct event *
pg_event(struct pg_conn *c, evutil_socket_t fd, short what,
    event_callback_fn cb)
{
	struct event	*ev;

	if ((ev = event_new(c->base, fd, what, cb, c)) == NULL)
		fatal("event_new failed");
	if (c->opts.urgent)
		event_priority_set(ev, LOOP_URGENT);
	return ev;
}

/* Each step gets a new one-shot event: the socket may differ every time. */
static void
pg_connect_watch(struct pg_conn *c, short what)
{
	evutil_socket_t	fd;

	if (c->ev_rd != NULL)
		event_free(c->ev_rd);
	c->ev_rd = NULL;
	if ((fd = PQsocket(c->pq)) < 0) {
		pg_connect_failed(c, "no socket");
		return;
	}
	c->ev_rd = pg_event(c, fd, what, pg_connect_cb);
	event_add(c->ev_rd, NULL);
}

/* LISTENs go to the front so notifications flow before user queries run. */
static void
pg_connected(struct pg_conn *c)
{
	struct pg_listener	*l;
	struct pg_query		*first = NULL, *last = NULL, *q;
	evutil_socket_t		 fd;

	evtimer_del(c->ev_timeout);
	if (PQsetnonblocking(c->pq, 1) != 0) {
		pg_connect_failed(c, PQerrorMessage(c->pq));
		return;
	}
	c->attempts = 0;
	c->backoff_ms = c->opts.backoff_min_ms;
	c->why[0] = '\0';

	pg_unwatch(c);
	fd = PQsocket(c->pq);
	c->ev_rd = pg_event(c, fd, EV_READ|EV_PERSIST, pg_read_cb);
	c->ev_wr = pg_event(c, fd, EV_WRITE, pg_write_cb);
	event_add(c->ev_rd, NULL);

	for (l = c->listeners; l != NULL; l = l->next) {
		q = pg_listen_query(l->channel);
		if (last != NULL)
			last->next = q;
		else
			first = q;
		last = q;
	}
	if (first != NULL) {
		last->next = c->head;
		c->head = first;
		if (c->tail == NULL)
			c->tail = last;
	}

	if (c->was_ready)
		metric_inc(pxm.store_reconnects, NULL);
	c->was_ready = 1;
	if (pg_set_state(c, PG_READY, "connected") == -1)
		return;
	pg_send_next(c);
}

static void
pg_connect_step(struct pg_conn *c)
{
	switch (PQconnectPoll(c->pq)) {
	case PGRES_POLLING_READING:
		pg_connect_watch(c, EV_READ);
		break;
	case PGRES_POLLING_WRITING:
		pg_connect_watch(c, EV_WRITE);
		break;
	case PGRES_POLLING_OK:
		pg_connected(c);
		break;
	default:
		pg_connect_failed(c, PQerrorMessage(c->pq));
		break;
	}
}

static void
pg_connect_cb(evutil_socket_t fd, short what, void *arg)
{
	pg_connect_step(arg);
}

static void
pg_start(struct pg_conn *c)
{
	struct timeval	tv;

	c->attempts++;
	if (pg_set_state(c, PG_CONNECTING, "connecting") == -1)
		return;
	c->pq = PQconnectStart(c->conninfo);
	if (c->pq == NULL) {
		pg_connect_failed(c, "out of memory");
		return;
	}
	if (PQstatus(c->pq) == CONNECTION_BAD) {
		pg_connect_failed(c, PQerrorMessage(c->pq));
		return;
	}
	PQsetNoticeProcessor(c->pq, pg_notice, c);
	tv.tv_sec = c->opts.connect_timeout_ms / 1000;
	tv.tv_usec = (c->opts.connect_timeout_ms % 1000) * 1000;
	evtimer_add(c->ev_timeout, &tv);
	/* Before the first PQconnectPoll, libpq says: wait for writable. */
	pg_connect_watch(c, EV_WRITE);
}

/* msg may live inside c->pq: it is copied before the teardown. */
static void
pg_connect_failed(struct pg_conn *c, const char *msg)
{
	pg_set_why(c, msg);
	pg_teardown(c);
	log_debug("pg", "connect attempt %d failed: %s", c->attempts, c->why);
	if (c->opts.max_attempts > 0 && c->attempts >= c->opts.max_attempts) {
		log_warn("pg", "giving up after %d attempts: %s", c->attempts,
		    c->why);
		if (pg_set_state(c, PG_FAILED, c->why) == -1)
			return;
		pg_fail_queued(c);
		return;
	}
	pg_schedule_retry(c);
	pg_set_state(c, PG_DISCONNECTED, c->why);
}

/*
 * The connection dropped while ready.  The query in flight may or may not
 * have run, so it fails rather than being sent again -- unless only its
 * Parse was sent; queued ones wait.
 */
void
pg_lost(struct pg_conn *c, const char *msg)
{
	struct pg_query	*q;
	struct err	 e;

	pg_set_why(c, msg);
	log_warn("pg", "connection lost: %s", c->why);
	pg_teardown(c);
	pg_drop_internal(c);
	pg_schedule_retry(c);
	/* Only its Parse had gone (pg_prep.c): it never ran, it goes again. */
	if ((q = c->inflight) != NULL && q->preparing) {
		c->inflight = NULL;
		q->preparing = 0;
		pg_push_front(c, q);
	}
	/* inflight stays attached so pg_conn_free() in the callback sees it. */
	if (pg_set_state(c, PG_DISCONNECTED, c->why) == -1)
		return;
	if ((q = c->inflight) != NULL) {
		c->inflight = NULL;
		pg_err_unreachable(c, &e);
		if (pg_complete(c, q, NULL, &e) == -1)
			return;
	}
	pg_pipe_lost(c);
}

/* 0 when done or waiting for room, -1 when the connection was lost. */
int
pg_flush(struct pg_conn *c)
{
	switch (PQflush(c->pq)) {
	case 0:
		return 0;
	case 1:
		event_add(c->ev_wr, NULL);
		return 0;
	default:
		pg_lost(c, PQerrorMessage(c->pq));
		return -1;
	}
}

/* q failed to go (already unlinked): -1 if c may be gone or was lost. */
int
pg_unsent(struct pg_conn *c, struct pg_query *q)
{
	struct err	e;

	if (PQstatus(c->pq) == CONNECTION_BAD) {
		/* Never reached the server: safe to send later. */
		pg_push_front(c, q);
		pg_lost(c, PQerrorMessage(c->pq));
		return -1;
	}
	pg_set_why(c, PQerrorMessage(c->pq));
	err_set(&e, "store-error", "%s", c->why);
	return pg_complete(c, q, NULL, &e);
}

/* -1 if c may be gone or the connection was lost. */
static int
pg_send_next(struct pg_conn *c)
{
	struct pg_query	*q;

	if (c->pipe_depth > 1 || c->piped)
		return pg_pipe_send(c);
	while (c->state == PG_READY && c->inflight == NULL &&
	    (q = pg_dequeue(c)) != NULL) {
		if (!(q->copy != NULL ? PQsendQuery(c->pq, q->sql) :
		    pg_prep_send(c, q))) {
			if (pg_unsent(c, q) == -1)
				return -1;
			continue;
		}
		c->inflight = q;
		if (pg_flush(c) == -1)
			return -1;
	}
	return 0;
}

/* SQL errors become "sql:<SQLSTATE>" with the server's primary message. */
int
pg_result_err(PGresult *r, struct err *e)
{
	const char	*state, *msg;
	char		 code[sizeof e->code];
	size_t		 len;

	if (r == NULL) {
		err_set(e, "sql:XX000", "no result from server");
		return 1;
	}
	switch (PQresultStatus(r)) {
	case PGRES_FATAL_ERROR:
	case PGRES_NONFATAL_ERROR:
	case PGRES_BAD_RESPONSE:
		break;
	default:
		return 0;
	}
	state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	if (msg == NULL)
		msg = PQresultErrorMessage(r);
	snprintf(code, sizeof code, "sql:%s", state != NULL ? state : "XX000");
	len = strlen(msg);
	while (len > 0 && msg[len - 1] == '\n')
		len--;
	err_set(e, code, "%.*s", (int)len, msg);
	return 1;
}

int
pg_is_error(PGresult *r)
{
	ExecStatusType	st = PQresultStatus(r);

	return st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE;
}

/* Keep the first error, else the last result, for the query's callback. */
void
pg_keep_result(struct pg_conn *c, PGresult *r)
{
	if (c->res == NULL)
		c->res = r;
	else if (pg_is_error(c->res))
		PQclear(r);
	else {
		PQclear(c->res);
		c->res = r;
	}
}

/*
 * q (unlinked) is done: its result is c->res; aborted (pipeline mode)
 * when the server skipped it.  -1 if the callback freed c.
 */
int
pg_finish(struct pg_conn *c, struct pg_query *q, int aborted)
{
	PGresult	*res = c->res;
	struct err	 e;
	int		 rc;

	c->res = NULL;
	err_clear(&e);
	if (res == NULL && aborted) {
		err_set(&e, "pipeline-aborted", "not run: the statement "
		    "before it in the same pipeline failed "
		    "(PGRES_PIPELINE_ABORTED)");
		rc = pg_complete(c, q, NULL, &e);
	} else if (pg_result_err(res, &e))
		rc = pg_complete(c, q, NULL, &e);
	else
		rc = pg_complete(c, q, res, NULL);
	if (res != NULL)
		PQclear(res);
	return rc;
}

/* A statement the server refused by name goes again (nothing ran). */
static int
pg_finish_inflight(struct pg_conn *c)
{
	struct pg_query	*q = c->inflight;

	c->inflight = NULL;
	if (pg_prep_refused(c, q)) {
		PQclear(c->res);
		c->res = NULL;
		pg_push_front(c, q);
		return 0;
	}
	return pg_finish(c, q, 0);
}

/*
 * A server that is shutting down or killed our backend (57P01..57P03) ends
 * the query with a FATAL error and then closes the socket; whichever of the
 * two libpq saw first, the caller is told the store went away.
 */
int
pg_link_dead(struct pg_conn *c)
{
	const char	*state;

	if (PQstatus(c->pq) == CONNECTION_BAD)
		return 1;
	if (c->res == NULL || !pg_is_error(c->res))
		return 0;
	state = PQresultErrorField(c->res, PG_DIAG_SQLSTATE);
	return state != NULL && strncmp(state, "57P0", 4) == 0;
}

/* Lost, with the server's word for it when it said why. */
void
pg_lost_dead(struct pg_conn *c)
{
	char	why[256];

	snprintf(why, sizeof why, "%s", c->res != NULL ?
	    PQresultErrorMessage(c->res) : PQerrorMessage(c->pq));
	pg_lost(c, why);
}

/*
 * The server waits for COPY data: the query's, once; anything else (a
 * query without data, a second COPY in it) is refused, which fails it.
 */
static int
pg_copy_in(struct pg_conn *c)
{
	struct pg_query	*q = c->inflight;
	const char	*refuse = "COPY FROM STDIN is not supported";

	if (q->copy != NULL && !q->copied) {
		q->copied = 1;
		if (q->ncopy == 0 ||
		    PQputCopyData(c->pq, q->copy, (int)q->ncopy) == 1)
			refuse = NULL;
		else
			refuse = "COPY data not queued";
	}
	PQputCopyEnd(c->pq, refuse);
	return pg_flush(c);
}

/* Collect complete results; -1 if c may be gone or the link was lost. */
static int
pg_drain(struct pg_conn *c)
{
	PGresult	*r;

	if (c->piped)
		return pg_pipe_drain(c);
	while (c->inflight != NULL && !PQisBusy(c->pq)) {
		if ((r = PQgetResult(c->pq)) == NULL) {
			if (pg_link_dead(c)) {
				pg_lost_dead(c);
				return -1;
			}
			if ((c->inflight->preparing ? pg_prep_parsed(c) :
			    pg_finish_inflight(c)) == -1)
				return -1;
			continue;
		}
		switch (PQresultStatus(r)) {
		case PGRES_COPY_IN:
			PQclear(r);
			if (pg_copy_in(c) == -1)
				return -1;
			break;
		case PGRES_COPY_OUT:
		case PGRES_COPY_BOTH:
			PQclear(r);
			pg_lost(c, "COPY TO STDOUT is not supported");
			return -1;
		default:
			pg_keep_result(c, r);
			break;
		}
	}
	return 0;
}

/* -1 if a callback freed c. */
static int
pg_notifies(struct pg_conn *c)
{
	PGnotify		*n;
	struct pg_listener	*l;
	int			 alive = 1, *outer;

	while (c->pq != NULL && (n = PQnotifies(c->pq)) != NULL) {
		for (l = c->listeners; l != NULL; l = l->next) {
			if (strcmp(l->channel, n->relname) != 0)
				continue;
			outer = c->alivep;
			/* cppcheck-suppress autoVariables ; reset before return */
	c->alivep = &alive;
			l->cb(n->relname, n->extra, l->arg);
			if (!alive) {
				if (outer != NULL)
					*outer = 0;
				PQfreemem(n);
				return -1;
			}
			c->alivep = outer;
		}
		PQfreemem(n);
	}
	return 0;
}

static void
pg_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pg_conn	*c = arg;

	if (!PQconsumeInput(c->pq) || PQstatus(c->pq) == CONNECTION_BAD) {
		pg_lost(c, PQerrorMessage(c->pq));
		return;
	}
	if (pg_drain(c) == -1)
		return;
	if (pg_notifies(c) == -1)
		return;
	pg_send_next(c);
}

static void
pg_write_cb(evutil_socket_t fd, short what, void *arg)
{
	pg_flush(arg);
}

static void
pg_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pg_conn	*c = arg;
	char		 msg[64];

	snprintf(msg, sizeof msg, "connect timed out after %d ms",
	    c->opts.connect_timeout_ms);
	pg_connect_failed(c, msg);
}

static void
pg_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	pg_start(arg);
}

static void
pg_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pg_conn	*c = arg;

	if (c->state == PG_READY)
		pg_send_next(c);
	else if (c->state == PG_FAILED)
		pg_fail_queued(c);
}

static void
pg_listen_done(PGresult *res, const struct err *e, void *arg)
{
	if (e != NULL)
		log_warn("pg", "LISTEN failed: %s", e->msg);
}

/* Channel names are identifiers: quote them, doubling embedded quotes. */
static struct pg_query *
pg_listen_query(const char *channel)
{
	struct strbuf	 sb;
	struct pg_query	*q;
	const char	*p;

	strbuf_init(&sb);
	strbuf_puts(&sb, "LISTEN \"");
	for (p = channel; *p != '\0'; p++) {
		if (*p == '"')
			strbuf_putc(&sb, '"');
		strbuf_putc(&sb, *p);
	}
	strbuf_putc(&sb, '"');
	q = pg_query_new(sb.s, 0, NULL, pg_listen_done, NULL);
	q->internal = 1;
	strbuf_free(&sb);
	return q;
}

const char *
pg_conn_conninfo(const struct pg_conn *c)
{
	return c->conninfo;
}

const struct pg_opts *
pg_conn_opts(const struct pg_conn *c)
{
	return &c->opts;
}

struct pg_conn *
pg_conn_new(struct event_base *base, const char *conninfo,
    const struct pg_opts *opts)
{
	struct pg_conn	*c;

	c = xcalloc(1, sizeof *c);
	c->base = base;
	c->conninfo = xstrdup(conninfo != NULL ? conninfo : "");
	if (opts != NULL)
		c->opts = *opts;
	if (c->opts.connect_timeout_ms <= 0)
		c->opts.connect_timeout_ms = 5000;
	if (c->opts.max_attempts < 0)
		c->opts.max_attempts = 0;
	if (c->opts.backoff_min_ms <= 0)
		c->opts.backoff_min_ms = 100;
	if (c->opts.backoff_max_ms <= 0)
		c->opts.backoff_max_ms = 5000;
	if (c->opts.backoff_max_ms < c->opts.backoff_min_ms)
		c->opts.backoff_max_ms = c->opts.backoff_min_ms;
	c->backoff_ms = c->opts.backoff_min_ms;

	c->ev_timeout = evtimer_new(base, pg_timeout_cb, c);
	c->ev_retry = evtimer_new(base, pg_retry_cb, c);
	c->ev_kick = pg_event(c, -1, 0, pg_kick_cb);
	if (c->ev_timeout == NULL || c->ev_retry == NULL)
		fatal("event_new failed");

	/* The first attempt starts from the loop, so no callback runs here. */
	c->state = PG_CONNECTING;
	event_active(c->ev_retry, EV_TIMEOUT, 0);
	return c;
}

void
pg_cancel(struct pg_conn *c, struct pg_query *q)
{
	struct err	e;

	if (q->internal) {
		pg_query_free(q);
		return;
	}
	err_set(&e, "cancelled", "connection closed");
	pg_complete(c, q, NULL, &e);
}

void
pg_conn_free(struct pg_conn *c)
{
	struct pg_listener	*l;
	struct pg_query		*q;

	if (c == NULL || c->freeing)
		return;
	c->freeing = 1;
	if (c->alivep != NULL)
		*c->alivep = 0;
	c->alivep = NULL;

	pg_teardown(c);
	event_free(c->ev_timeout);
	event_free(c->ev_retry);
	event_free(c->ev_kick);

	if ((q = c->inflight) != NULL) {
		c->inflight = NULL;
		pg_cancel(c, q);
	}
	pg_pipe_cancel(c);
	while ((q = pg_dequeue(c)) != NULL)
		pg_cancel(c, q);

	while ((l = c->listeners) != NULL) {
		c->listeners = l->next;
		free(l->channel);
		free(l);
	}
	free(c->conninfo);
	free(c);
}

enum pg_state
pg_conn_state(const struct pg_conn *c)
{
	return c->state;
}

void
pg_conn_on_state(struct pg_conn *c, pg_state_cb cb, void *arg)
{
	c->state_cb = cb;
	c->state_arg = arg;
}

void
pg_query(struct pg_conn *c, const char *sql, int nparams,
    const char *const *params, pg_query_cb cb, void *arg)
{
	pg_enqueue(c, pg_query_new(sql, nparams, params, cb, arg));
	c->npending++;
	if (c->freeing)
		return;
	if (c->state == PG_READY || c->state == PG_FAILED)
		event_active(c->ev_kick, EV_TIMEOUT, 0);
}

/*
 * A query that must not wait behind the ones queued before it (the
 * intent of a fan-out behind the previous one's bookkeeping).  Urgent
 * queries keep their order among themselves; only a caller that waits on
 * nothing queued earlier may use it.
 */
void
pg_query_urgent(struct pg_conn *c, const char *sql, int nparams,
    const char *const *params, pg_query_cb cb, void *arg)
{
	pg_enqueue_urgent(c, pg_query_new(sql, nparams, params, cb, arg));
	c->npending++;
	if (c->freeing)
		return;
	if (c->state == PG_READY || c->state == PG_FAILED)
		event_active(c->ev_kick, EV_TIMEOUT, 0);
}

/*
 * sql is one or more statements without parameters (the simple protocol:
 * they run as one transaction) of which one is COPY ... FROM STDIN; data
 * (len bytes, copied) is what it reads.
 */
void
pg_query_copy(struct pg_conn *c, const char *sql, const char *data,
    size_t len, pg_query_cb cb, void *arg)
{
	struct pg_query	*q;

	q = pg_query_new(sql, 0, NULL, cb, arg);
	q->copy = xmalloc(len + 1);
	memcpy(q->copy, data, len);
	q->copy[len] = '\0';
	q->ncopy = len;
	pg_enqueue(c, q);
	c->npending++;
	if (c->freeing)
		return;
	if (c->state == PG_READY || c->state == PG_FAILED)
		event_active(c->ev_kick, EV_TIMEOUT, 0);
}

size_t
pg_pending(const struct pg_conn *c)
{
	return c->npending;
}

void
pg_listen(struct pg_conn *c, const char *channel, pg_notify_cb cb, void *arg)
{
	struct pg_listener	*l, **lp;

	l = xcalloc(1, sizeof *l);
	l->channel = xstrdup(channel);
	l->cb = cb;
	l->arg = arg;
	for (lp = &c->listeners; *lp != NULL; lp = &(*lp)->next)
		;
	*lp = l;
	if (c->freeing || c->state != PG_READY)
		return;
	pg_enqueue(c, pg_listen_query(channel));
	event_active(c->ev_kick, EV_TIMEOUT, 0);
}
