/*
 * The notification outbox's engine API (notify_enqueue, db/store_notify.c)
 * against a real server: an alert queued inside a cause's transaction
 * commits or rolls back with it, NOTIFY arrives only on commit, rules
 * route it, and two workers claiming at once never get the same row.
 * PHALANX_TEST_DSN names a throwaway cluster; without it, skipped (which
 * tests/run.sh counts as a failure).
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
#include "notify/notify.h"
#include "testdb.h"

static char	*ci;
static int	 done;
static int	 notified;
static int64_t	 last_id;

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
	const char	*dsn = getenv("PHALANX_TEST_DSN");

	if (dsn == NULL || *dsn == '\0')
		return 0;
	ci = testdb_create(dsn, "notify");
	testdb_exec(ci, "INSERT INTO notify_channels (name, kind, url,"
	    " rate_per_min) VALUES ('a', 'webhook', 'http://127.0.0.1:1/a', 60),"
	    " ('b', 'webhook', 'http://127.0.0.1:1/b', 60)");
	testdb_exec(ci, "INSERT INTO notify_rules (name, min_severity, source)"
	    " VALUES ('r', 'warning', 'rms')");
	testdb_exec(ci, "INSERT INTO notify_rule_channels SELECT r.id, c.id"
	    " FROM notify_rules r, notify_channels c");
	return 0;
}

static int
teardown(void **state)
{
	const char	*dsn = getenv("PHALANX_TEST_DSN");

	loop_free();
	if (ci == NULL)
		return 0;
	testdb_drop(dsn, "notify");
	free(ci);
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
q_done(PGresult *res, const struct err *err, void *arg)
{
	if (err != NULL && err_isset(err) && arg == NULL)
		fail_msg("query: %s", err->msg);
	done++;
}

static void
enq_done(int64_t id, const struct err *err, void *arg)
{
	if (err != NULL)
		fail_msg("enqueue: %s", err->msg);
	last_id = id;
	done++;
}

static void
on_notify(const char *channel, const char *payload, void *arg)
{
	notified++;
}

static void
tick(evutil_socket_t fd, short what, void *arg)
{
	int	*want = arg;

	if (done >= want[0] && notified >= want[1])
		loop_exit();
}

/* Run the loop until done and notified reach their targets, or 5 s. */
static void
wait_for(int ndone, int nnotified)
{
	int		 want[2] = { ndone, nnotified };
	struct timeval	 tv = { 0, 2000 };
	struct event	*ev;
	int64_t		 end = time_mono_us() + 5000000;

	ev = event_new(loop_base(), -1, EV_PERSIST, tick, want);
	event_add(ev, &tv);
	while ((done < ndone || notified < nnotified) && time_mono_us() < end)
		event_base_loop(loop_base(), EVLOOP_ONCE);
	event_free(ev);
	if (done < ndone || notified < nnotified)
		fail_msg("timed out: done %d/%d, notified %d/%d", done, ndone,
		    notified, nnotified);
}

static struct store_notify_msg
rms_alert(const char *title)
{
	struct store_notify_msg	m;

	memset(&m, 0, sizeof m);
	m.severity = "critical";
	m.source = "rms";
	m.scope = "acct:a1";
	m.title = title;
	m.body = "square-off done";
	m.ref = "INC-9";
	return m;
}

/* Rolled back with the cause: no row, no NOTIFY. */
static void
test_rollback(void **state)
{
	struct pg_conn		*cause, *listener;
	struct store_notify_msg	 m = rms_alert("rolled back");

	need_dsn();
	listener = pg_conn_new(loop_base(), ci, NULL);
	pg_listen(listener, STORE_NOTIFY_CHANNEL, on_notify, NULL);
	pg_query(listener, "SELECT 1", 0, NULL, q_done, NULL);
	wait_for(1, 0);
	cause = pg_conn_new(loop_base(), ci, NULL);
	done = notified = 0;
	pg_query(cause, "BEGIN", 0, NULL, q_done, NULL);
	notify_enqueue(cause, &m, enq_done, NULL);
	pg_query(cause, "ROLLBACK", 0, NULL, q_done, NULL);
	wait_for(3, 0);
	assert_true(last_id > 0);
	assert_int_equal(sql_int("SELECT count(*) FROM notifications"), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM "
	    "notification_deliveries"), 0);

	/* Committed: the row, a delivery per routed channel, one NOTIFY. */
	m = rms_alert("committed");
	done = 0;
	pg_query(cause, "BEGIN", 0, NULL, q_done, NULL);
	notify_enqueue(cause, &m, enq_done, NULL);
	pg_query(cause, "SELECT pg_sleep(0.2)", 0, NULL, q_done, NULL);
	pg_query(cause, "COMMIT", 0, NULL, q_done, NULL);
	wait_for(4, 1);
	assert_int_equal(notified, 1);
	assert_int_equal(sql_int("SELECT count(*) FROM notifications"), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM notification_deliveries"
	    " WHERE state = 'PENDING'"), 2);

	/* Below the rule's severity: stored, routed nowhere. */
	m = rms_alert("info only");
	m.severity = "info";
	done = 0;
	notify_enqueue(cause, &m, enq_done, NULL);
	wait_for(1, 0);
	assert_int_equal(sql_int("SELECT count(*) FROM notification_deliveries"
	    " d JOIN notifications n ON n.id = d.notification_id"
	    " WHERE n.title = 'info only'"), 0);
	pg_conn_free(cause);
	pg_conn_free(listener);
}

