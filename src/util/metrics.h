/*
 * metrics.c: the process's Prometheus counters, gauges and histograms.
 *
 * A family is registered once by name (registering it again returns the
 * same family) and keeps at most METRIC_MAX_SERIES label sets: past that,
 * new label sets are counted under the value "other", so a bad actor
 * cannot grow /metrics without bound.  Collectors registered with
 * metrics_on_scrape() refresh gauges that are cheaper to read at scrape
 * time than to keep (queue depths, connection state).  All calls are
 * thread-safe.
 */
#ifndef PX_UTIL_METRICS_H
#define PX_UTIL_METRICS_H

#include <stddef.h>

#include "util/util.h"

enum metric_type {
	METRIC_COUNTER,
	METRIC_GAUGE,
	METRIC_HISTOGRAM,
};

#define METRIC_MAX_LABELS	3
#define METRIC_MAX_SERIES	128
#define METRIC_MAX_BUCKETS	24

struct metric;

/* Seconds: 0.5 ms .. 10 s, for latencies. */
extern const double metric_latency_buckets[];
extern const size_t metric_latency_nbuckets;

/*
 * labels is a comma-separated list of label names ("broker,state") or
 * NULL.  Histograms take their upper bounds in increasing order (without
 * +Inf); the other types pass NULL, 0.
 */
struct metric *metric_family(enum metric_type, const char *name,
    const char *help, const char *labels, const double *buckets,
    size_t nbuckets);
struct metric *metric_counter(const char *name, const char *help,
    const char *labels);
struct metric *metric_gauge(const char *name, const char *help,
    const char *labels);
struct metric *metric_histogram(const char *name, const char *help,
    const char *labels);

/* values: one label value per label name, or NULL without labels. */
void metric_addv(struct metric *, const char *const *values, double v);
void metric_setv(struct metric *, const char *const *values, double v);
void metric_observev(struct metric *, const char *const *values, double v);
/* Forget a gauge's series (before a collector sets the current ones). */
void metric_clear(struct metric *);

#define METRIC_LABELS(...)	((const char *const []){ __VA_ARGS__ })
#define metric_inc(m, ...)	metric_addv((m), METRIC_LABELS(__VA_ARGS__), 1)
#define metric_add(m, v, ...)	metric_addv((m), METRIC_LABELS(__VA_ARGS__), (v))
#define metric_set(m, v, ...)	metric_setv((m), METRIC_LABELS(__VA_ARGS__), (v))
#define metric_observe(m, v, ...) \
	metric_observev((m), METRIC_LABELS(__VA_ARGS__), (v))

typedef void (*metrics_collect_fn)(void *arg);
void metrics_on_scrape(metrics_collect_fn, void *arg);
void metrics_off_scrape(metrics_collect_fn, void *arg);

/* Runs the collectors, then appends the exposition text to b. */
void metrics_render(struct strbuf *b);
/* Drops every family and collector (tests). */
void metrics_reset(void);

/* metrics_catalog.c: the families phalanx exports, registered at start. */
struct px_metrics {
	struct metric	*up, *build_info, *uptime;
	struct metric	*orders, *order_sends, *ack_seconds;
	struct metric	*account_ack_seconds, *signal_wire_seconds;
	struct metric	*fanouts, *legs, *retries, *reconciled;
	struct metric	*events_written, *events_journaled, *journal_depth;
	struct metric	*webhook_requests, *webhook_accept_seconds, *postbacks;
	struct metric	*rms_scopes, *rms_breaches, *rms_owner, *incidents_open;
	struct metric	*notify_queue, *notify_attempts, *notify_seconds;
	struct metric	*notify_failures;
	struct metric	*scheduler_fires, *runs, *scheduler_owner;
	struct metric	*store_up, *store_reconnects;
};
extern struct px_metrics pxm;
/* metrics.account_labels: label latency by account too (cardinality). */
extern int metrics_account_labels;

void metrics_catalog_init(void);
/* Fills up to max names; returns how many families there are. */
size_t metrics_catalog_names(const char **names, size_t max);

#endif
