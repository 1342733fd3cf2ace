/*
 * The lifecycle event writer (db/store_events.c) against a scripted
 * connection: pg_query_copy and the connection state are wrapped
 * (test_events.wrap), so the test decides when a batch completes and how.
 * A batch's COPY rows are read back into lists of its columns.
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

#include "db/store_events.h"

#define MAXQ 32

struct sent {
	char		*sql;
	int		 ncols;		/* columns of the first row */
	char		*orders;	/* "{id,...}": column 2 of each row */
	char		*latency;	/* "{n,...}": column 7, the sequence */
	char		*status;	/* column 4 of the first row, as sent */
	char		*last;		/* "{t,...}": column 12 (staged) */
	pg_query_cb	 cb;
	void		*arg;
	int		 done;
};

static struct {
	enum pg_state	 state;
	pg_state_cb	 state_cb;
	void		*state_arg;
	struct sent	 q[MAXQ];
	int		 nq;
	const char	*row[3];	/* result: n, known, orders */
} mock;

static struct pg_conn *const FAKE = (struct pg_conn *)&mock;
static char	home[256];

void	__wrap_pg_query_copy(struct pg_conn *, const char *, const char *,
	    size_t, pg_query_cb, void *);
enum pg_state __wrap_pg_conn_state(const struct pg_conn *);
void	__wrap_pg_conn_on_state(struct pg_conn *, pg_state_cb, void *);
int	__wrap_PQntuples(const PGresult *);
int	__wrap_PQnfields(const PGresult *);
char	*__wrap_PQgetvalue(const PGresult *, int, int);

/* Column col (1-based) of a COPY text row, as sent. */
static char *
copy_col(const char *row, int col)
{
	const char	*p = row, *e;

	while (--col > 0 && (p = strchr(p, '\t')) != NULL)
		p++;
	assert_non_null(p);
	e = p + strcspn(p, "\t\n");
	return xasprintf("%.*s", (int)(e - p), p);
}

/* "{a,b,...}": column col of every row. */
static char *
copy_list(const char *data, int col)
{
	struct strbuf	 b;
	const char	*row;
	char		*v;

	strbuf_init(&b);
	strbuf_putc(&b, '{');
	for (row = data; *row != '\0'; row = strchr(row, '\n') + 1) {
		v = copy_col(row, col);
		if (b.len > 1)
			strbuf_putc(&b, ',');
		strbuf_puts(&b, v);
		free(v);
	}
	strbuf_putc(&b, '}');
	return strbuf_steal(&b);
}

void
__wrap_pg_query_copy(struct pg_conn *c, const char *sql, const char *data,
    size_t len, pg_query_cb cb, void *arg)
{
	struct sent	*s = &mock.q[mock.nq++];
	const char	*p;

	assert_ptr_equal(c, FAKE);
	assert_true(mock.nq <= MAXQ);
	assert_int_equal(strlen(data), len);
	assert_true(len > 0 && data[len - 1] == '\n');
	s->sql = xstrdup(sql);
	s->ncols = 1;
	for (p = data; *p != '\n'; p++)
		s->ncols += *p == '\t';
	s->orders = copy_list(data, 2);
	s->status = copy_col(data, 4);
	s->latency = copy_list(data, 7);
	/* Only the staged (filtering) way marks the latest events. */
	s->last = s->ncols == 12 ? copy_list(data, 12) : NULL;
	s->cb = cb;
	s->arg = arg;
	s->done = 0;
}

enum pg_state
__wrap_pg_conn_state(const struct pg_conn *c)
{
	return mock.state;
}

void
__wrap_pg_conn_on_state(struct pg_conn *c, pg_state_cb cb, void *arg)
{
	mock.state_cb = cb;
	mock.state_arg = arg;
}

int
__wrap_PQntuples(const PGresult *r)
{
	return 1;
}

int
__wrap_PQnfields(const PGresult *r)
{
	return 3;
}

