/*
 * The export reports' SQL.  The period, the target and the display time
 * zone reach the COPY through session settings set by one parameterized
 * statement (COPY itself takes no parameters), so no user input is ever
 * spliced into SQL text.  The dedicated connection is also made read-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_int.h"
#include "db/store_export.h"

const char *const store_export_kinds[] = { "trades", "orders", "events",
	"pnl", "incidents", "audit", "sla", NULL };

static const char sql_setup[] =
"SELECT set_config('default_transaction_read_only', 'on', false),"
" set_config('TimeZone', 'Asia/Kolkata', false),"
" set_config('phalanx.from', $1::date::text, false),"
" set_config('phalanx.to', $2::date::text, false),"
" set_config('phalanx.tkind', $3, false),"
" set_config('phalanx.tnames', $4::jsonb::text, false)";

/*
 * The target's accounts, one statement per kind of target (never user
 * text: the names come from the settings above).  Separate statements,
 * not one with ORs on the settings, so the planner sees "all" as no
 * filter and drives a big period from the events, not from the accounts.
 */
#define ACC_HEAD \
"WITH names AS (SELECT jsonb_array_elements_text(" \
"  current_setting('phalanx.tnames')::jsonb) AS name)," \
" acc AS (SELECT a.id, a.name, a.user_id, b.name AS broker" \
"  FROM accounts a JOIN brokers b ON b.id = a.broker_id "

static const struct {
	const char	*tkind;
	const char	*sql;
} acc_sql[] = {
	{ "all", ACC_HEAD ") " },
	{ "group", ACC_HEAD "WHERE a.id IN (SELECT account_id FROM account_tags"
	  "  WHERE tag IN (SELECT name FROM names))) " },
	{ "accounts", ACC_HEAD "WHERE a.name IN (SELECT name FROM names)) " },
};

/* The period: IST midnight of from to IST midnight after to. */
#define T0 "current_setting('phalanx.from')::date::timestamptz"
#define T1 "(current_setting('phalanx.to')::date + 1)::timestamptz"
#define IN_PERIOD(col) " " col " >= " T0 " AND " col " < " T1 " "

/*
 * One row per fill the broker reported (fills); an order filled with no
 * fill rows (the kite adapter records an order's filled quantity and
 * average price, not its trades) is one row at that average price, at
 * its first FILLED or PARTIALLY_FILLED event, with no trade id.
 */
static const char sql_trades[] =
"SELECT fill_ts, account, client_code, broker, trade_id, exchange_order_id,"
" broker_order_id, client_tag, exchange, symbol, product, side, qty, price,"
" value FROM ("
"SELECT f.fill_ts, acc.name AS account, acc.user_id AS client_code,"
" acc.broker, f.trade_id, f.exchange_order_id, o.broker_order_id,"
" o.client_tag, f.exchange, f.symbol, f.product, f.side, f.qty, f.price,"
" round(f.qty * f.price, 2) AS value, f.order_id, f.id AS k"
" FROM fills f JOIN acc ON acc.id = f.account_id"
" JOIN orders o ON o.id = f.order_id"
" WHERE" IN_PERIOD("f.fill_ts")
"UNION ALL "
"SELECT t.ts, acc.name, acc.user_id, acc.broker, NULL, NULL,"
" o.broker_order_id, o.client_tag, o.exchange, o.symbol, o.product, o.side,"
" o.filled_qty, o.avg_price, round(o.filled_qty * o.avg_price, 2), o.id, 0"
" FROM orders o JOIN acc ON acc.id = o.account_id"
" CROSS JOIN LATERAL (SELECT coalesce((SELECT min(e.ts) FROM order_events e"
"  WHERE e.order_id = o.id AND e.state IN ('FILLED', 'PARTIALLY_FILLED')),"
"  o.updated_at) AS ts) t"
" WHERE o.filled_qty > 0 AND" IN_PERIOD("t.ts")
" AND NOT EXISTS (SELECT 1 FROM fills f WHERE f.order_id = o.id)"
") x ORDER BY fill_ts, order_id, k";

static const char sql_orders[] =
"SELECT o.created_at, o.updated_at, o.id AS order_id, o.fanout_id,"
" acc.name AS account, acc.user_id AS client_code, acc.broker,"
" o.client_tag, o.broker_order_id, o.state, o.side, o.exchange, o.symbol,"
" o.product, o.order_type, o.variety, o.validity, o.qty, o.filled_qty,"
" o.price, o.trigger_price, o.avg_price, o.message"
" FROM orders o JOIN acc ON acc.id = o.account_id"
" WHERE" IN_PERIOD("o.created_at") "ORDER BY o.created_at, o.id";

