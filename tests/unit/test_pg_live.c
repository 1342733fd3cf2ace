/*
 * src/net/pg.c against a real server: PHALANX_TEST_DSN names a throwaway
 * cluster (tests/run.sh starts one).  Without it every test is skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "net/net.h"
#include "testlib.h"

#define MAXDONE 64

struct done {
	int	order;
	char	code[40];
	char	msg[512];
	char	v0[64];		/* first column of the first row */
	char	v1[64];		/* second column, "(null)" for SQL NULL */
	int	ntuples;
	int	in_flight;	/* pg_in_flight(watched) as it completed */
};

static const char	*dsn;
static struct done	 dones[MAXDONE];
static int		 ndone;
static struct pg_conn	*watched;

static void
query_cb(PGresult *res, const struct err *e, void *arg)
{
	struct done	*d = &dones[ndone];

	assert_true(ndone < MAXDONE);
	memset(d, 0, sizeof *d);
	d->order = (int)(intptr_t)arg;
	d->in_flight = watched != NULL ? (int)pg_in_flight(watched) : -1;
	if (e != NULL) {
		snprintf(d->code, sizeof d->code, "%s", e->code);
		snprintf(d->msg, sizeof d->msg, "%s", e->msg);
	} else if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		d->ntuples = PQntuples(res);
		if (d->ntuples > 0 && PQnfields(res) > 0)
			snprintf(d->v0, sizeof d->v0, "%s",
			    PQgetisnull(res, 0, 0) ? "(null)" :
			    PQgetvalue(res, 0, 0));
		if (d->ntuples > 0 && PQnfields(res) > 1)
			snprintf(d->v1, sizeof d->v1, "%s",
			    PQgetisnull(res, 0, 1) ? "(null)" :
			    PQgetvalue(res, 0, 1));
	}
	ndone++;
}

/* Two connections complete in no fixed order relative to each other. */
static struct done *
find_done(int order)
{
	int	i;

	for (i = 0; i < ndone; i++) {
		if (dones[i].order == order)
			return &dones[i];
	}
	fail_msg("no completion for query %d", order);
	return NULL;
}

static int
setup(void **state)
{
	ndone = 0;
	watched = NULL;
	return 0;
}

static int
teardown(void **state)
{
	loop_free();
	return 0;
}

static void
need_dsn(void)
{
	if (dsn == NULL || *dsn == '\0') {
		print_message("PHALANX_TEST_DSN not set: skipped\n");
		skip();
	}
}

static void
q(struct pg_conn *c, const char *sql, int n, const char *const *p, int order)
{
	pg_query(c, sql, n, p, query_cb, (void *)(intptr_t)order);
}

/*
 * Queries complete in the order queued, NULL params arrive as SQL NULL, a
 * param of 8 MiB makes PQflush resume; returns the most queries still in
 * flight as one completed.
 */
static int
order_and_params(struct pg_conn *c)
{
	const char	*p[2];
	char		 buf[16], *big;
	int		 i, most = 0;

	watched = c;
	q(c, "CREATE TEMP TABLE t (a int, b text)", 0, NULL, 0);
	for (i = 1; i <= 20; i++) {
		snprintf(buf, sizeof buf, "%d", i);
		p[0] = buf;
		p[1] = i % 2 ? NULL : "even";
		q(c, "INSERT INTO t VALUES ($1, $2) RETURNING a, b", 2, p, i);
	}
	p[0] = NULL;
	p[1] = "x";
	q(c, "SELECT $1::text IS NULL, $2::text", 2, p, 21);
	q(c, "SELECT count(*), count(b) FROM t", 0, NULL, 22);
	/* 8 MiB will not fit the socket at once: PQflush has to be resumed */
	big = xmalloc(8 << 20);
	memset(big, 'p', 8 << 20);
	big[(8 << 20) - 1] = '\0';
	p[0] = big;
	q(c, "SELECT length($1)", 1, p, 23);
	free(big);
	assert_int_equal(pg_pending(c), 24);
	run_until(&ndone, 24, 10000);
	assert_string_equal(dones[23].v0, "8388607");
	for (i = 0; i < 24; i++) {
		most = dones[i].in_flight > most ? dones[i].in_flight : most;
		assert_int_equal(dones[i].order, i);
		assert_string_equal(dones[i].code, "");
	}
	assert_string_equal(dones[3].v0, "3");
	assert_string_equal(dones[3].v1, "(null)");
	assert_string_equal(dones[4].v1, "even");
	assert_string_equal(dones[21].v0, "t");
	assert_string_equal(dones[21].v1, "x");
	assert_string_equal(dones[22].v0, "20");
	assert_string_equal(dones[22].v1, "10");
	assert_int_equal(pg_pending(c), 0);
	assert_int_equal(pg_in_flight(c), 0);
	assert_int_equal(pg_conn_state(c), PG_READY);
	return most;
}

