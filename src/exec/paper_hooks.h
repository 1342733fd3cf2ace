/*
 * paper_hooks: what a paper account's adapter needs of the engine's store,
 * given to it through struct broker_env, so the broker layer never calls
 * the store.
 */
#ifndef PX_EXEC_PAPER_HOOKS_H
#define PX_EXEC_PAPER_HOOKS_H

struct broker_env;
struct store;

/*
 * Fill env's paper hooks from st: the fallback price is the instrument
 * dump's last_price, the opening book the engine's positions, resting
 * orders live in paper_orders.  st NULL leaves them zero (memory only).
 */
void exec_paper_hooks(struct broker_env *, struct store *st);

#endif
