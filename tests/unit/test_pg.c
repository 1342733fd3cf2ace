/*
 * The pg connection state machine (src/net/pg.c) against a scripted libpq:
 * every PQ* call pg.c makes is wrapped (test_pg.wrap).  Sockets are real
 * socketpairs so libevent has something to watch; the fake "server" makes
 * them readable when it has something to say.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "net/net.h"
#include "testlib.h"

#define MAXLOG 64

/* A fake PGresult: pg.c only ever hands it back to the wrapped functions. */
struct fake_res {
	ExecStatusType	 st;
	const char	*sqlstate;
	const char	*msg;
	int		 seq;
};

static struct {
	int		 pair[2][2];	/* two socketpairs: [i][0] is libpq's */
	int		 cur;		/* which pair PQsocket returns */
	int		 switch_fds;	/* alternate pairs between poll steps */

	int		 start_bad;	/* PQconnectStart fails at once */
	PostgresPollingStatusType polls[16];
	int		 npolls;
	int		 poll_i;	/* index into polls for this attempt */
	int		 poll_calls;
	int		 poll_silent;	/* READING, but never readable */
	int		 starts;
	int		 finishes;

	int		 connected;
	int		 consume_fail;
	int		 flush_more;	/* PQflush says "more" this often */
	int		 flush_calls;
	int		 phase;		/* 0 idle/hang, 1 result, 2 NULL */
	int		 hang_prepare;	/* a Parse is never answered */
	struct fake_res	*pending;

	char		*sent[MAXLOG];	/* SQL as sent */
	char		*sent_p1[MAXLOG];	/* first param or "(null)" */
	int		 nsent;

	PGnotify	*notify;
} mock;

static PGconn *const FAKE_CONN = (PGconn *)&mock;

static void
poke(void)
{
	char	c = 'x';

	if (write(mock.pair[mock.cur][1], &c, 1) != 1)
		fail_msg("poke: %s", strerror(errno));
}

static void
drain(void)
{
	char	buf[64];
	int	i;

	for (i = 0; i < 2; i++) {
		while (read(mock.pair[i][0], buf, sizeof buf) > 0)
			;
	}
}

PGconn *__wrap_PQconnectStart(const char *);
PGconn *
__wrap_PQconnectStart(const char *conninfo)
{
	mock.starts++;
	mock.poll_i = 0;
	mock.connected = 0;
	return FAKE_CONN;
}

ConnStatusType __wrap_PQstatus(const PGconn *);
ConnStatusType
__wrap_PQstatus(const PGconn *c)
{
	assert_ptr_equal(c, FAKE_CONN);
	if (mock.start_bad)
		return CONNECTION_BAD;
	return mock.connected ? CONNECTION_OK : CONNECTION_STARTED;
}

int __wrap_PQsocket(const PGconn *);
int
__wrap_PQsocket(const PGconn *c)
{
	return mock.pair[mock.cur][0];
}

char *__wrap_PQerrorMessage(const PGconn *);
char *
__wrap_PQerrorMessage(const PGconn *c)
{
	static char	msg[] = "could not connect: mock says no\n";

	return msg;
}

PostgresPollingStatusType __wrap_PQconnectPoll(PGconn *);
PostgresPollingStatusType
__wrap_PQconnectPoll(PGconn *c)
{
	PostgresPollingStatusType	st;

	mock.poll_calls++;
	drain();
	if (mock.poll_i < mock.npolls)
		st = mock.polls[mock.poll_i++];
	else
		st = mock.polls[mock.npolls - 1];
	if (mock.switch_fds)
		mock.cur = !mock.cur;
	if (st == PGRES_POLLING_READING && !mock.poll_silent)
		poke();
	if (st == PGRES_POLLING_OK)
		mock.connected = 1;
	return st;
}

void __wrap_PQfinish(PGconn *);
void
__wrap_PQfinish(PGconn *c)
{
	assert_ptr_equal(c, FAKE_CONN);
	mock.finishes++;
	mock.connected = 0;
	free(mock.pending);
	mock.pending = NULL;
	mock.phase = 0;
}

int __wrap_PQsetnonblocking(PGconn *, int);
int
__wrap_PQsetnonblocking(PGconn *c, int arg)
{
	return 0;
}

PQnoticeProcessor __wrap_PQsetNoticeProcessor(PGconn *, PQnoticeProcessor,
    void *);
