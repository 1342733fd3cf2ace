/* The running RMS's statements (store_rms_live.h). */
#include <stdio.h>
#include <stdlib.h>

#include "db/store_int.h"
#include "db/store_rms_live.h"

/* (1885893240, 1): the RMS duty; (…, 0) is the reconciler's. */
static const char sql_duty[] =
"SELECT held, yielded FROM rms_duty($1::boolean)";

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

static const char sql_watch_intent[] =
"SELECT rms_watch_intent($1::date, $2::jsonb, $3, $4::jsonb, $5, $6) AS saved";

static const char sql_takeover[] =
"SELECT intent, kind, name, rule, response, incident_id, ran, recorded "
"FROM rms_breach_takeover($1)";

static const char sql_live_save[] =
"SELECT rms_live_save($1::jsonb, $2) AS saved";

static const char sql_live[] =
"SELECT scope_kind AS kind, scope_name AS name, mtm, peak, trail_armed,"
"  margin_used, margin_total, open_positions, has_mis, stale, front,"
"  to_char(marked_at AT TIME ZONE 'Asia/Kolkata', 'HH24:MI:SS') AS at,"
"  (EXTRACT(EPOCH FROM now() - marked_at) * 1000)::bigint AS age_ms "
"FROM rms_live";

/* Journaled (store_journal.h): the last parameter is the uid. */
const char store_sql_rms_breaches[] =
"SELECT kind, name, rule, incident_id FROM rms_breaches($1::date,"
"  $2::jsonb, $3, $4, $5::uuid)";

const char store_sql_rms_note[] =
"SELECT incident_id FROM rms_incident_note($1, $2, $3, $4, $5, $6::jsonb,"
"  $7, $8::uuid)";

static const char sql_chain[] =
"SELECT tradingsymbol, strike::text AS strike, lot_size FROM instruments "
"WHERE exchange = $1 AND name = $2 AND expiry = $3::date"
"  AND instrument_type = $4 ORDER BY strike";

void
store_rms_duty(struct store *st, int daemon, store_rows_cb cb, void *arg)
{
	const char	*p[1] = { daemon ? "true" : "false" };

	store_run(st, sql_duty, 1, p, cb, arg);
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
    int urgent, store_rows_cb cb, void *arg)
{
	char		*w = json_dumps(watches, JSON_COMPACT);
	const char	*p[2] = { day, w };

	(urgent ? store_run_urgent : store_run)(st, sql_watch_save, 2, p, cb,
	    arg);
	free(w);
}

void
store_rms_watch_intent(struct store *st, const char *day, json_t *watches,
    const char *intent, json_t *breaches, const struct store_actor *who,
    store_rows_cb cb, void *arg)
{
	char		*w = json_dumps(watches, JSON_COMPACT);
	char		*b = json_dumps(breaches, JSON_COMPACT);
	const char	*p[6] = { day, w, intent, b, who->os_user, who->front };

	store_run_urgent(st, sql_watch_intent, 6, p, cb, arg);
	free(w);
	free(b);
}

void
store_rms_takeover(struct store *st, const char *front, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { front };

	store_run(st, sql_takeover, 1, p, cb, arg);
}

void
store_rms_breaches(struct store *st, const char *day, json_t *breaches,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	char		*b = json_dumps(breaches, JSON_COMPACT);
	const char	*p[5] = { day, b, who->os_user, who->front, NULL };

	store_run_durable(st, "rms.breaches", 5, p, cb, arg);
	free(b);
}

void
store_rms_note(struct store *st, const char *kind, const char *name,
    const char *rule, const char *ev, const char *message, json_t *detail,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	char		*d = detail != NULL ? json_dumps(detail, JSON_COMPACT) :
			    NULL;
	const char	*p[8] = { kind, name, rule, ev, message, d != NULL ? d :
			    "{}", who->os_user, NULL };

	store_run_durable(st, "rms.note", 8, p, cb, arg);
	free(d);
}

void
store_rms_live_save(struct store *st, json_t *live, const char *front,
    store_rows_cb cb, void *arg)
{
	char		*l = json_dumps(live, JSON_COMPACT);
	const char	*p[2] = { l, front };

	store_run(st, sql_live_save, 2, p, cb, arg);
	free(l);
}

void
store_rms_live(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_live, 0, NULL, cb, arg);
}

void
store_rms_chain(struct store *st, const char *exchange, const char *name,
    const char *expiry, const char *type, store_rows_cb cb, void *arg)
{
	const char	*p[4] = { exchange, name, expiry, type };

	store_run(st, sql_chain, 4, p, cb, arg);
}
