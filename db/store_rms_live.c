/* The running RMS's statements (store_rms_live.h). */
#include <stdio.h>
#include <stdlib.h>

#include "db/store_int.h"
#include "db/store_rms_live.h"

/* (1885893240, 1): the RMS duty; (…, 0) is the reconciler's. */
static const char sql_duty[] =
"SELECT CASE WHEN phalanx_lock_held(1885893240, 1, true) THEN true"
"  WHEN phalanx_lock_held(1885893240, 1) THEN false"
"  ELSE pg_try_advisory_lock(1885893240, 1) END AS held";

static const char sql_positions[] =
"SELECT p.account_id, p.exchange, p.symbol, p.product, p.qty,"
"  p.avg_price::text AS avg, p.realised_pnl::text AS realised,"
"  p.last_price::text AS last, COALESCE(i.lot_size, 1) AS lot_size,"
"  i.name, i.instrument_type, i.expiry::text AS expiry,"
"  COALESCE(i.strike, 0)::text AS strike "
"FROM positions p LEFT JOIN instruments i"
"  ON i.exchange = p.exchange AND i.tradingsymbol = p.symbol "
"WHERE p.qty <> 0 OR p.realised_pnl <> 0 "
"ORDER BY p.account_id, p.exchange, p.symbol";

static const char sql_watches[] =
"SELECT scope_kind AS kind, scope_name AS name, peak, started,"
"  trail_armed, breached, stale_alerted "
"FROM rms_watches WHERE day = $1::date";

static const char sql_watch_save[] =
"SELECT rms_watch_save($1::date, $2::jsonb) AS saved";

static const char sql_breach[] =
"SELECT incident_id, fired, opened, notification_id FROM rms_breach($1, $2,"
"  $3::date, $4, $5::integer, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12)";

static const char sql_chain[] =
"SELECT tradingsymbol, strike::text AS strike, lot_size FROM instruments "
"WHERE exchange = $1 AND name = $2 AND expiry = $3::date"
"  AND instrument_type = $4 ORDER BY strike";

void
store_rms_duty(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_duty, 0, NULL, cb, arg);
}

void
store_rms_positions(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_positions, 0, NULL, cb, arg);
}

void
store_rms_watches(struct store *st, const char *day, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { day };

	store_run(st, sql_watches, 1, p, cb, arg);
}

void
store_rms_watch_save(struct store *st, const char *day, json_t *watches,
    store_rows_cb cb, void *arg)
{
	char		*w = json_dumps(watches, JSON_COMPACT);
	const char	*p[2] = { day, w };

	store_run(st, sql_watch_save, 2, p, cb, arg);
	free(w);
}

void
store_rms_breach_record(struct store *st, const struct store_rms_breach *b,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	char		 bit[16];
	char		*v = json_dumps(b->values, JSON_COMPACT);
	char		*w = json_dumps(b->watch, JSON_COMPACT);
	const char	*p[12] = { b->kind, b->name, b->day, b->rule, bit,
			    b->severity, b->summary, v, w, b->response,
			    who->os_user, who->front };

	snprintf(bit, sizeof bit, "%d", b->bit);
	store_run(st, sql_breach, 12, p, cb, arg);
	free(v);
	free(w);
}

void
store_rms_chain(struct store *st, const char *exchange, const char *name,
    const char *expiry, const char *type, store_rows_cb cb, void *arg)
{
	const char	*p[4] = { exchange, name, expiry, type };

	store_run(st, sql_chain, 4, p, cb, arg);
}