PQnoticeProcessor
__wrap_PQsetNoticeProcessor(PGconn *c, PQnoticeProcessor fn, void *arg)
{
	return NULL;
}

/* A statement as pg.c sent it: logged, with its first param. */
static void
mock_log(char *logged, int n, const char *const *values)
{
	assert_true(mock.connected);
	assert_int_equal(mock.phase, 0);
	assert_true(mock.nsent < MAXLOG);
	mock.sent[mock.nsent] = logged;
	mock.sent_p1[mock.nsent] = xstrdup(n > 0 && values[0] != NULL ?
	    values[0] : "(null)");
	mock.nsent++;
}

/* The answer to the statement just logged, readable at once. */
static struct fake_res *
mock_answer(ExecStatusType st)
{
	struct fake_res	*r = xcalloc(1, sizeof *r);

	r->seq = mock.nsent;
	r->st = st;
	mock.pending = r;
	mock.phase = 1;
	poke();
	return r;
}

int __wrap_PQsendQueryParams(PGconn *, const char *, int, const Oid *,
    const char *const *, const int *, const int *, int);
int
__wrap_PQsendQueryParams(PGconn *c, const char *sql, int n, const Oid *types,
    const char *const *values, const int *lens, const int *fmts, int rfmt)
{
	struct fake_res	*r;

	mock_log(xstrdup(sql), n, values);
	if (strncmp(sql, "HANG", 4) == 0)
		return 1;
	if (strncmp(sql, "ERR", 3) == 0) {
		r = mock_answer(PGRES_FATAL_ERROR);
		r->sqlstate = "42P01";
		r->msg = "relation \"nope\" does not exist";
	} else
		mock_answer(strncmp(sql, "LISTEN", 6) == 0 ? PGRES_COMMAND_OK :
		    PGRES_TUPLES_OK);
	return 1;
}

/* A Parse answers COMMAND_OK (or never); logged as "PREPARE name sql". */
int __wrap_PQsendPrepare(PGconn *, const char *, const char *, int,
    const Oid *);
int
__wrap_PQsendPrepare(PGconn *c, const char *name, const char *sql, int n,
    const Oid *types)
{
	mock_log(xasprintf("PREPARE %s %s", name, sql), 0, NULL);
	if (!mock.hang_prepare)
		mock_answer(PGRES_COMMAND_OK);
	return 1;
}

/* A named statement runs; logged as "EXECUTE name". */
int __wrap_PQsendQueryPrepared(PGconn *, const char *, int,
    const char *const *, const int *, const int *, int);
int
__wrap_PQsendQueryPrepared(PGconn *c, const char *name, int n,
    const char *const *values, const int *lens, const int *fmts, int rfmt)
{
	mock_log(xasprintf("EXECUTE %s", name), n, values);
	mock_answer(PGRES_TUPLES_OK);
	return 1;
}

int __wrap_PQflush(PGconn *);
int
__wrap_PQflush(PGconn *c)
{
	mock.flush_calls++;
	if (mock.flush_more > 0) {
		mock.flush_more--;
		return 1;
	}
	return 0;
}

int __wrap_PQconsumeInput(PGconn *);
int
__wrap_PQconsumeInput(PGconn *c)
{
	drain();
	if (mock.consume_fail) {
		mock.consume_fail = 0;
		mock.connected = 0;
		return 0;
	}
	return 1;
}

int __wrap_PQisBusy(PGconn *);
int
__wrap_PQisBusy(PGconn *c)
{
	return mock.phase == 0;
}

PGresult *__wrap_PQgetResult(PGconn *);
PGresult *
__wrap_PQgetResult(PGconn *c)
{
	struct fake_res	*r;

	if (mock.phase == 1) {
		r = mock.pending;
		mock.pending = NULL;
		mock.phase = 2;
		return (PGresult *)r;
	}
	mock.phase = 0;
	return NULL;
}

ExecStatusType __wrap_PQresultStatus(const PGresult *);
ExecStatusType
__wrap_PQresultStatus(const PGresult *r)
{
	return ((const struct fake_res *)r)->st;
}

char *__wrap_PQresultErrorField(const PGresult *, int);
char *
__wrap_PQresultErrorField(const PGresult *r, int field)
{
	const struct fake_res	*f = (const struct fake_res *)r;

	if (field == PG_DIAG_SQLSTATE)
		return (char *)f->sqlstate;
	if (field == PG_DIAG_MESSAGE_PRIMARY)
		return (char *)f->msg;
	return NULL;
}