/* Without pipeline mode, one query at a time. */
static void
test_order_and_params(void **state)
{
	struct pg_conn	*c;

	need_dsn();
	c = pg_conn_new(loop_base(), dsn, NULL);
	assert_int_equal(order_and_params(c), 0);
	pg_conn_free(c);
}

/* An SQL error carries its SQLSTATE; the connection carries on. */
static void
test_sql_error(void **state)
{
	struct pg_conn	*c;

	need_dsn();
	c = pg_conn_new(loop_base(), dsn, NULL);
	q(c, "SELECT * FROM no_such_table", 0, NULL, 1);
	q(c, "SELECT 1/0", 0, NULL, 2);
	q(c, "SELECT 'still here'", 0, NULL, 3);
	run_until(&ndone, 3, 5000);
	assert_string_equal(dones[0].code, "sql:42P01");
	assert_non_null(strstr(dones[0].msg, "no_such_table"));
	assert_null(strchr(dones[0].msg, '\n'));
	assert_string_equal(dones[1].code, "sql:22012");
	assert_string_equal(dones[2].code, "");
	assert_string_equal(dones[2].v0, "still here");
	pg_conn_free(c);
}

static int	nnotify;
static char	payloads[8][64];
static char	chan[64];	/* per process: suites may share a database */

static void
notify_cb(const char *channel, const char *payload, void *arg)
{
	assert_string_equal(channel, chan);
	if (nnotify < 8)
		snprintf(payloads[nnotify], sizeof payloads[0], "%s", payload);
	nnotify++;
}

/*
 * NOTIFY from one connection reaches the other's listener; after the
 * listener's backend is killed mid-query, that query fails with
 * store-unreachable, the connection comes back and LISTEN is re-issued.
 */
static void
test_listen_notify_reconnect(void **state)
{
	struct pg_opts	 o = { 5000, 0, 10, 100, 0 };
	struct pg_conn	*a, *b;
	const char	*p[2];

	need_dsn();
	nnotify = 0;
	snprintf(chan, sizeof chan, "px test %ld", (long)getpid());
	a = pg_conn_new(loop_base(), dsn, &o);
	b = pg_conn_new(loop_base(), dsn, NULL);
	pg_listen(a, chan, notify_cb, NULL);
	q(a, "SELECT pg_backend_pid()", 0, NULL, 1);
	run_until(&ndone, 1, 5000);	/* LISTEN went first */
	p[0] = chan;
	p[1] = "hello";
	q(b, "SELECT pg_notify($1, $2)", 2, p, 2);
	run_until(&nnotify, 1, 5000);
	assert_string_equal(payloads[0], "hello");

	p[0] = dones[0].v0;
	q(a, "SELECT pg_sleep(30)", 0, NULL, 3);
	q(b, "SELECT pg_terminate_backend($1::int) FROM pg_sleep(0.2)", 1, p,
	    4);
	run_until(&ndone, 4, 10000);
	assert_string_equal(find_done(4)->v0, "t");
	assert_string_equal(find_done(3)->code, "store-unreachable");

	q(a, "SELECT 'back'", 0, NULL, 5);
	run_until(&ndone, 5, 5000);
	assert_string_equal(dones[4].v0, "back");
	p[0] = chan;
	p[1] = "again";
	q(b, "SELECT pg_notify($1, $2)", 2, p, 6);
	run_until(&nnotify, 2, 5000);
	assert_string_equal(payloads[1], "again");
	pg_conn_free(a);
	pg_conn_free(b);
}

static enum pg_state	last_state;
static int		nfailed;

static void
state_cb(enum pg_state st, const char *why, void *arg)
{
	last_state = st;
	if (st == PG_FAILED)
		nfailed++;
}