char *
__wrap_PQgetvalue(const PGresult *r, int row, int col)
{
	return (char *)mock.row[col];
}

static void
set_state(enum pg_state st)
{
	mock.state = st;
	if (mock.state_cb != NULL)
		mock.state_cb(st, "test", mock.state_arg);
}

/* Number of elements of an array literal without quoted commas. */
static int
nelem(const char *arr)
{
	int	n = 1;

	if (strcmp(arr, "{}") == 0)
		return 0;
	for (; *arr != '\0'; arr++)
		n += *arr == ',';
	return n;
}

static int
first_elem(const char *arr)
{
	return atoi(arr + 1);
}

/* Complete query i: success with n rows inserted, or err. */
static void
complete(int i, const char *code)
{
	static char	nbuf[16];
	struct err	e;
	struct sent	*s = &mock.q[i];

	assert_false(s->done);
	s->done = 1;
	if (code == NULL) {
		snprintf(nbuf, sizeof nbuf, "%d", nelem(s->latency));
		mock.row[0] = mock.row[1] = nbuf;
		mock.row[2] = "1";
		s->cb((PGresult *)&mock, NULL, s->arg);
	} else {
		err_set(&e, code, "test failure");
		s->cb(NULL, &e, s->arg);
	}
}

static void
run_once(void)
{
	event_base_loop(loop_base(), EVLOOP_NONBLOCK);
}

static void
run_ms(int ms)
{
	struct timeval	tv = { 0, ms * 1000 };

	event_base_loopexit(loop_base(), &tv);
	event_base_loop(loop_base(), 0);
}

static void
put(struct events_writer *w, int from, int n)
{
	struct order_event	ev;
	int			i;

	for (i = from; i < from + n; i++) {
		memset(&ev, 0, sizeof ev);
		ev.order_id = 1 + i % 5;
		ev.state = BROKER_OPEN;
		ev.filled_qty = -1;
		ev.avg_price = -1;
		ev.latency_us = i;
		ev.broker_status = i == 0 ? "a \"b\" \\c" : "OPEN";
		assert_int_equal(events_write(w, &ev, NULL), 0);
	}
}

