/*
 * store_postback: what the postback receiver needs from the store -- the
 * order a verified postback is about, with whether that very update was
 * seen before (postbacks_seen, migration 0008), and one statement that
 * remembers the update and, when the receiver decided so, moves the order
 * and writes its order event, all or nothing.
 */
#ifndef PX_STORE_POSTBACK_H
#define PX_STORE_POSTBACK_H

#include "db/store.h"

/* One update of one order at one account, as the dedupe key has it. */
struct store_postback_key {
	int64_t		 account_id;
	const char	*broker_order_id;
	const char	*status;	/* the broker's word */
	int64_t		 filled;
	const char	*update_key;	/* 64 hex digits */
};

/*
 * One row: seen (the earlier verdict, or null), then the order with that
 * broker order id at the account -- or, not yet knowing its broker id,
 * the one with client tag tag ("" for none) -- as id, state, filled_qty,
 * qty, avg_paise and version (an opaque text that changes with every
 * update of the order row); those are null when phalanx has no such
 * order.
 */
void store_postback_lookup(struct store *, const struct store_postback_key *,
    const char *tag, store_rows_cb, void *);

/*
 * What to make of a postback.  order_id 0: only remember the update.
 * Otherwise the order moves to state/filled/avg_paise (avg_paise < 0:
 * unchanged) and gets an order event -- provided its version is still
 * version, so that nothing it was judged against has changed meanwhile.
 */
struct store_postback_rec {
	const char	*checksum;
	const char	*verdict;	/* see migration 0008 */
	const char	*source;	/* "ADDR:PORT" or NULL */
	int64_t		 order_id;
	const char	*version;
	const char	*state;
	const char	*broker_status;
	int64_t		 filled;
	int64_t		 avg_paise;
	const char	*message;	/* the event's; NULL for none */
};

/*
 * One row: fresh (1 when this update was not remembered before and now
 * is), applied (1 when the order moved) and events (order events
 * written).  When the order was to move but did not (it changed since the
 * lookup, or the same update was just recorded by another receiver),
 * nothing at all is written: look up and judge again.
 */
void store_postback_record(struct store *, const struct store_postback_key *,
    const struct store_postback_rec *, store_rows_cb, void *);

#endif