char *__wrap_PQresultErrorMessage(const PGresult *);
char *
__wrap_PQresultErrorMessage(const PGresult *r)
{
	return (char *)"ERROR: something\n";
}

void __wrap_PQclear(PGresult *);
void
__wrap_PQclear(PGresult *r)
{
	free(r);
}

PGnotify *__wrap_PQnotifies(PGconn *);
PGnotify *
__wrap_PQnotifies(PGconn *c)
{
	PGnotify	*n = mock.notify;

	mock.notify = NULL;
	return n;
}

void __wrap_PQfreemem(void *);
void
__wrap_PQfreemem(void *p)
{
	free(p);
}

int __wrap_PQputCopyEnd(PGconn *, const char *);
int
__wrap_PQputCopyEnd(PGconn *c, const char *msg)
{
	fail_msg("unexpected COPY");
	return -1;
}

/* Test-side bookkeeping of callbacks. */
struct done {
	int	 seq;		/* mock seq of the result, 0 if error */
	char	 code[40];
	char	 msg[512];
	int	 order;
};

static struct done	dones[MAXLOG];
static int		ndone;
static enum pg_state	states[MAXLOG];
static int		nstates;
static int		in_pg_query;

static void
query_cb(PGresult *res, const struct err *e, void *arg)
{
	struct done	*d = &dones[ndone];

	assert_false(in_pg_query);
	assert_true(ndone < MAXLOG);
	d->order = (int)(intptr_t)arg;
	if (e != NULL) {
		assert_null(res);
		snprintf(d->code, sizeof d->code, "%s", e->code);
		snprintf(d->msg, sizeof d->msg, "%s", e->msg);
	} else {
		assert_non_null(res);
		d->seq = ((struct fake_res *)res)->seq;
	}
	ndone++;
}

static void
state_cb(enum pg_state st, const char *why, void *arg)
{
	assert_non_null(why);
	assert_true(nstates < MAXLOG);
	states[nstates++] = st;
}

static void
query(struct pg_conn *c, const char *sql, const char *p1, int order)
{
	const char	*params[2];

	params[0] = p1;
	params[1] = "second";
	in_pg_query = 1;
	pg_query(c, sql, 2, params, query_cb, (void *)(intptr_t)order);
	in_pg_query = 0;
}

static int
has_state(enum pg_state st)
{
	int	i;

	for (i = 0; i < nstates; i++) {
		if (states[i] == st)
			return i + 1;
	}
	return 0;
}

static int
setup(void **state)
{
	int	i, j;

	memset(&mock, 0, sizeof mock);
	memset(dones, 0, sizeof dones);
	ndone = nstates = 0;
	for (i = 0; i < 2; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, mock.pair[i]) != 0)
			return -1;
		for (j = 0; j < 2; j++)
			fcntl(mock.pair[i][j], F_SETFL, O_NONBLOCK);
	}
	return 0;
}

static int
teardown(void **state)
{
	int	i;

	loop_free();
	for (i = 0; i < 2; i++) {
		close(mock.pair[i][0]);
		close(mock.pair[i][1]);
	}
	for (i = 0; i < mock.nsent; i++) {
		free(mock.sent[i]);
		free(mock.sent_p1[i]);
	}
	free(mock.pending);
	free(mock.notify);
	return 0;
}

static void
script(int n, ...)
{
	va_list	ap;
	int	i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		mock.polls[i] = va_arg(ap, PostgresPollingStatusType);
	va_end(ap);
	mock.npolls = n;
}

static int
ready_count(void)
{
	int	i, n = 0;

	for (i = 0; i < nstates; i++)
		n += states[i] == PG_READY;
	return n;
}

static int	nready;

static void
count_ready(enum pg_state st, const char *why, void *arg)
{
	state_cb(st, why, arg);
	nready = ready_count();
}