static int
setup(void **state)
{
	const char	*tmp = getenv("TMPDIR");
	int		 i;

	for (i = 0; i < mock.nq; i++) {
		free(mock.q[i].sql);
		free(mock.q[i].orders);
		free(mock.q[i].status);
		free(mock.q[i].latency);
		free(mock.q[i].last);
	}
	memset(&mock, 0, sizeof mock);
	mock.state = PG_READY;
	snprintf(home, sizeof home, "%s/events.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(home) == NULL)
		return -1;
	setenv("PHALANX_HOME", home, 1);
	return 0;
}

static int
teardown(void **state)
{
	char	*cmd = xasprintf("rm -rf '%s'", home);
	int	 rc = system(cmd);
	int	 i;

	free(cmd);
	for (i = 0; i < mock.nq; i++) {
		free(mock.q[i].sql);
		free(mock.q[i].orders);
		free(mock.q[i].status);
		free(mock.q[i].latency);
		free(mock.q[i].last);
	}
	mock.nq = 0;
	loop_free();
	return rc == 0 ? 0 : -1;
}

static struct journal *
jopen(void)
{
	struct journal	*j = journal_open("events", NULL);

	assert_non_null(j);
	return j;
}

/* Nothing is sent from inside events_write; the timer flushes a few. */
static void
test_timer_flush(void **state)
{
	struct journal		*j = jopen();
	struct events_writer	*w;
	struct events_opts	 o = { 2000, 500, 5000 };

	w = events_writer_new(loop_base(), FAKE, j, &o);
	put(w, 0, 3);
	assert_int_equal(mock.nq, 0);
	run_once();
	assert_int_equal(mock.nq, 0);
	run_ms(20);
	assert_int_equal(mock.nq, 1);
	/* Live: straight into order_events, then settled in the same
	 * transaction by the latest event of each order. */
	assert_int_equal(mock.q[0].ncols, 9);
	assert_non_null(strstr(mock.q[0].sql, "COPY order_events (ts, order_id,"));
	assert_non_null(strstr(mock.q[0].sql, "phalanx_events_settle(3, '"));
	assert_null(strstr(mock.q[0].sql, "ON CONFLICT"));
	assert_non_null(strstr(mock.q[0].sql,
	    "'{1,2,3}', '{OPEN,OPEN,OPEN}', '{NULL,NULL,NULL}', "
	    "'{NULL,NULL,NULL}', '{\""));
	/* No text of an event in the statement. */
	assert_null(strstr(mock.q[0].sql, "\"b\""));
	assert_string_equal(mock.q[0].orders, "{1,2,3}");
	assert_string_equal(mock.q[0].latency, "{0,1,2}");
	/* COPY text: a backslash doubled, quotes as they are. */
	assert_string_equal(mock.q[0].status, "a \"b\" \\\\c");
	assert_int_equal(events_writer_pending(w), 3);
	complete(0, NULL);
	assert_int_equal(events_writer_pending(w), 0);
	events_writer_free(w);
	journal_close(j);
}

/*
 * flush_at events flush at once; one batch in flight at a time, the
 * backlog going out (max_batch at most) when it completes, in order.
 */
static void
test_batching(void **state)
{
	struct journal		*j = jopen();
	struct events_writer	*w;
	struct events_opts	 o = { 1000000, 500, 700 };
	struct events_stats	 st;

	w = events_writer_new(loop_base(), FAKE, j, &o);
	put(w, 0, 499);
	run_once();
	assert_int_equal(mock.nq, 0);
	put(w, 499, 1);
	run_once();
	assert_int_equal(mock.nq, 1);
	assert_int_equal(nelem(mock.q[0].latency), 500);
	/* Five orders: their latest events (the batch's last five) settle
	 * them, in the order they came. */
	assert_non_null(strstr(mock.q[0].sql,
	    "phalanx_events_settle(500, '"));
	assert_non_null(strstr(mock.q[0].sql, "'{1,2,3,4,5}', '{OPEN,OPEN,"
	    "OPEN,OPEN,OPEN}'"));
	put(w, 500, 1000);
	run_once();
	assert_int_equal(mock.nq, 1);
	complete(0, NULL);
	run_once();
	assert_int_equal(mock.nq, 2);
	assert_int_equal(nelem(mock.q[1].latency), 700);
	assert_int_equal(first_elem(mock.q[1].latency), 500);
	complete(1, NULL);
	run_once();
	assert_int_equal(mock.nq, 3);
	assert_int_equal(nelem(mock.q[2].latency), 300);
	assert_int_equal(first_elem(mock.q[2].latency), 1200);
	complete(2, NULL);
	run_once();
	assert_int_equal(mock.nq, 3);
	events_writer_stats(w, &st);
	assert_int_equal(st.queued, 1500);
	assert_int_equal(st.inserted, 1500);
	assert_int_equal(st.batches, 3);
	assert_int_equal(st.journaled, 0);
	events_writer_free(w);
	journal_close(j);
}

/*
 * Down: batches go to the journal.  READY again: the journal is replayed
 * first, events written meanwhile wait behind it, then it is truncated.
 */
static void
test_journal_and_replay_order(void **state)
{
	struct journal		*j = jopen();
	struct events_writer	*w;
	struct events_opts	 o = { 1000, 10, 100 };
	struct events_stats	 st;

	mock.state = PG_CONNECTING;
	w = events_writer_new(loop_base(), FAKE, j, &o);
	put(w, 0, 25);
	run_ms(10);
	put(w, 25, 5);
	run_ms(10);
	assert_int_equal(mock.nq, 0);
	assert_int_equal(journal_count(j), 30);
	assert_int_equal(events_writer_pending(w), 0);

	set_state(PG_READY);
	put(w, 30, 20);		/* newer than the journal */
	run_once();
	assert_int_equal(mock.nq, 1);
	assert_int_equal(nelem(mock.q[0].latency), 30);
	assert_int_equal(first_elem(mock.q[0].latency), 0);
	/* Replays may meet rows that did commit: they skip them. */
	assert_non_null(strstr(mock.q[0].sql, "ON CONFLICT (uid, ts)"));
	run_once();
	assert_int_equal(mock.nq, 1);	/* one in flight */
	complete(0, NULL);
	assert_int_equal(journal_count(j), 0);
	run_once();
	assert_int_equal(mock.nq, 2);
	assert_int_equal(first_elem(mock.q[1].latency), 30);
	assert_int_equal(nelem(mock.q[1].latency), 20);
	complete(1, NULL);
	events_writer_stats(w, &st);
	assert_int_equal(st.journaled, 30);
	assert_int_equal(st.replayed, 30);
	assert_int_equal(st.inserted, 50);
	events_writer_free(w);
	journal_close(j);
}

/*
 * The connection drops with a batch in flight: it goes to the journal,
 * and so does everything after it until the replay has gone through.
 * The replay itself failing leaves the journal as it was.
 */
static void
test_inflight_lost(void **state)
{
	struct journal		*j = jopen();
	struct events_writer	*w;
	struct events_opts	 o = { 1000, 10, 100 };

	w = events_writer_new(loop_base(), FAKE, j, &o);
	put(w, 0, 10);
	run_once();
	assert_int_equal(mock.nq, 1);
	put(w, 10, 3);
	mock.state = PG_DISCONNECTED;
	complete(0, "store-unreachable");
	assert_int_equal(journal_count(j), 10);
	run_ms(10);
	assert_int_equal(journal_count(j), 13);
	assert_int_equal(mock.nq, 1);

	set_state(PG_READY);
	run_once();
	assert_int_equal(mock.nq, 2);
	assert_int_equal(nelem(mock.q[1].latency), 13);
	put(w, 13, 2);
	mock.state = PG_DISCONNECTED;
	complete(1, "store-unreachable");
	run_ms(10);
	assert_int_equal(journal_count(j), 15);

	set_state(PG_READY);
	run_once();
	assert_int_equal(mock.nq, 3);
	assert_string_equal(mock.q[2].latency,
	    "{0,1,2,3,4,5,6,7,8,9,10,11,12,13,14}");
	complete(2, NULL);
	assert_int_equal(journal_count(j), 0);
	events_writer_free(w);
	journal_close(j);
}

/* An SQL error keeps the events (journal) and backs off before retrying. */
static void
test_sql_error_backs_off(void **state)
{
	struct journal		*j = jopen();
	struct events_writer	*w;
	struct events_opts	 o = { 1000, 10, 100 };
	struct events_stats	 st;

	w = events_writer_new(loop_base(), FAKE, j, &o);
	put(w, 0, 10);
	run_once();
	complete(0, "sql:42P01");
	assert_int_equal(journal_count(j), 10);
	put(w, 10, 1);
	run_ms(50);
	assert_int_equal(mock.nq, 1);		/* not resent at once */
	assert_int_equal(journal_count(j), 11);	/* newer ones behind it */
	run_ms(600);
	assert_int_equal(mock.nq, 2);
	assert_int_equal(nelem(mock.q[1].latency), 11);
	complete(1, NULL);
	events_writer_stats(w, &st);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.replayed, 11);
	events_writer_free(w);
	journal_close(j);
}

