/*
 * Postback queries (store_postback.h).  The record statement takes the
 * order's row lock before it remembers the update, so two receivers
 * racing with the same update cannot both move the order: the second
 * finds the version changed and writes nothing.
 */
#include <stdio.h>

#include "db/store_events.h"
#include "db/store_int.h"
#include "db/store_postback.h"

#define SEEN_KEY \
	"account_id = $1::bigint AND broker_order_id = $2 AND status = $3" \
	" AND filled_qty = $4::bigint AND update_key = $5"

/* Found by tag only while the order does not know its broker id yet. */
static const char sql_lookup[] =
"SELECT (SELECT verdict FROM postbacks_seen WHERE " SEEN_KEY ") AS seen,"
"  o.id, o.state, o.filled_qty, o.qty,"
"  round(o.avg_price * 100)::bigint AS avg_paise,"
"  o.updated_at::text AS version "
"FROM (SELECT 1) one LEFT JOIN LATERAL ("
"  SELECT * FROM orders"
"  WHERE account_id = $1::bigint AND (broker_order_id = $2"
"    OR (broker_order_id IS NULL AND $6::text <> '' AND client_tag = $6))"
"  ORDER BY broker_order_id IS NULL LIMIT 1"
") o ON true";

static const char sql_record[] =
"WITH o AS ("
"  UPDATE orders SET state = $11, filled_qty = $13::int,"
"    avg_price = CASE WHEN $14::bigint < 0 THEN avg_price"
"      ELSE $14::bigint / 100.0 END,"
"    broker_order_id = coalesce(broker_order_id, $2),"
"    updated_at = clock_timestamp()"
"  WHERE id = $9::bigint AND updated_at = $10::timestamptz"
"    AND NOT EXISTS (SELECT 1 FROM postbacks_seen WHERE " SEEN_KEY ")"
"  RETURNING id"
"), ev AS ("
"  INSERT INTO order_events (order_id, state, broker_status, filled_qty,"
"    message)"
"  SELECT id, $11, $12, $13::int, $15 FROM o"
"  RETURNING id"
"), seen AS ("
"  INSERT INTO postbacks_seen (account_id, broker_order_id, status,"
"    filled_qty, update_key, checksum, verdict, source)"
"  SELECT $1::bigint, $2, $3, $4::bigint, $5, $6, $7, $8"
"  WHERE ($9::bigint IS NULL OR EXISTS (SELECT 1 FROM o))"
"    AND EXISTS (SELECT 1 FROM accounts WHERE id = $1::bigint)"
"  ON CONFLICT DO NOTHING"
"  RETURNING 1"
"), s AS ("
"  SELECT (SELECT count(*) FROM seen)::int AS fresh,"
"    (SELECT count(*) FROM o)::int AS applied,"
"    (SELECT count(*) FROM ev)::int AS events,"
"    (SELECT min(id) FROM ev) AS first_id"
")"
"SELECT s.fresh, s.applied, s.events FROM s LEFT JOIN LATERAL"
"  (SELECT pg_notify('" EVENTS_CHANNEL "', json_build_object('n', s.events,"
"    'first_id', s.first_id, 'last_id', s.first_id)::text)"
"   WHERE s.events > 0) p ON true";

void
store_postback_lookup(struct store *st, const struct store_postback_key *k,
    const char *tag, store_rows_cb cb, void *arg)
{
	char		 acct[24], filled[24];
	const char	*p[6];

	snprintf(acct, sizeof acct, "%lld", (long long)k->account_id);
	snprintf(filled, sizeof filled, "%lld", (long long)k->filled);
	p[0] = acct;
	p[1] = k->broker_order_id;
	p[2] = k->status;
	p[3] = filled;
	p[4] = k->update_key;
	p[5] = tag != NULL ? tag : "";
	store_run(st, sql_lookup, 6, p, cb, arg);
}

void
store_postback_record(struct store *st, const struct store_postback_key *k,
    const struct store_postback_rec *r, store_rows_cb cb, void *arg)
{
	char		 acct[24], filled[24], oid[24], nfilled[24], avg[24];
	const char	*p[15];

	snprintf(acct, sizeof acct, "%lld", (long long)k->account_id);
	snprintf(filled, sizeof filled, "%lld", (long long)k->filled);
	snprintf(oid, sizeof oid, "%lld", (long long)r->order_id);
	snprintf(nfilled, sizeof nfilled, "%lld", (long long)r->filled);
	snprintf(avg, sizeof avg, "%lld", (long long)r->avg_paise);
	p[0] = acct;
	p[1] = k->broker_order_id;
	p[2] = k->status;
	p[3] = filled;
	p[4] = k->update_key;
	p[5] = r->checksum != NULL ? r->checksum : "";
	p[6] = r->verdict;
	p[7] = r->source;
	p[8] = r->order_id > 0 ? oid : NULL;
	p[9] = r->order_id > 0 ? r->version : NULL;
	p[10] = r->order_id > 0 ? r->state : "UNKNOWN";
	p[11] = r->broker_status;
	p[12] = nfilled;
	p[13] = avg;
	p[14] = r->message;
	store_run(st, sql_record, 15, p, cb, arg);
}