/* A socket path with no server behind it: PG_FAILED, store-unreachable. */
static void
test_dead_socket(void **state)
{
	struct pg_opts	 o = { 1000, 2, 10, 20, 0 };
	struct pg_conn	*c;

	need_dsn();
	nfailed = 0;
	c = pg_conn_new(loop_base(),
	    "host=/nonexistent/phalanx-test user=phalanx dbname=postgres", &o);
	pg_conn_on_state(c, state_cb, NULL);
	q(c, "SELECT 1", 0, NULL, 1);
	run_until(&ndone, 1, 5000);
	assert_int_equal(nfailed, 1);
	assert_int_equal(last_state, PG_FAILED);
	assert_int_equal(pg_conn_state(c), PG_FAILED);
	assert_string_equal(dones[0].code, "store-unreachable");
	assert_non_null(strstr(dones[0].msg, "/nonexistent/phalanx-test"));
	pg_conn_free(c);
}

/* Table tab's rows as "1,2" (in the session of c), then dropped. */
static const char *
rows_then_drop(struct pg_conn *c, const char *tab, int order)
{
	char	sql[160];

	snprintf(sql, sizeof sql, "SELECT string_agg(a::text, ',' ORDER BY a) "
	    "FROM %s", tab);
	q(c, sql, 0, NULL, order);
	snprintf(sql, sizeof sql, "DROP TABLE %s", tab);
	q(c, sql, 0, NULL, order + 1);
	run_until(&ndone, ndone + 2, 5000);
	assert_string_equal(find_done(order + 1)->code, "");
	return find_done(order)->v0;
}

/*
 * Pipeline mode: queries queued before the connection is ready go out
 * depth at a time -- as one completes, three are still in flight -- and
 * complete in order, as above, while a LISTEN on the same connection
 * still works; COPY is refused.
 */
static void
test_pipeline_order(void **state)
{
	struct pg_conn	*c, *b;
	const char	*p[2];

	need_dsn();
	nnotify = 0;
	snprintf(chan, sizeof chan, "px pipe %ld", (long)getpid());
	c = pg_conn_new(loop_base(), dsn, NULL);
	pg_conn_set_pipeline(c, 4);
	pg_listen(c, chan, notify_cb, NULL);
	assert_int_equal(order_and_params(c), 3);

	b = pg_conn_new(loop_base(), dsn, NULL);
	p[0] = chan;
	p[1] = "piped";
	q(b, "SELECT pg_notify($1, $2)", 2, p, 24);
	run_until(&nnotify, 1, 5000);
	assert_string_equal(payloads[0], "piped");
	/* COPY cannot go in a pipeline: refused, the connection carries on. */
	pg_query_copy(c, "COPY t FROM STDIN", "1\tx\n", 4, query_cb,
	    (void *)(intptr_t)25);
	q(c, "SELECT count(*) FROM t", 0, NULL, 26);
	run_until(&ndone, 27, 5000);
	assert_string_equal(find_done(25)->code, "store-error");
	assert_non_null(strstr(find_done(25)->msg, "COPY"));
	assert_string_equal(find_done(26)->v0, "20");
	pg_conn_free(b);
	pg_conn_free(c);
}

/*
 * Each query is its own transaction with its own sync: the one that
 * fails, in flight between two inserts, fails alone, both inserts commit
 * and each is answered only once committed (another connection sees it).
 */
static void
test_pipeline_error_alone(void **state)
{
	struct pg_conn	*c;
	char		 sql[160], tab[48];

	need_dsn();
	snprintf(tab, sizeof tab, "px_pipe_err_%ld", (long)getpid());
	c = pg_conn_new(loop_base(), dsn, NULL);
	pg_conn_set_pipeline(c, 8);
	watched = c;
	snprintf(sql, sizeof sql, "CREATE TABLE %s (a int)", tab);
	q(c, sql, 0, NULL, 0);
	snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (1)", tab);
	q(c, sql, 0, NULL, 1);
	q(c, "SELECT 1/0", 0, NULL, 2);
	q(c, "SELECT * FROM no_such_table", 0, NULL, 3);
	snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (2)", tab);
	q(c, sql, 0, NULL, 4);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tab);
	q(c, sql, 0, NULL, 5);
	run_until(&ndone, 6, 5000);
	assert_int_equal(dones[0].in_flight, 5);
	assert_string_equal(dones[1].code, "");
	assert_string_equal(dones[2].code, "sql:22012");
	assert_string_equal(dones[3].code, "sql:42P01");
	assert_non_null(strstr(dones[3].msg, "no_such_table"));
	assert_string_equal(dones[4].code, "");
	assert_string_equal(dones[5].v0, "2");
	pg_conn_free(c);

	/* Committed: a fresh session sees both rows. */
	c = pg_conn_new(loop_base(), dsn, NULL);
	watched = NULL;
	assert_string_equal(rows_then_drop(c, tab, 6), "1,2");
	pg_conn_free(c);
}

