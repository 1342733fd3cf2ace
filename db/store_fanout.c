/* Fan-out and order rows: what the router writes and the reports read. */
#include <stdio.h>
#include <stdlib.h>

#include "db/store_fanout.h"
#include "db/store_int.h"

/*
 * Ids come a block at a time: a warm router needs no round trip for one.
 * Order ids too, so that the intent row can name every leg's order.
 */
static const char sql_next_ids[] =
"SELECT 'fanout' AS kind, nextval(pg_get_serial_sequence('fanouts', 'id'))"
"  AS id FROM generate_series(1, $1::int) "
"UNION ALL "
"SELECT 'order', nextval(pg_get_serial_sequence('orders', 'id'))"
"  FROM generate_series(1, $2::int)";

/*
 * The intent: one row, its plan the legs, written by a function (0027)
 * whose statements are planned once per connection.  An order intent's
 * leg for an account HALTED meanwhile is marked denied in the plan (the
 * kill switch wins over any cached view of the registry) and named in the
 * answer; its order row is written all the same and goes to DENIED
 * (0024).  $5: the ownership locks to drop first (store_first_releases).
 */
static const char sql_intent[] =
"SELECT fanout_id, denied FROM phalanx_fanout_intent($1::jsonb, $2::jsonb,"
"  $3, $4, $5::jsonb)";

/*
 * The legs' rows, once they are on the wire.  Journaled when the store is
 * away (store_journal.h; $2 is its uid); repeating it writes nothing.
 */
const char store_sql_fanout_legs[] =
"SELECT phalanx_fanout_orders($1::bigint) AS written, $2::uuid AS uid";

static const char sql_orders_add[] =
"WITH o AS ("
"  INSERT INTO orders (fanout_id, account_id, slice, client_tag, state,"
"    side, symbol, exchange, product, order_type, qty, price,"
"    trigger_price, strategy_id)"
"  SELECT $1::bigint, x.account_id, x.slice, x.client_tag, 'NEW',"
"    x.side, x.symbol, x.exchange, x.product, x.order_type, x.qty, x.price,"
"    x.trigger_price, (SELECT strategy_id FROM fanouts WHERE id = $1::bigint)"
"  FROM jsonb_to_recordset($2::jsonb) AS x(account_id bigint, slice int,"
"    client_tag text, side text, symbol text, exchange text, product text,"
"    order_type text, qty int, price numeric, trigger_price numeric)"
"  RETURNING id, client_tag"
")"
"SELECT o.id, o.client_tag FROM o";

/* Journaled writes (store_journal.h): $7 and $3 are their uids. */
const char store_sql_fanout_finish[] =
STORE_APPLIED("$7", "fanout.finish")
"UPDATE fanouts SET state = $2, message = $3, t_first_send = $4,"
"  t_last_send = $5, t_last_ack = $6"
"  WHERE id = $1 AND EXISTS (SELECT 1 FROM applied)"
"  RETURNING id, phalanx_fanout_own(id, false) AS released";

/*
 * A broker id this account already has on another order (a simulator
 * restarted on the same store, a broker bug) is not stored twice: the
 * order keeps its client tag, which reconcile and postbacks match on, and
 * the answer names the other order so that the caller can say so.
 * Journaled when the store is away (store_journal.h): $3 is its uid.
 */
const char store_sql_broker_id[] =
STORE_APPLIED("$3", "order.broker_id")
", dup AS ("
"  SELECT d.id FROM orders d JOIN orders o ON o.id = $1::bigint"
"  WHERE d.account_id = o.account_id AND d.broker_order_id = $2"
"    AND d.id <> o.id LIMIT 1"
"), upd AS ("
"  UPDATE orders SET broker_order_id = $2, updated_at = now()"
"  WHERE id = $1::bigint AND EXISTS (SELECT 1 FROM applied)"
"    AND NOT EXISTS (SELECT 1 FROM dup) RETURNING id"
")"
"SELECT $1::bigint AS id, (SELECT id FROM dup) AS duplicate_of,"
"  EXISTS (SELECT 1 FROM upd) AS stored";

