/*
 * Webhook queries: strategies, connectors, the payloads they accepted
 * and the signals parsed from them, with the claim/finish pair of the
 * signal executor (src/auto/hook_exec.c).
 */
#ifndef PX_STORE_HOOK_H
#define PX_STORE_HOOK_H

#include "db/store.h"

/* Every connector with its strategy's name (token still encrypted). */
void store_connectors_load(struct store *, store_rows_cb, void *);

/*
 * One accepted payload and its signals in one statement.  signals is an
 * array of objects: seq action symbol exchange qty unit order_type price
 * trigger_price product ext_id parsed [status reason].  A payload of the
 * same hash within dedupe_s, or a signal whose ext_id the connector sent
 * within dedupe_id_s, is stored as DUPLICATE.  Row: payload,
 * duplicate_of, signals [{id, status}].
 */
struct store_hook_payload {
	int64_t		 connector_id;
	const char	*connector;
	const char	*method;
	const char	*remote;
	const char	*ctype;
	const char	*query;		/* token starred */
	const char	*body_hex;	/* token starred, hex */
	const char	*hash_hex;
	const char	*reason;	/* malformed: why; NULL otherwise */
	json_t		*signals;
	int		 dedupe_s;
	int		 dedupe_id_s;
	/* Set: none of its signals can run now (the head of their strategy
	 * and symbol runs here), so no claim is tried for them
	 * (store_hook_claimer). */
	int		 no_claim;
};
/*
 * The accept path's own connection (store_hook_accept.c): payloads that
 * arrive while a batch is at the store go together as the next batch,
 * stored in the order they were given.  Each cb gets its payload's row
 * as above, or an error that concerns that payload (or the batch).
 * Freeing answers whatever is still waiting with err "cancelled".
 */
struct store_hook_acceptor;
struct store_hook_acceptor *store_hook_acceptor_new(struct event_base *,
    const char *conninfo, const struct pg_opts *);
void store_hook_acceptor_free(struct store_hook_acceptor *);
void store_hook_accept(struct store_hook_acceptor *,
    const struct store_hook_payload *, store_rows_cb, void *);
/*
 * Who runs the signals an accept claims (hook_accept_run of 0030): as a
 * batch goes, reserve() is asked for want slots (its signals that may
 * run, no_claim aside) and says how many it may claim, held for it; once
 * every payload of the batch was answered -- each row with "claimed",
 * its signals now EXECUTING by the accepting session, in the rows of
 * store_signal_claim plus fresh: true -- release() gets those slots
 * back, claimed or not.  None set: nothing is claimed.
 */
struct store_hook_claimer {
	int		(*reserve)(void *arg, int want);
	void		(*release)(void *arg, int n);
	void		*arg;
};
void store_hook_acceptor_claimer(struct store_hook_acceptor *,
    const struct store_hook_claimer *);
/*
 * Batches at the store at once (default 2; pipeline mode when more than
 * 1): while one is there, the next goes once as many payloads wait as the
 * one before it had, else at that one's answer.
 */
void store_hook_acceptor_depth(struct store_hook_acceptor *, int depth);
/* Batches sent and payloads in them, for /metrics and the bench. */
void store_hook_acceptor_stats(const struct store_hook_acceptor *,
    uint64_t *batches, uint64_t *items);

/*
 * Claim a signal (id) or the next queued ones (id 0, up to limit): only
 * the oldest unfinished signal of a strategy and symbol, so a strategy's
 * signals for one instrument run in order; an EXECUTING one whose session
 * is gone is taken over.  Sets the order it makes (exec_side, exec_qty,
 * signed_lots) once.  Rows: the signal with strategy, target, params,
 * connector.  peek computes the same without claiming (dry runs).
 */
void store_signal_claim(struct store *, int64_t id, int limit,
    store_rows_cb, void *);
void store_signal_peek(struct store *, int64_t id, store_rows_cb, void *);
void store_signal_finish(struct store *, int64_t id, const char *status,
    int64_t fanout, const char *reason, const char *verdict,
    store_rows_cb, void *);

/* Strategies: params {policy, mode, on_fail, product}. */
void store_strategy_add(struct store *, const char *name, const char *target,
    json_t *params, const char *template_name, const struct store_actor *,
    store_rows_cb, void *);
void store_strategy_list(struct store *, store_rows_cb, void *);
void store_strategy_show(struct store *, const char *name, store_rows_cb,
    void *);

/* Connectors: fields {dialect, strategy, allow[], rate_per_s, body_limit,
 * window_from, window_to, symbol_map{}, field_map{}, options{}}. */
void store_connector_add(struct store *, const char *name, json_t *fields,
    const char *token_enc, const struct store_actor *, store_rows_cb, void *);
void store_connector_list(struct store *, store_rows_cb, void *);
void store_connector_show(struct store *, const char *name, store_rows_cb,
    void *);
void store_connector_enable(struct store *, const char *name, int on,
    const struct store_actor *, store_rows_cb, void *);
void store_connector_rm(struct store *, const char *name,
    const struct store_actor *, store_rows_cb, void *);

void store_webhook_list(struct store *, const char *connector, int last,
    store_rows_cb, void *);
/* Row: payload, signals[], fanouts[] (with their legs' states). */
void store_webhook_show(struct store *, int64_t id, store_rows_cb, void *);
/* A copy of payload id and its signals (RECEIVED); rows: signal ids. */
void store_webhook_replay(struct store *, int64_t id,
    const struct store_actor *, store_rows_cb, void *);

#endif
