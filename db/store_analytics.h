/* store_analytics: what the analytics commands read from the store. */
#ifndef PX_STORE_ANALYTICS_H
#define PX_STORE_ANALYTICS_H

#include "db/store.h"

/*
 * The options of underlying at one expiry (expiry NULL: the nearest one
 * not past, IST): rows exchange, symbol, strike (text), type (CE|PE),
 * lot, expiry; plus, first, the nearest future's exchange and symbol in
 * a row of type FUT, for a spot when the index has no quote.
 */
void store_option_chain(struct store *, const char *underlying,
    const char *expiry, store_rows_cb, void *);

/*
 * Equity time series (db/migrations/0021_analytics.sql).  These reads
 * are the ones reports use too (export pnl, export sla).
 */

/* Take the snapshot duty (advisory lock); row: held (bool). */
void store_equity_duty(struct store *, store_rows_cb, void *);
/* Snapshot every account, broker, strategy and the firm; row: points. */
void store_equity_snapshot(struct store *, const char *reason,
    store_rows_cb, void *);
/*
 * Partitions ahead, retention behind (0 days: keep all).  Rows: first
 * storage ("partitioned", "hypertable", "plain"), then one per action
 * (action "created"|"dropped"|"moved N rows into", object the table).
 */
void store_equity_maintain(struct store *, int retention_days,
    store_rows_cb, void *);
/*
 * One series from the rollups: width "1m"|"15m"|"1d"; scope "account",
 * "broker", "strategy" or "firm"; names a JSON array of series names
 * (NULL: every one of the scope), summed per bucket with each carried
 * forward; since an ISO timestamp or NULL.  Rows: t (epoch seconds, int),
 * equity, realised, unrealised, margin_used (rupees as text), series (how
 * many were summed).
 */
void store_equity_series(struct store *, const char *width,
    const char *scope, json_t *names, const char *since, store_rows_cb,
    void *);

/*
 * Every order's fill that reached positions, oldest first, up to the end
 * of IST day `to` (NULL: now), for the accounts of account_ids (a JSON
 * array of ids; NULL: all).  Rows: order_id, account, broker, strategy
 * ("strategy:NAME", "tag:TAG" or "untagged"), exchange, symbol, product,
 * side, qty, price (average, text), day (IST yyyy-mm-dd), ts_us, itype
 * (FUT, CE, PE or EQ), ltp (the position's last mark, text or null).
 */
void store_pnl_fills(struct store *, json_t *account_ids, const char *to,
    store_rows_cb, void *);

/*
 * Open positions by account and underlying.  Rows: account, broker,
 * underlying, exchange, symbol, product, qty, lot, itype, strike, expiry,
 * ltp, unrealised.
 */
void store_exposure(struct store *, json_t *account_ids, store_rows_cb,
    void *);

/*
 * Execution SLA of the orders created in [from, to] (IST dates,
 * inclusive), per broker then per account.  Rows: scope, name, orders,
 * acked, p50_us, p90_us, p99_us, within_sla (acked within sla_ms),
 * rejected, retried, slip_orders, slippage_bps (mean, against the LTP at
 * the intent, positive = worse), slippage_rupees.
 */
void store_sla(struct store *, const char *from, const char *to,
    json_t *account_ids, int sla_ms, store_rows_cb, void *);
/*
 * Fan-outs of the period: one row fanouts, completed, partial, failed,
 * running, p50_ms, p99_ms (intent to last ack).
 */
void store_sla_fanouts(struct store *, const char *from, const char *to,
    json_t *account_ids, store_rows_cb, void *);

#endif
