/*
 * Webhook queries (store_hook.h).  A payload and its signals are stored
 * by one statement before the sender gets its answer; the executor
 * claims signals with FOR UPDATE SKIP LOCKED, so several daemons on one
 * store never run a signal twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_hook.h"
#include "db/store_int.h"

#define SQL_IST(col) \
	"to_char(" col " AT TIME ZONE 'Asia/Kolkata', 'YYYY-MM-DD HH24:MI:SS')"

void
store_connectors_load(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, "SELECT c.id, c.name, c.dialect, s.name AS strategy,"
	    " c.token_enc, array_to_json(c.allow)::jsonb AS allow,"
	    " c.rate_per_s, c.body_limit,"
	    " to_char(c.window_from, 'HH24:MI') AS window_from,"
	    " to_char(c.window_to, 'HH24:MI') AS window_to, c.symbol_map,"
	    " c.field_map, c.options, c.enabled,"
	    " extract(epoch FROM c.updated_at)::text AS version"
	    " FROM connectors c JOIN strategies s ON s.id = c.strategy_id",
	    0, NULL, cb, arg);
}

/*
 * The strategy's book for a symbol: what its signals that ran or run
 * moved it by.  Position sync sends the difference to it.
 */
#define SQL_BOOK \
"(SELECT COALESCE(sum(b.signed_lots), 0) FROM signals b" \
"  WHERE b.strategy_id = s.strategy_id AND b.symbol = s.symbol" \
"    AND b.status IN ('EXECUTING', 'DONE') AND b.id <> s.id)"

/*
 * The claim is hook_signal_claim() of 0028: the oldest unfinished signal
 * of each strategy and symbol (its heads, by a skip scan over the index
 * signals_heads), or those a gone session left EXECUTING, planned once
 * per session.
 */
void
store_signal_claim(struct store *st, int64_t id, int limit, store_rows_cb cb,
    void *arg)
{
	char		 a[24], b[16];
	const char	*p[2] = { a, b };

	snprintf(a, sizeof a, "%lld", (long long)id);
	snprintf(b, sizeof b, "%d", limit > 0 ? limit : 1);
	/* On a signal's way to the wire: not behind the event writes. */
	store_run_urgent(st, "SELECT * FROM hook_signal_claim($1::bigint,"
	    " $2::int)", 2, p, cb, arg);
}

static const char sql_peek[] =
"WITH u AS ("
"  SELECT s.*, " SQL_BOOK " AS book FROM signals s WHERE s.id = $1::bigint"
")"
"SELECT u.id, u.payload_id, u.action, u.symbol, u.exchange, u.qty, u.unit,"
"  u.order_type, u.price::text AS price,"
"  u.trigger_price::text AS trigger_price, u.product, u.status,"
"  CASE u.action WHEN 'buy' THEN u.qty WHEN 'sell' THEN -u.qty"
"    WHEN 'exit' THEN -u.book ELSE u.qty - u.book END AS signed_lots,"
"  CASE u.action WHEN 'buy' THEN 'BUY' WHEN 'sell' THEN 'SELL'"
"    WHEN 'target' THEN CASE WHEN u.qty > u.book THEN 'BUY'"
"    WHEN u.qty < u.book THEN 'SELL' END END AS exec_side,"
"  CASE u.action WHEN 'target' THEN abs(u.qty - u.book)"
"    WHEN 'exit' THEN NULL ELSE u.qty END AS exec_qty, u.fanout_id,"
"  st.name AS strategy, st.target, st.params, cn.name AS connector"
"  FROM u LEFT JOIN strategies st ON st.id = u.strategy_id"
"  LEFT JOIN connectors cn ON cn.id = u.connector_id";

void
store_signal_peek(struct store *st, int64_t id, store_rows_cb cb, void *arg)
{
	char		 a[24];
	const char	*p[1] = { a };

	snprintf(a, sizeof a, "%lld", (long long)id);
	store_run(st, sql_peek, 1, p, cb, arg);
}

void
store_signal_finish(struct store *st, int64_t id, const char *status,
    int64_t fanout, const char *reason, const char *verdict,
    store_rows_cb cb, void *arg)
{
	char		 a[24], f[24];
	const char	*p[5] = { a, status, fanout > 0 ? f : NULL, reason,
			    verdict };

	snprintf(a, sizeof a, "%lld", (long long)id);
	snprintf(f, sizeof f, "%lld", (long long)fanout);
	/* QUEUED again: its fan-out is not settled yet; look in a while. */
	store_run(st, "UPDATE signals SET status = $2, fanout_id = $3::bigint,"
	    " reason = $4, rms_verdict = $5, claimed_by = NULL,"
	    " t_done = CASE WHEN $2 <> 'QUEUED' THEN clock_timestamp() END,"
	    " retry_at = CASE WHEN $2 = 'QUEUED' THEN now() + interval '2 s'"
	    "   END,"
	    " signed_lots = CASE WHEN $2 IN ('DONE', 'QUEUED') THEN signed_lots"
	    "   END"
	    " WHERE id = $1::bigint RETURNING id, status", 5, p, cb, arg);
}

