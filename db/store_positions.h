/*
 * store_positions: the positions table, kept by the engine from the fills
 * reported by every source (not copied from brokers), and marked to
 * market from quotes.
 */
#ifndef PX_STORE_POSITIONS_H
#define PX_STORE_POSITIONS_H

#include "db/store.h"

/*
 * Apply one fill by delta: qty signed at price_paise (journaled).  Kept
 * for callers that have no order row; every order's fill goes through
 * store_order_fill below, or it would count twice.
 */
void store_position_fill(struct store *, int64_t account_id,
    const char *exchange, const char *symbol, const char *product,
    int64_t qty, int64_t price_paise, store_rows_cb, void *);

/*
 * THE way a fill reaches positions, for every source (router, postbacks,
 * reconciler).  filled is the order's cumulative filled quantity as the
 * broker reports it, avg_paise its average price; only what the position
 * does not hold yet is applied (idempotent: report the same fill twice,
 * from two sources, in any order, and it counts once).  The average price
 * moves on additions, PnL is realised on reductions, and a fill through
 * zero opens the other side.  Row: applied (the quantity applied now).
 */
void store_order_fill(struct store *, int64_t order_id, int64_t filled,
    int64_t avg_paise, store_rows_cb, void *);
/*
 * The same for an order known by its broker order id or client tag (a
 * postback).  Rows: order_id, applied; none when the order is not
 * phalanx's.
 */
void store_order_fill_broker(struct store *, int64_t account_id,
    const char *broker_order_id, const char *tag, int64_t filled,
    int64_t avg_paise, store_rows_cb, void *);

/*
 * One account's open positions (by account name).  Rows: exchange,
 * symbol, product, qty, avg_paise.
 */
void store_positions_of(struct store *, const char *account, store_rows_cb,
    void *);

/* Open positions' instruments. Rows: exchange, symbol. */
void store_positions_symbols(struct store *, store_rows_cb, void *);

/* Mark every open position in exchange:symbol at ltp_paise. */
void store_position_mark(struct store *, const char *exchange,
    const char *symbol, int64_t ltp_paise, store_rows_cb, void *);

#endif
