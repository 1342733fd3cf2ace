/*
 * store: every query the engine makes, on the async libpq connection of
 * src/net.  Callers never see SQL: they call store_<noun>_<verb>() and get
 * rows back as JSON (an array of objects keyed by column name; integers and
 * booleans typed, numeric kept as exact text).  Mutations write their
 * audit_log row in the same statement, so a change and its audit entry
 * commit or fail together.
 */
#ifndef PX_STORE_H
#define PX_STORE_H

#include <jansson.h>

#include "core/core.h"
#include "net/net.h"
#include "util/util.h"

struct store;

/* Who is acting, for audit_log. */
struct store_actor {
	const char	*os_user;
	const char	*front;		/* batch, console, daemon, cli */
};

/* rows is borrowed: valid during the callback only. NULL when err set. */
typedef void (*store_rows_cb)(json_t *rows, const struct err *, void *arg);
typedef void (*store_accounts_cb)(struct account_set *, const struct err *,
    void *arg);

struct store *store_open(struct event_base *, const char *conninfo,
    const struct pg_opts *);
void store_close(struct store *);
struct pg_conn *store_conn(struct store *);
/*
 * Open the connection that records fan-out intents and kills now (it
 * opens on first use otherwise): a router does, so that its first intent
 * does not wait for a connect.
 */
void store_open_first(struct store *);
struct pg_conn *store_conn_first(struct store *);

/* Brokers. Secrets arrive already encrypted (util/secret). */
struct store_broker {
	const char	*name;
	const char	*kind;
	const char	*url;
	const char	*api_key;
	const char	*api_secret_enc;	/* NULL: none */
	const char	*access_token_enc;	/* NULL: none */
};

void store_broker_add(struct store *, const struct store_broker *,
    const struct store_actor *, store_rows_cb, void *);
void store_broker_list(struct store *, store_rows_cb, void *);
void store_broker_rm(struct store *, const char *name,
    const struct store_actor *, store_rows_cb, void *);

/*
 * Accounts.  fields is a JSON object of column -> text value for add/set
 * (keys: broker, user_id, lots, multiplier, capital, weight, priority,
 * max_lots, enabled, api_key); tags a JSON array of strings or NULL;
 * token_enc and secret_enc the account's own access token and api secret
 * (for postbacks), already encrypted, or NULL.
 */
void store_account_add(struct store *, const char *name, json_t *fields,
    json_t *tags, const char *token_enc, const char *secret_enc,
    const struct store_actor *, store_rows_cb, void *);
void store_account_set(struct store *, const char *name, json_t *fields,
    const char *token_enc, const char *secret_enc,
    const struct store_actor *, store_rows_cb, void *);
void store_account_tags(struct store *, const char *name, json_t *add,
    json_t *remove, const struct store_actor *, store_rows_cb, void *);
void store_account_rm(struct store *, const char *name,
    const struct store_actor *, store_rows_cb, void *);
void store_account_list(struct store *, store_rows_cb, void *);
/*
 * The account (not name) that holds user_id at broker, NULL meaning
 * name's own user id and broker: for a clear message when add or set
 * collides.  Row: name, broker, user_id; none when nobody does.
 */
void store_user_id_owner(struct store *, const char *broker,
    const char *user_id, const char *name, store_rows_cb, void *);
/* The registry as struct accounts, for target resolution. */
void store_accounts_load(struct store *, store_accounts_cb, void *);

/* Rows of store_account_list as structs; -1 and err on a bad row. */
int store_accounts_from_rows(json_t *rows, struct account_set *,
    struct err *);

/*
 * The conninfo of the store to use: store.dsn when configured, else the
 * private cluster under store.home, started on demand.  Either way the
 * schema is migrated.  Runs before the loop; blocking is fine here.
 */
struct config;
int db_store_open_info(struct config *, char **conninfo, struct err *);

/* NOTIFY channel for registry changes; payload "accounts", "instruments". */
#define STORE_REGISTRY_CHANNEL "phalanx_registry"
void store_registry_changed(struct store *, const char *what);
/* Called at once, in this process, for each of its own changes. */
void store_on_change(struct store *, void (*)(const char *what, void *),
    void *);

/* Map a failed statement to a message a user can act on. */
void store_explain(const struct err *in, const char *what, const char *name,
    struct err *out);

#endif
