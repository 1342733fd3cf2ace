/*
 * Broker-layer queries: credentials, the instrument dump, postback
 * events.  Bulk instrument rows travel as one array parameter per column
 * and are unpacked with unnest(): one round trip per few thousand rows,
 * and the statement text never contains data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_broker.h"
#include "db/store_int.h"

#define SQL_CRED(kind) \
	"COALESCE((SELECT c.ciphertext FROM credentials c" \
	"   WHERE c.account_id = a.id AND c.kind = '" kind "')," \
	" (SELECT c.ciphertext FROM credentials c" \
	"   WHERE c.broker_id = b.id AND c.kind = '" kind "'))"

static const char sql_broker_creds[] =
"SELECT a.id AS account_id, a.name AS account, a.user_id, a.enabled,"
"  a.priority, b.name AS broker, b.kind, b.url,"
"  COALESCE(a.api_key, b.api_key) AS api_key,"
"  " SQL_CRED("access_token") " AS access_token,"
"  " SQL_CRED("api_secret") " AS api_secret "
"FROM accounts a JOIN brokers b ON b.id = a.broker_id "
"WHERE ($1::text IS NULL OR a.name = $1)"
"  AND ($2::text IS NULL OR a.user_id = $2) "
"ORDER BY a.priority, a.name";

/*
 * DISTINCT ON keeps one row per key: a dump that repeats a symbol would
 * otherwise make ON CONFLICT touch a row twice and fail the batch.
 */
static const char sql_instruments_load[] =
"WITH x AS ("
"  SELECT DISTINCT ON (exchange, tradingsymbol) * FROM unnest("
"    $1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::numeric[],"
"    $6::date[], $7::numeric[], $8::numeric[], $9::int[], $10::text[],"
"    $11::text[], $12::text[])"
"  AS u(instrument_token, exchange_token, tradingsymbol, name, last_price,"
"    expiry, strike, tick_size, lot_size, instrument_type, segment,"
"    exchange)"
"  ORDER BY exchange, tradingsymbol"
"), ins AS ("
"  INSERT INTO instruments (instrument_token, exchange_token,"
"    tradingsymbol, name, last_price, expiry, strike, tick_size, lot_size,"
"    instrument_type, segment, exchange)"
"  SELECT instrument_token, exchange_token, tradingsymbol, name,"
"    last_price, expiry, strike, tick_size, lot_size, instrument_type,"
"    segment, exchange FROM x"
"  ON CONFLICT (exchange, tradingsymbol) DO UPDATE SET"
"    instrument_token = EXCLUDED.instrument_token,"
"    exchange_token = EXCLUDED.exchange_token, name = EXCLUDED.name,"
"    last_price = EXCLUDED.last_price, expiry = EXCLUDED.expiry,"
"    strike = EXCLUDED.strike, tick_size = EXCLUDED.tick_size,"
"    lot_size = EXCLUDED.lot_size,"
"    instrument_type = EXCLUDED.instrument_type,"
"    segment = EXCLUDED.segment, loaded_at = now()"
"  RETURNING 1"
")"
"SELECT count(*)::int AS n FROM ins";

static const char sql_instruments_loaded[] =
"INSERT INTO audit_log (os_user, front, action, object, detail)"
"  VALUES ($1, $2, 'instruments.load', $3,"
"    jsonb_build_object('exchange', $4::text, 'rows', $5::int))"
"  RETURNING $5::int AS n";

static const char sql_instrument_get[] =
"SELECT instrument_token, exchange, tradingsymbol, name, lot_size,"
"  tick_size::text AS tick_size, freeze_qty, instrument_type, segment,"
"  expiry::text AS expiry, round(last_price * 100)::bigint"
"    AS last_price_paise "
"FROM instruments WHERE exchange = $1 AND tradingsymbol = $2";

/*
 * The order is found by the broker's id, or by the client tag phalanx
 * wrote before sending: a postback can arrive before the place call's
 * answer has been recorded, and must not be lost for that.  Found by
 * tag, the order learns its broker id here.  The tag wins over the id: a
 * broker id seen twice (store_order_broker_id) stays on its first order.
 */
static const char sql_order_event_broker[] =
"WITH o AS ("
"  SELECT id FROM orders"
"  WHERE account_id = $1::bigint AND (broker_order_id = $2"
"    OR (broker_order_id IS NULL AND $7::text <> '' AND client_tag = $7))"
"  ORDER BY (client_tag = $7) DESC LIMIT 1"
"), b AS ("
"  UPDATE orders SET broker_order_id = $2"
"  WHERE id = (SELECT id FROM o) AND broker_order_id IS NULL"
")"
"INSERT INTO order_events (order_id, state, broker_status, filled_qty,"
"  message)"
"SELECT o.id, $3, $4, $5::int, $6 FROM o "
"RETURNING order_id, id";

