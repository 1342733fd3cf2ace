/*
 * Lifecycle-event ingest: events/s through the writer (db/store_events.c)
 * beside `psql \copy` of the same rows (DESIGN.md section 12: >= 50k/s and
 * >= 70% of \copy).  Prints figures only; never judges them.
 *
 *   bench_events [EVENTS]	(default 200000; BENCH_BATCH sets max_batch)
 * Needs PHALANX_BENCH_DSN or PHALANX_TEST_DSN; works in a fresh database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#define BENCH_NAME "bench_events"
#include "benchdb.h"

#include "db/db.h"
#include "db/store_events.h"

#define NORDERS	1000

static char	*ci;
static int64_t	 orders[NORDERS];

static void
setup_db(const char *dsn)
{
	PGconn		*c;
	PGresult	*r;
	int		 i;

	ci = benchdb_create(dsn, "events");
	c = connect_or_die(ci);
	exec_or_die(c, "INSERT INTO brokers (name, kind) "
	    "VALUES ('k1', 'kite')");
	exec_or_die(c, "INSERT INTO accounts (name, broker_id, "
	    "user_id) SELECT 'acc1', id, 'AB1234' FROM brokers");
	r = query_or_die(c, "INSERT INTO orders (account_id, slice, "
	    "client_tag, side, symbol, exchange, product, order_type, qty) "
	    "SELECT a.id, g, 'T' || g, 'BUY', 'NIFTY25NOVFUT', 'NFO', 'NRML', "
	    "'MARKET', 75 FROM accounts a, generate_series(1, 1000) g "
	    "ORDER BY g RETURNING id");
	for (i = 0; i < NORDERS; i++)
		orders[i] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
}

static void
event_n(struct order_event *ev, long i)
{
	memset(ev, 0, sizeof *ev);
	ev->order_id = orders[i % NORDERS];
	ev->state = (i / NORDERS) % 2 ? BROKER_OPEN : BROKER_SUBMITTED;
	ev->broker_status = ev->state == BROKER_OPEN ? "OPEN" :
	    "PUT ORDER REQ RECEIVED";
	ev->filled_qty = 0;
	ev->avg_price = -1;
	ev->latency_us = 1000 + i % 5000;
}

struct wait {
	struct events_writer	*w;
	uint64_t		 target;
};

static void
wait_tick(evutil_socket_t fd, short what, void *arg)
{
	struct wait		*wt = arg;
	struct events_stats	 st;

	events_writer_stats(wt->w, &st);
	if (st.inserted + st.duplicates + st.no_order >= wt->target)
		loop_exit();
}

static void
ready_tick(evutil_socket_t fd, short what, void *arg)
{
	if (pg_conn_state(arg) == PG_READY)
		loop_exit();
}

/* Connect first: events written while connecting would go to the journal. */
static void
wait_ready(struct pg_conn *pg)
{
	struct timeval	 tv = { 0, 1000 };
	struct event	*ev;

	ev = event_new(loop_base(), -1, EV_PERSIST, ready_tick, pg);
	event_add(ev, &tv);
	loop_run();
	event_free(ev);
}

static void
bench_writer(long n)
{
	struct pg_conn		*pg;
	struct journal		*j;
	struct events_writer	*w;
	struct events_stats	 st;
	struct events_opts	 o = { 0, 0, 0 };
	struct order_event	 ev;
	struct wait		 wt;
	struct event		*tick;
	struct timeval		 tv = { 0, 500 };
	struct err		 e;
	int64_t			 t0, t1, t2;
	long			 i;

	if ((j = journal_open("bench-events", &e)) == NULL) {
		fprintf(stderr, "bench_events: %s\n", e.msg);
		exit(1);
	}
	pg = pg_conn_new(loop_base(), ci, NULL);
	wait_ready(pg);
	if (getenv("BENCH_BATCH") != NULL)
		o.max_batch = (size_t)atol(getenv("BENCH_BATCH"));
	w = events_writer_new(loop_base(), pg, j, &o);
	t0 = time_mono_us();
	for (i = 0; i < n; i++) {
		event_n(&ev, i);
		events_write(w, &ev, NULL);
	}
	t1 = time_mono_us();
	wt.w = w;
	wt.target = (uint64_t)n;
	tick = event_new(loop_base(), -1, EV_PERSIST, wait_tick, &wt);
	event_add(tick, &tv);
	loop_run();
	t2 = time_mono_us();
	event_free(tick);
	events_writer_stats(w, &st);
	printf("writer:  %ld events in %lld ms: %lld events/s "
	    "(%llu batches, events_write %lld ns each, journaled %llu)\n",
	    n, (long long)(t2 - t0) / 1000,
	    (long long)((int64_t)n * 1000000 / (t2 - t0 + 1)),
	    (unsigned long long)st.batches,
	    (long long)((t1 - t0) * 1000 / n),
	    (unsigned long long)st.journaled);
	events_writer_free(w);
	pg_conn_free(pg);
	journal_close(j);
}

