/*
 * The lifecycle event writer (db/store_events.c) against a real server:
 * PHALANX_TEST_DSN names a throwaway cluster; without it every test is
 * skipped.  Each run works in a fresh database of its own.
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

#include <libpq-fe.h>

#include "db/db.h"
#include "db/store_events.h"
#include "testdb.h"

#define NORDERS	100

static char	*ci;		/* conninfo of our database */
static char	 home[256];
static int64_t	 orders[NORDERS];
static int64_t	 notified;	/* sum of "n" over NOTIFY payloads */

static void
sql_ok(PGconn *c, const char *sql)
{
	PGresult	*r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

static int64_t
sql_int(const char *sql)
{
	PGconn		*c = PQconnectdb(ci);
	PGresult	*r = PQexec(c, sql);
	int64_t		 v;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return v;
}

/* A fresh database, migrated, with one account and NORDERS orders. */
static int
setup(void **state)
{
	const char	*dsn = getenv("PHALANX_TEST_DSN"), *tmp;
	PGconn		*c;
	PGresult	*r;
	int		 i;

	if (dsn == NULL || *dsn == '\0')
		return 0;
	ci = testdb_create(dsn, "events");
	c = PQconnectdb(ci);
	sql_ok(c, "INSERT INTO brokers (name, kind) VALUES ('k1', 'kite')");
	sql_ok(c, "INSERT INTO accounts (name, broker_id, user_id) "
	    "SELECT 'acc1', id, 'AB1234' FROM brokers");
	r = PQexec(c, "INSERT INTO orders (account_id, slice, client_tag, "
	    "side, symbol, exchange, product, order_type, qty) "
	    "SELECT a.id, g, 'T' || g, 'BUY', 'NIFTY25NOVFUT', 'NFO', 'NRML', "
	    "'MARKET', 75 FROM accounts a, generate_series(1, 100) g "
	    "ORDER BY g RETURNING id");
	assert_int_equal(PQntuples(r), NORDERS);
	for (i = 0; i < NORDERS; i++)
		orders[i] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);

	tmp = getenv("TMPDIR");
	snprintf(home, sizeof home, "%s/events-live.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(home) == NULL)
		return -1;
	setenv("PHALANX_HOME", home, 1);
	return 0;
}

static int
teardown(void **state)
{
	const char	*dsn = getenv("PHALANX_TEST_DSN");
	char		*cmd;

	loop_free();
	if (ci == NULL)
		return 0;
	testdb_drop(dsn, "events");
	free(ci);
	cmd = xasprintf("rm -rf '%s'", home);
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	return 0;
}

static void
need_dsn(void)
{
	if (ci == NULL) {
		print_message("PHALANX_TEST_DSN not set: skipped\n");
		skip();
	}
}

static void
on_notify(const char *channel, const char *payload, void *arg)
{
	json_t	*j = json_loads(payload, 0, NULL);

	assert_non_null(j);
	notified += json_integer_value(json_object_get(j, "n"));
	json_decref(j);
}

struct until {
	struct events_writer	*w;
	int64_t			 deadline;
	uint64_t		 inserted;	/* wait for this many */
	int64_t			 notified;
	int			 expired;
};

static void
until_tick(evutil_socket_t fd, short what, void *arg)
{
	struct until		*u = arg;
	struct events_stats	 st;

	events_writer_stats(u->w, &st);
	if (events_writer_pending(u->w) == 0 &&
	    events_writer_journaled(u->w) == 0 &&
	    st.inserted + st.duplicates >= u->inserted &&
	    notified >= u->notified)
		loop_exit();
	else if (time_mono_us() > u->deadline) {
		u->expired = 1;
		loop_exit();
	}
}

/* Run the loop until w has written everything (or ms pass). */
static void
run_until(struct events_writer *w, uint64_t inserted, int64_t notify_n,
    int ms)
{
	struct until	 u = { w, time_mono_us() + ms * 1000LL, inserted,
			    notify_n, 0 };
	struct timeval	 tv = { 0, 2000 };
	struct event	*ev;

	ev = event_new(loop_base(), -1, EV_PERSIST, until_tick, &u);
	event_add(ev, &tv);
	loop_run();
	event_free(ev);
	if (u.expired)
		fail_msg("timed out: pending %zu, journaled %zu",
		    events_writer_pending(w), events_writer_journaled(w));
}

/* Run the loop for ms, whatever happens. */
static void
run_for(int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(loop_base(), &tv);
	loop_run();
}

static void
write_events(struct events_writer *w, int from, int n)
{
	struct order_event	ev;
	struct err		e;
	int			i;

	for (i = from; i < from + n; i++) {
		memset(&ev, 0, sizeof ev);
		ev.order_id = orders[i % NORDERS];
		ev.state = i < from + n - NORDERS ? BROKER_OPEN :
		    BROKER_FILLED;
		ev.broker_status = i % 7 ? "OPEN" : "it's \"quoted\", \\ too";
		ev.filled_qty = ev.state == BROKER_FILLED ? 75 : 0;
		ev.avg_price = ev.state == BROKER_FILLED ? 2415055 : -1;
		ev.message = i % 3 ? NULL : "message";
		ev.latency_us = i;	/* the sequence, to check order */
		if (events_write(w, &ev, &e) != 0)
			fail_msg("events_write: %s", e.msg);
	}
}

/* Rows of latency_us in [from, to) come back in id order, none missing. */
static void
check_rows(int from, int to)
{
	char	sql[256];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM order_events "
	    "WHERE latency_us >= %d AND latency_us < %d", from, to);
	assert_int_equal(sql_int(sql), to - from);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT latency_us, "
	    "lag(latency_us) OVER (ORDER BY id) AS prev FROM order_events "
	    "WHERE latency_us >= %d AND latency_us < %d) s "
	    "WHERE prev IS NOT NULL AND prev >= latency_us", from, to);
	assert_int_equal(sql_int(sql), 0);
}