static const char sql_instrument[] =
"SELECT i.exchange, i.tradingsymbol, i.name, i.instrument_type,"
"  i.lot_size, i.tick_size::text AS tick_size,"
"  i.last_price::text AS last_price,"
"  COALESCE(i.freeze_qty, fl.freeze_qty) AS freeze_qty "
"FROM instruments i LEFT JOIN freeze_limits fl"
"  ON fl.exchange = i.exchange AND fl.name = i.name "
"WHERE i.tradingsymbol = $2 AND ($1::text IS NULL OR i.exchange = $1) "
"ORDER BY i.exchange = 'NFO' DESC, i.exchange = 'NSE' DESC, i.exchange "
"LIMIT 1";

static const char sql_trading_state[] =
"WITH up AS ("
"  UPDATE accounts SET trading_state = $2, updated_at = now()"
"  WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)"
"  RETURNING id, name"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $4, $5, CASE WHEN $2::text = 'HALTED' THEN 'account.kill'"
"    ELSE 'account.unkill' END, up.name,"
"    jsonb_build_object('state', $2::text, 'reason', $3::text) FROM up"
")"
"SELECT id, name FROM up ORDER BY name";

static const char sql_list[] =
"SELECT f.id, to_char(f.created_at AT TIME ZONE 'Asia/Kolkata',"
"  'YYYY-MM-DD HH24:MI:SS') AS created, f.intent, f.side, f.symbol,"
"  f.qty, f.target, f.tag, f.mode, f.on_fail, f.state,"
"  (SELECT count(*) FROM orders o WHERE o.fanout_id = f.id)::int AS orders,"
"  (SELECT count(*) FROM orders o WHERE o.fanout_id = f.id"
"    AND o.state IN ('REJECTED', 'UNKNOWN', 'DENIED'))::int AS failed,"
"  (EXTRACT(EPOCH FROM (f.t_last_ack - f.t_intent)) * 1000)::numeric(12,1)"
"    ::text AS ms "
"FROM fanouts f ORDER BY f.id DESC LIMIT $1";

static const char sql_get[] =
"SELECT f.id, f.who, f.source, f.intent, f.target, f.side, f.symbol,"
"  f.exchange, f.qty, f.unit, f.product, f.order_type, f.policy, f.mode,"
"  f.on_fail, f.state, f.message, f.tag,"
"  to_char(f.t_intent AT TIME ZONE 'Asia/Kolkata',"
"    'YYYY-MM-DD HH24:MI:SS.US') AS t_intent,"
"  (EXTRACT(EPOCH FROM (f.t_rms - f.t_intent)) * 1e6)::bigint AS rms_us,"
"  (EXTRACT(EPOCH FROM (f.t_first_send - f.t_intent)) * 1e6)::bigint"
"    AS first_send_us,"
"  (EXTRACT(EPOCH FROM (f.t_last_send - f.t_intent)) * 1e6)::bigint"
"    AS last_send_us,"
"  (EXTRACT(EPOCH FROM (f.t_last_ack - f.t_intent)) * 1e6)::bigint"
"    AS last_ack_us "
"FROM fanouts f WHERE f.id = $1";

static const char sql_orders[] =
"SELECT o.id, a.name AS account, b.name AS broker, o.slice, o.client_tag,"
"  o.broker_order_id, o.side, o.symbol, o.qty, o.filled_qty, o.state,"
"  o.avg_price::text AS avg_price, o.message,"
"  (SELECT e.latency_us FROM order_events e WHERE e.order_id = o.id"
"    AND e.latency_us IS NOT NULL ORDER BY e.ts LIMIT 1) AS ack_us "
"FROM orders o JOIN accounts a ON a.id = o.account_id"
"  JOIN brokers b ON b.id = a.broker_id "
"WHERE o.fanout_id = $1 ORDER BY a.priority, a.name, o.slice";

/*
 * cancel order ID: the order whose phalanx id or broker order id is ID,
 * with what the cancel needs; the request is audited once it names
 * exactly one order.
 */
static const char sql_order_find[] =
"WITH o AS ("
"  SELECT o.id, o.fanout_id, o.account_id, a.name AS account,"
"    o.broker_order_id, o.state, o.variety, o.side, o.symbol, o.exchange,"
"    o.order_type, o.product, o.qty, o.filled_qty,"
"    o.avg_price::text AS avg_price"
"  FROM orders o JOIN accounts a ON a.id = o.account_id"
"  WHERE ($1 ~ '^[0-9]{1,18}$' AND o.id = $1::bigint)"
"    OR o.broker_order_id = $1"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $2, $3, 'order.cancel', 'order:' || o.id,"
"    jsonb_build_object('id', $1::text, 'account', o.account,"
"      'broker_order_id', o.broker_order_id, 'state', o.state)"
"  FROM o WHERE (SELECT count(*) FROM o) = 1"
")"
"SELECT * FROM o ORDER BY o.id";

