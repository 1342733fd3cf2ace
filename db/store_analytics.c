/* Analytics queries: option chains, equity series, PnL, exposure, SLA. */
#include <stdio.h>
#include <stdlib.h>

#include "db/store_analytics.h"
#include "db/store_int.h"

static const char sql_chain[] =
"WITH e AS ("
"  SELECT COALESCE($2::date, (SELECT min(expiry) FROM instruments"
"    WHERE name = $1 AND instrument_type IN ('CE', 'PE')"
"      AND expiry >= (now() AT TIME ZONE 'Asia/Kolkata')::date)) AS d"
"), fut AS ("
"  SELECT exchange, tradingsymbol, strike, instrument_type, lot_size,"
"    expiry FROM instruments"
"  WHERE name = $1 AND instrument_type = 'FUT'"
"    AND expiry >= (now() AT TIME ZONE 'Asia/Kolkata')::date"
"  ORDER BY expiry LIMIT 1"
")"
"SELECT exchange, tradingsymbol AS symbol, strike::text AS strike,"
"  instrument_type AS type, lot_size AS lot, expiry::text AS expiry "
"FROM ("
"  SELECT * FROM fut"
"  UNION ALL"
"  SELECT i.exchange, i.tradingsymbol, i.strike, i.instrument_type,"
"    i.lot_size, i.expiry FROM instruments i, e"
"  WHERE i.name = $1 AND i.instrument_type IN ('CE', 'PE')"
"    AND i.expiry = e.d"
") x ORDER BY instrument_type = 'FUT' DESC, strike, instrument_type";

void
store_option_chain(struct store *st, const char *underlying,
    const char *expiry, store_rows_cb cb, void *arg)
{
	const char	*p[2] = { underlying, expiry };

	store_run(st, sql_chain, 2, p, cb, arg);
}

/* (1885893240, 21): the snapshot duty of db/migrations/0021_analytics.sql. */
static const char sql_duty[] =
"SELECT CASE WHEN phalanx_lock_held(1885893240, 21, true) THEN true"
"  ELSE pg_try_advisory_lock(1885893240, 21) END AS held";

static const char sql_snapshot[] =
"SELECT phalanx_equity_snapshot($1) AS points";

static const char sql_maintain[] =
"SELECT phalanx_equity_storage() AS storage, NULL AS action, NULL AS object "
"UNION ALL SELECT NULL, action, object FROM phalanx_equity_maintain($1::int)";

/*
 * Sum of the series named at each bucket, each carried forward from its
 * last bucket where it has none there (a fill snapshots one account, not
 * every one).  Without a grid of buckets x series: each series' change
 * from its previous bucket, summed per bucket, then a running sum, so a
 * group of many accounts costs one sort.  Values are the buckets' last.
 * The names and the start are index conditions (an "$3 IS NULL OR ..."
 * would make the generic plan read every series of the scope).
 */
static const char sql_series[] =
"WITH r AS ("
"  SELECT bucket, name, last_equity AS e, last_realised AS re,"
"    last_unrealised AS u, last_margin AS m FROM equity_rollups"
"  WHERE width = $1 AND scope = $2"
"    AND name = ANY (CASE WHEN $3::jsonb IS NULL THEN (SELECT"
"      array_agg(DISTINCT name) FROM equity_rollups WHERE width = $1"
"      AND scope = $2) ELSE ARRAY(SELECT jsonb_array_elements_text($3))"
"      END)"
"    AND bucket >= coalesce($4::timestamptz, '-infinity')"
"), d AS ("
"  SELECT bucket, e - coalesce(lag(e) OVER w, 0) AS de,"
"    re - coalesce(lag(re) OVER w, 0) AS dre,"
"    u - coalesce(lag(u) OVER w, 0) AS du,"
"    m - coalesce(lag(m) OVER w, 0) AS dm,"
"    (lag(e) OVER w IS NULL)::int AS first"
"  FROM r WINDOW w AS (PARTITION BY name ORDER BY bucket)"
"), s AS ("
"  SELECT bucket, sum(de) AS de, sum(dre) AS dre, sum(du) AS du,"
"    sum(dm) AS dm, sum(first) AS first FROM d GROUP BY bucket"
")"
"SELECT extract(epoch FROM bucket)::int8 AS t,"
"  sum(de) OVER o::text AS equity, sum(dre) OVER o::text AS realised,"
"  sum(du) OVER o::text AS unrealised, sum(dm) OVER o::text AS margin_used,"
"  (sum(first) OVER o)::int AS series "
"FROM s WINDOW o AS (ORDER BY bucket) ORDER BY bucket";

/* An IST day's bounds: [$d 00:00 IST, $d+1 00:00 IST). */
#define SQL_IST_FROM(p) "((" p "::date)::timestamp AT TIME ZONE 'Asia/Kolkata')"
#define SQL_IST_UPTO(p) \
	"((" p "::date + 1)::timestamp AT TIME ZONE 'Asia/Kolkata')"