static const char *
psql_path(void)
{
	static char	path[512];
	FILE		*p;

	if ((p = popen("command -v psql || ls -d /usr/lib/postgresql/*/bin/"
	    "psql 2>/dev/null | sort -V | tail -n 1", "r")) == NULL)
		return "psql";
	if (fgets(path, sizeof path, p) == NULL)
		snprintf(path, sizeof path, "psql");
	pclose(p);
	path[strcspn(path, "\n")] = '\0';
	return path;
}

/* The same rows as CSV, loaded with \copy in one psql run. */
static void
bench_copy(long n)
{
	struct order_event	 ev;
	char			 ts[40], uid[JOURNAL_UID_LEN], *csv, *cmd;
	const char		*tmp = getenv("TMPDIR");
	FILE			*f;
	int64_t			 t0, t1;
	long			 i;
	int			 rc;

	csv = xasprintf("%s/bench_events.%ld.csv", tmp != NULL && *tmp ?
	    tmp : "/tmp", (long)getpid());
	if ((f = fopen(csv, "w")) == NULL) {
		perror(csv);
		exit(1);
	}
	for (i = 0; i < n; i++) {
		event_n(&ev, i);
		time_fmt_utc(time_wall_us(), ts, sizeof ts);
		journal_uid(uid);
		fprintf(f, "%s,%lld,%s,%s,%lld,,%lld,%lld,%s\n", ts,
		    (long long)ev.order_id, broker_state_name(ev.state),
		    ev.broker_status, (long long)ev.filled_qty,
		    (long long)ev.latency_us, (long long)time_mono_us(), uid);
	}
	fclose(f);
	cmd = xasprintf("'%s' -q -d '%s' -c \"\\copy order_events (ts, "
	    "order_id, state, broker_status, filled_qty, message, latency_us, "
	    "mono_us, uid) from '%s' csv\"", psql_path(), ci, csv);
	t0 = time_mono_us();
	rc = system(cmd);
	t1 = time_mono_us();
	if (rc != 0)
		printf("copy:    psql failed (status %d)\n", rc);
	else
		printf("copy:    %ld rows in %lld ms: %lld rows/s "
		    "(psql \\copy, one process)\n", n,
		    (long long)(t1 - t0) / 1000,
		    (long long)((int64_t)n * 1000000 / (t1 - t0 + 1)));
	unlink(csv);
	free(cmd);
	free(csv);
}

int
main(int argc, char **argv)
{
	const char	*dsn = getenv("PHALANX_BENCH_DSN");
	char		*home;
	long		 n = argc > 1 ? atol(argv[1]) : 200000;

	if (dsn == NULL || *dsn == '\0')
		dsn = getenv("PHALANX_TEST_DSN");
	if (dsn == NULL || *dsn == '\0') {
		printf("bench_events: no PHALANX_BENCH_DSN: skipped\n");
		return 0;
	}
	if (n <= 0)
		n = 200000;
	if (getenv("PHALANX_HOME") == NULL) {
		home = xasprintf("%s/bench-home.%ld", getenv("TMPDIR") ?
		    getenv("TMPDIR") : "/tmp", (long)getpid());
		setenv("PHALANX_HOME", home, 1);
		free(home);
	}
	setup_db(dsn);
	bench_writer(n);
	bench_copy(n);
	benchdb_drop(dsn, "events");
	free(ci);
	loop_free();
	return 0;
}