static void
test_ten_thousand(void **state)
{
	struct pg_conn		*pg, *lis;
	struct journal		*j;
	struct events_writer	*w;
	struct events_stats	 st;

	need_dsn();
	j = journal_open("events-10k", NULL);
	assert_non_null(j);
	pg = pg_conn_new(loop_base(), ci, NULL);
	lis = pg_conn_new(loop_base(), ci, NULL);
	pg_listen(lis, EVENTS_CHANNEL, on_notify, NULL);
	run_for(200);
	notified = 0;
	w = events_writer_new(loop_base(), pg, j, NULL);
	write_events(w, 0, 10000);
	run_until(w, 10000, 10000, 20000);
	events_writer_stats(w, &st);
	assert_int_equal(st.inserted, 10000);
	assert_int_equal(st.no_order, 0);
	assert_int_equal(st.journaled, 0);
	assert_true(st.batches >= 2);
	assert_int_equal(notified, 10000);
	check_rows(0, 10000);
	assert_int_equal(sql_int("SELECT count(*) FROM order_events "
	    "WHERE broker_status = 'it''s \"quoted\", \\ too'"), 1429);
	/* Each order ends in its last event's state, fill and price. */
	assert_int_equal(sql_int("SELECT count(*) FROM orders WHERE "
	    "state = 'FILLED' AND filled_qty = 75 AND avg_price = 24150.55"),
	    NORDERS);

	/* An unknown order is dropped and counted, the rest still lands. */
	{
		struct order_event	ev = { 0 };

		ev.order_id = 999999;
		ev.state = BROKER_OPEN;
		ev.filled_qty = -1;
		ev.latency_us = 20000;
		assert_int_equal(events_write(w, &ev, NULL), 0);
		write_events(w, 20001, 1);
		run_until(w, 10001, 10001, 5000);
		events_writer_stats(w, &st);
		assert_int_equal(st.no_order, 1);
	}

	/*
	 * A late, older event (OPEN, nothing filled) is kept as history but
	 * does not undo a FILLED order: the row only moves forward.
	 */
	{
		struct order_event	ev = { 0 };

		ev.order_id = orders[0];
		ev.state = BROKER_OPEN;
		ev.filled_qty = 0;
		ev.latency_us = 99999;	/* outside every range checked */
		assert_int_equal(events_write(w, &ev, NULL), 0);
		run_until(w, 10002, 10002, 5000);
		assert_int_equal(sql_int("SELECT count(*) FROM orders WHERE "
		    "state = 'FILLED' AND filled_qty = 75"), NORDERS);
		assert_int_equal(sql_int("SELECT count(*) FROM order_events "
		    "WHERE latency_us = 99999 AND state = 'OPEN'"), 1);
	}
	events_writer_free(w);
	pg_conn_free(lis);
	pg_conn_free(pg);
	journal_close(j);
}