/* Freed with events queued and a batch in flight: all reach the journal. */
static void
test_free_journals_pending(void **state)
{
	struct journal		*j = jopen();
	struct events_writer	*w;
	struct events_opts	 o = { 1000, 10, 100 };
	struct order_event	 bad = { 0 };
	struct err		 e;

	w = events_writer_new(loop_base(), FAKE, j, &o);
	put(w, 0, 10);
	run_once();
	put(w, 10, 4);
	bad.order_id = 0;
	err_clear(&e);
	assert_int_equal(events_write(w, &bad, &e), -1);
	assert_string_equal(e.code, "bad-value");
	events_writer_free(w);
	assert_int_equal(journal_count(j), 14);
	/* The orphaned batch's completion only frees it. */
	complete(0, NULL);
	journal_close(j);

	j = jopen();
	assert_int_equal(journal_count(j), 14);
	w = events_writer_new(loop_base(), FAKE, j, &o);
	run_once();
	assert_int_equal(mock.nq, 2);
	assert_int_equal(nelem(mock.q[1].latency), 14);
	complete(1, NULL);
	assert_int_equal(journal_count(j), 0);
	events_writer_free(w);
	journal_close(j);
}

/*
 * A batch naming an unknown order fails whole on the foreign key: the
 * same batch goes again at once, the filtering way (staged, each order's
 * latest event marked), nothing journaled, nothing lost or reordered.
 */
