/*
 * One COPY ... TO STDOUT on a connection of its own, driven by the loop:
 * connect (PQconnectStart/Poll), run a setup statement with parameters,
 * then stream the COPY's bytes to the caller chunk by chunk as the server
 * sends them.  A bulk export never shares the store's query FIFO (an
 * order event must not wait behind a million rows) and never holds the
 * whole result in memory.
 */
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

#define COPY_CONNECT_TIMEOUT_S	10
#define COPY_IDLE_TIMEOUT_S	300	/* the server said nothing that long */

enum copy_step { STEP_CONNECT, STEP_SETUP, STEP_COPY_START, STEP_COPY,
	STEP_COPY_END };

struct pg_copy {
	struct event_base	*base;
	PGconn			*conn;
	struct event		*ev;
	enum copy_step		 step;
	char			*setup;
	char			**params;
	int			 nparams;
	char			*copy_sql;
	pg_copy_data_cb		 data;
	pg_copy_done_cb		 done;
	void			*arg;
	struct err		 err;
	int64_t			 bytes;
};

static void copy_wait(struct pg_copy *, short);
static void copy_advance(struct pg_copy *);

static void
copy_free(struct pg_copy *c)
{
	if (c->ev != NULL)
		event_free(c->ev);
	if (c->conn != NULL)
		PQfinish(c->conn);
	for (int i = 0; i < c->nparams; i++)
		free(c->params[i]);
	free(c->params);
	free(c->setup);
	free(c->copy_sql);
	free(c);
}

static void
copy_finish(struct pg_copy *c)
{
	pg_copy_done_cb	 done = c->done;
	void		*arg = c->arg;
	struct err	 e = c->err;

	copy_free(c);
	done(err_isset(&e) ? &e : NULL, arg);
}

/* From the loop, so the caller's done callback never runs re-entrantly. */
static void
copy_finish_later(void *arg)
{
	copy_finish(arg);
}

static void
copy_fail(struct pg_copy *c, const char *code, const char *what)
{
	char	msg[400];

	snprintf(msg, sizeof msg, "%s", what);
	msg[strcspn(msg, "\n")] = '\0';
	err_set(&c->err, code, "%s", msg);
	copy_finish(c);
}

static void
copy_fail_res(struct pg_copy *c, PGresult *res)
{
	const char	*state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	char		 code[32];

	snprintf(code, sizeof code, "sql:%s", state != NULL ? state : "XX000");
	copy_fail(c, code, PQresultErrorMessage(res));
	PQclear(res);
}

static void
copy_ready(evutil_socket_t fd, short what, void *arg)
{
	struct pg_copy	*c = arg;

	event_free(c->ev);
	c->ev = NULL;
	if (what & EV_TIMEOUT) {
		copy_fail(c, c->step == STEP_CONNECT ? "store-unreachable" :
		    "store-timeout", c->step == STEP_CONNECT ?
		    "the store did not accept a connection in time" :
		    "the store stopped answering during an export");
		return;
	}
	copy_advance(c);
}

static void
copy_wait(struct pg_copy *c, short what)
{
	struct timeval	tv = { c->step == STEP_CONNECT ?
	    COPY_CONNECT_TIMEOUT_S : COPY_IDLE_TIMEOUT_S, 0 };

	c->ev = event_new(c->base, PQsocket(c->conn), what, copy_ready, c);
	event_add(c->ev, &tv);
}

/* Send what is queued; 1 while more must wait for a writable socket. */
static int
copy_flush(struct pg_copy *c)
{
	int	rc = PQflush(c->conn);

	if (rc == 1)
		copy_wait(c, EV_WRITE);
	else if (rc == -1)
		copy_fail(c, "store-unreachable", PQerrorMessage(c->conn));
	return rc;
}

/* The next result once it is complete; 1 and a wait while it is not. */
static int
copy_result(struct pg_copy *c, PGresult **res)
{
	if (PQconsumeInput(c->conn) == 0) {
		copy_fail(c, "store-unreachable", PQerrorMessage(c->conn));
		return -1;
	}
	if (PQisBusy(c->conn)) {
		copy_wait(c, EV_READ);
		return 1;
	}
	*res = PQgetResult(c->conn);
	return 0;
}

static void
copy_connecting(struct pg_copy *c)
{
	switch (PQconnectPoll(c->conn)) {
	case PGRES_POLLING_READING:
		copy_wait(c, EV_READ);
		return;
	case PGRES_POLLING_WRITING:
		copy_wait(c, EV_WRITE);
		return;
	case PGRES_POLLING_OK:
		break;
	default:
		copy_fail(c, "store-unreachable", PQerrorMessage(c->conn));
		return;
	}
	PQsetnonblocking(c->conn, 1);
	if (PQsendQueryParams(c->conn, c->setup, c->nparams, NULL,
	    (const char *const *)c->params, NULL, NULL, 0) == 0) {
		copy_fail(c, "store-unreachable", PQerrorMessage(c->conn));
		return;
	}
	c->step = STEP_SETUP;
	if (copy_flush(c) == 0)
		copy_wait(c, EV_READ);
}

