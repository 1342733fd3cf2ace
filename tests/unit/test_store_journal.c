/*
 * Writes kept through an outage (db/store_journal.c) against a real
 * server: PHALANX_TEST_DSN names a throwaway cluster; each run works in a
 * fresh database of its own.
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
#include "db/store_fanout.h"
#include "db/store_journal.h"
#include "db/store_positions.h"
#include "testdb.h"

static char	*ci;
static char	 home[256];
static int64_t	 acct_id;

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

static int
setup(void **state)
{
	const char	*dsn = getenv("PHALANX_TEST_DSN"), *tmp;

	if (dsn == NULL || *dsn == '\0')
		return 0;
	ci = testdb_create(dsn, "sj");
	testdb_exec(ci, "INSERT INTO brokers (name, kind) VALUES ('k1', 'kite')");
	testdb_exec(ci, "INSERT INTO accounts (name, broker_id, user_id) "
	    "SELECT 'acc1', id, 'AB1234' FROM brokers");
	acct_id = sql_int("SELECT id FROM accounts");
	tmp = getenv("TMPDIR");
	snprintf(home, sizeof home, "%s/store-journal.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(home) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	const char	*dsn = getenv("PHALANX_TEST_DSN");
	char		*cmd;
	int		 rc;

	loop_free();
	if (ci == NULL)
		return 0;
	testdb_drop(dsn, "sj");
	free(ci);
	cmd = xasprintf("rm -rf '%s'", home);
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static void
need_dsn(void)
{
	if (ci == NULL) {
		print_message("PHALANX_TEST_DSN not set: skipped\n");
		skip();
	}
}

struct answer {
	int		 n;
	int		 rows;		/* -1: error */
	struct err	 err;
};

static void
answered(json_t *rows, const struct err *err, void *arg)
{
	struct answer	*a = arg;

	a->n++;
	a->rows = err != NULL ? -1 : (int)json_array_size(rows);
	if (err != NULL)
		a->err = *err;
}

/* Run the loop until the store journal is empty and nothing is queued. */
static void
drain(struct store *st, int ms)
{
	int64_t	until = time_mono_us() + ms * 1000LL;

	for (;;) {
		struct timeval	tv = { 0, 20000 };

		event_base_loopexit(loop_base(), &tv);
		loop_run();
		if (store_journal_pending(st) == 0 &&
		    pg_pending(store_conn(st)) == 0 &&
		    pg_conn_state(store_conn(st)) == PG_READY)
			return;
		if (time_mono_us() > until)
			fail_msg("timed out: %zu pending",
			    store_journal_pending(st));
	}
}

/* Turn the loop until *n is set. */
static void
spin_until(const int *n)
{
	while (*n == 0) {
		struct timeval	tv = { 0, 20000 };

		event_base_loopexit(loop_base(), &tv);
		loop_run();
	}
}

static void
fill(struct store *st, int64_t qty, struct answer *a)
{
	store_position_fill(st, acct_id, "NFO", "NIFTY25DECFUT", "NRML", qty,
	    2415055, answered, a);
}

#define QTY	"SELECT qty FROM positions"

/*
 * A write made before the connection is READY is journaled (its caller
 * learns it is durable), replayed once the store answers; the same
 * journal replayed again -- a process killed after the store committed
 * and before it cut the journal -- moves the position no further.
 */