/* --- strategies -------------------------------------------------------- */

static const char sql_strategy_add[] =
"WITH t AS ("
"  SELECT name, max(version) AS version FROM rms_templates"
"  WHERE name = $4 GROUP BY name"
"), s AS ("
"  INSERT INTO strategies (name, target, params, template)"
"  SELECT $1, $2, $3::jsonb, $4"
"  WHERE $4::text IS NULL OR EXISTS (SELECT 1 FROM t)"
"  RETURNING id, name, target, params, template"
"), b AS ("
"  INSERT INTO rms_bindings (scope_kind, scope_name, template, version,"
"    bound_by)"
"  SELECT 'strategy', s.name, t.name, t.version, $5 FROM s, t"
"  ON CONFLICT (scope_kind, scope_name) DO UPDATE SET"
"    template = EXCLUDED.template, version = EXCLUDED.version,"
"    bound_by = EXCLUDED.bound_by, bound_at = now()"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $5, $6, 'strategy.add', 'strategy:' || s.name,"
"    jsonb_build_object('target', s.target, 'params', s.params,"
"    'template', s.template) FROM s"
")"
"SELECT * FROM s";

void
store_strategy_add(struct store *st, const char *name, const char *target,
    json_t *params, const char *template_name, const struct store_actor *a,
    store_rows_cb cb, void *arg)
{
	char		*pj = json_dumps(params, JSON_COMPACT);
	const char	*p[6] = { name, target, pj, template_name, a->os_user,
			    a->front };

	store_run(st, sql_strategy_add, 6, p, cb, arg);
	free(pj);
}

#define SQL_STRATEGY_ROW \
"SELECT s.id, s.name, s.target, s.params->>'policy' AS policy," \
"  s.params->>'mode' AS mode, s.params->>'on_fail' AS on_fail," \
"  s.params->>'product' AS product, s.template, s.trading_state," \
"  (SELECT count(*) FROM connectors c WHERE c.strategy_id = s.id)::int" \
"    AS connectors," \
"  (SELECT " SQL_IST("max(g.ts)") " FROM signals g" \
"    WHERE g.strategy_id = s.id) AS last_signal," \
"  (SELECT count(*) FROM signals g WHERE g.strategy_id = s.id" \
"    AND g.status IN ('QUEUED', 'EXECUTING'))::int AS queued," \
"  (SELECT count(*) FROM fanouts f WHERE f.strategy_id = s.id)::int" \
"    AS fanouts" \
"  FROM strategies s"

void
store_strategy_list(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, SQL_STRATEGY_ROW " ORDER BY s.name", 0, NULL, cb, arg);
}

void
store_strategy_show(struct store *st, const char *name, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { name };

	store_run(st, "SELECT row_to_json(x)::jsonb || jsonb_build_object("
	    " 'book', (SELECT COALESCE(jsonb_object_agg(symbol, lots), '{}')"
	    "   FROM (SELECT symbol, sum(signed_lots) AS lots FROM signals g"
	    "     WHERE g.strategy_id = x.id AND g.status IN ('EXECUTING',"
	    "     'DONE') GROUP BY symbol) b),"
	    " 'positions', (SELECT COALESCE(jsonb_agg(jsonb_build_object("
	    "   'account', a.name, 'symbol', p.symbol, 'qty', p.qty)"
	    "   ORDER BY a.name, p.symbol), '[]') FROM positions p"
	    "   JOIN accounts a ON a.id = p.account_id"
	    "   WHERE p.strategy_id = x.id AND p.qty <> 0)) AS strategy"
	    " FROM (" SQL_STRATEGY_ROW " WHERE s.name = $1) x", 1, p, cb, arg);
}

/* --- connectors -------------------------------------------------------- */