/*
 * The backend is killed while four queries are in flight and two more
 * wait: the four fail with store-unreachable (one of them could have run,
 * so none is sent again), the two waiting run once after the reconnect,
 * in pipeline mode again.  The table then holds each row that was
 * answered as stored exactly once, and none of those answered as failed
 * (they were behind the sleep the kill cut short).
 */
static void
test_pipeline_killed(void **state)
{
	struct pg_opts	 o = { 5000, 0, 10, 100, 0 };
	struct pg_conn	*a, *b;
	const char	*p[1];
	char		 sql[160], tab[48];
	int		 i;

	need_dsn();
	snprintf(tab, sizeof tab, "px_pipe_kill_%ld", (long)getpid());
	a = pg_conn_new(loop_base(), dsn, &o);
	b = pg_conn_new(loop_base(), dsn, NULL);
	pg_conn_set_pipeline(a, 4);
	snprintf(sql, sizeof sql, "CREATE TABLE %s (a int)", tab);
	q(b, sql, 0, NULL, 0);
	q(a, "SELECT pg_backend_pid()", 0, NULL, 1);
	run_until(&ndone, 2, 5000);
	assert_string_equal(find_done(0)->code, "");

	watched = a;
	q(a, "SELECT pg_sleep(30)", 0, NULL, 2);
	for (i = 3; i <= 7; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (%d)", tab, i);
		q(a, sql, 0, NULL, i);
	}
	p[0] = find_done(1)->v0;
	q(b, "SELECT pg_terminate_backend($1::int) FROM pg_sleep(0.3)", 1, p,
	    8);
	run_until(&ndone, 9, 10000);
	assert_string_equal(find_done(8)->v0, "t");
	for (i = 2; i <= 5; i++)
		assert_string_equal(find_done(i)->code, "store-unreachable");
	assert_string_equal(find_done(6)->code, "");
	assert_string_equal(find_done(7)->code, "");
	/* The last two went out together, after the reconnect. */
	assert_int_equal(find_done(6)->in_flight, 1);
	for (i = 3; i <= 7; i++)
		assert_true(find_done(i) > find_done(i - 1));
	assert_string_equal(rows_then_drop(b, tab, 9), "6,7");
	assert_int_equal(pg_pending(a), 0);
	assert_int_equal(pg_conn_state(a), PG_READY);
	pg_conn_free(a);
	pg_conn_free(b);
}

/* n times the same text on c, each a query of its own; the last's v0
 * once everything queued on c is done. */
static const char *
same_text(struct pg_conn *c, const char *sql, int n, int order)
{
	int	i;

	for (i = 0; i < n; i++)
		q(c, sql, 0, NULL, order + i);
	/* Queries queued before these complete first. */
	run_until(&ndone, ndone + (int)pg_pending(c), 5000);
	return find_done(order + n - 1)->v0;
}

/*
 * A text sent a second time is prepared under a name and then runs by
 * it (the server lists it); a text sent once is not; the answers are
 * those of the unnamed statements.  store.prepare = false: none is.
 */