/* The poll sequence is followed step by step, across changing sockets. */
static void
test_connect_sequence(void **state)
{
	struct pg_conn	*c;

	script(4, PGRES_POLLING_WRITING, PGRES_POLLING_READING,
	    PGRES_POLLING_READING, PGRES_POLLING_OK);
	mock.switch_fds = 1;
	nready = 0;
	c = pg_conn_new(loop_base(), "host=/nowhere", NULL);
	pg_conn_on_state(c, count_ready, NULL);
	assert_int_equal(pg_conn_state(c), PG_CONNECTING);
	assert_int_equal(mock.starts, 0);	/* starts from the loop */
	run_until(&nready, 1, 2000);
	assert_int_equal(mock.starts, 1);
	assert_int_equal(mock.poll_calls, 4);
	assert_int_equal(pg_conn_state(c), PG_READY);
	assert_int_equal(nstates, 1);
	assert_int_equal(states[0], PG_READY);

	query(c, "SELECT 1", "a", 1);
	assert_int_equal(pg_pending(c), 1);
	run_until(&ndone, 1, 2000);
	assert_int_equal(dones[0].seq, 1);
	assert_string_equal(dones[0].code, "");
	assert_int_equal(pg_pending(c), 0);
	pg_conn_free(c);
	assert_int_equal(mock.finishes, 1);
}

/*
 * Queries queued before the connection is up run in order, with their
 * params copied; an SQL error maps to sql:<SQLSTATE> and the primary message.
 */
static void
test_fifo_and_sql_error(void **state)
{
	struct pg_conn	*c;
	char		 p[16];
	int		 i;

	script(2, PGRES_POLLING_READING, PGRES_POLLING_OK);
	c = pg_conn_new(loop_base(), "", NULL);
	for (i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "v%d", i);
		query(c, i == 2 ? "ERR select * from nope" : "SELECT $1",
		    i == 3 ? NULL : p, i);
	}
	memset(p, 'z', sizeof p - 1);	/* the copies must not see this */
	assert_int_equal(pg_pending(c), 5);
	run_until(&ndone, 5, 2000);
	for (i = 0; i < 5; i++)
		assert_int_equal(dones[i].order, i);
	assert_string_equal(dones[2].code, "sql:42P01");
	assert_string_equal(dones[2].msg, "relation \"nope\" does not exist");
	assert_string_equal(dones[4].code, "");
	assert_int_equal(mock.nsent, 5);
	assert_string_equal(mock.sent_p1[0], "v0");
	assert_string_equal(mock.sent_p1[3], "(null)");
	assert_string_equal(mock.sent_p1[4], "v4");
	assert_int_equal(pg_pending(c), 0);
	pg_conn_free(c);
}

/*
 * Failing attempts back off, then give up: PG_FAILED, and queued and later
 * queries complete with store-unreachable, from the loop only.
 */
static void
test_failure_backoff(void **state)
{
	struct pg_opts	 o = { 1000, 3, 20, 40, 0 };
	struct pg_conn	*c;
	int64_t		 t0;
	int		 failed;

	script(2, PGRES_POLLING_WRITING, PGRES_POLLING_FAILED);
	t0 = time_mono_us();
	c = pg_conn_new(loop_base(), "", &o);
	pg_conn_on_state(c, state_cb, NULL);
	query(c, "SELECT 1", "a", 1);
	query(c, "SELECT 2", "b", 2);
	run_until(&ndone, 2, 3000);
	/* two waits between three attempts: 20 ms, then 40 ms */
	assert_true(time_mono_us() - t0 >= 60000);
	assert_int_equal(mock.starts, 3);
	assert_int_equal(pg_conn_state(c), PG_FAILED);
	failed = has_state(PG_FAILED);
	assert_int_equal(failed, nstates);
	assert_int_equal(nstates, 5);	/* D C D C F */
	assert_int_equal(states[0], PG_DISCONNECTED);
	assert_int_equal(states[1], PG_CONNECTING);
	assert_string_equal(dones[0].code, "store-unreachable");
	assert_non_null(strstr(dones[0].msg, "mock says no"));
	assert_int_equal(dones[0].order, 1);
	assert_int_equal(dones[1].order, 2);
	assert_int_equal(mock.nsent, 0);

	query(c, "SELECT 3", "c", 3);
	assert_int_equal(ndone, 2);	/* not re-entrant */
	run_until(&ndone, 3, 2000);
	assert_string_equal(dones[2].code, "store-unreachable");
	assert_int_equal(mock.starts, 3);	/* no more attempts */
	pg_conn_free(c);
}

