/*
 * From the registry to a live adapter: one row of store_broker_creds()
 * (broker kind, url, the account's key over the broker's, encrypted token
 * and secret) becomes a struct broker.  Decrypted secrets live only in
 * the adapter and in this file's locals, which are wiped before return.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker_lib.h"
#include "db/store_broker.h"
#include "db/store_paper.h"
#include "db/store_positions.h"
#include "util/config.h"
#include "util/secret.h"

struct registry_lookup {
	paper_price_cb	 cb;
	void		*cbarg;
};

static const char *
row_str(json_t *row, const char *key)
{
	return json_string_value(json_object_get(row, key));
}

static void
registry_priced(json_t *rows, const struct err *err, void *arg)
{
	struct registry_lookup	*l = arg;
	json_t			*v = NULL;

	if (err == NULL && json_array_size(rows) > 0)
		v = json_object_get(json_array_get(rows, 0), "last_price_paise");
	l->cb(json_is_integer(v) ? json_integer_value(v) : 0, l->cbarg);
	free(l);
}

/* Paper's fallback price: the instrument dump's last_price. */
static void
registry_lookup(const char *exchange, const char *symbol, paper_price_cb cb,
    void *cbarg, void *arg)
{
	struct registry_lookup	*l;

	l = xmalloc(sizeof *l);
	l->cb = cb;
	l->cbarg = cbarg;
	store_instrument_get(arg, exchange, symbol, registry_priced, l);
}

struct registry_seed {
	paper_seed_cb	 cb;
	void		*cbarg;
};

static enum broker_product
registry_product(const char *s)
{
	if (s != NULL && strcmp(s, "NRML") == 0)
		return BROKER_NRML;
	if (s != NULL && strcmp(s, "CNC") == 0)
		return BROKER_CNC;
	return BROKER_MIS;
}

static void
registry_seeded(json_t *rows, const struct err *err, void *arg)
{
	struct registry_seed	*l = arg;
	struct broker_position	*v;
	size_t			 i, n = 0;
	json_t			*row;

	v = xcalloc(json_array_size(rows) + 1, sizeof *v);
	json_array_foreach(err == NULL ? rows : NULL, i, row) {
		snprintf(v[n].exchange, sizeof v[n].exchange, "%s",
		    row_str(row, "exchange"));
		snprintf(v[n].tradingsymbol, sizeof v[n].tradingsymbol, "%s",
		    row_str(row, "symbol"));
		v[n].product = registry_product(row_str(row, "product"));
		v[n].qty = json_integer_value(json_object_get(row, "qty"));
		v[n].avg_price = json_integer_value(json_object_get(row,
		    "avg_paise"));
		n++;
	}
	if (err != NULL)
		log_warn("paper", "open positions not read: %s", err->msg);
	l->cb(v, n, l->cbarg);
	free(v);
	free(l);
}

/* Paper's opening book: the engine's positions for the account. */
static void
registry_seed(const char *account, paper_seed_cb cb, void *cbarg, void *arg)
{
	struct registry_seed	*l;

	l = xmalloc(sizeof *l);
	l->cb = cb;
	l->cbarg = cbarg;
	store_positions_of(arg, account, registry_seeded, l);
}

/* Paper's resting orders in the store (struct paper_store). */
struct registry_paper {
	paper_put_cb	 put;
	paper_bodies_cb	 bodies;
	void		*cbarg;
};

static void
registry_paper_put_done(json_t *rows, const struct err *err, void *arg)
{
	struct registry_paper	*l = arg;
	json_t			*row = json_array_get(rows, 0);

	if (err != NULL)
		l->put(0, NULL, err, l->cbarg);
	else
		l->put(json_is_true(json_object_get(row, "applied")),
		    json_object_get(row, "current"), NULL, l->cbarg);
	free(l);
}

static void
registry_paper_put(const char *account, const char *order_id, int resting,
    json_t *body, int only_if_resting, paper_put_cb cb, void *cbarg,
    void *arg)
{
	struct registry_paper	*l = xcalloc(1, sizeof *l);
	char			*text = json_dumps(body, JSON_COMPACT);

	l->put = cb;
	l->cbarg = cbarg;
	store_paper_order_put(arg, account, order_id, resting, text,
	    only_if_resting, registry_paper_put_done, l);
	free(text);
}

static void
registry_paper_rows(json_t *rows, const struct err *err, void *arg)
{
	struct registry_paper	*l = arg;
	json_t			*bodies = json_array(), *row;
	size_t			 i;

	json_array_foreach(err == NULL ? rows : NULL, i, row)
		json_array_append(bodies, json_object_get(row, "body"));
	l->bodies(bodies, err, l->cbarg);
	json_decref(bodies);
	free(l);
}

