/*
 * The demo seed's two statements: is the store empty, and the history.
 * Everything else the demo writes goes through the command language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db/pgexec.h"
#include "db/store_demo.h"

static const char sql_holdings[] =
"SELECT concat_ws(', ',"
"  nullif((SELECT count(*) FROM brokers), 0) || ' brokers',"
"  nullif((SELECT count(*) FROM accounts), 0) || ' accounts',"
"  nullif((SELECT count(*) FROM strategies), 0) || ' strategies',"
"  nullif((SELECT count(*) FROM connectors), 0) || ' connectors',"
"  nullif((SELECT count(*) FROM schedules), 0) || ' schedules',"
"  nullif((SELECT count(*) FROM fanouts), 0) || ' fan-outs',"
"  nullif((SELECT count(*) FROM positions), 0) || ' positions',"
"  nullif((SELECT count(*) FROM incidents), 0) || ' incidents',"
"  nullif((SELECT count(*) FROM runs), 0) || ' runs')";

/*
 * The seed replaces the equity points its positions' trigger wrote with
 * its history; the broker, group and firm points those fills left due at
 * commit (0033) are dropped with them, after the seed has run (a
 * materialised CTE is read before the select list is computed).
 */
static const char sql_seed[] =
"WITH s AS MATERIALIZED (SELECT phalanx_demo_seed($1::bigint, $2::int,"
"  $3::timestamptz, $4)::text AS r)"
"SELECT s.r, set_config('phalanx.equity_due', '', true) FROM s";

static PGconn *
demo_connect(const char *conninfo, struct err *e)
{
	PGconn	*c = PQconnectdb(conninfo);

	if (PQstatus(c) != CONNECTION_OK) {
		err_set(e, "store-unreachable", "store unreachable: %s",
		    PQerrorMessage(c));
		db_err_chomp(e);
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* One row, one text column; -1 with the server's message. */
static int
demo_one(PGconn *c, const char *sql, int n, const char *const *p,
    char **out, struct err *e)
{
	PGresult	*r;

	r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		err_set(e, "store", "%s", PQresultErrorField(r,
		    PG_DIAG_MESSAGE_PRIMARY) != NULL ? PQresultErrorField(r,
		    PG_DIAG_MESSAGE_PRIMARY) : PQerrorMessage(c));
		db_err_chomp(e);
		PQclear(r);
		return -1;
	}
	*out = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int
db_demo_holdings(const char *conninfo, char **what, struct err *e)
{
	PGconn	*c;
	int	 rc;

	*what = NULL;
	if ((c = demo_connect(conninfo, e)) == NULL)
		return -1;
	rc = demo_one(c, sql_holdings, 0, NULL, what, e);
	PQfinish(c);
	return rc;
}

int
db_demo_seed(const char *conninfo, int64_t seed, int days, int64_t now_us,
    const char *actor, char **counts, struct err *e)
{
	PGconn		*c;
	char		 s[32], d[16], t[40];
	const char	*p[4] = { s, d, t, actor };
	int		 rc;

	*counts = NULL;
	snprintf(s, sizeof s, "%lld", (long long)seed);
	snprintf(d, sizeof d, "%d", days);
	time_fmt_utc(now_us, t, sizeof t);
	if ((c = demo_connect(conninfo, e)) == NULL)
		return -1;
	/* A function call is one statement: all of it or nothing. */
	rc = demo_one(c, sql_seed, 4, p, counts, e);
	PQfinish(c);
	return rc;
}