#define SQL_IN_IDS(col, p) \
	"(" p "::jsonb IS NULL OR " col " IN " \
	"(SELECT jsonb_array_elements_text(" p "::jsonb)::bigint))"

static const char sql_fills[] =
"SELECT o.id AS order_id, a.name AS account, b.name AS broker,"
"  phalanx_strategy_key(f.strategy_id, f.tag) AS strategy,"
"  o.exchange, o.symbol, o.product, o.side, o.pos_qty AS qty,"
"  round(o.pos_value / o.pos_qty, 4)::text AS price,"
"  to_char(t.ts AT TIME ZONE 'Asia/Kolkata', 'YYYY-MM-DD') AS day,"
"  (extract(epoch FROM t.ts) * 1000000)::int8 AS ts_us,"
"  coalesce(i.instrument_type, CASE WHEN o.symbol ~ '(CE|PE)$'"
"    THEN right(o.symbol, 2) WHEN o.symbol ~ 'FUT$' THEN 'FUT'"
"    ELSE 'EQ' END) AS itype,"
"  p.last_price::text AS ltp "
"FROM orders o JOIN accounts a ON a.id = o.account_id"
"  JOIN brokers b ON b.id = a.broker_id"
"  LEFT JOIN fanouts f ON f.id = o.fanout_id"
"  CROSS JOIN LATERAL (SELECT coalesce((SELECT min(e.ts) FROM order_events e"
"    WHERE e.order_id = o.id AND e.state IN ('FILLED', 'PARTIALLY_FILLED')),"
"    o.updated_at) AS ts) t"
"  LEFT JOIN instruments i ON i.exchange = o.exchange"
"    AND i.tradingsymbol = o.symbol"
"  LEFT JOIN positions p ON p.account_id = o.account_id"
"    AND p.exchange = o.exchange AND p.symbol = o.symbol"
"    AND p.product = o.product "
"WHERE o.pos_qty > 0 AND " SQL_IN_IDS("o.account_id", "$1")
"  AND ($2::date IS NULL OR t.ts < " SQL_IST_UPTO("$2") ") "
"ORDER BY t.ts, o.id";

static const char sql_exposure[] =
"SELECT a.name AS account, b.name AS broker,"
"  coalesce(i.name, p.symbol) AS underlying, p.exchange, p.symbol,"
"  p.product, p.qty, coalesce(nullif(i.lot_size, 0), 1) AS lot,"
"  coalesce(i.instrument_type, 'EQ') AS itype, i.strike::text AS strike,"
"  i.expiry::text AS expiry,"
"  coalesce(p.last_price, p.avg_price)::text AS ltp,"
"  p.unrealised_pnl::text AS unrealised "
"FROM positions p JOIN accounts a ON a.id = p.account_id"
"  JOIN brokers b ON b.id = a.broker_id"
"  LEFT JOIN instruments i ON i.exchange = p.exchange"
"    AND i.tradingsymbol = p.symbol "
"WHERE p.qty <> 0 AND " SQL_IN_IDS("p.account_id", "$1")
" ORDER BY a.name, 3, p.symbol";

static const char sql_sla[] =
"WITH o AS ("
"  SELECT o.id, a.name AS account, b.name AS broker, o.state, o.side,"
"    o.filled_qty, o.avg_price, f.ltp_at_intent"
"  FROM orders o JOIN accounts a ON a.id = o.account_id"
"    JOIN brokers b ON b.id = a.broker_id"
"    LEFT JOIN fanouts f ON f.id = o.fanout_id"
"  WHERE o.created_at >= " SQL_IST_FROM("$1")
"    AND o.created_at < " SQL_IST_UPTO("$2")
"    AND " SQL_IN_IDS("o.account_id", "$3")
"    AND o.state <> 'DENIED'"
"), ack AS ("
"  SELECT DISTINCT ON (e.order_id) e.order_id, e.latency_us"
"  FROM order_events e JOIN o ON o.id = e.order_id"
"  WHERE e.latency_us IS NOT NULL ORDER BY e.order_id, e.ts"
"), rt AS ("
"  SELECT DISTINCT e.order_id FROM order_events e JOIN o ON o.id = e.order_id"
"  WHERE e.message LIKE 'attempt % failed%'"
"), x AS ("
"  SELECT o.*, ack.latency_us, rt.order_id IS NOT NULL AS retried,"
"    CASE WHEN o.filled_qty > 0 AND o.ltp_at_intent > 0 THEN"
"      (o.avg_price - o.ltp_at_intent) * CASE o.side WHEN 'BUY' THEN 1"
"      ELSE -1 END END AS slip"
"  FROM o LEFT JOIN ack ON ack.order_id = o.id"
"    LEFT JOIN rt ON rt.order_id = o.id"
"), g AS ("
"  SELECT 'broker' AS scope, broker AS name, x.* FROM x"
"  UNION ALL SELECT 'account', account, x.* FROM x"
")"
"SELECT scope, name, count(*)::int AS orders,"
"  count(latency_us)::int AS acked,"
"  percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_us) AS p50_us,"
"  percentile_disc(0.9) WITHIN GROUP (ORDER BY latency_us) AS p90_us,"
"  percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_us) AS p99_us,"
"  count(*) FILTER (WHERE latency_us <= $4::bigint * 1000)::int"
"    AS within_sla,"
"  count(*) FILTER (WHERE state = 'REJECTED')::int AS rejected,"
"  count(*) FILTER (WHERE retried)::int AS retried,"
"  count(slip)::int AS slip_orders,"
"  round(avg(slip / nullif(ltp_at_intent, 0)) * 10000, 2)::text"
"    AS slippage_bps,"
"  round(sum(slip * filled_qty), 2)::text AS slippage_rupees "
"FROM g GROUP BY scope, name ORDER BY scope DESC, name";

