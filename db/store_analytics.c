/* Analytics queries. */
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