void
store_order_find(struct store *st, const char *id,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	const char	*p[3] = { id, who->os_user, who->front };

	store_run(st, sql_order_find, 3, p, cb, arg);
}

void
store_fanout_next_ids(struct store *st, int nfanouts, int norders,
    store_rows_cb cb, void *arg)
{
	char		 nf[16], no[16];
	const char	*p[2] = { nf, no };

	snprintf(nf, sizeof nf, "%d", nfanouts);
	snprintf(no, sizeof no, "%d", norders);
	store_run_first(st, sql_next_ids, 2, p, cb, arg);
}

struct intent_call {
	struct store	*st;
	store_rows_cb	 cb;
	void		*arg;
};

static void
store_intent_done(json_t *rows, const struct err *err, void *arg)
{
	struct intent_call	*c = arg;
	json_t			*row = json_array_get(rows, 0);

	if (err == NULL && row != NULL)
		store_first_owns(c->st, json_integer_value(json_object_get(row,
		    "fanout_id")));
	c->cb(rows, err, c->arg);
	free(c);
}

static void
store_fanout_warmed(json_t *rows, const struct err *err, void *arg)
{
	/* An old schema: the first intent plans it then. */
}

/*
 * phalanx_fanout_intent (0027) called with a row it refuses -- no id --
 * so that its statements are planned and nothing is written: the insert
 * fails on its first row, before any lock or sequence is touched.  A new
 * session's first intent otherwise compiled the function and planned its
 * statements with every order waiting: 30-40 ms, ten times a later one
 * (a cold square-off).
 */
void
store_fanout_warm(struct store *st)
{
	store_run_first(st, "DO $$BEGIN"
	    " PERFORM phalanx_fanout_intent('{\"intent\": \"order\"}', '[]',"
	    " 'warm', 'warm', NULL);"
	    " EXCEPTION WHEN not_null_violation THEN NULL; END$$", 0, NULL,
	    store_fanout_warmed, NULL);
}

void
store_fanout_intent(struct store *st, json_t *fanout, const char *plan,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	struct intent_call	*c;
	char			*f, *rel;
	const char		*p[5];

	c = xmalloc(sizeof *c);
	c->st = st;
	c->cb = cb;
	c->arg = arg;
	f = json_dumps(fanout, JSON_COMPACT);
	rel = store_first_releases(st);
	p[0] = f;
	p[1] = plan;
	p[2] = who->os_user;
	p[3] = who->front;
	p[4] = rel;
	store_run_first(st, sql_intent, 5, p, store_intent_done, c);
	free(f);
	free(rel);
}

void
store_fanout_legs(struct store *st, int64_t fanout_id, store_rows_cb cb,
    void *arg)
{
	char		 ids[32];
	const char	*p[2];

	snprintf(ids, sizeof ids, "%lld", (long long)fanout_id);
	p[0] = ids;
	p[1] = NULL;
	store_run_durable(st, "fanout.legs", 2, p, cb, arg);
}

void
store_orders_add(struct store *st, int64_t fanout_id, json_t *orders,
    store_rows_cb cb, void *arg)
{
	char		*o, id[32];
	const char	*p[2];

	o = json_dumps(orders, JSON_COMPACT);
	snprintf(id, sizeof id, "%lld", (long long)fanout_id);
	p[0] = id;
	p[1] = o;
	store_run(st, sql_orders_add, 2, p, cb, arg);
	free(o);
}

struct finish_call {
	struct store	*st;
	int64_t		 id;
	store_rows_cb	 cb;
	void		*arg;
};

/* Stored (not journaled: the store is away, the lock stays): disown. */
static void
store_finish_done(json_t *rows, const struct err *err, void *arg)
{
	struct finish_call	*c = arg;

	if (err == NULL && json_array_size(rows) > 0)
		store_first_disown(c->st, c->id);
	c->cb(rows, err, c->arg);
	free(c);
}

