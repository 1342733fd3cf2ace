/*
 * What writing an alert costs its cause (issue 11: target < 20 us on the
 * hot path).  The cause calls notify_enqueue() on its own connection and
 * goes on: the call only queues the statement.  Printed: the CPU time of
 * that call, the round trip of one awaited enqueue (the SQL function's
 * routing and de-duplication inside the cause's transaction) and the
 * enqueue rate pipelined.  Figures only; never judged.
 *
 *   bench_notify [N]	(default 20000)
 * Needs PHALANX_BENCH_DSN or PHALANX_TEST_DSN; works in a fresh database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#define BENCH_NAME "bench_notify"
#include "benchdb.h"

#include "db/db.h"
#include "notify/notify.h"

static char	*ci;
static long	 done_n, want_n, failed_n;

static void
setup_db(const char *dsn)
{
	PGconn		*c;

	ci = benchdb_create(dsn, "notify");
	/* Two routed channels, as an RMS alert would have. */
	c = connect_or_die(ci);
	exec_or_die(c, "INSERT INTO notify_channels (name, kind, url,"
	    " rate_per_min) VALUES ('tg', 'telegram', 'http://127.0.0.1:1',"
	    " 60), ('wh', 'webhook', 'http://127.0.0.1:1/h', 600)");
	exec_or_die(c, "WITH r AS (INSERT INTO notify_rules (name,"
	    " min_severity) VALUES ('all', 'info') RETURNING id)"
	    " INSERT INTO notify_rule_channels SELECT r.id, c.id"
	    " FROM r, notify_channels c");
	PQfinish(c);
}

static void
ready_tick(evutil_socket_t fd, short what, void *arg)
{
	if (pg_conn_state(arg) == PG_READY)
		loop_exit();
}

static void
enqueued(int64_t id, const struct err *err, void *arg)
{
	if (err != NULL)
		failed_n++;
	if (++done_n >= want_n)
		loop_exit();
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
alert(struct store_notify_msg *m, char *title, size_t len, long i)
{
	/* Distinct titles: no repeat folds into another. */
	snprintf(title, len, "MTM loss limit breached on a%ld", i);
	memset(m, 0, sizeof *m);
	m->severity = "critical";
	m->source = "rms";
	m->scope = "acct:a1";
	m->title = title;
	m->body = "loss 26000.00 of 25000.00; squared off";
	m->ref = "INC-1";
}

int
main(int argc, char **argv)
{
	const char		*dsn = getenv("PHALANX_BENCH_DSN");
	long			 n = argc > 1 ? atol(argv[1]) : 20000, i, k;
	struct pg_conn		*pg;
	struct event		*ev;
	struct timeval		 tv = { 0, 1000 };
	struct store_notify_msg	 m;
	char			 title[96];
	int64_t			*call, *rt, t0, t1, total;

	if (dsn == NULL)
		dsn = getenv("PHALANX_TEST_DSN");
	if (dsn == NULL || n <= 0) {
		fprintf(stderr, "bench_notify: set PHALANX_BENCH_DSN\n");
		return 2;
	}
	setup_db(dsn);
	pg = pg_conn_new(loop_base(), ci, NULL);
	ev = event_new(loop_base(), -1, EV_PERSIST, ready_tick, pg);
	event_add(ev, &tv);
	loop_run();
	event_free(ev);

	/* The call itself, as the cause pays it: queue and return. */
	call = xcalloc((size_t)n, sizeof *call);
	want_n = n;
	t0 = time_mono_us();
	for (i = 0; i < n; i++) {
		alert(&m, title, sizeof title, i);
		t1 = time_mono_us();
		notify_enqueue(pg, &m, enqueued, NULL);
		call[i] = time_mono_us() - t1;
	}
	loop_run();
	total = time_mono_us() - t0;
	qsort(call, (size_t)n, sizeof *call, cmp64);
	printf("notify_enqueue call (queues, returns): p50 %lld us, p99 %lld "
	    "us, max %lld us over %ld calls (target < 20 us)\n",
	    (long long)call[n / 2], (long long)call[n * 99 / 100],
	    (long long)call[n - 1], n);
	printf("pipelined: %ld alerts stored and routed to 2 channels in "
	    "%.2f s: %.0f alerts/s (%ld refused)\n", n, (double)total / 1e6,
	    (double)n * 1e6 / (double)total, failed_n);

	/* One awaited: what the alert adds to a cause's transaction. */
	k = n < 2000 ? n : 2000;
	rt = xcalloc((size_t)k, sizeof *rt);
	for (i = 0; i < k; i++) {
		alert(&m, title, sizeof title, n + i);
		done_n = 0;
		want_n = 1;
		t1 = time_mono_us();
		notify_enqueue(pg, &m, enqueued, NULL);
		loop_run();
		rt[i] = time_mono_us() - t1;
	}
	qsort(rt, (size_t)k, sizeof *rt, cmp64);
	printf("one enqueue awaited (round trip, SQL routing and dedupe): "
	    "p50 %lld us, p99 %lld us over %ld\n", (long long)rt[k / 2],
	    (long long)rt[k * 99 / 100], k);

	/* Repeats within the window: counted on the first, not routed. */
	done_n = 0;
	want_n = k;
	alert(&m, title, sizeof title, -1);
	t1 = time_mono_us();
	for (i = 0; i < k; i++)
		notify_enqueue(pg, &m, enqueued, NULL);
	loop_run();
	printf("identical repeats (de-duplicated): %.0f alerts/s\n",
	    (double)k * 1e6 / (double)(time_mono_us() - t1));

	free(call);
	free(rt);
	pg_conn_free(pg);
	loop_free();
	benchdb_drop(dsn, "notify");
	free(ci);
	return 0;
}
