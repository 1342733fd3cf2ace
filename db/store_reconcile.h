/*
 * store_reconcile: what the reconciler (src/exec/reconcile.c) asks of the
 * store -- the duty lock, fan-outs a dead process left RUNNING, the
 * accounts in use, a broker's order book put into the orders table, and
 * the idempotency keys of buy/sell.  Ownership of a fan-out and of the
 * duty are PostgreSQL advisory locks (see db/migrations/0009), so they
 * end with the holder's session, kill -9 included.
 */
#ifndef PX_STORE_RECONCILE_H
#define PX_STORE_RECONCILE_H

#include "db/store.h"

/*
 * Take the reconcile duty, or confirm this session holds it.  Row: held
 * (false: another session has it).  release gives it back.
 */
void store_reconcile_duty(struct store *, store_rows_cb, void *);
void store_reconcile_duty_release(struct store *, store_rows_cb, void *);

/*
 * Claim the RUNNING fan-outs no live session owns (only fanout_id when
 * > 0), noting when each was first found so (orphaned_at).  Rows: id,
 * intent, on_fail, orphaned_ms (since first found orphaned).  Each is
 * this session's until store_reconcile_close or _release.
 */
void store_reconcile_claim(struct store *, int64_t fanout_id,
    store_rows_cb, void *);
void store_reconcile_release(struct store *, int64_t fanout_id,
    store_rows_cb, void *);

/*
 * The accounts to read at their brokers: with working orders or open
 * positions (unless only), and those the fan-outs in fanout_ids (JSON
 * array; NULL none) reach.  Rows: account_id.
 */
void store_reconcile_accounts(struct store *, json_t *fanout_ids, int only,
    store_rows_cb, void *);

/*
 * One account's order book (JSON array of objects: order_id, tag,
 * status, state, message, filled, avg (rupees text), qty, side, symbol,
 * exchange, product, order_type, price, trigger_price) into the store:
 * matched by tag, else by broker order id; unknown ones recorded as
 * orders phalanx did not place; states, fills and broker ids corrected
 * with an order event each; fills applied to positions
 * (phalanx_fill_apply).  Orders of fan-outs a live session owns are left
 * alone unless in claimed (JSON array of ids).  Rows, one an entry in
 * book order: order_id, fanout_id, client_tag, action (same, corrected,
 * foreign, live), old_state, new_state, applied.  Entries that change
 * nothing take no row lock; the others lock their rows in id order
 * (db/migrations/0032).
 */
void store_reconcile_book(struct store *, int64_t account_id, json_t *orders,
    json_t *claimed, store_rows_cb, void *);

/*
 * A claimed fan-out's orders.  Rows: id, account_id, account, client_tag,
 * broker_order_id, state, qty, filled_qty.
 */
void store_reconcile_legs(struct store *, int64_t fanout_id, store_rows_cb,
    void *);

/*
 * Settle a claimed fan-out: state and message; the orders in never_sent
 * (JSON array of ids) go back to NEW with note as their message; the
 * claim is released.  Row: id (none if it was no longer RUNNING).
 */
void store_reconcile_close(struct store *, int64_t fanout_id,
    const char *state, const char *message, json_t *never_sent,
    const char *note, store_rows_cb, void *);

/*
 * Fan-outs that need a trader's eye: INTERRUPTED, or RUNNING with no live
 * owner, created in the last day.  Rows: id, state, message, intent, side,
 * symbol, target, created (IST text), unsent (orders still NEW).
 */
void store_fanouts_interrupted(struct store *, store_rows_cb, void *);

/*
 * fanout resume: an INTERRUPTED fan-out that no session owns becomes
 * RUNNING and this session's.  Row: id, intent, target, side, symbol,
 * exchange, mode, on_fail, policy, product, order_type, qty, unit,
 * source; none when it is not INTERRUPTED or is owned.
 */
void store_fanout_resume(struct store *, int64_t fanout_id, store_rows_cb,
    void *);
/* Its orders still to send (NEW, no broker id).  Rows: id, account_id,
 * slice, client_tag, side, symbol, exchange, product, order_type, qty,
 * price_paise, trigger_paise. */
void store_fanout_unsent(struct store *, int64_t fanout_id, store_rows_cb,
    void *);

/* The fan-out recorded under an idempotency key.  Row: id, state,
 * idem_intent, message; none when the key is new. */
void store_fanout_by_key(struct store *, const char *key, store_rows_cb,
    void *);

#endif
