/*
 * store_positions: the positions table, kept by the engine from the fills
 * it sees (not copied from brokers), and marked to market from quotes.
 */
#ifndef PX_STORE_POSITIONS_H
#define PX_STORE_POSITIONS_H

#include "db/store.h"

/*
 * Apply one fill: qty signed (buy > 0, sell < 0) at price_paise.  The
 * average price moves on additions, PnL is realised on reductions, and a
 * fill through zero opens the other side at the fill price.
 */
void store_position_fill(struct store *, int64_t account_id,
    const char *exchange, const char *symbol, const char *product,
    int64_t qty, int64_t price_paise, store_rows_cb, void *);

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
