/*
 * postback: the engine's receiver of Kite's order updates.  It sits in
 * exec because it records what it hears in the store; the broker layer
 * gives it the pure parts (decoding, the key cache, the judging:
 * broker/postback_int.h).
 */
#ifndef PX_EXEC_POSTBACK_H
#define PX_EXEC_POSTBACK_H

#include <stddef.h>
#include <stdint.h>

#include "broker/broker.h"

struct config;
struct http_server;
struct store;

/*
 * POST /postback/kite: Kite's order updates, verified with the api secret
 * of the account whose user_id the body names, kept in memory from the
 * last registry read.  400 malformed or not application/json, 403 forged
 * or unknown user, 413 over POSTBACK_MAX_BODY, 503 (with Retry-After)
 * while the store is not ready or queue_max postbacks are being handled.
 * A repeat is 200 "duplicate" (remembered in the store, so across
 * restarts).  A postback moves its order only forward through the state
 * machine; one that contradicts the record is checked against the
 * broker's order history, which wins, and is 409 when neither explains it
 * (logged as suspicious, with its source address).
 */
#define POSTBACK_MAX_BODY	(64 * 1024)

/* An order a postback (or the book it was checked against) just moved. */
struct postback_applied {
	const char			*account;
	int64_t				 account_id;
	int64_t				 order_id;	/* orders.id */
	const struct broker_order	*order;		/* what was recorded */
	enum broker_state		 prev_state;
	int64_t				 prev_filled;
	int64_t				 prev_avg;	/* paise */
};
typedef void (*postback_applied_fn)(const struct postback_applied *,
    void *arg);

struct postback_opts {
	struct store		*store;
	struct config		*cfg;		/* broker settings; may be NULL */
	const char		*home;		/* for the master key */
	size_t			 queue_max;	/* 0 = 256 */
	postback_applied_fn	 hook;		/* may be NULL */
	void			*hook_arg;
};

struct postback_stats {
	uint64_t	accepted;	/* moved an order, or not ours */
	uint64_t	duplicates;
	uint64_t	ignored;	/* unchanged or stale */
	uint64_t	suspicious;
	uint64_t	refused;	/* 4xx other than suspicious */
	uint64_t	unavailable;	/* 503 */
};

struct postback;

struct postback *postback_new(struct http_server *,
    const struct postback_opts *);
void postback_free(struct postback *);
void postback_stats(const struct postback *, struct postback_stats *);

#endif