void
store_broker_creds(struct store *st, const char *account, const char *user_id,
    store_rows_cb cb, void *arg)
{
	const char	*p[2] = { account, user_id };

	store_run(st, sql_broker_creds, 2, p, cb, arg);
}

/* One element of a PostgreSQL array literal, always quoted. */
static void
array_elem(struct strbuf *b, const char *s)
{
	if (b->len > 1)
		strbuf_putc(b, ',');
	if (s == NULL) {
		strbuf_puts(b, "NULL");
		return;
	}
	strbuf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_putc(b, '\\');
		strbuf_putc(b, *s);
	}
	strbuf_putc(b, '"');
}

static void
array_int(struct strbuf *b, int64_t v)
{
	char	buf[24];

	snprintf(buf, sizeof buf, "%lld", (long long)v);
	array_elem(b, buf);
}

/* Paise as exact rupee text; the sign handled apart so -5 is "-0.05". */
static void
array_paise(struct strbuf *b, int64_t v)
{
	char		buf[32];
	uint64_t	u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	snprintf(buf, sizeof buf, "%s%llu.%02llu", v < 0 ? "-" : "",
	    (unsigned long long)(u / 100), (unsigned long long)(u % 100));
	array_elem(b, buf);
}

static void
array_date(struct strbuf *b, int32_t yyyymmdd)
{
	char	buf[16];

	if (yyyymmdd <= 0) {
		array_elem(b, NULL);
		return;
	}
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", (int)(yyyymmdd / 10000),
	    (int)(yyyymmdd / 100 % 100), (int)(yyyymmdd % 100));
	array_elem(b, buf);
}

enum { IC_TOKEN, IC_EXTOKEN, IC_SYMBOL, IC_NAME, IC_LAST, IC_EXPIRY,
    IC_STRIKE, IC_TICK, IC_LOT, IC_TYPE, IC_SEGMENT, IC_EXCHANGE, IC_N };

void
store_instruments_load(struct store *st, const struct broker_instrument *v,
    size_t n, store_rows_cb cb, void *arg)
{
	struct strbuf	 col[IC_N];
	const char	*p[IC_N];
	size_t		 i;
	int		 c;

	for (c = 0; c < IC_N; c++) {
		strbuf_init(&col[c]);
		strbuf_putc(&col[c], '{');
	}
	for (i = 0; i < n; i++) {
		array_int(&col[IC_TOKEN], v[i].instrument_token);
		array_int(&col[IC_EXTOKEN], v[i].exchange_token);
		array_elem(&col[IC_SYMBOL], v[i].tradingsymbol);
		array_elem(&col[IC_NAME], v[i].name[0] != '\0' ? v[i].name :
		    NULL);
		array_paise(&col[IC_LAST], v[i].last_price);
		array_date(&col[IC_EXPIRY], v[i].expiry);
		array_paise(&col[IC_STRIKE], v[i].strike);
		array_paise(&col[IC_TICK], v[i].tick_size);
		array_int(&col[IC_LOT], v[i].lot_size);
		array_elem(&col[IC_TYPE], v[i].instrument_type);
		array_elem(&col[IC_SEGMENT], v[i].segment);
		array_elem(&col[IC_EXCHANGE], v[i].exchange);
	}
	for (c = 0; c < IC_N; c++) {
		strbuf_putc(&col[c], '}');
		p[c] = col[c].s;
	}
	store_run(st, sql_instruments_load, IC_N, p, cb, arg);
	for (c = 0; c < IC_N; c++)
		strbuf_free(&col[c]);
}

void
store_instruments_loaded(struct store *st, const char *source,
    const char *exchange, size_t n, const struct store_actor *who,
    store_rows_cb cb, void *arg)
{
	char		 num[24];
	const char	*p[5];

	snprintf(num, sizeof num, "%zu", n);
	p[0] = who->os_user;
	p[1] = who->front;
	p[2] = source;
	p[3] = exchange;
	p[4] = num;
	store_run(st, sql_instruments_loaded, 5, p, cb, arg);
	store_registry_changed(st, "instruments");
}

void
store_instrument_get(struct store *st, const char *exchange,
    const char *symbol, store_rows_cb cb, void *arg)
{
	const char	*p[2] = { exchange, symbol };

	store_run(st, sql_instrument_get, 2, p, cb, arg);
}

void
store_order_event_broker(struct store *st, int64_t account_id,
    const struct broker_order *o, store_rows_cb cb, void *arg)
{
	char		 acct[24], filled[24];
	const char	*p[7];

	snprintf(acct, sizeof acct, "%lld", (long long)account_id);
	snprintf(filled, sizeof filled, "%lld", (long long)o->filled);
	p[0] = acct;
	p[1] = o->order_id;
	p[2] = broker_state_name(o->state);
	p[3] = o->status;
	p[4] = filled;
	p[5] = o->status_message[0] != '\0' ? o->status_message : NULL;
	p[6] = o->tag;
	store_run(st, sql_order_event_broker, 7, p, cb, arg);
}
