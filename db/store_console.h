/*
 * store_console: the reads behind the full-screen console.  Every call is
 * asynchronous on the store's connection and hands rows to the callback as
 * JSON (store.h's conventions: integers typed, numeric as exact text).
 * Tables that later modules add (equity_points, incidents) may be missing:
 * then the callback gets err code "absent" and the console says so.
 */
#ifndef PX_STORE_CONSOLE_H
#define PX_STORE_CONSOLE_H

#include <stdint.h>

#include "db/store.h"

/* NOTIFY channels the console listens on. */
#define STORE_CHANNEL_EVENTS	"phalanx_events"
#define STORE_CHANNEL_REGISTRY	"phalanx_registry"

/*
 * The matrix: one row per account with broker, tags, enabled, state,
 * positions (open count), mtm (unrealised, open positions), day_pnl
 * (realised + unrealised of positions touched today, IST), margin_used
 * (estimate: open exposure plus working orders' value), working (open
 * order count) and last_latency_us (latest ack of the latest order).
 * Money columns are rupees as text, NULL when there is nothing.
 */
void store_console_accounts(struct store *, store_rows_cb, void *);

/*
 * Order lifecycle events with their order and account.  after_id 0: the
 * newest limit events; otherwise those with a higher id, oldest first,
 * written at or after after_ts (less a margin for late commits).
 */
void store_console_events(struct store *, int64_t after_id,
    const char *after_ts, int limit, store_rows_cb, void *);

/* Positions (open first) and the latest orders of one account. */
void store_console_positions(struct store *, const char *account,
    store_rows_cb, void *);
void store_console_orders(struct store *, const char *account,
    store_rows_cb, void *);
/* Positions of every account, open or moved today (the firm's book). */
void store_console_firm_positions(struct store *, store_rows_cb, void *);

/*
 * What an action would touch: open positions and working orders of the
 * accounts named in a JSON array text (["alice","bob"]).
 */
void store_console_open_positions(struct store *, const char *names_json,
    store_rows_cb, void *);
void store_console_working_orders(struct store *, const char *names_json,
    store_rows_cb, void *);

/*
 * Equity over time ({t: epoch seconds, v: rupees} by minute, oldest
 * first) for one account or, with NULL, all of them summed.
 */
void store_console_equity(struct store *, const char *account,
    store_rows_cb, void *);
/* Realised + unrealised PnL by broker. */
void store_console_broker_pnl(struct store *, store_rows_cb, void *);
/* RMS incidents as {j: the row as JSON plus alerts, a count}, open ones
 * first. */
void store_console_incidents(struct store *, store_rows_cb, void *);
/* One row: breaches (OPEN incidents), newest {id, kind, name, rule} or
 * null, failed (deliveries that failed in the last day). */
void store_console_alarms(struct store *, store_rows_cb, void *);
/* Completion words: {kind: account|tag|symbol, word}. */
void store_console_words(struct store *, store_rows_cb, void *);

void store_console_listen(struct store *, const char *channel,
    pg_notify_cb, void *);

#endif
