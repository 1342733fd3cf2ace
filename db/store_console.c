/*
 * The console's reads.  They only ever SELECT: everything the console
 * changes goes through the command language (exec_cmd), which writes its
 * audit rows itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_console.h"
#include "db/store_int.h"

#define SQL_WORKING_STATES \
	"('NEW', 'SUBMITTED', 'OPEN', 'TRIGGER_PENDING', " \
	"'PARTIALLY_FILLED', 'PENDING_CANCEL', 'UNKNOWN')"

/*
 * Midnight today in IST, as the start of the trading day.  $1 is the
 * display clock's now (display_now()), not the server's: under
 * PHALANX_FAKE_NOW a seeded day is "today" to every view alike.
 */
#define SQL_IST_DAY \
	"(date_trunc('day', $1::timestamptz AT TIME ZONE 'Asia/Kolkata')" \
	" AT TIME ZONE 'Asia/Kolkata')"

static const char sql_accounts[] =
"SELECT a.id, a.name, b.name AS broker, b.kind AS broker_kind, a.enabled,"
"  a.trading_state AS state, a.priority,"
"  COALESCE((SELECT json_agg(t.tag ORDER BY t.tag) FROM account_tags t"
"    WHERE t.account_id = a.id), '[]'::json) AS tags,"
"  COALESCE(p.open, 0)::int AS positions,"
"  p.mtm::text AS mtm, p.day_pnl::text AS day_pnl,"
"  p.day_realised::text AS day_realised,"
"  CASE WHEN p.exposure IS NULL AND o.value IS NULL THEN NULL"
"    ELSE round(COALESCE(p.exposure, 0) + COALESCE(o.value, 0), 2)::text"
"  END AS margin_used,"
"  COALESCE(o.n, 0)::int AS working,"
"  (SELECT e.latency_us FROM order_events e"
"    WHERE e.order_id = (SELECT o2.id FROM orders o2"
"      WHERE o2.account_id = a.id ORDER BY o2.created_at DESC, o2.id DESC"
"      LIMIT 1)"
"    AND e.latency_us IS NOT NULL ORDER BY e.ts DESC LIMIT 1)"
"    AS last_latency_us "
"FROM accounts a JOIN brokers b ON b.id = a.broker_id "
"LEFT JOIN (SELECT account_id,"
"    count(*) FILTER (WHERE qty <> 0) AS open,"
"    sum(unrealised_pnl) FILTER (WHERE qty <> 0) AS mtm,"
"    sum(realised_pnl + unrealised_pnl)"
"      FILTER (WHERE updated_at >= " SQL_IST_DAY ") AS day_pnl,"
"    sum(realised_pnl)"
"      FILTER (WHERE updated_at >= " SQL_IST_DAY ") AS day_realised,"
"    sum(abs(qty) * COALESCE(last_price, avg_price))"
"      FILTER (WHERE qty <> 0) AS exposure"
"  FROM positions GROUP BY account_id) p ON p.account_id = a.id "
"LEFT JOIN (SELECT account_id, count(*) AS n,"
"    sum((qty - filled_qty) * COALESCE(price, 0)) AS value"
"  FROM orders WHERE state IN " SQL_WORKING_STATES
"  GROUP BY account_id) o ON o.account_id = a.id "
"ORDER BY a.priority, a.name";

#define SQL_EVENT_COLS \
"SELECT e.id, (extract(epoch FROM e.ts) * 1000000)::int8 AS ts_us," \
"  e.ts::text AS ts, e.order_id, e.state, e.broker_status, e.filled_qty," \
"  e.message, e.latency_us, o.side, o.symbol, o.qty, a.name AS account," \
"  b.name AS broker " \
"FROM order_events e JOIN orders o ON o.id = e.order_id" \
"  JOIN accounts a ON a.id = o.account_id" \
"  JOIN brokers b ON b.id = a.broker_id "

static const char sql_events_recent[] =
"SELECT * FROM (" SQL_EVENT_COLS
"  ORDER BY e.ts DESC, e.id DESC LIMIT $1) s ORDER BY ts_us, id";