/* PQconnectStart failing at once is an attempt like any other. */
static void
test_start_bad(void **state)
{
	struct pg_opts	 o = { 1000, 2, 1, 1, 0 };
	struct pg_conn	*c;

	mock.start_bad = 1;
	script(1, PGRES_POLLING_FAILED);
	c = pg_conn_new(loop_base(), "", &o);
	pg_conn_on_state(c, state_cb, NULL);
	query(c, "SELECT 1", NULL, 1);
	run_until(&ndone, 1, 2000);
	assert_int_equal(mock.starts, 2);
	assert_int_equal(mock.poll_calls, 0);
	assert_int_equal(pg_conn_state(c), PG_FAILED);
	assert_string_equal(dones[0].code, "store-unreachable");
	pg_conn_free(c);
}

/* A server that never answers the handshake hits connect_timeout_ms. */
static void
test_connect_timeout(void **state)
{
	struct pg_opts	 o = { 30, 2, 1, 1, 0 };
	struct pg_conn	*c;

	script(2, PGRES_POLLING_WRITING, PGRES_POLLING_READING);
	mock.poll_silent = 1;
	c = pg_conn_new(loop_base(), "", &o);
	query(c, "SELECT 1", NULL, 1);
	run_until(&ndone, 1, 2000);
	assert_int_equal(pg_conn_state(c), PG_FAILED);
	assert_int_equal(mock.starts, 2);
	assert_string_equal(dones[0].code, "store-unreachable");
	assert_non_null(strstr(dones[0].msg, "timed out"));
	pg_conn_free(c);
}

static int	nnotify;
static char	notify_chan[64], notify_payload[64];

static void
notify_cb(const char *chan, const char *payload, void *arg)
{
	snprintf(notify_chan, sizeof notify_chan, "%s", chan);
	snprintf(notify_payload, sizeof notify_payload, "%s", payload);
	nnotify++;
}

static PGnotify *
make_notify(const char *chan, const char *payload)
{
	PGnotify	*n;
	size_t		 cl = strlen(chan) + 1, pl = strlen(payload) + 1;

	/* One block, as libpq does, so PQfreemem frees it all. */
	n = xcalloc(1, sizeof *n + cl + pl);
	n->relname = (char *)(n + 1);
	n->extra = n->relname + cl;
	memcpy(n->relname, chan, cl);
	memcpy(n->extra, payload, pl);
	return n;
}

/*
 * A dropped connection fails the query in flight (never resent), keeps
 * the queued one, reconnects, re-issues LISTEN first, and runs the rest.
 */
static void
test_lost_inflight_and_relisten(void **state)
{
	struct pg_opts	 o = { 1000, 0, 1, 2, 0 };
	struct pg_conn	*c;
	int		 i, hangs = 0;

	script(1, PGRES_POLLING_OK);
	nready = 0;
	c = pg_conn_new(loop_base(), "", &o);
	pg_conn_on_state(c, count_ready, NULL);
	pg_listen(c, "fills", notify_cb, NULL);
	run_until(&nready, 1, 2000);
	run_until(&mock.nsent, 1, 2000);
	assert_string_equal(mock.sent[0], "LISTEN \"fills\"");

	nnotify = 0;
	mock.notify = make_notify("fills", "{\"id\":7}");
	poke();
	run_until(&nnotify, 1, 2000);
	assert_string_equal(notify_chan, "fills");
	assert_string_equal(notify_payload, "{\"id\":7}");

	query(c, "HANG insert into orders", "x", 1);
	query(c, "SELECT after", "y", 2);
	run_until(&mock.nsent, 2, 2000);
	mock.consume_fail = 1;
	poke();
	run_until(&ndone, 1, 2000);
	assert_int_equal(dones[0].order, 1);
	assert_string_equal(dones[0].code, "store-unreachable");
	assert_true(has_state(PG_DISCONNECTED) > 0);

	run_until(&ndone, 2, 2000);
	assert_int_equal(dones[1].order, 2);
	assert_string_equal(dones[1].code, "");
	assert_int_equal(mock.starts, 2);
	assert_int_equal(nready, 2);
	assert_int_equal(mock.nsent, 4);
	assert_string_equal(mock.sent[2], "LISTEN \"fills\"");
	assert_string_equal(mock.sent[3], "SELECT after");
	for (i = 0; i < mock.nsent; i++)
		hangs += strncmp(mock.sent[i], "HANG", 4) == 0;
	assert_int_equal(hangs, 1);
	pg_conn_free(c);
}