static void
test_journaled_replayed_once(void **state)
{
	struct store	*st;
	struct answer	 a = { 0 }, b = { 0 };
	struct err	 e;
	char		*path, *cmd;

	need_dsn();
	st = store_open(loop_base(), ci, NULL);
	err_clear(&e);
	assert_int_equal(store_journal_open(st, home, &e), 0);
	assert_int_not_equal(pg_conn_state(store_conn(st)), PG_READY);
	fill(st, 75, &a);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.rows, 0);
	assert_int_equal(store_journal_pending(st), 1);
	path = xasprintf("%s/journal/store.jsonl", home);
	cmd = xasprintf("cp '%s' '%s.copy'", path, path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	drain(st, 10000);
	assert_int_equal(sql_int(QTY), 75);
	assert_int_equal(sql_int("SELECT count(*) FROM journal_applied"), 1);

	/* Once READY and empty, a write goes straight to the store. */
	fill(st, 75, &b);
	drain(st, 10000);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.rows, 1);
	assert_int_equal(sql_int(QTY), 150);
	store_close(st);

	cmd = xasprintf("cp '%s.copy' '%s'", path, path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	st = store_open(loop_base(), ci, NULL);
	assert_int_equal(store_journal_open(st, home, &e), 0);
	assert_int_equal(store_journal_pending(st), 1);
	drain(st, 10000);
	assert_int_equal(sql_int(QTY), 150);
	assert_int_equal(sql_int("SELECT count(*) FROM journal_applied"), 2);
	store_close(st);
	free(path);
}

/*
 * The store gone and no journal: the write fails, naming both reasons;
 * with a journal it is kept, in order, behind the older ones.
 */
static void
test_unreachable(void **state)
{
	struct pg_opts	 dead = { 200, 1, 20, 50, 0 };
	struct store	*st;
	struct answer	 a = { 0 }, b = { 0 }, c = { 0 };
	struct err	 e;
	char		*dir;

	need_dsn();
	st = store_open(loop_base(), "host=/nonexistent-phalanx port=1 "
	    "user=x dbname=x connect_timeout=1", &dead);
	store_order_broker_id(st, 1, "X1", answered, &a);
	spin_until(&a.n);
	assert_int_equal(a.rows, -1);
	assert_string_equal(a.err.code, "store-unreachable");
	assert_non_null(strstr(a.err.msg, "not journaled"));

	dir = xasprintf("%s/other", home);
	err_clear(&e);
	assert_int_equal(store_journal_open(st, dir, &e), 0);
	store_order_broker_id(st, 1, "X1", answered, &b);
	fill(st, 75, &c);
	assert_int_equal(c.rows, 0);
	/* The ids go at the end of the loop turn, kept there. */
	assert_int_equal(b.n, 0);
	spin_until(&b.n);
	assert_int_equal(b.rows, 0);
	assert_int_equal(store_journal_pending(st), 2);
	store_close(st);
	free(dir);
}

/* n orders of acc1, tagged PREFIX0.., their ids in o (o[3] of the
 * first kind given broker id OLD when old is set). */
static void
make_orders(const char *prefix, int n, int old, int64_t *o)
{
	char	sql[320];
	int	i;

	for (i = 0; i < n; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO orders (account_id, "
		    "client_tag, side, symbol, exchange, product, order_type, "
		    "qty%s) VALUES (%lld, '%s%d', 'BUY', 'NIFTY25DECFUT', "
		    "'NFO', 'NRML', 'MARKET', 75%s)", old && i == 3 ?
		    ", broker_order_id" : "", (long long)acct_id, prefix, i,
		    old && i == 3 ? ", 'OLD'" : "");
		testdb_exec(ci, sql);
		snprintf(sql, sizeof sql, "SELECT id FROM orders WHERE "
		    "client_tag = '%s%d'", prefix, i);
		o[i] = sql_int(sql);
	}
}

/* A store with its journal, connected and idle. */
static struct store *
store_ready(void)
{
	struct store	*st = store_open(loop_base(), ci, NULL);
	struct err	 e;

	err_clear(&e);
	assert_int_equal(store_journal_open(st, home, &e), 0);
	drain(st, 10000);
	return st;
}

struct bid_answer {
	int		 n;
	int64_t		 id;
	int64_t		 duplicate_of;
	int		 stored;
};