/* Late commits can carry an older ts: look a little behind the last. */
static const char sql_events_after[] =
SQL_EVENT_COLS
"WHERE e.ts >= $2::timestamptz - interval '10 seconds' AND e.id > $1 "
"ORDER BY e.id LIMIT $3";

static const char sql_positions[] =
"SELECT p.exchange, p.symbol, p.product, p.qty, p.avg_price::text"
"  AS avg_price, p.last_price::text AS last_price,"
"  p.realised_pnl::text AS realised_pnl,"
"  p.unrealised_pnl::text AS unrealised_pnl "
"FROM positions p JOIN accounts a ON a.id = p.account_id "
"WHERE a.name = $1 ORDER BY (p.qty = 0), p.symbol, p.product";

/* Every account's positions that are open or moved today, for the book. */
static const char sql_firm_positions[] =
"SELECT a.name AS account, a.priority,"
"  COALESCE((SELECT json_agg(t.tag ORDER BY t.tag) FROM account_tags t"
"    WHERE t.account_id = a.id), '[]'::json) AS tags,"
"  p.exchange, p.symbol, p.product, p.qty, p.avg_price::text AS avg_price,"
"  p.last_price::text AS last_price, p.realised_pnl::text AS realised_pnl,"
"  p.unrealised_pnl::text AS unrealised_pnl "
"FROM positions p JOIN accounts a ON a.id = p.account_id "
"WHERE p.qty <> 0 OR p.updated_at >= " SQL_IST_DAY " "
"ORDER BY p.exchange, p.symbol, a.priority, a.name, p.product";

static const char sql_orders[] =
"SELECT o.id, (extract(epoch FROM o.created_at) * 1000000)::int8"
"  AS ts_us, o.side, o.symbol, o.exchange, o.product, o.order_type,"
"  o.qty, o.filled_qty, o.price::text AS price,"
"  o.avg_price::text AS avg_price, o.state, o.message, o.broker_order_id "
"FROM orders o JOIN accounts a ON a.id = o.account_id "
"WHERE a.name = $1 ORDER BY o.created_at DESC, o.id DESC LIMIT 200";

static const char sql_open_positions[] =
"SELECT a.name AS account, p.exchange, p.symbol, p.product, p.qty "
"FROM positions p JOIN accounts a ON a.id = p.account_id "
"WHERE a.name IN (SELECT jsonb_array_elements_text($1::jsonb))"
"  AND p.qty <> 0 "
"ORDER BY a.priority, a.name, p.symbol";

static const char sql_working_orders[] =
"SELECT a.name AS account, o.id, o.side, o.symbol, o.qty - o.filled_qty"
"  AS remaining, o.state "
"FROM orders o JOIN accounts a ON a.id = o.account_id "
"WHERE a.name IN (SELECT jsonb_array_elements_text($1::jsonb))"
"  AND o.state IN " SQL_WORKING_STATES " "
"ORDER BY a.priority, a.name, o.id";

static const char sql_broker_pnl[] =
"SELECT b.name AS broker,"
"  COALESCE(sum(p.realised_pnl + p.unrealised_pnl), 0)::text AS pnl "
"FROM brokers b LEFT JOIN accounts a ON a.broker_id = b.id"
"  LEFT JOIN positions p ON p.account_id = a.id "
"GROUP BY b.name ORDER BY b.name";

static const char sql_words[] =
"SELECT 'account' AS kind, name AS word FROM accounts "
"UNION ALL SELECT DISTINCT 'tag', tag FROM account_tags "
"UNION ALL SELECT DISTINCT 'symbol', symbol FROM positions "
"UNION ALL (SELECT DISTINCT 'symbol', tradingsymbol FROM instruments"
"  ORDER BY 2 LIMIT 20000)";

/* Which optional tables exist, and how equity_points names its value. */
static const char sql_probe[] =
"SELECT to_regclass('equity_points') IS NOT NULL AS equity,"
"  to_regclass('incidents') IS NOT NULL AS incidents,"
"  (SELECT json_agg(column_name::text) FROM information_schema.columns"
"    WHERE table_name = 'equity_points'"
"    AND table_schema = current_schema()) AS equity_cols";