/*
 * The writer starts on a dead socket: everything goes to the journal.
 * Moved to the live server it replays the journal before anything newer,
 * and a second replay of the same journal writes nothing twice.
 */
static void
test_dead_then_live(void **state)
{
	struct pg_opts		 dead_opts = { 200, 0, 20, 50, 0 };
	struct pg_conn		*dead, *live;
	struct journal		*j;
	struct events_writer	*w;
	struct events_stats	 st;
	char			*path, *copy, *cmd;
	int64_t			 before;

	need_dsn();
	j = journal_open("events-dead", NULL);
	assert_non_null(j);
	path = xstrdup(journal_path(j));
	before = sql_int("SELECT count(*) FROM order_events");
	dead = pg_conn_new(loop_base(), "host=/nonexistent-phalanx port=1 "
	    "user=x dbname=x connect_timeout=1", &dead_opts);
	w = events_writer_new(loop_base(), dead, j, NULL);
	write_events(w, 30000, 1000);
	run_for(100);
	write_events(w, 31000, 500);
	run_for(100);
	assert_int_equal(events_writer_pending(w), 0);
	assert_int_equal(events_writer_journaled(w), 1500);
	events_writer_stats(w, &st);
	assert_int_equal(st.inserted, 0);
	assert_int_equal(st.journaled, 1500);
	assert_int_equal(sql_int("SELECT count(*) FROM order_events"), before);

	/* Keep a copy of the journal to replay it a second time below. */
	copy = xasprintf("%s.copy", path);
	cmd = xasprintf("cp '%s' '%s'", path, copy);
	assert_int_equal(system(cmd), 0);
	free(cmd);

	/*
	 * The contract: an event written while the connection is not READY
	 * goes to the journal, even if the connection is up by the next
	 * flush.  The 200 newer ones are written before the new connection
	 * can be READY (it connects from the loop), so they are journaled
	 * behind the 1500 and replayed after them, whatever the timing.
	 */
	live = pg_conn_new(loop_base(), ci, NULL);
	events_writer_set_conn(w, live);
	pg_conn_free(dead);
	assert_int_not_equal(pg_conn_state(live), PG_READY);
	write_events(w, 31500, 200);	/* newer: must land after the replay */
	run_until(w, 1700, 0, 20000);
	events_writer_stats(w, &st);
	assert_int_equal(st.replayed, 1700);
	assert_int_equal(st.journaled, 1700);
	assert_int_equal(st.inserted, 1700);
	assert_int_equal(st.duplicates, 0);
	assert_int_equal(journal_count(j), 0);
	check_rows(30000, 31700);

	/* Written once READY: straight to the store, no journal. */
	write_events(w, 31700, 100);
	run_until(w, 1800, 0, 20000);
	events_writer_stats(w, &st);
	assert_int_equal(st.journaled, 1700);
	assert_int_equal(st.inserted, 1800);
	check_rows(30000, 31800);
	events_writer_free(w);
	journal_close(j);

	/* The same journal again: every row is already there. */
	cmd = xasprintf("cp '%s' '%s'", copy, path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	j = journal_open("events-dead", NULL);
	assert_int_equal(journal_count(j), 1500);
	w = events_writer_new(loop_base(), live, j, NULL);
	run_until(w, 1500, 0, 20000);
	events_writer_stats(w, &st);
	assert_int_equal(st.duplicates, 1500);
	assert_int_equal(st.inserted, 0);
	assert_int_equal(sql_int("SELECT count(*) FROM order_events"),
	    before + 1800);
	events_writer_free(w);
	pg_conn_free(live);
	journal_close(j);
	free(copy);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ten_thousand),
		cmocka_unit_test(test_dead_then_live),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
