/*
 * store_demo: what `phalanx demo seed` asks of the store.  Blocking
 * libpq, like the migrations: called from a command-line front before any
 * event loop runs, never from the engine.
 */
#ifndef PX_DB_STORE_DEMO_H
#define PX_DB_STORE_DEMO_H

#include <stdint.h>

#include "util/util.h"

/*
 * What the store already holds that a demo would mix with: "" when it is
 * empty, else a phrase such as "3 accounts, 2 brokers" in *what (owned).
 */
int	db_demo_holdings(const char *conninfo, char **what, struct err *);

/*
 * The trading history on top of the registry the command language made:
 * phalanx_demo_seed() of migration 0026, in one transaction.  *counts
 * (owned) is its JSON summary.
 */
int	db_demo_seed(const char *conninfo, int64_t seed, int days,
	    int64_t now_us, const char *actor, char **counts, struct err *);

#endif
