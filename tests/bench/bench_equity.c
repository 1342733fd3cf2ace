/*
 * The console's equity query: a 30-day curve of one account, of a group
 * of 100 accounts from its own series (group:TAG, migration 0025) and
 * summed from its accounts' series (an account list), and of the firm, from the rollups, through the store the console uses
 * (store_equity_series), cold (the first query on a new connection) and
 * warm (repeated: the median of 20), and through the console's cache
 * (an_cache, what a repeat costs until a NOTIFY).  Target: warm < 20 ms.
 * Prints figures only; never judges them.
 *
 *   bench_equity [ACCOUNTS [DAYS [STEP_MIN]]]   (default 100 30 5)
 * Snapshots every STEP_MIN minutes over the trading day (09:15-15:30
 * IST); needs PHALANX_BENCH_DSN or PHALANX_TEST_DSN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#define BENCH_NAME "bench_equity"
#include "benchdb.h"

#include "analytics/analytics.h"
#include "db/db.h"
#include "db/store_analytics.h"

#define WARM_RUNS	20

static char	*ci;
static int	 got_rows;
static int	 waiting;

static void
setup_db(const char *dsn, int accounts, int days, int step)
{
	PGconn		*c;
	char		 sql[1024];
	int64_t		 t0;

	ci = benchdb_create(dsn, "equity");
	c = connect_or_die(ci);
	exec_or_die(c, "INSERT INTO brokers (name, kind) VALUES ('k1', 'kite')");
	snprintf(sql, sizeof sql, "INSERT INTO accounts (name, broker_id, "
	    "user_id, capital) SELECT 'a' || g, b.id, 'U' || g, 1000000 "
	    "FROM brokers b, generate_series(1, %d) g", accounts);
	exec_or_die(c, sql);
	/* Day partitions back to the first day, as the owner would have. */
	snprintf(sql, sizeof sql, "DO $$ DECLARE d date; BEGIN FOR d IN "
	    "SELECT generate_series(current_date - %d, current_date, '1 day')"
	    "::date LOOP EXECUTE format('CREATE TABLE IF NOT EXISTS %%I "
	    "PARTITION OF equity_points FOR VALUES FROM (%%L) TO (%%L)', "
	    "'equity_points_p' || to_char(d, 'YYYYMMDD'), d::timestamp AT "
	    "TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC'); END "
	    "LOOP; END $$", days);
	exec_or_die(c, sql);
	t0 = time_mono_us();
	snprintf(sql, sizeof sql, "INSERT INTO equity_points (ts, scope, "
	    "name, account_id, equity, realised, unrealised, margin_used, "
	    "reason) SELECT t, 'account', a.name, a.id, 1000000 + "
	    "round((sin(extract(epoch FROM t) / 5000 + a.id) * 20000 + "
	    "a.id * 10)::numeric, 2), 0, 0, 0, 'timer' FROM accounts a, "
	    "generate_series(current_date - %d, current_date, '1 day') d, "
	    "generate_series(d + interval '3 hours 45 minutes', d + interval "
	    "'10 hours', make_interval(mins => %d)) t", days - 1, step);
	exec_or_die(c, sql);
	snprintf(sql, sizeof sql, "INSERT INTO equity_points (ts, scope, "
	    "name, equity, realised, unrealised, margin_used, reason) SELECT "
	    "ts, 'firm', 'firm', sum(equity), 0, 0, 0, 'timer' FROM "
	    "equity_points WHERE scope = 'account' GROUP BY ts");
	exec_or_die(c, sql);
	/* The group's own points, as the timed snapshot writes them. */
	exec_or_die(c, "INSERT INTO account_tags (account_id, tag) SELECT id, "
	    "'desk' FROM accounts");
	snprintf(sql, sizeof sql, "INSERT INTO equity_points (ts, scope, "
	    "name, equity, realised, unrealised, margin_used, reason) SELECT "
	    "ts, 'group', 'desk', sum(equity), 0, 0, 0, 'timer' FROM "
	    "equity_points WHERE scope = 'account' GROUP BY ts");
	exec_or_die(c, sql);
	exec_or_die(c, "ANALYZE");
	printf("setup: %d accounts, %d days, a point every %d min in trading "
	    "hours, %.1f s with rollups\n", accounts, days, step,
	    (double)(time_mono_us() - t0) / 1e6);
	PQfinish(c);
}

