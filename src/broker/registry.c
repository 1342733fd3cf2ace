/*
 * From the registry to a live adapter: one row of store_broker_creds()
 * (broker kind, url, the account's key over the broker's, encrypted token
 * and secret) becomes a struct broker.  Decrypted secrets live only in
 * the adapter and in this file's locals, which are wiped before return.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker_lib.h"
#include "util/config.h"
#include "util/secret.h"

static const char *
row_str(json_t *row, const char *key)
{
	return json_string_value(json_object_get(row, key));
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
	if ((env->keys != NULL ? secret_keys_decrypt(env->keys, ct, out, &e) :
	    secret_decrypt(env->home, ct, out, &e)) != 0) {
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

/*
 * broker.ca_file, when set, must be a file this process can read: said
 * here, naming it, rather than as a TLS failure at the first order.
 * Whether it holds certificates libcurl finds out when it connects.
 */
static int
registry_ca_file(const struct config *cfg, const char **out, struct err *err)
{
	const char	*path;
	FILE		*f;

	*out = NULL;
	if (cfg == NULL || (path = config_str(cfg, "broker.ca_file")) == NULL ||
	    *path == '\0')
		return 0;
	/* A directory opens; only reading it fails. */
	if ((f = fopen(path, "r")) == NULL || (getc(f) == EOF && ferror(f))) {
		err_set(err, "config", "broker.ca_file: cannot read \"%s\": %s",
		    path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	*out = path;
	return 0;
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
	if (registry_ca_file(env->cfg, &o.ca_file, err) != 0)
		return NULL;
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
	const char		*kind = row_str(row, "kind");

	if (kind != NULL && strcmp(kind, "kite") == 0)
		return registry_kite(env, row, err);
	if (kind != NULL && strcmp(kind, "paper") == 0) {
		memset(&po, 0, sizeof po);
		po.name = row_str(row, "account");
		po.lookup = env->lookup;
		po.lookup_arg = env->lookup_arg;
		po.seed = env->seed;
		po.seed_arg = env->seed_arg;
		if (env->paper.put != NULL)
			po.store = &env->paper;
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