static void
bid_answered(json_t *rows, const struct err *err, void *arg)
{
	struct bid_answer	*a = arg;
	json_t			*row = json_array_get(rows, 0);

	assert_null(err);
	a->n++;
	a->id = json_integer_value(json_object_get(row, "id"));
	a->duplicate_of = json_integer_value(json_object_get(row,
	    "duplicate_of"));
	a->stored = json_is_true(json_object_get(row, "stored"));
}

/*
 * The broker ids of one loop turn go as one statement, each caller told
 * of its own order; an id the account already has on another order, or
 * that an earlier order of the same batch takes, is not stored and names
 * that order; one order given two ids keeps the later.
 */
static void
test_broker_ids_batched(void **state)
{
	struct store		*st;
	struct bid_answer	 a[5];
	int64_t			 o[5];
	int			 i;
	char			 sql[256];

	need_dsn();
	make_orders("bt", 5, 1, o);
	memset(a, 0, sizeof a);
	st = store_ready();
	store_order_broker_id(st, o[0], "B0", bid_answered, &a[0]);
	store_order_broker_id(st, o[1], "B0", bid_answered, &a[1]);
	store_order_broker_id(st, o[2], "OLD", bid_answered, &a[2]);
	store_order_broker_id(st, o[4], "B4x", bid_answered, &a[3]);
	store_order_broker_id(st, o[4], "B4", bid_answered, &a[4]);
	assert_int_equal(store_bids_pending(st), 5);
	while (store_bids_pending(st) > 0)
		spin_until(&a[4].n);
	drain(st, 10000);
	for (i = 0; i < 5; i++)
		assert_int_equal(a[i].n, 1);
	assert_int_equal(a[0].id, o[0]);
	assert_true(a[0].stored);
	/* B0 went to o[0], earlier in the batch. */
	assert_false(a[1].stored);
	assert_int_equal(a[1].duplicate_of, o[0]);
	/* OLD is o[3]'s already. */
	assert_false(a[2].stored);
	assert_int_equal(a[2].duplicate_of, o[3]);
	assert_true(a[3].stored && a[4].stored);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM orders WHERE id = "
	    "%lld AND broker_order_id = 'B4'", (long long)o[4]);
	assert_int_equal(sql_int(sql), 1);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM orders WHERE id IN "
	    "(%lld, %lld) AND broker_order_id IS NULL", (long long)o[1],
	    (long long)o[2]);
	assert_int_equal(sql_int(sql), 2);
	/* One write for the five. */
	assert_int_equal(sql_int("SELECT count(*) FROM journal_applied "
	    "WHERE op = 'order.broker_ids'"), 1);
	store_close(st);
}

/*
 * A batch the store refuses as a whole goes again one id per statement:
 * here a trigger refuses any statement that changes two orders at once.
 */
static void
test_broker_ids_one_by_one(void **state)
{
	struct store		*st;
	struct bid_answer	 a[2];
	int64_t			 o[2];
	int			 i;

	need_dsn();
	testdb_exec(ci, "CREATE FUNCTION one_at_a_time() RETURNS trigger "
	    "LANGUAGE plpgsql AS $$ BEGIN IF (SELECT count(*) FROM nr) > 1 "
	    "THEN RAISE EXCEPTION 'two at once'; END IF; RETURN NULL; END $$");
	testdb_exec(ci, "CREATE TRIGGER one_at_a_time AFTER UPDATE ON orders "
	    "REFERENCING NEW TABLE AS nr FOR EACH STATEMENT EXECUTE "
	    "FUNCTION one_at_a_time()");
	make_orders("one", 2, 0, o);
	memset(a, 0, sizeof a);
	st = store_ready();
	store_order_broker_id(st, o[0], "ONE0", bid_answered, &a[0]);
	store_order_broker_id(st, o[1], "ONE1", bid_answered, &a[1]);
	while (store_bids_pending(st) > 0 || a[1].n == 0)
		spin_until(&a[1].n);
	drain(st, 10000);
	for (i = 0; i < 2; i++) {
		assert_int_equal(a[i].n, 1);
		assert_true(a[i].stored);
	}
	assert_int_equal(sql_int("SELECT count(*) FROM orders WHERE "
	    "broker_order_id IN ('ONE0', 'ONE1')"), 2);
	testdb_exec(ci, "DROP TRIGGER one_at_a_time ON orders");
	store_close(st);
}

