/*
 * A broker's order book into the store (db/store_reconcile.c, the set-based
 * pass of db/migrations/0032) against a real server: PHALANX_TEST_DSN names
 * a throwaway cluster; each run works in a fresh database of its own.
 * An unchanged book takes no row lock and writes nothing; a book with
 * changes among unchanged entries ends exactly as the per-order function
 * run entry by entry (the statement before 0032) leaves it; the pass does
 * not deadlock with the events writer's COPY and settle.
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
#include "db/store_reconcile.h"
#include "testdb.h"

static char	*ci;

/* The statement before 0032: the per-order function for each entry. */
static const char sql_each[] =
"SELECT r.order_id, r.fanout_id, r.client_tag, r.action, r.old_state,"
"  r.new_state, r.applied "
"FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(o, n),"
"  LATERAL phalanx_reconcile_order($1::bigint, e.o,"
"    ARRAY(SELECT jsonb_array_elements_text(coalesce($3::jsonb, '[]'))"
"      ::bigint)) r "
"ORDER BY e.n";

/* An account's orders as its broker reports them, newest first. */
static const char sql_book[] =
"SELECT coalesce(json_agg(json_build_object('order_id',"
"  o.broker_order_id, 'tag', coalesce(o.client_tag, ''), 'status',"
"  o.state, 'state', o.state, 'message', '', 'filled', o.filled_qty,"
"  'avg', o.avg_price::text, 'qty', o.qty, 'side', o.side, 'symbol',"
"  o.symbol, 'exchange', o.exchange, 'product', o.product, 'order_type',"
"  o.order_type, 'price', '0.00', 'trigger_price', '0.00')"
"  ORDER BY o.id DESC), '[]')::text "
"FROM orders o JOIN accounts a ON a.id = o.account_id WHERE a.name = $1";

static PGconn *
conn(void)
{
	PGconn	*c = PQconnectdb(ci);

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect: %s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, testdb_quiet, NULL);
	return c;
}

