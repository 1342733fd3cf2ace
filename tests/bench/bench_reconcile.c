/*
 * A reconcile pass over unchanged books (db/store_reconcile.c, 0032):
 * every account's order book put into the store, as at every process
 * start and every exec.reconcile_s, when the store already matches the
 * brokers.  Times the pass as the reconciler sends it (one statement a
 * book, one connection) both ways: the book entry by entry through
 * phalanx_reconcile_order (the statement before 0032) and whole through
 * phalanx_reconcile_book; then passes where five orders of each book,
 * and where all of them, changed; then where five of each book filled
 * while nobody watched (their fills applied by the pass).  Prints the
 * wall time of a pass and the server's CPU time in it (from /proc, when
 * the server runs here).  Prints figures only; never judges them.
 *
 *   bench_reconcile [ACCOUNTS [ORDERS [PASSES]]]	(default 100 45 7)
 * Needs PHALANX_BENCH_DSN or PHALANX_TEST_DSN; works in a fresh database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#define BENCH_NAME "bench_reconcile"
#include "benchdb.h"

#include "db/db.h"

static char	*ci;

/* The statement before 0032: the per-order function for each entry. */
static const char sql_each[] =
"SELECT r.order_id, r.action, r.applied "
"FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(o, n),"
"  LATERAL phalanx_reconcile_order($1::bigint, e.o, '{}') r "
"ORDER BY e.n";

/* The statement of db/store_reconcile.c since 0032. */
static const char sql_book[] =
"SELECT r.order_id, r.action, r.applied "
"FROM phalanx_reconcile_book($1::bigint, $2::jsonb, '{}') r "
"ORDER BY r.n";

/* Each account's book as its broker reports it, in the reconciler's JSON. */
static const char sql_books[] =
"SELECT o.account_id, json_agg(json_build_object('order_id',"
"  o.broker_order_id, 'tag', o.client_tag, 'status', CASE o.state"
"    WHEN 'FILLED' THEN 'COMPLETE' ELSE o.state END, 'state', o.state,"
"  'message', '', 'filled', o.filled_qty, 'avg', o.avg_price::text,"
"  'qty', o.qty, 'side', o.side, 'symbol', o.symbol, 'exchange',"
"  o.exchange, 'product', o.product, 'order_type', o.order_type,"
"  'price', '0.00', 'trigger_price', '0.00') ORDER BY o.id)::text "
"FROM orders o GROUP BY o.account_id ORDER BY o.account_id";

struct books {
	int		  n;
	char		**id;
	char		**json;
};

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * accounts x orders FILLED orders, orders fan-outs to every account, each
 * fill already in the positions (pos_qty): what a day of trading leaves.
 * One order per account stays OPEN, so every account is one the
 * reconciler reads.
 */
static void
setup_db(const char *dsn, int accounts, int orders)
{
	PGconn	*c;
	char	 sql[1024];

	ci = benchdb_create(dsn, "recon");
	c = connect_or_die(ci);
	exec_or_die(c, "INSERT INTO brokers (name, kind) "
	    "VALUES ('k1', 'kite')");
	snprintf(sql, sizeof sql, "INSERT INTO accounts (name, broker_id, "
	    "user_id) SELECT 'acc' || g, b.id, 'AB' || g FROM brokers b, "
	    "generate_series(1, %d) g", accounts);
	exec_or_die(c, sql);
	snprintf(sql, sizeof sql, "INSERT INTO fanouts (who, source, target, "
	    "side, symbol, exchange, qty, state) SELECT 'bench', 'bench', "
	    "'all', 'BUY', 'NIFTY25DECFUT', 'NFO', 1, 'COMPLETED' "
	    "FROM generate_series(1, %d)", orders);
	exec_or_die(c, sql);
	exec_or_die(c, "INSERT INTO orders (fanout_id, account_id, "
	    "client_tag, broker_order_id, state, side, symbol, exchange, "
	    "product, order_type, qty, filled_qty, avg_price, pos_qty, "
	    "pos_value) SELECT f.id, a.id, 'B' || a.id || 'f' || f.id, "
	    "(2512000000000 + a.id * 100000 + f.id)::text, 'FILLED', 'BUY', "
	    "'NIFTY25DECFUT', 'NFO', 'NRML', 'MARKET', 75, 75, 24150.55, 75, "
	    "75 * 24150.55 FROM accounts a, fanouts f ORDER BY f.id, a.id");
	exec_or_die(c, "UPDATE orders SET state = 'OPEN', "
	    "filled_qty = 0, avg_price = 0, pos_qty = 0, pos_value = 0 "
	    "WHERE fanout_id = (SELECT max(id) FROM fanouts)");
	exec_or_die(c, "INSERT INTO positions (account_id, exchange, "
	    "symbol, product, qty, avg_price) SELECT account_id, 'NFO', "
	    "'NIFTY25DECFUT', 'NRML', sum(pos_qty), 24150.55 FROM orders "
	    "GROUP BY account_id");
	exec_or_die(c, "VACUUM ANALYZE");
	PQfinish(c);
}

