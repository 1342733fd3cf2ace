/*
 * store_paper: the paper adapter's resting orders (paper_orders), so
 * they outlive the process that placed them.  Bodies are JSON text the
 * adapter writes and reads back; the store does not look inside.
 */
#ifndef PX_STORE_PAPER_H
#define PX_STORE_PAPER_H

#include "db/store.h"

/*
 * Write one order.  only_if_resting: change an existing row only while
 * it is still resting.  Row: applied (bool), current (the stored body
 * before this call, or NULL).
 */
void store_paper_order_put(struct store *, const char *account,
    const char *order_id, int resting, const char *body,
    int only_if_resting, store_rows_cb, void *);
/* One order. Rows (0 or 1): body. */
void store_paper_order_get(struct store *, const char *account,
    const char *order_id, store_rows_cb, void *);
/* An account's resting orders, oldest change first. Rows: body. */
void store_paper_resting(struct store *, const char *account,
    store_rows_cb, void *);

#endif