static void
registry_paper_get(const char *account, const char *order_id,
    paper_bodies_cb cb, void *cbarg, void *arg)
{
	struct registry_paper	*l = xcalloc(1, sizeof *l);

	l->bodies = cb;
	l->cbarg = cbarg;
	store_paper_order_get(arg, account, order_id, registry_paper_rows, l);
}

static void
registry_paper_resting(const char *account, paper_bodies_cb cb, void *cbarg,
    void *arg)
{
	struct registry_paper	*l = xcalloc(1, sizeof *l);

	l->bodies = cb;
	l->cbarg = cbarg;
	store_paper_resting(arg, account, registry_paper_rows, l);
}

/* Decrypt one credential column; *out NULL when the row has none. */
static int
registry_secret(const struct broker_env *env, json_t *row, const char *key,
    char **out, struct err *err)
{
	const char	*ct = row_str(row, key);
	struct err	 e;

	*out = NULL;
	if (ct == NULL || *ct == '\0')
		return 0;
	err_clear(&e);
	if (secret_decrypt(env->home, ct, out, &e) != 0) {
		err_set(err, "credentials", "account \"%s\": cannot decrypt "
		    "its %s: %s", row_str(row, "account"), key, e.msg);
		return -1;
	}
	return 0;
}

static const char *
registry_algo_id(const struct config *cfg)
{
	const char	*s;

	if (cfg == NULL)
		return NULL;
	s = config_str(cfg, "broker.algo_id");
	if (s == NULL || *s == '\0')
		s = config_str(cfg, "firm.algo_id");
	return s;
}

static struct broker *
registry_kite(const struct broker_env *env, json_t *row, struct err *err)
{
	struct kite_opts	 o;
	struct broker		*b = NULL;
	char			*token = NULL, *secret = NULL;
	const char		*acct = row_str(row, "account");

	memset(&o, 0, sizeof o);
	o.name = row_str(row, "broker");
	o.base_url = row_str(row, "url");
	o.api_key = row_str(row, "api_key");
	if (o.base_url == NULL || o.api_key == NULL || *o.api_key == '\0') {
		err_set(err, "credentials", "account \"%s\": broker \"%s\" has "
		    "no %s", acct, o.name, o.base_url == NULL ? "url" :
		    "api key");
		return NULL;
	}
	if (registry_secret(env, row, "access_token", &token, err) != 0 ||
	    registry_secret(env, row, "api_secret", &secret, err) != 0)
		goto out;
	if (token == NULL) {
		err_set(err, "credentials", "account \"%s\" has no access "
		    "token: account set %s access-token TOKEN", acct, acct);
		goto out;
	}
	o.access_token = token;
	o.api_secret = secret;
	if (env->cfg != NULL) {
		o.timeout_ms = (int)config_int(env->cfg, "broker.timeout_ms");
		o.market_protection = (int)config_int(env->cfg,
		    "broker.market_protection");
	}
	o.algo_id = registry_algo_id(env->cfg);
	o.http = env->http;
	b = kite_new(&o);
out:
	if (token != NULL)
		secret_free(token);
	if (secret != NULL)
		secret_free(secret);
	return b;
}

struct broker *
broker_from_row(const struct broker_env *env, json_t *row, struct err *err)
{
	struct paper_opts	 po;
	struct paper_store	 ps;
	const char		*kind = row_str(row, "kind");

	if (kind != NULL && strcmp(kind, "kite") == 0)
		return registry_kite(env, row, err);
	if (kind != NULL && strcmp(kind, "paper") == 0) {
		memset(&po, 0, sizeof po);
		po.name = row_str(row, "account");
		if (env->store != NULL) {
			po.lookup = registry_lookup;
			po.lookup_arg = env->store;
			po.seed = registry_seed;
			po.seed_arg = env->store;
			ps.put = registry_paper_put;
			ps.get = registry_paper_get;
			ps.resting = registry_paper_resting;
			ps.arg = env->store;
			po.store = &ps;
		}
		return paper_new(&po);
	}
	err_set(err, "credentials", "account \"%s\": broker kind \"%s\" has "
	    "no adapter", row_str(row, "account"), kind != NULL ? kind : "?");
	return NULL;
}

int
broker_orders_per_sec(const struct broker *b)
{
	if (b != NULL && strcmp(b->ops->name, "kite") == 0)
		return KITE_ORDERS_PER_SEC;
	return 0;
}

void
broker_free(struct broker *b)
{
	if (b != NULL)
		b->ops->free(b);
}