/*
 * One statement per supported value column: the column name is chosen
 * from this table, never taken from input.  Per minute, each account's
 * mean, then summed over the accounts asked for.
 */
#define SQL_EQUITY(col) \
"SELECT extract(epoch FROM m)::float8::text AS t, sum(v)::float8::text" \
"  AS v FROM (" \
"  SELECT date_trunc('minute', e.ts) AS m, e.account_id," \
"    avg(e." col ") AS v" \
"  FROM equity_points e JOIN accounts a ON a.id = e.account_id" \
"  WHERE ($1::text IS NULL OR a.name = $1)" \
"    AND e.ts > now() - interval '7 days'" \
"  GROUP BY 1, 2) s " \
"GROUP BY m ORDER BY m LIMIT 5000"

static const struct {
	const char	*column;
	const char	*sql;
} store_equity_sql[] = {
	{ "equity", SQL_EQUITY("equity") },
	{ "mtm", SQL_EQUITY("mtm") },
	{ "value", SQL_EQUITY("value") },
};

/* Breaches not acknowledged first, then the rest not resolved, newest
 * first in each; with how many alerts were sent about each. */
static const char sql_incidents[] =
"SELECT to_jsonb(i) || jsonb_build_object("
"  'alerts', (SELECT count(*) FROM notifications n"
"    WHERE n.incident_id = i.id AND n.dup_of IS NULL)) AS j "
"FROM incidents i "
"ORDER BY CASE i.state WHEN 'OPEN' THEN 0 WHEN 'ACKNOWLEDGED' THEN 1"
"  WHEN 'MITIGATED' THEN 1 ELSE 2 END, i.opened_at DESC, i.id DESC "
"LIMIT 500";

/*
 * The header's alarms: breaches (OPEN incidents: not acknowledged yet),
 * the newest of them, and deliveries that failed in the last day.
 */
static const char sql_alarms[] =
"SELECT (SELECT count(*) FROM incidents WHERE state = 'OPEN')::int"
"    AS breaches,"
"  (SELECT jsonb_build_object('id', id, 'kind', scope_kind, 'name',"
"    scope_name, 'rule', rule) FROM incidents WHERE state = 'OPEN'"
"    ORDER BY opened_at DESC, id DESC LIMIT 1) AS newest,"
"  (SELECT count(*) FROM notification_deliveries d"
"    JOIN notifications n ON n.id = d.notification_id"
"    WHERE d.state = 'FAILED' AND n.ts > now() - interval '1 day')::int"
"    AS failed";

/* The display clock's now, as a timestamptz parameter. */
static const char *
display_now(char *buf, size_t len)
{
	time_fmt_utc(time_display_us(), buf, len);
	return buf;
}

void
store_console_accounts(struct store *st, store_rows_cb cb, void *arg)
{
	char		 now[40];
	const char	*p[1] = { display_now(now, sizeof now) };

	store_run(st, sql_accounts, 1, p, cb, arg);
}

void
store_console_events(struct store *st, int64_t after_id, const char *after_ts,
    int limit, store_rows_cb cb, void *arg)
{
	char		 id[32], lim[16];
	const char	*p[3];

	snprintf(id, sizeof id, "%lld", (long long)after_id);
	snprintf(lim, sizeof lim, "%d", limit > 0 ? limit : 500);
	if (after_id <= 0 || after_ts == NULL) {
		p[0] = lim;
		store_run(st, sql_events_recent, 1, p, cb, arg);
		return;
	}
	p[0] = id;
	p[1] = after_ts;
	p[2] = lim;
	store_run(st, sql_events_after, 3, p, cb, arg);
}

void
store_console_positions(struct store *st, const char *account,
    store_rows_cb cb, void *arg)
{
	const char	*p[1] = { account };

	store_run(st, sql_positions, 1, p, cb, arg);
}

void
store_console_firm_positions(struct store *st, store_rows_cb cb, void *arg)
{
	char		 now[40];
	const char	*p[1] = { display_now(now, sizeof now) };

	store_run(st, sql_firm_positions, 1, p, cb, arg);
}

void
store_console_orders(struct store *st, const char *account, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { account };

	store_run(st, sql_orders, 1, p, cb, arg);
}

