/*
 * store_fanout: fan-outs and their orders as the router records them.
 * The intent row, with every leg's client tag in its plan, is written
 * before anything is sent, so a crash mid-send leaves every order
 * findable by tag; the order rows follow (db/migrations/0016).
 */
#ifndef PX_STORE_FANOUT_H
#define PX_STORE_FANOUT_H

#include "db/store.h"

/*
 * The next nfanouts fan-out ids and norders order ids (client tags and
 * the intent's plan derive from them).  Rows: kind ("fanout", "order"),
 * id.
 */
void store_fanout_next_ids(struct store *, int nfanouts, int norders,
    store_rows_cb, void *);

/*
 * The intent, written before anything is sent.  fanout: JSON object with
 * the fanouts columns (id, who, source, intent, target, side, symbol,
 * exchange, qty, unit, product, order_type, price, trigger_price, policy,
 * mode, on_fail, state, message, t_intent, t_rms, tag, idem_key,
 * idem_intent); plan: JSON array, one object per leg (id: its order id,
 * account_id, slice, client_tag, side, symbol, exchange, product,
 * order_type, qty, price, trigger_price).  Rows: fanout_id, denied: one
 * row per leg of an order intent whose account was HALTED by the time the
 * row was written (the kill switch wins over any cached view of the
 * registry: never send it), else one row with denied NULL.
 */
/*
 * Plan the intent's statements on its connection now, writing nothing,
 * so that a daemon's first fan-out does not pay for it (milliseconds).
 * The store calls it as each session of that connection opens.
 */
void store_fanout_warm(struct store *);
void store_fanout_intent(struct store *, json_t *fanout, const char *plan,
    const struct store_actor *, store_rows_cb, void *);

/*
 * The plan's order rows (all NEW), written after the legs are sent;
 * journaled when the store is away.  Their NEW events are the caller's
 * to write.  Row: written (how many were new).
 */
void store_fanout_legs(struct store *, int64_t fanout_id, store_rows_cb,
    void *);

/* More orders for an existing fan-out (rollback legs). Rows: id, client_tag. */
void store_orders_add(struct store *, int64_t fanout_id, json_t *orders,
    store_rows_cb, void *);

/* Final state, message and the send/ack timings (RFC 3339 text or NULL). */
void store_fanout_finish(struct store *, int64_t id, const char *state,
    const char *message, const char *t_first_send, const char *t_last_send,
    const char *t_last_ack, store_rows_cb, void *);

/*
 * Remember the broker's order id as soon as the place call answers
 * (store_bids.c: the ids of a loop turn go as one statement).  Row: id,
 * duplicate_of (the order that has the id already), stored.
 */
void store_order_broker_id(struct store *, int64_t order_id,
    const char *broker_order_id, store_rows_cb, void *);
/* Ids not yet answered by the store (sent or waiting to go). */
size_t store_bids_pending(struct store *);

/*
 * An instrument by symbol, on exchange (NULL: NFO first, then NSE, then
 * any).  Row: exchange, tradingsymbol, name, instrument_type, lot_size,
 * tick_size (text), last_price (text), freeze_qty (the dump's, else the
 * freeze_limits table's for the underlying, else NULL).
 */
void store_instrument_resolve(struct store *, const char *exchange,
    const char *symbol, store_rows_cb, void *);

/* Set accounts' trading state (kill, unkill) with the reason audited. */
void store_trading_state_set(struct store *, json_t *account_ids,
    const char *state, const char *reason, const struct store_actor *,
    store_rows_cb, void *);

/*
 * Ack latency percentiles over the last days, per broker and per account
 * (account_ids: JSON array, NULL for all).  Rows: scope, name, orders,
 * p50_ms, p90_ms, p99_ms, max_ms.
 */
void store_latency(struct store *, json_t *account_ids, int days,
    store_rows_cb, void *);

/*
 * Orders whose phalanx id or broker order id is id (rows: id, fanout_id,
 * account_id, account, broker_order_id, state, variety, side, symbol,
 * exchange, order_type, product, qty, filled_qty, avg_price as text);
 * audited as "order.cancel" when
 * exactly one matches.
 */
void store_order_find(struct store *, const char *id,
    const struct store_actor *, store_rows_cb, void *);

/* The last n fan-outs, newest first, with order counts by outcome. */
void store_fanouts_list(struct store *, int n, store_rows_cb, void *);
/* One fan-out (one row) and its orders (rows, in send order). */
void store_fanout_get(struct store *, int64_t id, store_rows_cb, void *);
void store_fanout_orders(struct store *, int64_t id, store_rows_cb, void *);

#endif
