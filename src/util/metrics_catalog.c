/*
 * Every metric family phalanx exports, in one table, so /metrics lists
 * each family from the first scrape (a dashboard's query never names a
 * series that is not there yet) and the Grafana test has one list to
 * check against.  Label sets stay small: brokers, states, policies and
 * connector names, never order ids; accounts only where
 * metrics.account_labels is on.
 */
#include "util/metrics.h"

struct px_metrics pxm;
int metrics_account_labels;

struct metrics_row {
	struct metric	**slot;
	enum metric_type  type;
	const char	 *name;
	const char	 *labels;
	const char	 *help;
};

static const struct metrics_row metrics_rows[] = {
	{ &pxm.up, METRIC_GAUGE, "phalanx_up", NULL,
	  "1 while the process runs." },
	{ &pxm.build_info, METRIC_GAUGE, "phalanx_build_info", "version",
	  "Always 1; the version label says which build runs." },
	{ &pxm.uptime, METRIC_GAUGE, "phalanx_uptime_seconds", NULL,
	  "Seconds since the process started." },
	{ &pxm.orders, METRIC_COUNTER, "phalanx_orders_total",
	  "broker,state", "Orders that reached a state, by broker." },
	{ &pxm.order_sends, METRIC_COUNTER, "phalanx_order_sends_total",
	  "broker,result", "Order placements sent, by broker and result "
	  "(ok, rejected, error, unknown)." },
	{ &pxm.ack_seconds, METRIC_HISTOGRAM, "phalanx_order_ack_seconds",
	  "broker", "Time from sending an order to the broker's answer." },
	{ &pxm.account_ack_seconds, METRIC_HISTOGRAM,
	  "phalanx_account_ack_seconds", "account",
	  "Ack latency by account (only with metrics.account_labels)." },
	{ &pxm.signal_wire_seconds, METRIC_HISTOGRAM,
	  "phalanx_signal_to_wire_seconds", "source",
	  "Time from a signal's arrival to its first order on the wire." },
	{ &pxm.fanouts, METRIC_COUNTER, "phalanx_fanouts_total",
	  "policy,outcome", "Fan-outs finished, by policy and outcome." },
	{ &pxm.legs, METRIC_COUNTER, "phalanx_fanout_legs_total",
	  "policy,outcome", "Fan-out legs finished, by policy and outcome." },
	{ &pxm.retries, METRIC_COUNTER, "phalanx_order_retries_total",
	  "broker", "Order requests sent again after a retryable failure." },
	{ &pxm.reconciled, METRIC_COUNTER, "phalanx_reconciled_total",
	  "result", "UNKNOWN legs settled by the reconciler, by result." },
	{ &pxm.events_written, METRIC_COUNTER, "phalanx_events_written_total",
	  NULL, "Order lifecycle events written to the store." },
	{ &pxm.events_journaled, METRIC_COUNTER,
	  "phalanx_events_journaled_total", NULL,
	  "Entries written to the local journal while the store was away." },
	{ &pxm.journal_depth, METRIC_GAUGE, "phalanx_journal_depth", "journal",
	  "Journal entries not yet replayed into the store, by journal." },
	{ &pxm.webhook_requests, METRIC_COUNTER,
	  "phalanx_webhook_requests_total", "connector,status",
	  "Webhook requests, by connector and HTTP status." },
	{ &pxm.webhook_accept_seconds, METRIC_HISTOGRAM,
	  "phalanx_webhook_accept_seconds", NULL,
	  "Time from a webhook's arrival to its answer (stored and queued)." },
	{ &pxm.postbacks, METRIC_COUNTER, "phalanx_postbacks_total",
	  "result", "Broker postbacks received, by outcome." },
	{ &pxm.rms_scopes, METRIC_GAUGE, "phalanx_rms_scopes", "kind,state",
	  "RMS scopes by kind (firm, group, account, strategy) and state." },
	{ &pxm.rms_breaches, METRIC_COUNTER, "phalanx_rms_breaches_total",
	  "limit", "RMS limit crossings seen by this process." },
	{ &pxm.rms_owner, METRIC_GAUGE, "phalanx_rms_owner", NULL,
	  "1 while this process holds the RMS monitor lock." },
	{ &pxm.incidents_open, METRIC_GAUGE, "phalanx_incidents_open",
	  "severity", "Incidents not yet resolved, by severity." },
	{ &pxm.notify_queue, METRIC_GAUGE, "phalanx_notify_queue_depth",
	  "state", "Notifications in the outbox, by state." },
	{ &pxm.notify_attempts, METRIC_COUNTER,
	  "phalanx_notify_attempts_total", "outcome",
	  "Notification send attempts of this process, by outcome." },
	{ &pxm.notify_seconds, METRIC_HISTOGRAM,
	  "phalanx_notify_delivery_seconds", "kind",
	  "From an alert's creation to its delivery, by channel kind." },
	{ &pxm.notify_failures, METRIC_COUNTER,
	  "phalanx_notify_failures_total", "kind",
	  "Failed notification attempts, by channel kind." },
	{ &pxm.scheduler_fires, METRIC_COUNTER,
	  "phalanx_scheduler_fires_total", "result",
	  "Schedule firings, by result (run, skipped, queued)." },
	{ &pxm.runs, METRIC_COUNTER, "phalanx_runs_total", "kind,outcome",
	  "Workflow runs finished, by kind and outcome." },
	{ &pxm.scheduler_owner, METRIC_GAUGE, "phalanx_scheduler_owner", NULL,
	  "1 while this process holds the scheduler lock." },
	{ &pxm.store_up, METRIC_GAUGE, "phalanx_store_up", NULL,
	  "1 when the PostgreSQL connection is ready." },
	{ &pxm.store_reconnects, METRIC_COUNTER,
	  "phalanx_store_reconnects_total", NULL,
	  "Times a store connection was lost and made again." },
};

void
metrics_catalog_init(void)
{
	const struct metrics_row	*r;
	size_t				 i;

	for (i = 0; i < nitems(metrics_rows); i++) {
		r = &metrics_rows[i];
		*r->slot = metric_family(r->type, r->name, r->help, r->labels,
		    r->type == METRIC_HISTOGRAM ? metric_latency_buckets :
		    NULL, r->type == METRIC_HISTOGRAM ?
		    metric_latency_nbuckets : 0);
	}
	metric_set(pxm.up, 1, NULL);
	metric_set(pxm.build_info, 1, PX_VERSION);
}

size_t
metrics_catalog_names(const char **names, size_t max)
{
	size_t	i;

	for (i = 0; i < nitems(metrics_rows) && i < max; i++)
		names[i] = metrics_rows[i].name;
	return nitems(metrics_rows);
}