void
store_console_open_positions(struct store *st, const char *names_json,
    store_rows_cb cb, void *arg)
{
	const char	*p[1] = { names_json };

	store_run(st, sql_open_positions, 1, p, cb, arg);
}

void
store_console_working_orders(struct store *st, const char *names_json,
    store_rows_cb cb, void *arg)
{
	const char	*p[1] = { names_json };

	store_run(st, sql_working_orders, 1, p, cb, arg);
}

void
store_console_broker_pnl(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_broker_pnl, 0, NULL, cb, arg);
}

void
store_console_words(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_words, 0, NULL, cb, arg);
}

void
store_console_alarms(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_alarms, 0, NULL, cb, arg);
}

void
store_console_listen(struct store *st, const char *channel, pg_notify_cb cb,
    void *arg)
{
	pg_listen(store_conn(st), channel, cb, arg);
}

/* A read that first probes for its optional table. */
struct probe_call {
	struct store	*st;
	int		 what;		/* 0 equity, 1 incidents */
	char		*account;
	store_rows_cb	 cb;
	void		*arg;
};

static void
store_probe_finish(struct probe_call *pc, json_t *rows, const struct err *err)
{
	pc->cb(rows, err, pc->arg);
	free(pc->account);
	free(pc);
}

static void
store_probed_rows(json_t *rows, const struct err *err, void *arg)
{
	store_probe_finish(arg, rows, err);
}

static const char *
store_equity_statement(json_t *cols)
{
	size_t	i, j;
	json_t	*c;
	int	has_account = 0;

	json_array_foreach(cols, j, c) {
		if (strcmp(json_string_value(c) ? json_string_value(c) : "",
		    "account_id") == 0)
			has_account = 1;
	}
	if (!has_account)
		return NULL;
	for (i = 0; i < nitems(store_equity_sql); i++) {
		json_array_foreach(cols, j, c) {
			if (json_is_string(c) && strcmp(json_string_value(c),
			    store_equity_sql[i].column) == 0)
				return store_equity_sql[i].sql;
		}
	}
	return NULL;
}

static void
store_probed(json_t *rows, const struct err *err, void *arg)
{
	struct probe_call	*pc = arg;
	json_t			*row = json_array_get(rows, 0);
	const char		*sql, *p[1];
	struct err		 e;

	if (err != NULL) {
		store_probe_finish(pc, NULL, err);
		return;
	}
	if (pc->what == 1) {
		if (!json_is_true(json_object_get(row, "incidents"))) {
			err_set(&e, "absent", "the RMS has no incidents table "
			    "yet");
			store_probe_finish(pc, NULL, &e);
			return;
		}
		store_run(pc->st, sql_incidents, 0, NULL, store_probed_rows,
		    pc);
		return;
	}
	if (!json_is_true(json_object_get(row, "equity"))) {
		err_set(&e, "absent", "no equity_points table yet");
		store_probe_finish(pc, NULL, &e);
		return;
	}
	if ((sql = store_equity_statement(json_object_get(row,
	    "equity_cols"))) == NULL) {
		err_set(&e, "absent", "equity_points has no account_id with "
		    "equity, mtm or value");
		store_probe_finish(pc, NULL, &e);
		return;
	}
	p[0] = pc->account;
	store_run(pc->st, sql, 1, p, store_probed_rows, pc);
}

static void
store_probe(struct store *st, int what, const char *account,
    store_rows_cb cb, void *arg)
{
	struct probe_call	*pc;

	pc = xcalloc(1, sizeof *pc);
	pc->st = st;
	pc->what = what;
	pc->account = account != NULL ? xstrdup(account) : NULL;
	pc->cb = cb;
	pc->arg = arg;
	store_run(st, sql_probe, 0, NULL, store_probed, pc);
}

void
store_console_equity(struct store *st, const char *account, store_rows_cb cb,
    void *arg)
{
	store_probe(st, 0, account, cb, arg);
}

void
store_console_incidents(struct store *st, store_rows_cb cb, void *arg)
{
	store_probe(st, 1, NULL, cb, arg);
}