static const char sql_connector_add[] =
"WITH f AS (SELECT $2::jsonb AS j), c AS ("
"  INSERT INTO connectors (name, dialect, strategy_id, token_enc, allow,"
"    rate_per_s, body_limit, window_from, window_to, symbol_map,"
"    field_map, options)"
"  SELECT $1, f.j->>'dialect', s.id, $3,"
"    ARRAY(SELECT jsonb_array_elements_text(COALESCE(f.j->'allow',"
"      '[]'))), COALESCE((f.j->>'rate_per_s')::int, 0),"
"    COALESCE((f.j->>'body_limit')::int, 65536),"
"    (f.j->>'window_from')::time, (f.j->>'window_to')::time,"
"    COALESCE(f.j->'symbol_map', '{}'), COALESCE(f.j->'field_map', '{}'),"
"    COALESCE(f.j->'options', '{}')"
"  FROM f JOIN strategies s ON s.name = f.j->>'strategy'"
"  RETURNING id, name, dialect"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $4, $5, 'connector.add', 'connector:' || c.name, f.j"
"  FROM c, f"
")"
"SELECT * FROM c";

void
store_connector_add(struct store *st, const char *name, json_t *fields,
    const char *token_enc, const struct store_actor *a, store_rows_cb cb,
    void *arg)
{
	char		*fj = json_dumps(fields, JSON_COMPACT);
	const char	*p[5] = { name, fj, token_enc, a->os_user, a->front };

	store_run(st, sql_connector_add, 5, p, cb, arg);
	free(fj);
}

#define SQL_CONNECTOR_ROW \
"SELECT c.id, c.name, c.dialect, s.name AS strategy, c.enabled," \
"  array_to_string(c.allow, ',') AS allow, c.rate_per_s, c.body_limit," \
"  CASE WHEN c.window_from IS NOT NULL THEN to_char(c.window_from," \
"    'HH24:MI') || '-' || to_char(c.window_to, 'HH24:MI') END AS window," \
"  c.symbol_map, c.field_map, c.options," \
"  (SELECT " SQL_IST("max(p.ts)") " FROM webhook_payloads p" \
"    WHERE p.connector_id = c.id) AS last_payload," \
"  (SELECT count(*) FROM webhook_payloads p" \
"    WHERE p.connector_id = c.id)::int AS payloads," \
"  (SELECT g.status FROM signals g WHERE g.connector_id = c.id" \
"    ORDER BY g.id DESC LIMIT 1) AS last_status" \
"  FROM connectors c JOIN strategies s ON s.id = c.strategy_id"

void
store_connector_list(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, SQL_CONNECTOR_ROW " ORDER BY c.name", 0, NULL, cb, arg);
}

void
store_connector_show(struct store *st, const char *name, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { name };

	store_run(st, SQL_CONNECTOR_ROW " WHERE c.name = $1", 1, p, cb, arg);
}

void
store_connector_enable(struct store *st, const char *name, int on,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	const char	*p[4] = { name, on ? "t" : "f", a->os_user, a->front };

	store_run(st, "WITH c AS (UPDATE connectors SET enabled = $2::boolean,"
	    " updated_at = now() WHERE name = $1 RETURNING name, enabled),"
	    " au AS (INSERT INTO audit_log (os_user, front, action, object)"
	    " SELECT $3, $4, CASE WHEN $2::boolean THEN 'connector.enable'"
	    " ELSE 'connector.disable' END, 'connector:' || c.name FROM c)"
	    " SELECT * FROM c", 4, p, cb, arg);
}

void
store_connector_rm(struct store *st, const char *name,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	const char	*p[3] = { name, a->os_user, a->front };

	store_run(st, "WITH c AS (DELETE FROM connectors WHERE name = $1"
	    " RETURNING name), au AS (INSERT INTO audit_log (os_user, front,"
	    " action, object) SELECT $2, $3, 'connector.rm', 'connector:' ||"
	    " c.name FROM c) SELECT * FROM c", 3, p, cb, arg);
}

/* --- payloads ---------------------------------------------------------- */

void
store_webhook_list(struct store *st, const char *connector, int last,
    store_rows_cb cb, void *arg)
{
	char		 n[16];
	const char	*p[2] = { connector, n };

	snprintf(n, sizeof n, "%d", last > 0 ? last : 50);
	store_run(st, "SELECT * FROM (SELECT p.id, " SQL_IST("p.ts") " AS ts,"
	    " p.connector, p.method, p.remote, length(p.body) AS bytes,"
	    " COALESCE((SELECT string_agg(g.status, ',' ORDER BY g.seq)"
	    "   FROM signals g WHERE g.payload_id = p.id), 'MALFORMED')"
	    "   AS status,"
	    " (SELECT string_agg(g.action || ' ' || g.symbol || ' ' || g.qty,"
	    "   '; ' ORDER BY g.seq) FROM signals g WHERE g.payload_id = p.id)"
	    "   AS signals,"
	    " (SELECT string_agg(g.fanout_id::text, ',' ORDER BY g.seq)"
	    "   FROM signals g WHERE g.payload_id = p.id) AS fanouts,"
	    " p.duplicate_of, p.replay_of"
	    " FROM webhook_payloads p WHERE $1::text IS NULL OR p.connector = $1"
	    " ORDER BY p.id DESC LIMIT $2::int) x ORDER BY id", 2, p, cb, arg);
}