/*
 * The batch never waits on a row lock (it deadlocked with the events
 * writer's settle): a row another transaction holds as a settle does is
 * skipped, the others stored, even one a foreign-key check holds; the
 * skipped one goes again, alone at last, and is stored once the lock is
 * gone.
 */
static void
test_broker_ids_skip_locked(void **state)
{
	struct store		*st;
	struct bid_answer	 a[2];
	PGconn			*other;
	PGresult		*r;
	int64_t			 o[2];
	int			 i;
	char			 sql[256];

	need_dsn();
	make_orders("lk", 2, 0, o);
	other = PQconnectdb(ci);
	r = PQexec(other, "BEGIN");
	PQclear(r);
	snprintf(sql, sizeof sql, "SELECT 1 FROM orders WHERE id = %lld "
	    "FOR KEY SHARE", (long long)o[0]);
	r = PQexec(other, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	snprintf(sql, sizeof sql, "SELECT 1 FROM orders WHERE id = %lld "
	    "FOR NO KEY UPDATE", (long long)o[1]);
	r = PQexec(other, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);

	memset(a, 0, sizeof a);
	st = store_ready();
	store_order_broker_id(st, o[0], "LK0", bid_answered, &a[0]);
	store_order_broker_id(st, o[1], "LK1", bid_answered, &a[1]);
	spin_until(&a[0].n);
	assert_true(a[0].stored);
	/* o[1] is locked: not answered yet, and not stored. */
	for (i = 0; i < 10; i++) {
		struct timeval	tv = { 0, 20000 };

		event_base_loopexit(loop_base(), &tv);
		loop_run();
	}
	assert_int_equal(a[1].n, 0);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM orders WHERE id = "
	    "%lld AND broker_order_id IS NULL", (long long)o[1]);
	assert_int_equal(sql_int(sql), 1);
	r = PQexec(other, "COMMIT");
	PQclear(r);
	PQfinish(other);
	spin_until(&a[1].n);
	assert_true(a[1].stored);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM orders WHERE id = "
	    "%lld AND broker_order_id = 'LK1'", (long long)o[1]);
	assert_int_equal(sql_int(sql), 1);
	store_close(st);
}

static void
count_answer(json_t *rows, const struct err *err, void *arg)
{
	(*(int *)arg)++;
}

/*
 * A store closed with more ids waiting than one batch carries: every one
 * is answered, and the journal keeps them for the next process.
 */
static void
test_broker_ids_kept_at_close(void **state)
{
	struct store	*st;
	struct err	 e;
	char		 bid[32];
	int		 i, answered = 0;

	need_dsn();
	st = store_ready();
	for (i = 0; i < 100; i++) {
		snprintf(bid, sizeof bid, "CLOSE%d", i);
		store_order_broker_id(st, 900000 + i, bid, count_answer,
		    &answered);
	}
	store_close(st);
	assert_int_equal(answered, 100);
	st = store_open(loop_base(), "host=/nonexistent-phalanx port=1 "
	    "user=x dbname=x connect_timeout=1", NULL);
	err_clear(&e);
	assert_int_equal(store_journal_open(st, home, &e), 0);
	/* Two batches, 64 and 36 ids. */
	assert_int_equal(store_journal_pending(st), 2);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journaled_replayed_once),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_broker_ids_batched),
		cmocka_unit_test(test_broker_ids_one_by_one),
		cmocka_unit_test(test_broker_ids_skip_locked),
		cmocka_unit_test(test_broker_ids_kept_at_close),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