static void
books_read(PGconn *c, struct books *b)
{
	PGresult	*r = query_or_die(c, sql_books);
	int		 i;

	b->n = PQntuples(r);
	b->id = xcalloc((size_t)b->n, sizeof *b->id);
	b->json = xcalloc((size_t)b->n, sizeof *b->json);
	for (i = 0; i < b->n; i++) {
		b->id[i] = xstrdup(PQgetvalue(r, i, 0));
		b->json[i] = xstrdup(PQgetvalue(r, i, 1));
	}
	PQclear(r);
}

static void
books_free(struct books *b)
{
	int	i;

	for (i = 0; i < b->n; i++) {
		free(b->id[i]);
		free(b->json[i]);
	}
	free(b->id);
	free(b->json);
}

/*
 * The server process's time on a CPU so far (ms; < 0: not readable, the
 * server elsewhere): what a pass costs the server, whatever else the
 * machine runs meanwhile -- the wall time counts the waits for a CPU too.
 */
static double
server_cpu_ms(PGconn *c)
{
	char		 path[64];
	FILE		*f;
	long long	 ns;
	int		 ok;

	snprintf(path, sizeof path, "/proc/%d/schedstat", PQbackendPID(c));
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	ok = fscanf(f, "%lld", &ns) == 1;
	fclose(f);
	return ok ? ns / 1e6 : -1;
}

/* One pass: every book, one statement each.  Returns its wall time. */
static double
pass(PGconn *c, const char *sql, const struct books *b, long *corrected)
{
	const char	*p[2];
	PGresult	*r;
	double		 t0 = now_ms();
	int		 i, j;

	for (i = 0; i < b->n; i++) {
		p[0] = b->id[i];
		p[1] = b->json[i];
		r = PQexecParams(c, sql, 2, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "bench_reconcile: %s",
			    PQerrorMessage(c));
			exit(1);
		}
		for (j = 0; j < PQntuples(r); j++) {
			if (strcmp(PQgetvalue(r, j, 1), "corrected") == 0)
				(*corrected)++;
		}
		PQclear(r);
	}
	return now_ms() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * k orders of each account moved back, for the pass to correct.  fills:
 * their fills taken out too (of the order and of its position), as when
 * they filled while no phalanx process watched: the pass applies each
 * fill to the positions, and every fill writes its equity points.
 */
static void
unsettle(PGconn *c, int k, int fills)
{
	char	sql[900];

	if (!fills) {
		snprintf(sql, sizeof sql, "UPDATE orders SET state = 'OPEN' "
		    "WHERE id IN (SELECT id FROM (SELECT id, row_number() "
		    "OVER (PARTITION BY account_id ORDER BY id) AS k FROM "
		    "orders WHERE state = 'FILLED') s WHERE k <= %d)", k);
		exec_or_die(c, sql);
		return;
	}
	snprintf(sql, sizeof sql, "WITH u AS (UPDATE orders o SET "
	    "state = 'OPEN', filled_qty = 0, avg_price = 0, pos_qty = 0, "
	    "pos_value = 0 FROM (SELECT id, pos_qty AS pq FROM (SELECT id, "
	    "pos_qty, row_number() OVER (PARTITION BY account_id ORDER BY "
	    "id) AS k FROM orders WHERE state = 'FILLED') s WHERE k <= %d) s "
	    "WHERE o.id = s.id RETURNING o.account_id, s.pq) "
	    "UPDATE positions p SET qty = p.qty - x.q FROM (SELECT "
	    "account_id, sum(pq) AS q FROM u GROUP BY account_id) x "
	    "WHERE p.account_id = x.account_id", k);
	exec_or_die(c, sql);
}