void
store_webhook_show(struct store *st, int64_t id, store_rows_cb cb, void *arg)
{
	char		 a[24];
	const char	*p[1] = { a };

	snprintf(a, sizeof a, "%lld", (long long)id);
	store_run(st, "SELECT jsonb_build_object('id', p.id, 'ts', "
	    SQL_IST("p.ts") ", 'connector', p.connector, 'method', p.method,"
	    " 'remote', p.remote, 'content_type', p.content_type,"
	    " 'query', p.query, 'body', encode(p.body, 'escape'),"
	    " 'hash', encode(p.hash, 'hex'), 'duplicate_of', p.duplicate_of,"
	    " 'replay_of', p.replay_of, 'reason', p.reason) AS payload,"
	    " COALESCE((SELECT jsonb_agg(jsonb_build_object('id', g.id, 'seq',"
	    "   g.seq, 'status', g.status, 'strategy', s.name, 'parsed',"
	    "   g.parsed, 'reason', g.reason, 'rms_verdict', g.rms_verdict,"
	    "   'exec_side', g.exec_side, 'exec_qty', g.exec_qty,"
	    "   'fanout', g.fanout_id, 'duplicate_of', g.duplicate_of,"
	    "   'received', " SQL_IST("g.ts") ","
	    "   'done', " SQL_IST("g.t_done") ") ORDER BY g.seq)"
	    "   FROM signals g LEFT JOIN strategies s ON s.id = g.strategy_id"
	    "   WHERE g.payload_id = p.id), '[]') AS signals,"
	    " COALESCE((SELECT jsonb_agg(jsonb_build_object('fanout', f.id,"
	    "   'state', f.state, 'message', f.message, 'target', f.target,"
	    "   'legs', (SELECT COALESCE(jsonb_agg(jsonb_build_object("
	    "     'account', a.name, 'side', o.side, 'qty', o.qty, 'state',"
	    "     o.state, 'filled', o.filled_qty) ORDER BY a.name, o.slice),"
	    "     '[]') FROM orders o JOIN accounts a ON a.id = o.account_id"
	    "     WHERE o.fanout_id = f.id)) ORDER BY f.id)"
	    "   FROM fanouts f WHERE f.id IN (SELECT g.fanout_id FROM signals g"
	    "   WHERE g.payload_id = p.id)), '[]') AS fanouts"
	    " FROM webhook_payloads p WHERE p.id = $1::bigint", 1, p, cb, arg);
}

static const char sql_replay[] =
"WITH o AS (SELECT * FROM webhook_payloads WHERE id = $1::bigint), p AS ("
"  INSERT INTO webhook_payloads (connector_id, connector, method, remote,"
"    content_type, query, body, hash, replay_of)"
"  SELECT connector_id, connector, 'REPLAY', NULL, content_type, query,"
"    body, hash, id FROM o"
"  WHERE EXISTS (SELECT 1 FROM signals g WHERE g.payload_id = o.id)"
"  RETURNING id"
"), s AS ("
"  INSERT INTO signals (payload_id, seq, connector_id, strategy_id, source,"
"    ext_id, action, symbol, exchange, qty, unit, order_type, price,"
"    trigger_price, product, parsed, status)"
"  SELECT p.id, g.seq, g.connector_id, g.strategy_id, 'replay:' ||"
"    g.payload_id, NULL, g.action, g.symbol, g.exchange, g.qty, g.unit,"
"    g.order_type, g.price, g.trigger_price, g.product, g.parsed,"
"    'RECEIVED'"
"  FROM p, signals g WHERE g.payload_id = $1::bigint"
"  RETURNING id, seq"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $2, $3, 'webhook.replay', 'webhook:' || $1, jsonb_build_object("
"    'payload', p.id) FROM p"
")"
"SELECT (SELECT id FROM o) AS original, (SELECT reason FROM o) AS reason,"
"  (SELECT id FROM p) AS payload,"
"  COALESCE((SELECT json_agg(id ORDER BY seq) FROM s), '[]') AS signals";

void
store_webhook_replay(struct store *st, int64_t id,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	char		 s[24];
	const char	*p[3] = { s, a->os_user, a->front };

	snprintf(s, sizeof s, "%lld", (long long)id);
	store_run(st, sql_replay, 3, p, cb, arg);
}