static void
exec_on(PGconn *c, const char *sql)
{
	PGresult	*r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* The one value of a query; the caller frees it. */
static char *
sql_vtext(const char *fmt, va_list ap)
{
	PGconn		*c = conn();
	PGresult	*r;
	char		*sql = xvasprintf(fmt, ap), *v;

	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	v = xstrdup(PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	free(sql);
	return v;
}

static char *sql_text(const char *, ...) PX_PRINTF(1, 2);
static int64_t sql_int(const char *, ...) PX_PRINTF(1, 2);

static char *
sql_text(const char *fmt, ...)
{
	va_list	 ap;
	char	*v;

	va_start(ap, fmt);
	v = sql_vtext(fmt, ap);
	va_end(ap);
	return v;
}

static int64_t
sql_int(const char *fmt, ...)
{
	va_list	 ap;
	char	*v;
	int64_t	 n;

	va_start(ap, fmt);
	v = sql_vtext(fmt, ap);
	va_end(ap);
	n = strtoll(v, NULL, 10);
	free(v);
	return n;
}

/*
 * Account name with orders of fan-outs 1..n (tags NAMEfK, broker ids
 * NAME-K), FILLED 75 at 24150.55, their fills in the positions; and
 * two orders phalanx did not place (no tag, no fan-out).
 */
static int64_t
seed(const char *name, int n)
{
	char	sql[1536];

	snprintf(sql, sizeof sql,
	    "INSERT INTO accounts (name, broker_id, user_id) SELECT '%s', id,"
	    " 'U%s' FROM brokers;"
	    "INSERT INTO orders (fanout_id, account_id, client_tag,"
	    " broker_order_id, state, side, symbol, exchange, product,"
	    " order_type, qty, filled_qty, avg_price, pos_qty, pos_value)"
	    " SELECT f.id, a.id, a.name || 'f' || f.id, a.name || '-' || f.id,"
	    " 'FILLED', 'BUY', 'NIFTY25DECFUT', 'NFO', 'NRML', 'MARKET', 75,"
	    " 75, 24150.55, 75, 75 * 24150.55 FROM accounts a, fanouts f"
	    " WHERE a.name = '%s' AND f.id <= %d ORDER BY f.id;"
	    "INSERT INTO orders (account_id, broker_order_id, state, side,"
	    " symbol, exchange, product, order_type, qty, filled_qty,"
	    " avg_price, pos_qty, pos_value, price) SELECT a.id,"
	    " a.name || '-x' || g,"
	    " 'CANCELLED', 'SELL', 'BANKNIFTY25DECFUT', 'NFO', 'MIS', 'LIMIT',"
	    " 30, 0, 0, 0, 0, 51000 FROM accounts a, generate_series(1, 2) g"
	    " WHERE a.name = '%s';"
	    "INSERT INTO positions (account_id, exchange, symbol, product,"
	    " qty, avg_price) SELECT a.id, 'NFO', 'NIFTY25DECFUT', 'NRML',"
	    " 75 * %d, 24150.55 FROM accounts a WHERE a.name = '%s'",
	    name, name, name, n, name, n, name);
	testdb_exec(ci, sql);
	return sql_int("SELECT id FROM accounts WHERE name = '%s'", name);
}

static json_t *
book_of(const char *name)
{
	PGconn		*c = conn();
	const char	*p[1] = { name };
	PGresult	*r = PQexecParams(c, sql_book, 1, NULL, p, NULL, NULL,
			    0);
	json_t		*j;

	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	j = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	assert_non_null(j);
	PQclear(r);
	PQfinish(c);
	return j;
}

static int
setup(void **state)
{
	const char	*dsn = getenv("PHALANX_TEST_DSN");

	if (dsn == NULL || *dsn == '\0')
		return 0;
	ci = testdb_create(dsn, "sr");
	testdb_exec(ci, "INSERT INTO brokers (name, kind) VALUES ('k1', 'kite');"
	    "INSERT INTO fanouts (who, source, target, side, symbol, exchange,"
	    " qty, state) SELECT 't', 't', 'all', 'BUY', 'NIFTY25DECFUT',"
	    " 'NFO', 1, 'COMPLETED' FROM generate_series(1, 40)");
	return 0;
}

static int
teardown(void **state)
{
	const char	*dsn = getenv("PHALANX_TEST_DSN");

	loop_free();
	if (ci == NULL)
		return 0;
	testdb_drop(dsn, "sr");
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

struct answer {
	int		 n;
	json_t		*rows;		/* NULL: error */
	struct err	 err;
};

static void
answered(json_t *rows, const struct err *err, void *arg)
{
	struct answer	*a = arg;

	a->n++;
	a->rows = rows != NULL ? json_incref(rows) : NULL;
	if (err != NULL)
		a->err = *err;
}

static void
turn(void)
{
	struct timeval	tv = { 0, 20000 };

	event_base_loopexit(loop_base(), &tv);
	loop_run();
}

static void
spin_until(const int *n)
{
	int	i;

	for (i = 0; *n == 0 && i < 1000; i++)
		turn();
	if (*n == 0)
		fail_msg("no answer in 20 s");
}

/* The statement answered rows, or the test fails with its error. */
static void
stored(const struct answer *a)
{
	if (a->rows == NULL)
		fail_msg("not stored: %s", a->err.msg);
}

/* A store whose statements give up on a row lock after ms. */
static struct store *
store_with_lock_timeout(int ms)
{
	char		*dsn = xasprintf("%s options='-c lock_timeout=%d'", ci,
			    ms);
	struct store	*st = store_open(loop_base(), dsn, NULL);
	int		 i;

	free(dsn);
	for (i = 0; i < 500 && pg_conn_state(store_conn(st)) != PG_READY; i++)
		turn();
	assert_int_equal(pg_conn_state(store_conn(st)), PG_READY);
	return st;
}

static const char *
row_str(json_t *row, const char *k)
{
	const char	*s = json_string_value(json_object_get(row, k));

	return s != NULL ? s : "";
}

/*
 * An unchanged book: every entry "same", in book order, applied 0; no
 * event, no row rewritten, and no row locked -- the rows another session
 * holds FOR UPDATE (a tagged order, an order phalanx did not place) do not
 * hold the pass up (it would fail on lock_timeout), and the others carry
 * no locker's xid (xmax).  An order of a fan-out a live session owns is
 * "live", read without a lock either.
 */
static void
test_unchanged_no_locks(void **state)
{
	struct store	*st;
	struct answer	 a = { 0 };
	json_t		*book, *row;
	PGconn		*other;
	int64_t		 acct, events;
	size_t		 i;

	need_dsn();
	acct = seed("un", 30);
	book = book_of("un");
	assert_int_equal(json_array_size(book), 32);
	events = sql_int("SELECT count(*) FROM order_events");
	other = conn();
	exec_on(other, "BEGIN");
	exec_on(other, "SELECT 1 FROM orders WHERE client_tag = 'unf7' "
	    "OR broker_order_id = 'un-x1' FOR UPDATE");
	exec_on(other, "SELECT pg_advisory_lock(1885889135, 30)");

	st = store_with_lock_timeout(1000);
	store_reconcile_book(st, acct, book, NULL, answered, &a);
	spin_until(&a.n);
	stored(&a);
	assert_int_equal(json_array_size(a.rows), 32);
	json_array_foreach(a.rows, i, row) {
		json_t	*e = json_array_get(book, i);

		assert_int_equal(json_integer_value(json_object_get(row,
		    "applied")), 0);
		/* Book order: the tag, or the broker id, of entry i. */
		if (*row_str(e, "tag") != '\0')
			assert_string_equal(row_str(row, "client_tag"),
			    row_str(e, "tag"));
		assert_string_equal(row_str(row, "old_state"),
		    row_str(e, "state"));
		assert_string_equal(row_str(row, "action"),
		    strcmp(row_str(e, "tag"), "unf30") == 0 ? "live" : "same");
	}
	json_decref(a.rows);
	assert_int_equal(sql_int("SELECT count(*) FROM order_events"),
	    events);
	/* Only the two rows the other session locked. */
	assert_int_equal(sql_int("SELECT count(*) FROM orders WHERE "
	    "account_id = %lld AND (xmax <> 0 OR updated_at <> created_at)",
	    (long long)acct), 2);
	exec_on(other, "COMMIT");
	exec_on(other, "SELECT pg_advisory_unlock_all()");
	PQfinish(other);
	store_close(st);
	json_decref(book);
}

/* One entry of a book, changed: key = value (text, or an integer). */
static void
edit(json_t *book, size_t i, const char *k, const char *v)
{
	json_t	*e = json_array_get(book, i);

	assert_non_null(e);
	json_object_set_new(e, k, strcmp(k, "filled") == 0 ?
	    json_integer(atoll(v)) : json_string(v));
}

/* The book's entry for tag NAME'f'K (K a fan-out). */
static size_t
entry_of(json_t *book, const char *name, int k)
{
	json_t	*e;
	size_t	 i;
	char	 tag[32];

	snprintf(tag, sizeof tag, "%sf%d", name, k);
	json_array_foreach(book, i, e) {
		if (strcmp(row_str(e, "tag"), tag) == 0)
			return i;
	}
	fail_msg("no entry %s", tag);
	return 0;
}

/*
 * The same changes for account name: a fill, an average price, a broker
 * id first learned, an order found by broker id (its tag dropped), one
 * whose fill the positions lack, one named twice (its outcome depends on
 * their order), an order phalanx did not place, the orders of a live
 * fan-out (left alone) and of a claimed one (corrected).
 */
static json_t *
changed_book(const char *name)
{
	json_t	*book, *dup;
	size_t	 i;
	char	 sql[512], bid[32];

	snprintf(sql, sizeof sql,
	    "UPDATE orders o SET state = 'OPEN', filled_qty = 0, avg_price = 0,"
	    " pos_qty = 0, pos_value = 0 FROM accounts a WHERE a.id ="
	    " o.account_id AND a.name = '%s' AND o.fanout_id IN (2, 6, 12);"
	    "UPDATE orders o SET broker_order_id = NULL, state = 'SUBMITTED'"
	    " FROM accounts a WHERE a.id = o.account_id AND a.name = '%s'"
	    " AND o.fanout_id = 3;"
	    "UPDATE orders o SET pos_qty = 0, pos_value = 0 FROM accounts a"
	    " WHERE a.id = o.account_id AND a.name = '%s' AND o.fanout_id = 5",
	    name, name, name);
	book = book_of(name);
	testdb_exec(ci, sql);
	/* 2, 6, 12 filled at the broker meanwhile; 3 learns its broker
	 * id; 5 has its fill not yet in the positions. */
	edit(book, entry_of(book, name, 9), "avg", "24151.00");
	edit(book, entry_of(book, name, 4), "tag", "");
	i = entry_of(book, name, 8);
	edit(book, i, "state", "CANCELLED");
	edit(book, i, "tag", "");
	dup = json_deep_copy(json_array_get(book, entry_of(book, name, 10)));
	edit(book, entry_of(book, name, 10), "state", "OPEN");
	json_array_insert_new(book, entry_of(book, name, 10) + 3, dup);
	/* 6 and 12: OPEN in the store, FILLED at the broker; 12's fan-out
	 * is owned by a live session, 6's too but claimed. */
	json_array_insert_new(book, 5, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,"
	    "s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "order_id",
	    (snprintf(bid, sizeof bid, "%s-hand", name), bid), "tag", "",
	    "status", "COMPLETE", "state", "FILLED", "message", "",
	    "filled", (json_int_t)50, "avg", "100.50", "qty", (json_int_t)50,
	    "side", "SELL", "symbol", "NIFTY25DEC24000CE", "exchange", "NFO",
	    "product", "NRML", "order_type", "MARKET", "price", "0.00",
	    "trigger_price", "0.00"));
	return book;
}

/* Rows of an answer, keyed by what does not name the account. */
static char *
rows_text(json_t *rows, const char *name)
{
	struct strbuf	 sb;
	json_t		*row;
	size_t		 i, skip = strlen(name);
	const char	*tag;

	strbuf_init(&sb);
	json_array_foreach(rows, i, row) {
		tag = row_str(row, "client_tag");
		strbuf_printf(&sb, "%zu %s %lld %s %s %s %lld\n", i,
		    strlen(tag) > skip ? tag + skip : "-",
		    (long long)json_integer_value(json_object_get(row,
		    "fanout_id")), row_str(row, "action"),
		    row_str(row, "old_state"), row_str(row, "new_state"),
		    (long long)json_integer_value(json_object_get(row,
		    "applied")));
	}
	return strbuf_steal(&sb);
}

/* What the store holds of account name, without its names and ids. */
static char *
store_text(const char *name)
{
	return sql_text(
	    "SELECT string_agg(s, E'\\n' ORDER BY s) FROM ("
	    " SELECT concat_ws(' ', 'o', coalesce(substr(o.client_tag, %zu),"
	    "  '-'), substr(o.broker_order_id, %zu), o.fanout_id, o.state,"
	    "  o.filled_qty, o.avg_price, o.pos_qty, o.pos_value, o.message,"
	    "  o.symbol, o.side, o.qty) AS s"
	    " FROM orders o JOIN accounts a ON a.id = o.account_id"
	    " WHERE a.name = '%s'"
	    " UNION ALL SELECT concat_ws(' ', 'e', coalesce(substr(o.client_tag,"
	    "  %zu), substr(o.broker_order_id, %zu)), e.id - (SELECT min(e2.id)"
	    "  FROM order_events e2 JOIN orders o2 ON o2.id = e2.order_id"
	    "  WHERE o2.account_id = a.id), e.state, e.broker_status,"
	    "  e.filled_qty, e.message)"
	    " FROM order_events e JOIN orders o ON o.id = e.order_id"
	    " JOIN accounts a ON a.id = o.account_id WHERE a.name = '%s'"
	    " UNION ALL SELECT concat_ws(' ', 'p', p.symbol, p.product, p.qty,"
	    "  p.avg_price, p.realised_pnl) FROM positions p"
	    " JOIN accounts a ON a.id = p.account_id WHERE a.name = '%s') x",
	    strlen(name) + 1, strlen(name) + 1, name, strlen(name) + 1,
	    strlen(name) + 1, name, name);
}

/* The per-order function entry by entry, as before 0032. */
static json_t *
each_entry(int64_t acct, json_t *book, json_t *claimed)
{
	PGconn		*c = conn();
	char		 id[24], *b = json_dumps(book, JSON_COMPACT),
			*cl = json_dumps(claimed, JSON_COMPACT);
	const char	*p[3] = { id, b, cl };
	PGresult	*r;
	json_t		*rows = json_array();
	int		 i;

	snprintf(id, sizeof id, "%lld", (long long)acct);
	r = PQexecParams(c, sql_each, 3, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("each: %s", PQerrorMessage(c));
	for (i = 0; i < PQntuples(r); i++) {
		json_array_append_new(rows, json_pack("{s:s,s:I,s:s,s:s,s:s,"
		    "s:s,s:I}", "order_id", PQgetvalue(r, i, 0), "fanout_id",
		    (json_int_t)strtoll(PQgetvalue(r, i, 1), NULL, 10),
		    "client_tag", PQgetvalue(r, i, 2), "action",
		    PQgetvalue(r, i, 3), "old_state", PQgetvalue(r, i, 4),
		    "new_state", PQgetvalue(r, i, 5), "applied",
		    (json_int_t)strtoll(PQgetvalue(r, i, 6), NULL, 10)));
	}
	PQclear(r);
	PQfinish(c);
	free(b);
	free(cl);
	return rows;
}

/*
 * Changes among unchanged entries: the set-based pass answers and writes
 * exactly what the per-order function does run entry by entry -- the
 * same rows in the same order, the same orders, events and positions --
 * for two accounts given the same book.
 */
static void
test_changed_as_before(void **state)
{
	struct store	*st;
	struct answer	 a = { 0 };
	json_t		*bk_old, *bk_new, *rows_old, *claimed, *row;
	PGconn		*owner;
	int64_t		 acct_old, acct_new;
	char		*t_old, *t_new, *s_old, *s_new;
	size_t		 i;
	int		 corrected = 0;

	need_dsn();
	acct_old = seed("ce", 24);
	acct_new = seed("cs", 24);
	bk_old = changed_book("ce");
	bk_new = changed_book("cs");
	owner = conn();
	exec_on(owner, "SELECT pg_advisory_lock(1885889135, 6),"
	    " pg_advisory_lock(1885889135, 12)");
	claimed = json_pack("[i]", 6);

	rows_old = each_entry(acct_old, bk_old, claimed);
	st = store_with_lock_timeout(5000);
	store_reconcile_book(st, acct_new, bk_new, claimed, answered, &a);
	spin_until(&a.n);
	stored(&a);

	t_old = rows_text(rows_old, "ce");
	t_new = rows_text(a.rows, "cs");
	assert_string_equal(t_new, t_old);
	s_old = store_text("ce");
	s_new = store_text("cs");
	assert_string_equal(s_new, s_old);
	/* And the changes are there: not two identical no-ops. */
	json_array_foreach(a.rows, i, row) {
		if (strcmp(row_str(row, "action"), "corrected") == 0)
			corrected++;
	}
	assert_int_equal(corrected, 7);
	assert_non_null(strstr(t_new, "foreign"));
	assert_non_null(strstr(t_new, "live OPEN OPEN 0"));
	assert_non_null(strstr(t_new, "f5 5 same FILLED FILLED 75"));
	assert_non_null(strstr(s_new, "p NIFTY25DEC24000CE NRML -50"));
	print_message("%s", t_new);

	exec_on(owner, "SELECT pg_advisory_unlock_all()");
	PQfinish(owner);
	store_close(st);
	free(t_old);
	free(t_new);
	free(s_old);
	free(s_new);
	json_decref(a.rows);
	json_decref(rows_old);
	json_decref(claimed);
	json_decref(bk_old);
	json_decref(bk_new);
}

/* The events writer's settle (0031) of the given orders, all FILLED. */
static void
settle_sql(char *sql, size_t len, int64_t x, int64_t y)
{
	snprintf(sql, len, "SELECT * FROM phalanx_events_settle(0, NULL, "
	    "NULL, ARRAY[%lld, %lld]::bigint[], ARRAY['FILLED', 'FILLED'], "
	    "ARRAY[75, 75], ARRAY[24150.55, 24150.55], ARRAY[now(), now()], "
	    "ARRAY[NULL, NULL]::uuid[])", (long long)x, (long long)y);
}

/* The store's statement is waiting on a lock (or has answered). */
static void
wait_blocked_or_answered(const struct answer *a)
{
	int	i;

	for (i = 0; i < 500 && a->n == 0; i++) {
		if (sql_int("SELECT count(*) FROM pg_stat_activity WHERE "
		    "wait_event_type = 'Lock' AND query LIKE "
		    "'%%phalanx_reconcile%%'") > 0)
			return;
		turn();
	}
}

/*
 * The events writer COPYs a batch into order_events (its foreign-key
 * checks hold FOR KEY SHARE on the orders) and then settles them, locking
 * FOR NO KEY UPDATE in id order, all in one transaction.  Before 0032 the
 * pass locked FOR UPDATE in book order: holding one of those orders and
 * waiting on the other's key-share lock, it deadlocked with the settle.
 * Now it locks FOR NO KEY UPDATE in id order: it passes the key-share
 * locks; and behind a settle holding the rows it waits, then corrects
 * what the settle left, without a deadlock either way.
 */
static void
test_no_deadlock_with_settle(void **state)
{
	struct store	*st;
	struct answer	 a = { 0 }, b = { 0 };
	json_t		*book;
	PGconn		*w;
	int64_t		 acct, x, y;
	char		 sql[512];

	need_dsn();
	acct = seed("dl", 4);
	/* The book lists newest first: x (fan-out 2) before y (1), and the
	 * settle locks y first (id order). */
	x = sql_int("SELECT id FROM orders WHERE client_tag = 'dlf2'");
	y = sql_int("SELECT id FROM orders WHERE client_tag = 'dlf1'");
	testdb_exec(ci, "UPDATE orders SET state = 'OPEN', filled_qty = 0, "
	    "avg_price = 0, pos_qty = 0, pos_value = 0 WHERE client_tag IN "
	    "('dlf1', 'dlf2')");
	book = book_of("dl");
	edit(book, entry_of(book, "dl", 2), "state", "FILLED");
	edit(book, entry_of(book, "dl", 2), "filled", "75");
	edit(book, entry_of(book, "dl", 2), "avg", "24150.55");
	edit(book, entry_of(book, "dl", 1), "state", "CANCELLED");
	st = store_with_lock_timeout(20000);

	/* The writer's COPY has y's key-share lock; then the pass. */
	w = conn();
	exec_on(w, "BEGIN");
	snprintf(sql, sizeof sql, "INSERT INTO order_events (order_id, "
	    "state, filled_qty) VALUES (%lld, 'FILLED', 75)", (long long)y);
	exec_on(w, sql);
	store_reconcile_book(st, acct, book, NULL, answered, &a);
	wait_blocked_or_answered(&a);
	settle_sql(sql, sizeof sql, x, y);
	exec_on(w, sql);		/* a deadlock fails here, */
	exec_on(w, "COMMIT");
	spin_until(&a.n);		/* or here */
	stored(&a);
	json_decref(a.rows);
	/* The pass came first; the settle's FILLED came last. */
	assert_int_equal(sql_int("SELECT count(*) FROM orders WHERE "
	    "client_tag IN ('dlf1', 'dlf2') AND state = 'FILLED'"), 2);
	assert_int_equal(sql_int("SELECT count(*) FROM order_events WHERE "
	    "message LIKE 'reconciled%%' AND order_id IN (%lld, %lld)",
	    (long long)x, (long long)y), 2);

	/* A settle holding both rows: the pass waits, then corrects. */
	exec_on(w, "BEGIN");
	settle_sql(sql, sizeof sql, y, x);
	exec_on(w, sql);
	edit(book, entry_of(book, "dl", 1), "state", "FILLED");
	edit(book, entry_of(book, "dl", 1), "filled", "75");
	edit(book, entry_of(book, "dl", 1), "avg", "24150.55");
	edit(book, entry_of(book, "dl", 2), "state", "CANCELLED");
	store_reconcile_book(st, acct, book, NULL, answered, &b);
	wait_blocked_or_answered(&b);
	assert_int_equal(b.n, 0);
	exec_on(w, "COMMIT");
	spin_until(&b.n);
	stored(&b);
	json_decref(b.rows);
	assert_int_equal(sql_int("SELECT count(*) FROM orders WHERE "
	    "client_tag = 'dlf2' AND state = 'CANCELLED'"), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM orders WHERE "
	    "client_tag = 'dlf1' AND state = 'FILLED' AND pos_qty = 75"), 1);
	PQfinish(w);
	store_close(st);
	json_decref(book);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unchanged_no_locks),
		cmocka_unit_test(test_changed_as_before),
		cmocka_unit_test(test_no_deadlock_with_settle),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
