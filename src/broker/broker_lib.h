/*
 * broker_lib: the network half of the broker layer -- the kite adapter
 * over the loop's HTTP client, the in-process paper adapter, and building
 * an adapter for a registered account (the postback receiver, which
 * records into the store, is exec/postback.h).
 *
 * Every adapter made here follows broker.h: operations return at once and
 * complete exactly once, later, from the event loop.
 */
#ifndef PX_BROKER_LIB_H
#define PX_BROKER_LIB_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "broker/broker.h"

struct config;
struct http_client;
struct http_server;
struct secret_keys;
struct store;

/* callback.c ---------------------------------------------------------- */

/* A call's completion: the member its enum broker_op implies. */
union broker_cb {
	broker_order_id_cb	 id;
	broker_orders_cb	 orders;
	broker_trades_cb	 trades;
	broker_positions_cb	 positions;
	broker_margins_cb	 margins;
	broker_quotes_cb	 quotes;
	broker_done_cb		 done;
};

/* Complete a call of kind op with be and empty data. */
void broker_cb_fail(enum broker_op, const union broker_cb *, void *arg,
    const struct broker_err *);
/* A timer firing fn(arg) on the loop's next turn; the caller frees it. */
struct event *broker_cb_later(struct event_base *, event_callback_fn,
    void *arg);

/* kite_adapter.c ------------------------------------------------------ */

/*
 * Secrets (access_token, api_secret) are copied, kept only in memory,
 * wiped on free and never logged.  http NULL: the adapter makes its own
 * client; sharing one client between adapters shares its connections,
 * and its trusted CAs: ca_file is set on the client, so adapters sharing
 * one must agree on it (they come from one configuration).
 */
struct kite_opts {
	const char		*name;		/* configured broker name */
	const char		*base_url;	/* "https://api.kite.trade" */
	const char		*api_key;
	const char		*access_token;
	const char		*api_secret;	/* NULL: none */
	int			 timeout_ms;	/* per request; 0 = 5000 */
	int			 market_protection; /* -1 auto, 1..100; 0 = -1 */
	const char		*algo_id;	/* NULL or "": none */
	const char		*ca_file;	/* NULL or "": the system's CAs */
	struct http_client	*http;
};

/* Kite's documented order rate per api key (SEBI's 10 orders/s). */
#define KITE_ORDERS_PER_SEC	10

struct broker *kite_new(const struct kite_opts *);

/*
 * What the broker itself allows: order requests per second (0 = no
 * limit).  A 429 arrives as a RETRYABLE "rate-limit" error; the router
 * paces against this figure.
 */
int broker_orders_per_sec(const struct broker *);
/* The adapter's free(), tolerating NULL. */
void broker_free(struct broker *);

/* paper.c -------------------------------------------------------------- */

/*
 * Where a price comes from when the settable table has none (the
 * instruments table's last_price).  The lookup must answer from the loop;
 * paise 0 means "no price".
 */
typedef void (*paper_price_cb)(int64_t paise, void *cbarg);
typedef void (*paper_lookup_fn)(const char *exchange, const char *symbol,
    paper_price_cb, void *cbarg, void *arg);

/*
 * A paper account's book (orders, positions, cash) lives as long as the
 * process and is shared by every adapter opened with the same name, so
 * one command's fills are the next command's positions.
 */
/*
 * Where a paper account's open positions come from when a process first
 * uses it (the engine's positions table): without this a paper book would
 * start flat in every new process.  cb gets net positions (qty signed,
 * avg_price in paise) and must be called from the loop.
 */
typedef void (*paper_seed_cb)(const struct broker_position *, size_t,
    void *cbarg);
typedef void (*paper_seed_fn)(const char *account, paper_seed_cb,
    void *cbarg, void *arg);

/*
 * Where resting (LIMIT, SL, SL-M) paper orders are kept beside the
 * process (the store's paper_orders), so another process can cancel or
 * modify them and a restart still has them.  Bodies are JSON objects the
 * adapter makes (paper_store.c).  put() writes one order; with
 * only_if_resting it changes a stored order only while that one is still
 * resting, and answers applied 0 and the stored body otherwise.  get()
 * answers an array of 0 or 1 bodies, resting() an account's resting
 * ones.  All answer from the loop, err set when the store could not.
 */
typedef void (*paper_put_cb)(int applied, json_t *current,
    const struct err *, void *cbarg);
typedef void (*paper_bodies_cb)(json_t *bodies, const struct err *,
    void *cbarg);

struct paper_store {
	void	(*put)(const char *account, const char *order_id, int resting,
		    json_t *body, int only_if_resting, paper_put_cb,
		    void *cbarg, void *arg);
	void	(*get)(const char *account, const char *order_id,
		    paper_bodies_cb, void *cbarg, void *arg);
	void	(*resting)(const char *account, paper_bodies_cb, void *cbarg,
		    void *arg);
	void	 *arg;
};

struct paper_opts {
	const char		*name;		/* account name */
	int64_t			 cash;		/* opening funds, paise; 0 = 10 lakh */
	paper_lookup_fn		 lookup;	/* may be NULL */
	void			*lookup_arg;
	paper_seed_fn		 seed;		/* may be NULL */
	void			*seed_arg;
	const struct paper_store *store;	/* may be NULL: memory only */
};

struct broker *paper_new(const struct paper_opts *);
/* The process-wide last price; resting paper orders that cross it fill. */
void paper_price_set(const char *exchange, const char *symbol,
    int64_t paise);
int paper_price_get(const char *exchange, const char *symbol,
    int64_t *paise);
/* Forget every paper book and price (tests). */
void paper_reset(void);
/* paper_dump.c: the simulator's instrument table as a dump (exchange NULL:
 * all).  Rows go to row() as parsed; 0, or -1 with be filled. */
int paper_dump(const char *exchange, broker_instrument_cb row, void *arg,
    struct broker_err *be);

/* registry.c ----------------------------------------------------------- */

/*
 * An adapter for one row of store_broker_creds(): kind, url and api_key
 * (the account's own key over the broker's), the access token and api
 * secret decrypted with secret_decrypt (the account's over the broker's).
 * Settings come from cfg: broker.timeout_ms, broker.market_protection,
 * broker.algo_id (else firm.algo_id), broker.ca_file (refused here,
 * naming the file, when it cannot be read).  A paper account's adapter
 * gets the paper hooks; the engine fills them from its store
 * (exec_paper_hooks in exec/paper_hooks.h), the broker layer never reads
 * the store itself.
 * Left zero, paper knows only prices set with paper_price_set and keeps
 * resting orders in memory.
 */
struct broker_env {
	struct config		*cfg;
	const char		*home;		/* for the master key */
	struct secret_keys	*keys;		/* a batch's key, or NULL */
	struct http_client	*http;		/* shared by kite adapters */
	paper_lookup_fn		 lookup;	/* paper's fallback price */
	void			*lookup_arg;
	paper_seed_fn		 seed;		/* paper's opening book */
	void			*seed_arg;
	struct paper_store	 paper;		/* put NULL: memory only */
};

struct broker *broker_from_row(const struct broker_env *, json_t *row,
    struct err *);

#endif
