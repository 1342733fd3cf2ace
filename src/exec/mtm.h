/*
 * mtm: marks open positions to market.  Long-running fronts (console,
 * daemon) run it on a timer: quotes for every instrument held come from a
 * broker that serves them, and each position's last price and unrealised
 * PnL are updated in the store, where the matrix and the RMS read them.
 */
#ifndef PX_MTM_H
#define PX_MTM_H

struct config;
struct store;
struct mtm;

/* NULL when exec.mtm_ms is 0 (off). */
struct mtm *mtm_start(struct store *, struct config *, const char *home);
void mtm_free(struct mtm *);

/*
 * What the last call to the broker said: MTM_BROKER_OK, _DOWN (it failed:
 * *why says how), or _UNKNOWN (no kite account, or not asked yet).  With
 * no positions to mark, each cycle still asks for margins, so this is a
 * connectivity signal for the console's header.
 */
enum mtm_broker { MTM_BROKER_UNKNOWN, MTM_BROKER_OK, MTM_BROKER_DOWN };
enum mtm_broker mtm_broker_state(const struct mtm *, const char **why);

#endif