static void
test_unknown_order_filtered(void **state)
{
	struct journal		*j = jopen();
	struct events_writer	*w;
	struct events_opts	 o = { 1000, 10, 100 };
	struct events_stats	 st;

	w = events_writer_new(loop_base(), FAKE, j, &o);
	put(w, 0, 10);
	run_once();
	assert_int_equal(mock.nq, 1);
	assert_int_equal(mock.q[0].ncols, 9);
	complete(0, "sql:23503");
	assert_int_equal(mock.nq, 2);
	assert_int_equal(mock.q[1].ncols, 12);
	assert_non_null(strstr(mock.q[1].sql, "COPY px_events_in FROM STDIN;"));
	assert_non_null(strstr(mock.q[1].sql, "WHERE EXISTS (SELECT 1 FROM "
	    "orders o WHERE o.id = u.order_id)"));
	assert_string_equal(mock.q[1].latency, mock.q[0].latency);
	assert_string_equal(mock.q[1].last, "{f,f,f,f,f,t,t,t,t,t}");
	assert_int_equal(journal_count(j), 0);
	complete(1, NULL);
	events_writer_stats(w, &st);
	assert_int_equal(st.failures, 0);
	assert_int_equal(st.inserted, 10);
	assert_int_equal(st.journaled, 0);
	/* The next batch tries the short way again. */
	put(w, 10, 2);
	run_ms(5);
	assert_int_equal(mock.nq, 3);
	assert_int_equal(mock.q[2].ncols, 9);
	complete(2, NULL);
	events_writer_free(w);
	journal_close(j);
}

/* No journal: events wait in memory, and every batch may be a resend. */
static void
test_no_journal(void **state)
{
	struct events_writer	*w;
	struct events_opts	 o = { 1000, 10, 100 };

	mock.state = PG_CONNECTING;
	w = events_writer_new(loop_base(), FAKE, NULL, &o);
	put(w, 0, 12);
	run_ms(10);
	assert_int_equal(mock.nq, 0);
	assert_int_equal(events_writer_pending(w), 12);
	assert_int_equal(events_writer_journaled(w), 0);
	set_state(PG_READY);
	run_once();
	assert_int_equal(mock.nq, 1);
	assert_non_null(strstr(mock.q[0].sql, "ON CONFLICT (uid, ts)"));
	mock.state = PG_DISCONNECTED;
	complete(0, "store-unreachable");
	assert_int_equal(events_writer_pending(w), 12);
	set_state(PG_READY);
	run_once();
	assert_int_equal(mock.nq, 2);
	assert_int_equal(nelem(mock.q[1].latency), 12);
	complete(1, NULL);
	assert_int_equal(events_writer_pending(w), 0);
	events_writer_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timer_flush, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batching, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_order_filtered,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_and_replay_order,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_inflight_lost, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sql_error_backs_off,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_journals_pending,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_journal, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