/* Drain the setup statement's results, then ask for the COPY. */
static void
copy_setup(struct pg_copy *c)
{
	PGresult	*res;
	int		 rc;

	while ((rc = copy_result(c, &res)) == 0 && res != NULL) {
		if (PQresultStatus(res) != PGRES_TUPLES_OK &&
		    PQresultStatus(res) != PGRES_COMMAND_OK) {
			copy_fail_res(c, res);
			return;
		}
		PQclear(res);
	}
	if (rc != 0)
		return;
	if (PQsendQuery(c->conn, c->copy_sql) == 0) {
		copy_fail(c, "store-unreachable", PQerrorMessage(c->conn));
		return;
	}
	c->step = STEP_COPY_START;
	if (copy_flush(c) == 0)
		copy_wait(c, EV_READ);
}

static void
copy_start(struct pg_copy *c)
{
	PGresult	*res;

	if (copy_result(c, &res) != 0)
		return;
	if (res == NULL || PQresultStatus(res) != PGRES_COPY_OUT) {
		if (res != NULL)
			copy_fail_res(c, res);
		else
			copy_fail(c, "store", "the store sent no COPY");
		return;
	}
	PQclear(res);
	c->step = STEP_COPY;
	copy_advance(c);
}

static void
copy_rows(struct pg_copy *c)
{
	char	*buf;
	int	 n;

	if (PQconsumeInput(c->conn) == 0) {
		copy_fail(c, "store-unreachable", PQerrorMessage(c->conn));
		return;
	}
	while ((n = PQgetCopyData(c->conn, &buf, 1)) > 0) {
		c->bytes += n;
		if (c->data(buf, (size_t)n, c->arg) != 0) {
			PQfreemem(buf);
			/* The caller filled err; the server's COPY is dropped
			 * with the connection. */
			err_set(&c->err, "export-write", "the export's output "
			    "could not be written");
			copy_finish(c);
			return;
		}
		PQfreemem(buf);
	}
	if (n == 0) {
		copy_wait(c, EV_READ);
		return;
	}
	if (n == -2) {
		copy_fail(c, "store-unreachable", PQerrorMessage(c->conn));
		return;
	}
	c->step = STEP_COPY_END;
	copy_advance(c);
}

static void
copy_end(struct pg_copy *c)
{
	PGresult	*res;
	int		 rc;

	while ((rc = copy_result(c, &res)) == 0 && res != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			copy_fail_res(c, res);
			return;
		}
		PQclear(res);
	}
	if (rc == 0)
		copy_finish(c);
}

static void
copy_advance(struct pg_copy *c)
{
	switch (c->step) {
	case STEP_CONNECT:
		copy_connecting(c);
		break;
	case STEP_SETUP:
		copy_setup(c);
		break;
	case STEP_COPY_START:
		copy_start(c);
		break;
	case STEP_COPY:
		copy_rows(c);
		break;
	case STEP_COPY_END:
		copy_end(c);
		break;
	}
}

struct pg_copy *
pg_copy_out(struct event_base *base, const char *conninfo,
    const char *setup_sql, int nparams, const char *const *params,
    const char *copy_sql, pg_copy_data_cb data, pg_copy_done_cb done,
    void *arg)
{
	struct pg_copy	*c = xcalloc(1, sizeof *c);

	c->base = base;
	c->copy_sql = xstrdup(copy_sql);
	c->data = data;
	c->done = done;
	c->arg = arg;
	err_clear(&c->err);
	c->conn = PQconnectStart(conninfo);
	if (c->conn == NULL || PQstatus(c->conn) == CONNECTION_BAD) {
		err_set(&c->err, "store-unreachable", "%s", c->conn != NULL ?
		    PQerrorMessage(c->conn) : "out of memory");
		c->err.msg[strcspn(c->err.msg, "\n")] = '\0';
		loop_later(0, copy_finish_later, c);
		return c;
	}
	/* libpq takes the setup statement once connected: keep it till then. */
	c->step = STEP_CONNECT;
	c->setup = xstrdup(setup_sql);
	c->nparams = nparams;
	c->params = xcalloc((size_t)nparams + 1, sizeof *c->params);
	for (int i = 0; i < nparams; i++)
		c->params[i] = params[i] != NULL ? xstrdup(params[i]) : NULL;
	copy_wait(c, EV_WRITE);
	return c;
}
