/* The reconciler's statements (store_reconcile.h). */
#include <stdio.h>
#include <stdlib.h>

#include "db/store_int.h"
#include "db/store_reconcile.h"

/* (1885893240, 0): the duty lock of db/migrations/0009_reconcile.sql. */
static const char sql_duty[] =
"SELECT CASE WHEN phalanx_lock_held(1885893240, 0, true) THEN true"
"  WHEN phalanx_lock_held(1885893240, 0) THEN false"
"  ELSE pg_try_advisory_lock(1885893240, 0) END AS held";

static const char sql_duty_release[] =
"SELECT CASE WHEN phalanx_lock_held(1885893240, 0, true)"
"  THEN pg_advisory_unlock(1885893240, 0) ELSE false END AS released";

/*
 * The CTE with the lock call is materialised once per row, so each
 * fan-out is tried once; a claimed one learns when it was first orphaned,
 * and gets the order rows its sender died before writing (the plan of
 * db/migrations/0016 names them).
 */
static const char sql_claim[] =
"WITH c AS ("
"  SELECT f.id FROM fanouts f WHERE (f.state = 'RUNNING'"
"    OR ($1::bigint IS NOT NULL AND f.state = 'INTERRUPTED'))"
"    AND ($1::bigint IS NULL OR f.id = $1::bigint) ORDER BY f.id"
"), own AS ("
"  SELECT c.id FROM c WHERE phalanx_fanout_own(c.id, true)"
"), u AS ("
"  UPDATE fanouts f SET orphaned_at = coalesce(f.orphaned_at, now())"
"  FROM own WHERE f.id = own.id AND phalanx_fanout_orders(own.id) >= 0"
"  RETURNING f.id, f.intent, f.on_fail, f.orphaned_at"
")"
"SELECT u.id, u.intent, u.on_fail,"
"  (extract(epoch FROM now() - u.orphaned_at) * 1000)::bigint"
"    AS orphaned_ms "
"FROM u ORDER BY u.id";

static const char sql_release[] =
"SELECT phalanx_fanout_own($1::bigint, false) AS released";

/*
 * In use: working orders (NEW ones of an INTERRUPTED fan-out wait for
 * `fanout resume`, not for us) or open positions; plus the accounts of the
 * claimed fan-outs.  only: just the latter.
 */
static const char sql_accounts[] =
"SELECT a.id AS account_id FROM accounts a "
"WHERE (NOT $2::boolean AND (EXISTS (SELECT 1 FROM orders o"
"    LEFT JOIN fanouts f ON f.id = o.fanout_id WHERE o.account_id = a.id"
"    AND o.state IN ('NEW', 'SUBMITTED', 'OPEN', 'TRIGGER_PENDING',"
"      'PARTIALLY_FILLED', 'PENDING_CANCEL', 'UNKNOWN')"
"    AND NOT (o.state = 'NEW' AND f.state IS NOT DISTINCT FROM"
"      'INTERRUPTED'))"
"  OR EXISTS (SELECT 1 FROM positions p WHERE p.account_id = a.id"
"    AND p.qty <> 0)))"
"  OR a.id IN (SELECT o.account_id FROM orders o WHERE o.fanout_id IN"
"    (SELECT jsonb_array_elements_text(coalesce($1::jsonb, '[]'))"
"      ::bigint)) "
"ORDER BY a.id";

/*
 * The whole book in one call (db/migrations/0032): the entries that match
 * the store are answered without a row lock, the rest go through the
 * per-order function with their rows locked in id order.  Rows come back
 * in book order, as they did when the function ran per entry.
 */
static const char sql_book[] =
"SELECT r.order_id, r.fanout_id, r.client_tag, r.action, r.old_state,"
"  r.new_state, r.applied "
"FROM phalanx_reconcile_book($1::bigint, $2::jsonb,"
"  ARRAY(SELECT jsonb_array_elements_text(coalesce($3::jsonb, '[]'))"
"    ::bigint)) r "
"ORDER BY r.n";

static const char sql_legs[] =
"SELECT o.id, o.account_id, a.name AS account, o.client_tag,"
"  o.broker_order_id, o.state, o.qty, o.filled_qty "
"FROM orders o JOIN accounts a ON a.id = o.account_id "
"WHERE o.fanout_id = $1 ORDER BY a.priority, a.name, o.slice";

static const char sql_close[] =
"WITH n AS ("
"  UPDATE orders SET state = 'NEW', message = $5, updated_at = now()"
"  WHERE fanout_id = $1 AND id IN (SELECT jsonb_array_elements_text("
"    coalesce($4::jsonb, '[]'))::bigint)"
"  RETURNING id"
"), ev AS ("
"  INSERT INTO order_events (order_id, state, message)"
"  SELECT id, 'NEW', $5 FROM n"
"), f AS ("
"  UPDATE fanouts SET state = $2, message = $3"
"  WHERE id = $1 AND state IN ('RUNNING', 'INTERRUPTED') RETURNING id"
"), rel AS ("
"  SELECT phalanx_fanout_own($1::bigint, false) AS released"
")"
"SELECT f.id, rel.released FROM rel LEFT JOIN f ON true";

