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

#endif
