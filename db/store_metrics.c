/* The store-side gauges of /metrics; see store_metrics.h. */
#include "db/store_int.h"
#include "db/store_metrics.h"

static const char sql_gauges[] =
"SELECT 'rms_scopes' AS family, 'account' AS a, lower(trading_state) AS b,"
"  count(*)::int8 AS n FROM accounts GROUP BY trading_state "
"UNION ALL SELECT 'rms_scopes', scope_kind, lower(state), count(*)"
"  FROM rms_scope_states GROUP BY scope_kind, state "
"UNION ALL SELECT 'incidents_open', severity, '', count(*) FROM incidents"
"  WHERE state IN ('OPEN', 'ACKNOWLEDGED', 'MITIGATED') GROUP BY severity "
"UNION ALL SELECT 'notify_queue', lower(state), '', count(*)"
"  FROM notification_deliveries WHERE state <> 'SENT' GROUP BY state";

void
store_metrics_gauges(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_gauges, 0, NULL, cb, arg);
}
