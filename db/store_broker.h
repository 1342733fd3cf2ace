/*
 * store_broker: what the broker layer needs from the store -- an
 * account's way in (kind, url, key, encrypted token and secret), the
 * instrument dump, and order events from postbacks.  Ciphertext columns
 * leave here only to be decrypted; never show a row of these as it is.
 */
#ifndef PX_STORE_BROKER_H
#define PX_STORE_BROKER_H

#include "broker/broker.h"
#include "db/store.h"

/*
 * One row per account (account NULL: every account; user_id NULL: any),
 * in priority order: account_id, account, user_id, enabled, priority,
 * broker, kind, url, api_key (the account's over the broker's),
 * access_token and api_secret (ciphertext, the account's over the
 * broker's; NULL when neither has one).
 */
void store_broker_creds(struct store *, const char *account,
    const char *user_id, store_rows_cb, void *);

/*
 * Upsert up to a few thousand instruments in one statement, keyed by
 * (exchange, tradingsymbol); freeze_qty is left alone.  One row: n.
 */
void store_instruments_load(struct store *, const struct broker_instrument *,
    size_t n, store_rows_cb, void *);
/* The audit row for a finished load. */
void store_instruments_loaded(struct store *, const char *source,
    const char *exchange, size_t n, const struct store_actor *,
    store_rows_cb, void *);
/* One instrument (or no row): lot_size, tick_size, last_price_paise, ... */
void store_instrument_get(struct store *, const char *exchange,
    const char *symbol, store_rows_cb, void *);

/*
 * Record a broker's report of an order (a postback) as an order event of
 * the order with that broker order id, if phalanx has one.  Rows: the
 * order_events written (none when the order is not phalanx's).
 */
void store_order_event_broker(struct store *, int64_t account_id,
    const struct broker_order *, store_rows_cb, void *);

#endif