void
store_fanout_finish(struct store *st, int64_t id, const char *state,
    const char *message, const char *t_first_send, const char *t_last_send,
    const char *t_last_ack, store_rows_cb cb, void *arg)
{
	struct finish_call	*c;
	char			 ids[32];
	const char		*p[7];

	snprintf(ids, sizeof ids, "%lld", (long long)id);
	p[0] = ids;
	p[1] = state;
	p[2] = message;
	p[3] = t_first_send;
	p[4] = t_last_send;
	p[5] = t_last_ack;
	c = xmalloc(sizeof *c);
	c->st = st;
	c->id = id;
	c->cb = cb;
	c->arg = arg;
	store_run_durable(st, "fanout.finish", 7, p, store_finish_done, c);
}

void
store_instrument_resolve(struct store *st, const char *exchange,
    const char *symbol, store_rows_cb cb, void *arg)
{
	const char	*p[2] = { exchange, symbol };

	/* A fan-out waits for it before it sends: never behind other work
	 * (a cold process's first reconcile pass). */
	store_run_first(st, sql_instrument, 2, p, cb, arg);
}

void
store_trading_state_set(struct store *st, json_t *account_ids,
    const char *state, const char *reason, const struct store_actor *who,
    store_rows_cb cb, void *arg)
{
	char		*ids = json_dumps(account_ids, JSON_COMPACT);
	const char	*p[5] = { ids, state, reason, who->os_user, who->front };

	/* On the intents' connection: a kill issued before a fan-out's
	 * intent is stored before it, never overtaken; and announced after
	 * it is. */
	store_run_first(st, sql_trading_state, 5, p, cb, arg);
	store_registry_changed_first(st, "states");
	free(ids);
}

static const char sql_latency[] =
"WITH acks AS ("
"  SELECT DISTINCT ON (o.id) a.name AS account, b.name AS broker,"
"    e.latency_us"
"  FROM order_events e JOIN orders o ON o.id = e.order_id"
"    JOIN accounts a ON a.id = o.account_id"
"    JOIN brokers b ON b.id = a.broker_id"
"  WHERE e.latency_us IS NOT NULL"
"    AND e.ts >= now() - make_interval(days => $1::int)"
"    AND ($2::jsonb IS NULL OR o.account_id IN"
"      (SELECT jsonb_array_elements_text($2::jsonb)::bigint))"
"  ORDER BY o.id, e.ts"
"), g AS ("
"  SELECT 'broker' AS scope, broker AS name, latency_us FROM acks"
"  UNION ALL SELECT 'account', account, latency_us FROM acks"
")"
"SELECT scope, name, count(*)::int AS orders,"
"  round(percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_us)"
"    / 1000.0, 2)::text AS p50_ms,"
"  round(percentile_disc(0.9) WITHIN GROUP (ORDER BY latency_us)"
"    / 1000.0, 2)::text AS p90_ms,"
"  round(percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_us)"
"    / 1000.0, 2)::text AS p99_ms,"
"  round(max(latency_us) / 1000.0, 2)::text AS max_ms "
"FROM g GROUP BY scope, name ORDER BY scope DESC, name";

void
store_latency(struct store *st, json_t *account_ids, int days,
    store_rows_cb cb, void *arg)
{
	char		 d[16], *ids;
	const char	*p[2];

	snprintf(d, sizeof d, "%d", days);
	ids = account_ids != NULL ? json_dumps(account_ids, JSON_COMPACT) :
	    NULL;
	p[0] = d;
	p[1] = ids;
	store_run(st, sql_latency, 2, p, cb, arg);
	free(ids);
}

void
store_fanouts_list(struct store *st, int n, store_rows_cb cb, void *arg)
{
	char		 ns[16];
	const char	*p[1] = { ns };

	snprintf(ns, sizeof ns, "%d", n);
	store_run(st, sql_list, 1, p, cb, arg);
}

void
store_fanout_get(struct store *st, int64_t id, store_rows_cb cb, void *arg)
{
	char		 ids[32];
	const char	*p[1] = { ids };

	snprintf(ids, sizeof ids, "%lld", (long long)id);
	store_run(st, sql_get, 1, p, cb, arg);
}

void
store_fanout_orders(struct store *st, int64_t id, store_rows_cb cb,
    void *arg)
{
	char		 ids[32];
	const char	*p[1] = { ids };

	snprintf(ids, sizeof ids, "%lld", (long long)id);
	store_run(st, sql_orders, 1, p, cb, arg);
}
