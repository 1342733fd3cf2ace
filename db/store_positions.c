/* Positions from fills, and their marks. */
#include <stdio.h>
#include <stdlib.h>

#include "db/store_int.h"
#include "db/store_positions.h"

/*
 * EXCLUDED carries the fill: qty signed, avg_price the fill price.  Same
 * side (or flat): weighted average.  Opposite side: realise PnL on the
 * part closed; past zero the remainder opens at the fill price.  A
 * journaled write (store_journal.h): $7 is its uid, so a replay of a fill
 * that was applied moves nothing.
 */
const char store_sql_position_fill[] =
STORE_APPLIED("$7", "position.fill")
"INSERT INTO positions AS p (account_id, exchange, symbol, product, qty,"
"  avg_price, updated_at)"
"SELECT $1::bigint, $2::text, $3::text, $4::text, $5::int,"
"  $6::numeric / 100, now() WHERE EXISTS (SELECT 1 FROM applied) "
"ON CONFLICT (account_id, exchange, symbol, product) DO UPDATE SET"
"  qty = p.qty + EXCLUDED.qty,"
"  avg_price = CASE"
"    WHEN p.qty = 0 OR sign(p.qty) = sign(EXCLUDED.qty) THEN"
"      (p.avg_price * abs(p.qty) + EXCLUDED.avg_price * abs(EXCLUDED.qty))"
"        / (abs(p.qty) + abs(EXCLUDED.qty))"
"    WHEN abs(EXCLUDED.qty) > abs(p.qty) THEN EXCLUDED.avg_price"
"    WHEN abs(EXCLUDED.qty) = abs(p.qty) THEN 0"
"    ELSE p.avg_price END,"
"  realised_pnl = p.realised_pnl + CASE"
"    WHEN p.qty <> 0 AND sign(p.qty) <> sign(EXCLUDED.qty) THEN"
"      round((EXCLUDED.avg_price - p.avg_price)"
"        * least(abs(p.qty), abs(EXCLUDED.qty)) * sign(p.qty)::numeric, 2)"
"    ELSE 0 END,"
"  unrealised_pnl = CASE WHEN p.qty + EXCLUDED.qty = 0 THEN 0"
"    ELSE p.unrealised_pnl END,"
"  updated_at = now() "
"RETURNING qty, avg_price::text AS avg_price,"
"  realised_pnl::text AS realised_pnl";

/*
 * Every fill source -- the router watching its orders, broker postbacks,
 * the reconciler reading order books -- can report an order's cumulative
 * fill here, and phalanx_fill_apply (db/migrations/0009_reconcile.sql)
 * moves the position by what it did not hold yet: a fill seen by two
 * sources counts once, whatever their order.
 */
const char store_sql_order_fill[] =
STORE_APPLIED("$4", "order.fill")
"SELECT phalanx_fill_apply($1::bigint, $2::int, $3::numeric / 100)"
"  AS applied WHERE EXISTS (SELECT 1 FROM applied)";

static const char sql_fill_broker[] =
"SELECT o.id AS order_id,"
"  phalanx_fill_apply(o.id, $4::int, $5::numeric / 100) AS applied "
"FROM orders o WHERE o.account_id = $1::bigint AND (o.broker_order_id = $2"
"  OR ($3::text <> '' AND o.client_tag = $3)) "
"ORDER BY o.broker_order_id = $2 DESC LIMIT 1";

static const char sql_of[] =
"SELECT p.exchange, p.symbol, p.product, p.qty,"
"  round(p.avg_price * 100)::bigint AS avg_paise "
"FROM positions p JOIN accounts a ON a.id = p.account_id "
"WHERE a.name = $1 AND p.qty <> 0 ORDER BY p.exchange, p.symbol";

static const char sql_symbols[] =
"SELECT DISTINCT exchange, symbol FROM positions WHERE qty <> 0 "
"ORDER BY exchange, symbol";

static const char sql_mark[] =
"UPDATE positions SET last_price = $3::numeric / 100,"
"  unrealised_pnl = round(($3::numeric / 100 - avg_price) * qty, 2),"
"  updated_at = now() "
"WHERE exchange = $1 AND symbol = $2 AND qty <> 0 RETURNING account_id";

void
store_position_fill(struct store *st, int64_t account_id,
    const char *exchange, const char *symbol, const char *product,
    int64_t qty, int64_t price_paise, store_rows_cb cb, void *arg)
{
	char		 id[32], q[32], px[32];
	const char	*p[7];

	snprintf(id, sizeof id, "%lld", (long long)account_id);
	snprintf(q, sizeof q, "%lld", (long long)qty);
	snprintf(px, sizeof px, "%lld", (long long)price_paise);
	p[0] = id;
	p[1] = exchange;
	p[2] = symbol;
	p[3] = product;
	p[4] = q;
	p[5] = px;
	store_run_durable(st, "position.fill", 7, p, cb, arg);
}

void
store_positions_symbols(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_symbols, 0, NULL, cb, arg);
}

void
store_position_mark(struct store *st, const char *exchange,
    const char *symbol, int64_t ltp_paise, store_rows_cb cb, void *arg)
{
	char		 px[32];
	const char	*p[3] = { exchange, symbol, px };

	snprintf(px, sizeof px, "%lld", (long long)ltp_paise);
	store_run(st, sql_mark, 3, p, cb, arg);
}

void
store_positions_of(struct store *st, const char *account, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { account };

	store_run(st, sql_of, 1, p, cb, arg);
}

void
store_order_fill(struct store *st, int64_t order_id, int64_t filled,
    int64_t avg_paise, store_rows_cb cb, void *arg)
{
	char		 id[24], q[24], px[24];
	const char	*p[4] = { id, q, px, NULL };

	snprintf(id, sizeof id, "%lld", (long long)order_id);
	snprintf(q, sizeof q, "%lld", (long long)filled);
	snprintf(px, sizeof px, "%lld", (long long)avg_paise);
	/* Kept in the journal while the store is away (store_journal.h). */
	store_run_durable(st, "order.fill", 4, p, cb, arg);
}

void
store_order_fill_broker(struct store *st, int64_t account_id,
    const char *broker_order_id, const char *tag, int64_t filled,
    int64_t avg_paise, store_rows_cb cb, void *arg)
{
	char		 id[24], q[24], px[24];
	const char	*p[5];

	snprintf(id, sizeof id, "%lld", (long long)account_id);
	snprintf(q, sizeof q, "%lld", (long long)filled);
	snprintf(px, sizeof px, "%lld", (long long)avg_paise);
	p[0] = id;
	p[1] = broker_order_id;
	p[2] = tag != NULL ? tag : "";
	p[3] = q;
	p[4] = px;
	store_run(st, sql_fill_broker, 5, p, cb, arg);
}
