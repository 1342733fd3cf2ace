/*
 * store_metrics: what /metrics reports from the store rather than from
 * the process (RMS scope states, open incidents, the notification
 * outbox), in one query.
 */
#ifndef PX_STORE_METRICS_H
#define PX_STORE_METRICS_H

#include "db/store.h"

/* Rows {family, a, b, n}: family rms_scopes (a kind, b state),
 * incidents_open (a severity), notify_queue (a state). */
void store_metrics_gauges(struct store *, store_rows_cb, void *);

#endif