/* Fan-outs of the period that touched the accounts asked about. */
static const char sql_sla_fanouts[] =
"WITH f AS ("
"  SELECT f.* FROM fanouts f"
"  WHERE f.t_intent >= " SQL_IST_FROM("$1")
"    AND f.t_intent < " SQL_IST_UPTO("$2")
"    AND f.intent = 'order' AND f.state NOT IN ('PENDING', 'DENIED')"
"    AND ($3::jsonb IS NULL OR EXISTS (SELECT 1 FROM orders o"
"      WHERE o.fanout_id = f.id AND " SQL_IN_IDS("o.account_id", "$3") "))"
")"
"SELECT count(*)::int AS fanouts,"
"  count(*) FILTER (WHERE state = 'COMPLETED')::int AS completed,"
"  count(*) FILTER (WHERE state = 'PARTIAL')::int AS partial,"
"  count(*) FILTER (WHERE state IN ('FAILED', 'REVERSED', 'CANCELLED',"
"    'INTERRUPTED'))::int AS failed,"
"  count(*) FILTER (WHERE state = 'RUNNING')::int AS running,"
"  (percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM"
"    t_last_ack - t_intent) * 1000))::numeric(12,1)::text AS p50_ms,"
"  (percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM"
"    t_last_ack - t_intent) * 1000))::numeric(12,1)::text AS p99_ms "
"FROM f";

void
store_equity_duty(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_duty, 0, NULL, cb, arg);
}

void
store_equity_snapshot(struct store *st, const char *reason, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { reason };

	store_run(st, sql_snapshot, 1, p, cb, arg);
}

void
store_equity_maintain(struct store *st, int retention_days, store_rows_cb cb,
    void *arg)
{
	char		 d[16];
	const char	*p[1] = { d };

	snprintf(d, sizeof d, "%d", retention_days);
	store_run(st, sql_maintain, 1, p, cb, arg);
}

static char *
ids_param(json_t *ids)
{
	return ids != NULL ? json_dumps(ids, JSON_COMPACT) : NULL;
}

void
store_equity_series(struct store *st, const char *width, const char *scope,
    json_t *names, const char *since, store_rows_cb cb, void *arg)
{
	char		*n = ids_param(names);
	const char	*p[4] = { width, scope, n, since };

	store_run(st, sql_series, 4, p, cb, arg);
	free(n);
}

void
store_pnl_fills(struct store *st, json_t *account_ids, const char *to,
    store_rows_cb cb, void *arg)
{
	char		*ids = ids_param(account_ids);
	const char	*p[2] = { ids, to };

	store_run(st, sql_fills, 2, p, cb, arg);
	free(ids);
}

void
store_exposure(struct store *st, json_t *account_ids, store_rows_cb cb,
    void *arg)
{
	char		*ids = ids_param(account_ids);
	const char	*p[1] = { ids };

	store_run(st, sql_exposure, 1, p, cb, arg);
	free(ids);
}

void
store_sla(struct store *st, const char *from, const char *to,
    json_t *account_ids, int sla_ms, store_rows_cb cb, void *arg)
{
	char		*ids = ids_param(account_ids), ms[16];
	const char	*p[4] = { from, to, ids, ms };

	snprintf(ms, sizeof ms, "%d", sla_ms);
	store_run(st, sql_sla, 4, p, cb, arg);
	free(ids);
}

void
store_sla_fanouts(struct store *st, const char *from, const char *to,
    json_t *account_ids, store_rows_cb cb, void *arg)
{
	char		*ids = ids_param(account_ids);
	const char	*p[3] = { from, to, ids };

	store_run(st, sql_sla_fanouts, 3, p, cb, arg);
	free(ids);
}