/* A send that does not fit at once is flushed as the socket drains. */
static void
test_flush_more(void **state)
{
	struct pg_conn	*c;

	script(1, PGRES_POLLING_OK);
	c = pg_conn_new(loop_base(), "", NULL);
	mock.flush_more = 3;
	query(c, "SELECT big", "x", 1);
	run_until(&ndone, 1, 2000);
	assert_int_equal(mock.flush_calls, 4);
	assert_string_equal(dones[0].code, "");
	pg_conn_free(c);
}

/* Freeing a connection cancels what it still holds. */
static void
test_free_cancels(void **state)
{
	struct pg_conn	*c;

	script(1, PGRES_POLLING_READING);
	mock.poll_silent = 1;
	c = pg_conn_new(loop_base(), "", NULL);
	query(c, "SELECT 1", NULL, 1);
	query(c, "SELECT 2", NULL, 2);
	pg_conn_free(c);
	assert_int_equal(ndone, 2);
	assert_string_equal(dones[0].code, "cancelled");
	assert_string_equal(dones[1].code, "cancelled");
}

static struct pg_conn	*free_me;

static void
free_in_cb(PGresult *res, const struct err *e, void *arg)
{
	query_cb(res, e, arg);
	pg_conn_free(free_me);
	free_me = NULL;
}

/* A callback may free its own connection; the rest are cancelled. */
static void
test_free_from_callback(void **state)
{
	script(1, PGRES_POLLING_OK);
	free_me = pg_conn_new(loop_base(), "", NULL);
	pg_query(free_me, "SELECT 1", 0, NULL, free_in_cb, (void *)1);
	query(free_me, "SELECT 2", NULL, 2);
	run_until(&ndone, 2, 2000);
	assert_null(free_me);
	assert_string_equal(dones[0].code, "");
	assert_string_equal(dones[1].code, "cancelled");
}

/*
 * Named statements (pg_prep.c): a text's second query sends its Parse
 * alone, then runs by name, and so do later ones.  A connection lost
 * while only the Parse was out does not fail that query (it never ran):
 * it goes again once reconnected, prepared anew there.
 */
static void
test_prepared_and_lost_parse(void **state)
{
	struct pg_conn	*c;

	pg_prepare_default(1);
	script(2, PGRES_POLLING_READING, PGRES_POLLING_OK);
	c = pg_conn_new(loop_base(), "", NULL);
	query(c, "SELECT $1", "a", 1);
	query(c, "SELECT $1", "b", 2);
	query(c, "SELECT $1", "c", 3);
	run_until(&ndone, 3, 2000);
	assert_int_equal(mock.nsent, 4);
	assert_string_equal(mock.sent[0], "SELECT $1");
	assert_string_equal(mock.sent[1], "PREPARE px1 SELECT $1");
	assert_string_equal(mock.sent[2], "EXECUTE px1");
	assert_string_equal(mock.sent_p1[2], "b");
	assert_string_equal(mock.sent[3], "EXECUTE px1");
	assert_string_equal(mock.sent_p1[3], "c");
	assert_int_equal(pg_prepared(c), 1);

	query(c, "SELECT $2", "d", 4);
	run_until(&ndone, 4, 2000);
	mock.hang_prepare = 1;
	query(c, "SELECT $2", "e", 5);
	run_until(&mock.nsent, 6, 2000);
	assert_string_equal(mock.sent[5], "PREPARE px2 SELECT $2");
	mock.hang_prepare = 0;
	mock.consume_fail = 1;
	poke();
	run_until(&ndone, 5, 3000);
	assert_int_equal(mock.starts, 2);
	assert_string_equal(dones[4].code, "");
	assert_int_equal(dones[4].order, 5);
	/* Unnamed on the new connection: it has not seen the text yet. */
	assert_string_equal(mock.sent[6], "SELECT $2");
	assert_string_equal(mock.sent_p1[6], "e");
	assert_int_equal(pg_prepared(c), 0);
	pg_conn_free(c);
	pg_prepare_default(0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_prepared_and_lost_parse,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_connect_sequence,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_and_sql_error,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_backoff,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_bad,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_connect_timeout,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_inflight_and_relisten,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_more,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_cancels,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_from_callback,
		    setup, teardown),
	};

	log_open(NULL, LOG_ERROR);
	/* The mocks here speak the unnamed protocol; test_pg_live prepares
	 * against a real server. */
	pg_prepare_default(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
