/*
 * The router's two halves beside the router object (router.c): the
 * caches of what the store holds (router_cache.c) and the writer of
 * lifecycle events (router_events.c).  Private to src/exec/router*.c and
 * the fan-out files that include router_int.h.
 */
#ifndef PX_ROUTER_PARTS_H
#define PX_ROUTER_PARTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/core.h"

struct router;

/*
 * The registry, credentials and instruments as last read, dropped
 * whenever any process announces a change (NOTIFY phalanx_registry), and
 * blocks of fan-out and order ids: a warm router sends after one round
 * trip, the one that records the intent.
 */
struct router_cache {
	struct account_set	 accounts;
	int			 accounts_ok;
	json_t			*creds;
	json_t			*instruments;	/* "EX:SYMBOL" -> row */
	int64_t			 fanout_ids[16];	/* prefetched */
	size_t			 nfanout_ids;
	int			 fetches;	/* id blocks fetched so far */
	int64_t			*order_ids;	/* prefetched order ids */
	size_t			 norder_ids;
	size_t			 order_ids_cap;
	struct router_prefetch	*prefetch;	/* a block on its way */
	struct router_warm	*warms;		/* lookups ahead of need */
	/*
	 * Bumped by every change to the registry: a read sent before one
	 * answers with what it was, and is used but not kept.
	 */
	uint64_t		 gen;
};

/* Where lifecycle events go: the batched writer, the journal behind it. */
struct router_evlog {
	struct journal		*journal;	/* events while the store is down */
	struct pg_conn		*pg;		/* the writer's own connection */
	struct events_writer	*writer;
};

/* router_cache.c */
void router_cache_init(struct router *);
void router_cache_free(struct router *);

/* router_events.c */
void router_events_open(struct router *);
void router_events_close(struct router *);

#endif