static const char sql_events[] =
"SELECT e.ts, e.id AS event_id, e.order_id, acc.name AS account,"
" acc.user_id AS client_code, acc.broker, o.client_tag,"
" o.broker_order_id, o.symbol, e.state, e.broker_status, e.filled_qty,"
" e.latency_us, e.message"
" FROM order_events e JOIN orders o ON o.id = e.order_id"
" JOIN acc ON acc.id = o.account_id"
" WHERE" IN_PERIOD("e.ts") "ORDER BY e.ts, e.id";

/*
 * Per IST day, account and contract: what was bought and sold, and the
 * PnL realised by the matched quantity at the day's average prices.
 */
static const char sql_pnl[] =
", d AS (SELECT (f.fill_ts AT TIME ZONE 'Asia/Kolkata')::date AS day,"
"  acc.name AS account, acc.user_id AS client_code, acc.broker,"
"  f.exchange, f.symbol,"
"  coalesce(sum(f.qty) FILTER (WHERE f.side = 'BUY'), 0) AS bq,"
"  coalesce(sum(f.qty * f.price) FILTER (WHERE f.side = 'BUY'), 0) AS bv,"
"  coalesce(sum(f.qty) FILTER (WHERE f.side = 'SELL'), 0) AS sq,"
"  coalesce(sum(f.qty * f.price) FILTER (WHERE f.side = 'SELL'), 0) AS sv"
"  FROM fills f JOIN acc ON acc.id = f.account_id"
"  WHERE" IN_PERIOD("f.fill_ts")
"  GROUP BY 1, 2, 3, 4, 5, 6)"
"SELECT day, account, client_code, broker, exchange, symbol,"
" bq AS buy_qty, round(bv / nullif(bq, 0), 4) AS buy_avg,"
" sq AS sell_qty, round(sv / nullif(sq, 0), 4) AS sell_avg,"
" bq - sq AS net_qty,"
" round(CASE WHEN least(bq, sq) = 0 THEN 0 ELSE least(bq, sq) *"
"  (sv / sq - bv / bq) END, 2) AS realised_pnl,"
" round(bv + sv, 2) AS turnover"
" FROM d ORDER BY day, account, exchange, symbol";

static const char sql_incidents[] =
"SELECT i.id, i.opened_at, i.severity, i.scope_kind, i.scope_name, i.rule,"
" i.state, i.summary, i.playbook, i.acked_by, i.acked_at, i.resolved_by,"
" i.resolved_at"
" FROM incidents i"
" WHERE" IN_PERIOD("i.opened_at")
" AND (current_setting('phalanx.tkind') = 'all'"
"  OR (i.scope_kind = 'account' AND i.scope_name IN (SELECT name FROM acc))"
"  OR (i.scope_kind = 'group' AND i.scope_name IN (SELECT name FROM names)))"
" ORDER BY i.opened_at, i.id";

static const char sql_audit[] =
"SELECT l.ts, l.id, l.uid, l.os_user, l.front, l.origin, l.action,"
" l.object, l.detail"
" FROM audit_log l"
" WHERE" IN_PERIOD("l.ts")
" AND (current_setting('phalanx.tkind') = 'all'"
"  OR l.object IN (SELECT name FROM acc))"
" ORDER BY l.ts, l.id";

/* Ack latency is the latency the engine stamped on an order's events. */
static const char sql_sla[] =
", o AS (SELECT o.id, o.state, acc.name, acc.user_id, acc.broker"
"  FROM orders o JOIN acc ON acc.id = o.account_id"
"  WHERE" IN_PERIOD("o.created_at") "),"
" l AS (SELECT o.name, count(*) AS acks, percentile_cont(ARRAY[0.5, 0.9,"
"  0.99]) WITHIN GROUP (ORDER BY e.latency_us) AS p"
"  FROM o JOIN order_events e ON e.order_id = o.id"
"  WHERE e.latency_us IS NOT NULL GROUP BY o.name)"
"SELECT o.broker, o.name AS account, o.user_id AS client_code,"
" count(*) AS orders,"
" count(*) FILTER (WHERE o.state = 'FILLED') AS filled,"
" count(*) FILTER (WHERE o.state = 'REJECTED') AS rejected,"
" round(100.0 * count(*) FILTER (WHERE o.state = 'REJECTED') / count(*), 2)"
"  AS reject_pct,"
" coalesce(l.acks, 0) AS acks,"
" round((l.p[1] / 1000)::numeric, 3) AS ack_p50_ms,"
" round((l.p[2] / 1000)::numeric, 3) AS ack_p90_ms,"
" round((l.p[3] / 1000)::numeric, 3) AS ack_p99_ms"
" FROM o LEFT JOIN l ON l.name = o.name"
" GROUP BY o.broker, o.name, o.user_id, l.acks, l.p"
" ORDER BY o.broker, o.name";