static void
series_got(json_t *rows, const struct err *err, void *arg)
{
	json_t	**keep = arg;

	if (err != NULL) {
		fprintf(stderr, "bench_equity: %s\n", err->msg);
		exit(1);
	}
	got_rows = (int)json_array_size(rows);
	if (keep != NULL)
		*keep = json_incref(rows);
	waiting = 0;
	loop_exit();
}

static double
query_ms(struct store *st, const char *scope, json_t *names, json_t **keep)
{
	int64_t	t0 = time_mono_us();
	char	since[40];

	time_fmt_utc(time_wall_us() - 30LL * 86400 * 1000000, since,
	    sizeof since);
	waiting = 1;
	store_equity_series(st, "15m", scope, names, since, series_got, keep);
	while (waiting)
		loop_run();
	return (double)(time_mono_us() - t0) / 1000;
}

static int
cmp_d(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
bench_curve(const char *what, const char *scope, json_t *names)
{
	struct store	*st;
	struct an_cache	*cache = an_cache_new(4);
	json_t		*rows = NULL;
	double		 cold, warm[WARM_RUNS], cached;
	int64_t		 t0;
	int		 i;

	st = store_open(loop_base(), ci, NULL);
	cold = query_ms(st, scope, names, &rows);
	an_cache_put(cache, what, rows);
	json_decref(rows);
	for (i = 0; i < WARM_RUNS; i++)
		warm[i] = query_ms(st, scope, names, NULL);
	qsort(warm, WARM_RUNS, sizeof warm[0], cmp_d);
	t0 = time_mono_us();
	for (i = 0; i < 1000; i++)
		if (an_cache_get(cache, what) == NULL)
			exit(1);
	cached = (double)(time_mono_us() - t0) / 1000 / 1000;
	printf("%-34s %5d points  cold %7.2f ms  warm p50 %7.2f ms  max "
	    "%7.2f ms  cached %.4f ms  (target warm < 20 ms)\n", what,
	    got_rows, cold, warm[WARM_RUNS / 2], warm[WARM_RUNS - 1], cached);
	an_cache_free(cache);
	store_close(st);
}

int
main(int argc, char **argv)
{
	const char	*dsn = getenv("PHALANX_BENCH_DSN");
	int		 accounts = argc > 1 ? atoi(argv[1]) : 100;
	int		 days = argc > 2 ? atoi(argv[2]) : 30;
	int		 step = argc > 3 ? atoi(argv[3]) : 5;
	json_t		*names = json_array(), *firm;
	int		 i;
	char		 name[64];

	if (dsn == NULL || *dsn == '\0')
		dsn = getenv("PHALANX_TEST_DSN");
	if (dsn == NULL || *dsn == '\0') {
		printf("bench_equity: no PHALANX_BENCH_DSN: skipped\n");
		return 0;
	}
	accounts = accounts > 0 ? accounts : 100;
	days = days > 0 ? days : 30;
	step = step > 0 ? step : 5;
	setup_db(dsn, accounts, days, step);
	{
		FILE	*f = fopen("/proc/loadavg", "r");
		char	 la[64] = "";

		if (f != NULL && fgets(la, sizeof la, f) != NULL)
			printf("load average now: %.*s (the machine's cores are "
			    "shared: times are inflated by it)\n",
			    (int)strcspn(la, "\n"), la);
		if (f != NULL)
			fclose(f);
	}
	for (i = 1; i <= accounts; i++) {
		snprintf(name, sizeof name, "a%d", i);
		json_array_append_new(names, json_string(name));
	}
	firm = json_pack("[s]", "a1");
	bench_curve("one account", "account", firm);
	json_decref(firm);
	firm = json_pack("[s]", "desk");
	snprintf(name, sizeof name, "group:desk (%d accounts), own", accounts);
	bench_curve(name, "group", firm);
	json_decref(firm);
	snprintf(name, sizeof name, "%d accounts summed", accounts);
	bench_curve(name, "account", names);
	firm = json_pack("[s]", "firm");
	bench_curve("the firm", "firm", firm);
	json_decref(firm);
	json_decref(names);
	if (getenv("PHALANX_BENCH_KEEP") != NULL)	/* to EXPLAIN by hand */
		printf("kept: %s\n", ci);
	else
		benchdb_drop(dsn, "equity");
	free(ci);
	loop_free();
	return 0;
}