static void
test_prepared(void **state)
{
	struct pg_conn	*c;
	const char	*p[1];
	char		 n[16];
	int		 i;

	need_dsn();
	c = pg_conn_new(loop_base(), dsn, NULL);
	q(c, "SELECT 'once'", 0, NULL, 0);
	for (i = 1; i <= 6; i++) {
		snprintf(n, sizeof n, "%d", i * 7);
		p[0] = n;
		q(c, "SELECT $1::int * 2, 'px marker'", 1, p, i);
	}
	run_until(&ndone, 7, 5000);
	for (i = 1; i <= 6; i++) {
		snprintf(n, sizeof n, "%d", i * 14);
		assert_string_equal(find_done(i)->code, "");
		assert_string_equal(find_done(i)->v0, n);
	}
	assert_int_equal(pg_prepared(c), 1);
	assert_string_equal(same_text(c, "SELECT string_agg(name || ':' || "
	    "statement, ',') FROM pg_prepared_statements WHERE statement "
	    "LIKE '%px marker%' AND statement NOT LIKE '%pg_prepared%'", 1,
	    10), "px1:SELECT $1::int * 2, 'px marker'");
	pg_conn_free(c);

	pg_prepare_default(0);
	c = pg_conn_new(loop_base(), dsn, NULL);
	assert_string_equal(same_text(c, "SELECT 'unnamed'", 4, 20), "unnamed");
	assert_int_equal(pg_prepared(c), 0);
	assert_string_equal(same_text(c, "SELECT count(*) FROM "
	    "pg_prepared_statements", 1, 30), "0");
	pg_conn_free(c);
	pg_prepare_default(1);
}

/*
 * The server forgets the names (DISCARD ALL, as a pooler would): the
 * query it refused by name is sent again unnamed and answers; the
 * connection prepares no more.  A table that grew a column under a
 * prepared SELECT * (a migration meanwhile): prepared again, under a
 * new name, with the new column.
 */
static void
test_prepared_forgotten(void **state)
{
	struct pg_conn	*c;

	need_dsn();
	c = pg_conn_new(loop_base(), dsn, NULL);
	assert_string_equal(same_text(c, "SELECT 'kept' AS k", 3, 0), "kept");
	assert_int_equal(pg_prepared(c), 1);
	q(c, "DISCARD ALL", 0, NULL, 3);
	assert_string_equal(same_text(c, "SELECT 'kept' AS k", 2, 4), "kept");
	assert_string_equal(find_done(3)->code, "");
	assert_string_equal(find_done(4)->code, "");
	assert_string_equal(same_text(c, "SELECT 'next'", 3, 6), "next");
	assert_string_equal(same_text(c, "SELECT count(*) FROM "
	    "pg_prepared_statements", 2, 9), "0");
	pg_conn_free(c);

	c = pg_conn_new(loop_base(), dsn, NULL);
	q(c, "CREATE TEMP TABLE grows (a int)", 0, NULL, 20);
	q(c, "INSERT INTO grows VALUES (1)", 0, NULL, 21);
	assert_string_equal(same_text(c, "SELECT * FROM grows", 3, 22), "1");
	q(c, "ALTER TABLE grows ADD COLUMN b text DEFAULT 'two'", 0, NULL, 25);
	assert_string_equal(same_text(c, "SELECT * FROM grows", 2, 26), "1");
	assert_string_equal(find_done(26)->code, "");
	assert_string_equal(find_done(26)->v1, "two");
	assert_string_equal(find_done(27)->v1, "two");
	pg_conn_free(c);
}

/*
 * A text that does not parse fails each time with the server's reason,
 * prepared or not, and the connection carries on; in pipeline mode the
 * Parse and the query go together, and so do their failures.
 */
static void
test_prepared_errors(void **state)
{
	struct pg_conn	*c;
	int		 depth, i;

	need_dsn();
	for (depth = 1; depth <= 3; depth += 2) {
		ndone = 0;
		c = pg_conn_new(loop_base(), dsn, NULL);
		pg_conn_set_pipeline(c, depth);
		for (i = 0; i < 3; i++) {
			q(c, "SELEC 1", 0, NULL, 2 * i);
			q(c, "SELECT 'fine'", 0, NULL, 2 * i + 1);
		}
		run_until(&ndone, 6, 5000);
		for (i = 0; i < 3; i++) {
			assert_string_equal(find_done(2 * i)->code,
			    "sql:42601");
			assert_string_equal(find_done(2 * i + 1)->code, "");
			assert_string_equal(find_done(2 * i + 1)->v0, "fine");
		}
		assert_int_equal(pg_prepared(c), 1);
		pg_conn_free(c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_and_params,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_sql_error,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_notify_reconnect,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_socket,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_order,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_error_alone,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_killed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepared,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepared_forgotten,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepared_errors,
		    setup, teardown),
	};

	dsn = getenv("PHALANX_TEST_DSN");
	log_open(NULL, LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