static const char sql_interrupted[] =
"SELECT f.id, f.state, f.message, f.intent, f.side, f.symbol, f.target,"
"  to_char(f.created_at AT TIME ZONE 'Asia/Kolkata',"
"    'YYYY-MM-DD HH24:MI:SS') AS created,"
"  (SELECT count(*) FROM orders o WHERE o.fanout_id = f.id"
"    AND o.state = 'NEW')::int AS unsent "
"FROM fanouts f "
"WHERE f.created_at > now() - interval '1 day'"
"  AND (f.state = 'INTERRUPTED' OR (f.state = 'RUNNING'"
"    AND NOT phalanx_lock_held(1885889135, (f.id & 2147483647)::int))) "
"ORDER BY f.id";

/* Only an INTERRUPTED fan-out no one owns; owned from here on. */
static const char sql_resume[] =
"UPDATE fanouts f SET state = 'RUNNING', orphaned_at = NULL, message = NULL "
"WHERE f.id = $1::bigint AND CASE WHEN f.state = 'INTERRUPTED'"
"  THEN phalanx_fanout_own(f.id, true) ELSE false END "
"RETURNING f.id, f.intent, f.target, f.side, f.symbol, f.exchange,"
"  f.mode, f.on_fail, f.policy, f.product, f.order_type, f.qty, f.unit,"
"  f.source";

static const char sql_resume_orders[] =
"SELECT o.id, o.account_id, o.slice, o.client_tag, o.side, o.symbol,"
"  o.exchange, o.product, o.order_type, o.qty,"
"  round(coalesce(o.price, 0) * 100)::bigint AS price_paise,"
"  round(coalesce(o.trigger_price, 0) * 100)::bigint AS trigger_paise "
"FROM orders o WHERE o.fanout_id = $1 AND o.state = 'NEW'"
"  AND o.broker_order_id IS NULL ORDER BY o.id";

static const char sql_by_key[] =
"SELECT id, state, idem_intent, message FROM fanouts WHERE idem_key = $1";

static void
id_text(char *buf, size_t len, int64_t id)
{
	snprintf(buf, len, "%lld", (long long)id);
}

void
store_reconcile_duty(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_duty, 0, NULL, cb, arg);
}

void
store_reconcile_duty_release(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_duty_release, 0, NULL, cb, arg);
}

void
store_reconcile_claim(struct store *st, int64_t fanout_id, store_rows_cb cb,
    void *arg)
{
	char		 id[24];
	const char	*p[1] = { NULL };

	if (fanout_id > 0) {
		id_text(id, sizeof id, fanout_id);
		p[0] = id;
	}
	store_run(st, sql_claim, 1, p, cb, arg);
}

void
store_reconcile_release(struct store *st, int64_t fanout_id,
    store_rows_cb cb, void *arg)
{
	char		 id[24];
	const char	*p[1] = { id };

	id_text(id, sizeof id, fanout_id);
	store_run(st, sql_release, 1, p, cb, arg);
}

void
store_reconcile_accounts(struct store *st, json_t *fanout_ids, int only,
    store_rows_cb cb, void *arg)
{
	char		*s = fanout_ids != NULL ? json_dumps(fanout_ids,
			    JSON_COMPACT) : NULL;
	const char	*p[2] = { s, only ? "true" : "false" };

	store_run(st, sql_accounts, 2, p, cb, arg);
	free(s);
}

void
store_reconcile_book(struct store *st, int64_t account_id, json_t *orders,
    json_t *claimed, store_rows_cb cb, void *arg)
{
	char		 id[24], *o, *c;
	const char	*p[3];

	id_text(id, sizeof id, account_id);
	o = json_dumps(orders, JSON_COMPACT);
	c = claimed != NULL ? json_dumps(claimed, JSON_COMPACT) : NULL;
	p[0] = id;
	p[1] = o;
	p[2] = c;
	store_run(st, sql_book, 3, p, cb, arg);
	free(o);
	free(c);
}

void
store_reconcile_legs(struct store *st, int64_t fanout_id, store_rows_cb cb,
    void *arg)
{
	char		 id[24];
	const char	*p[1] = { id };

	id_text(id, sizeof id, fanout_id);
	store_run(st, sql_legs, 1, p, cb, arg);
}

void
store_reconcile_close(struct store *st, int64_t fanout_id, const char *state,
    const char *message, json_t *never_sent, const char *note,
    store_rows_cb cb, void *arg)
{
	char		 id[24], *ns;
	const char	*p[5];

	id_text(id, sizeof id, fanout_id);
	ns = json_dumps(never_sent, JSON_COMPACT);
	p[0] = id;
	p[1] = state;
	p[2] = message;
	p[3] = ns;
	p[4] = note;
	store_run(st, sql_close, 5, p, cb, arg);
	free(ns);
}

void
store_fanouts_interrupted(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_interrupted, 0, NULL, cb, arg);
}

void
store_fanout_by_key(struct store *st, const char *key, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { key };

	/* On the fan-out's path (every keyed signal asks before it plans):
	 * the intents' connection, not behind the main one's queue. */
	store_run_first(st, sql_by_key, 1, p, cb, arg);
}

void
store_fanout_resume(struct store *st, int64_t fanout_id, store_rows_cb cb,
    void *arg)
{
	char		 id[24];
	const char	*p[1] = { id };

	id_text(id, sizeof id, fanout_id);
	store_run(st, sql_resume, 1, p, cb, arg);
}

void
store_fanout_unsent(struct store *st, int64_t fanout_id, store_rows_cb cb,
    void *arg)
{
	char		 id[24];
	const char	*p[1] = { id };

	id_text(id, sizeof id, fanout_id);
	store_run(st, sql_resume_orders, 1, p, cb, arg);
}
