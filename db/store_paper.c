/* Resting paper orders (store_paper.h). */
#include "db/store_int.h"
#include "db/store_paper.h"

/*
 * cur reads the row as it was before the upsert (a data-modifying CTE's
 * changes are not visible to its siblings), which is what a refused
 * change reports.  A concurrent change blocks on the row lock and then
 * rechecks "resting" against the committed row.
 */
static const char sql_put[] =
"WITH cur AS ("
"  SELECT body FROM paper_orders WHERE account = $1 AND order_id = $2"
"), up AS ("
"  INSERT INTO paper_orders (account, order_id, resting, body)"
"  VALUES ($1, $2, $3::boolean, $4::jsonb)"
"  ON CONFLICT (account, order_id) DO UPDATE SET resting = EXCLUDED.resting,"
"    body = EXCLUDED.body, updated_at = now()"
"  WHERE NOT $5::boolean OR paper_orders.resting"
"  RETURNING 1"
")"
"SELECT EXISTS (SELECT 1 FROM up) AS applied, (SELECT body FROM cur)"
"  AS current";

static const char sql_get[] =
"SELECT body FROM paper_orders WHERE account = $1 AND order_id = $2";

static const char sql_resting[] =
"SELECT body FROM paper_orders WHERE account = $1 AND resting"
"  ORDER BY updated_at, order_id";

void
store_paper_order_put(struct store *st, const char *account,
    const char *order_id, int resting, const char *body, int only_if_resting,
    store_rows_cb cb, void *arg)
{
	const char	*p[5] = { account, order_id, resting ? "true" : "false",
			    body, only_if_resting ? "true" : "false" };

	store_run(st, sql_put, 5, p, cb, arg);
}

void
store_paper_order_get(struct store *st, const char *account,
    const char *order_id, store_rows_cb cb, void *arg)
{
	const char	*p[2] = { account, order_id };

	store_run(st, sql_get, 2, p, cb, arg);
}

void
store_paper_resting(struct store *st, const char *account, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { account };

	store_run(st, sql_resting, 1, p, cb, arg);
}