static void
measure(PGconn *c, const char *name, const char *sql,
    const struct books *b, int passes, int orders, int changed, int fills)
{
	double	*t = xcalloc((size_t)passes, sizeof *t);
	double	*cpu = xcalloc((size_t)passes, sizeof *cpu), c0;
	long	 corrected = 0;
	int	 i, total = b->n * orders;

	/* The first pass plans the statements: not timed. */
	pass(c, sql, b, &corrected);
	corrected = 0;
	for (i = 0; i < passes; i++) {
		if (changed > 0)
			unsettle(c, changed, fills);
		c0 = server_cpu_ms(c);
		t[i] = pass(c, sql, b, &corrected);
		cpu[i] = c0 < 0 ? -1 : server_cpu_ms(c) - c0;
	}
	qsort(t, (size_t)passes, sizeof *t, cmp_double);
	qsort(cpu, (size_t)passes, sizeof *cpu, cmp_double);
	printf("  %-34s wall p50 %7.1f ms (min %7.1f), server CPU p50 %7.1f "
	    "ms = %5.1f us/order  (corrected %ld a pass)\n", name,
	    t[passes / 2], t[0], cpu[passes / 2],
	    cpu[passes / 2] * 1000.0 / total, corrected / passes);
	free(t);
	free(cpu);
}

int
main(int argc, char **argv)
{
	const char	*dsn = getenv("PHALANX_BENCH_DSN");
	struct books	 b;
	PGconn		*c;
	PGresult	*r;
	int		 accounts = argc > 1 ? atoi(argv[1]) : 100;
	int		 orders = argc > 2 ? atoi(argv[2]) : 45;
	int		 passes = argc > 3 ? atoi(argv[3]) : 7;
	char		 load[64] = "?";
	FILE		*f;

	if (dsn == NULL || *dsn == '\0')
		dsn = getenv("PHALANX_TEST_DSN");
	if (dsn == NULL || *dsn == '\0') {
		fprintf(stderr, "bench_reconcile: PHALANX_BENCH_DSN not set\n");
		return 1;
	}
	if (accounts < 1 || orders < 2 || passes < 1) {
		fprintf(stderr, "usage: bench_reconcile [ACCOUNTS [ORDERS "
		    "[PASSES]]] (ORDERS >= 2)\n");
		return 1;
	}
	setup_db(dsn, accounts, orders);
	c = connect_or_die(ci);
	books_read(c, &b);
	printf("reconcile pass: %d accounts x %d orders, one statement a "
	    "book, %d passes\n", b.n, orders, passes);
	measure(c, "unchanged, entry by entry (before)", sql_each, &b, passes,
	    orders, 0, 0);
	measure(c, "unchanged, whole book (0032)", sql_book, &b, passes,
	    orders, 0, 0);
	r = query_or_die(c, "SELECT count(*) FROM order_events");
	printf("  order events written by the unchanged passes: %s\n",
	    PQgetvalue(r, 0, 0));
	PQclear(r);
	measure(c, "5 a book changed, entry by entry", sql_each, &b, passes,
	    orders, 5, 0);
	measure(c, "5 a book changed, whole book", sql_book, &b, passes,
	    orders, 5, 0);
	/* After a crash: every FILLED order of every book moved back. */
	measure(c, "all changed, entry by entry", sql_each, &b, passes,
	    orders, orders, 0);
	measure(c, "all changed, whole book", sql_book, &b, passes, orders,
	    orders, 0);
	/*
	 * Fills nobody saw (a batch script exits before its orders fill):
	 * each is applied to its position, and each fill's equity points
	 * are written (0033: its account's at the fill, its broker's and
	 * the firm's once a transaction, here a book; before, the whole
	 * firm's at every fill).
	 */
	measure(c, "5 a book filled unseen, whole book", sql_book, &b,
	    passes, orders, 5, 1);
	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fgets(load, sizeof load, f) == NULL)
			strcpy(load, "?");
		load[strcspn(load, "\n")] = '\0';
		fclose(f);
	}
	printf("  load average: %s\n", load);
	books_free(&b);
	PQfinish(c);
	benchdb_drop(dsn, "recon");
	free(ci);
	return 0;
}