static int	claimed[2];
static int64_t	ids[2][64];

static void
claim_done(json_t *rows, const struct err *err, void *arg)
{
	int	w = (int)(intptr_t)arg;
	size_t	i;
	json_t	*row;

	if (err != NULL)
		fail_msg("claim: %s", err->msg);
	json_array_foreach(rows, i, row)
		ids[w][claimed[w]++] = json_integer_value(json_object_get(row,
		    "id"));
	done++;
}

/* Two workers claiming at once share the rows; none goes to both. */
static void
test_claims_disjoint(void **state)
{
	struct store	*s1, *s2;
	int		 i, j;

	need_dsn();
	testdb_exec(ci, "INSERT INTO notifications (severity, source, title)"
	    " SELECT 'critical', 'rms', 'n' || g FROM generate_series(1, 8) g");
	testdb_exec(ci, "INSERT INTO notification_deliveries (notification_id,"
	    " channel_id, channel_name) SELECT n.id, c.id, c.name"
	    " FROM notifications n, notify_channels c"
	    " WHERE n.title LIKE 'n%' ON CONFLICT DO NOTHING");
	testdb_exec(ci, "UPDATE notification_deliveries SET state = 'SENT'"
	    " WHERE notification_id IN (SELECT id FROM notifications"
	    " WHERE title NOT LIKE 'n%')");
	s1 = store_open(loop_base(), ci, NULL);
	s2 = store_open(loop_base(), ci, NULL);
	done = 0;
	/* At most 4 per channel per claim: 2 channels, 8 each claim. */
	store_notify_claim(s1, "w1", 32, 60000, NULL, claim_done,
	    (void *)(intptr_t)0);
	store_notify_claim(s2, "w2", 32, 60000, NULL, claim_done,
	    (void *)(intptr_t)1);
	wait_for(2, 0);
	/* 4 a channel a claim: 8 for the first, up to 8 more for the
	 * second unless both ran at the very same moment. */
	assert_true(claimed[0] + claimed[1] >= 8);
	assert_true(claimed[0] <= 8 && claimed[1] <= 8);
	for (i = 0; i < claimed[0]; i++)
		for (j = 0; j < claimed[1]; j++)
			assert_true(ids[0][i] != ids[1][j]);
	assert_int_equal(sql_int("SELECT count(*) FROM notification_deliveries"
	    " WHERE state = 'SENDING'"), claimed[0] + claimed[1]);
	assert_int_equal(sql_int("SELECT count(*) FROM notification_deliveries"
	    " WHERE state = 'SENDING' AND claimed_by = 'w1'"), claimed[0]);
	store_close(s1);
	store_close(s2);
}

static void
finish_done(json_t *rows, const struct err *err, void *arg)
{
	int	*n = arg;

	if (err != NULL)
		fail_msg("finish: %s", err->msg);
	*n = (int)json_array_size(rows);
	done++;
}

/* Only the claim holder records a result; a 429 pauses the channel. */
static void
test_finish(void **state)
{
	struct store			*s;
	struct store_notify_result	 r;
	char				 sql[200];
	int				 n1 = -1, n2 = -1, w;

	need_dsn();
	s = store_open(loop_base(), ci, NULL);
	/* Whichever worker got rows: the other is not their holder. */
	w = claimed[0] > 0 ? 0 : 1;
	memset(&r, 0, sizeof r);
	r.delivery_id = ids[w][0];
	r.worker = w == 0 ? "w2" : "w1";
	r.outcome = "sent";
	done = 0;
	store_notify_finish(s, &r, finish_done, &n1);
	r.worker = w == 0 ? "w1" : "w2";
	r.outcome = "retry";
	r.http_status = 429;
	r.error = "slow down";
	r.retry_ms = 5000;
	r.pause_ms = 5000;
	r.uncount = 1;
	store_notify_finish(s, &r, finish_done, &n2);
	wait_for(2, 0);
	assert_int_equal(n1, 0);
	assert_int_equal(n2, 1);
	snprintf(sql, sizeof sql, "SELECT (state = 'PENDING' AND attempts = 0"
	    " AND next_at > now() + interval '3 s')::int"
	    " FROM notification_deliveries WHERE id = %lld",
	    (long long)ids[w][0]);
	assert_int_equal(sql_int(sql), 1);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM notify_channels c"
	    " JOIN notification_deliveries d ON d.channel_id = c.id"
	    " WHERE d.id = %lld AND c.paused_until > now()",
	    (long long)ids[w][0]);
	assert_int_equal(sql_int(sql), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM notification_attempts"),
	    1);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_claims_disjoint),
		cmocka_unit_test(test_finish),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