static const struct {
	const char	*kind;
	const char	*sql;
} export_sql[] = {
	{ "trades", sql_trades },
	{ "orders", sql_orders },
	{ "events", sql_events },
	{ "pnl", sql_pnl },
	{ "incidents", sql_incidents },
	{ "audit", sql_audit },
	{ "sla", sql_sla },
};

static const char *
export_select(const char *kind)
{
	size_t	i;

	for (i = 0; i < nitems(export_sql); i++) {
		if (strcmp(export_sql[i].kind, kind) == 0)
			return export_sql[i].sql;
	}
	return NULL;
}

struct pg_copy *
store_export_copy(struct store *st, const struct store_export_scope *sc,
    pg_copy_data_cb data, pg_copy_done_cb done, void *arg)
{
	const char	*sel = export_select(sc->kind), *acc = NULL;
	size_t		 i;
	const char	*p[4] = { sc->from, sc->to, sc->tkind, sc->tnames };
	struct pg_copy	*c;
	char		*copy;

	for (i = 0; i < nitems(acc_sql); i++) {
		if (strcmp(acc_sql[i].tkind, sc->tkind) == 0)
			acc = acc_sql[i].sql;
	}
	if (sel == NULL || acc == NULL)
		fatal("store_export_copy: unknown report %s or target %s",
		    sc->kind, sc->tkind);
	copy = xasprintf("COPY (%s%s) TO STDOUT WITH (FORMAT csv, HEADER "
	    "true)", acc, sel);
	c = pg_copy_out(loop_base(), pg_conn_conninfo(store_conn(st)),
	    sql_setup, 4, p, copy, data, done, arg);
	free(copy);
	return c;
}

static const char sql_parties[] =
"WITH names AS (SELECT jsonb_array_elements_text($2::jsonb) AS name),"
" acc AS (SELECT a.id, a.name, a.user_id, b.name AS broker"
"  FROM accounts a JOIN brokers b ON b.id = a.broker_id"
"  WHERE $1 = 'all'"
"  OR ($1 = 'group' AND a.id IN"
"   (SELECT account_id FROM account_tags WHERE tag IN (SELECT name FROM names)))"
"  OR ($1 = 'accounts' AND a.name IN (SELECT name FROM names)))"
"SELECT (SELECT string_agg(DISTINCT broker, ',') FROM acc) AS brokers,"
" (SELECT string_agg(user_id, ',' ORDER BY user_id) FROM acc)"
"  AS client_codes,"
" (SELECT count(*) FROM acc) AS accounts,"
" CASE WHEN $1 = 'accounts' THEN (SELECT string_agg(name, ', ')"
"  FROM names WHERE name NOT IN (SELECT name FROM acc)) END AS missing";

void
store_export_parties(struct store *st, const char *tkind,
    const char *tnames, store_rows_cb cb, void *arg)
{
	const char	*p[2] = { tkind, tnames };

	store_run(st, sql_parties, 2, p, cb, arg);
}

static const char sql_record[] =
"WITH r AS (INSERT INTO exports (id, kind, format, period_from, period_to,"
"  target, rows, sha256, destination, os_user, report_sha256)"
"  VALUES ($1, $2, $3, $4::date, $5::date, $6, $7::bigint, $8, $9, $10, $12)"
"  RETURNING id),"
" au AS (INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $10, $11, 'export', r.id, jsonb_build_object('kind', $2::text,"
"   'format', $3::text, 'from', $4::text, 'to', $5::text,"
"   'target', $6::text, 'rows', $7::bigint, 'sha256', $8::text,"
"   'report_sha256', $12::text, 'destination', $9::text) FROM r)"
"SELECT id FROM r";

void
store_export_record(struct store *st, const struct store_export_rec *r,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	const char	*p[12] = { r->id, r->kind, r->format, r->from, r->to,
	    r->target, r->rows, r->sha256, r->destination, a->os_user,
	    a->front, r->seal };

	store_run(st, sql_record, 12, p, cb, arg);
}
