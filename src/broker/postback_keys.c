/*
 * The api secrets that sign postbacks, kept from the last registry read,
 * so a postback is checked before anything touches the store -- and can
 * still be checked (and a forgery refused) while the store is away.
 * Ciphertexts come from the registry; each secret is decrypted on first
 * use and wiped when the cache is replaced.
 */
#include <stdlib.h>
#include <string.h>

#include "broker/kite.h"
#include "broker/postback_int.h"
#include "util/secret.h"

struct pb_keys {
	char		*home;
	struct pb_key	*v;
	size_t		 n;
	int64_t		 loaded_us;
};

struct pb_keys *
pb_keys_new(const char *home)
{
	struct pb_keys	*k;

	k = xcalloc(1, sizeof *k);
	k->home = home != NULL ? xstrdup(home) : NULL;
	return k;
}

static void
pb_keys_clear(struct pb_keys *k)
{
	size_t	i;

	for (i = 0; i < k->n; i++) {
		if (k->v[i].secret != NULL)
			secret_free(k->v[i].secret);
		json_decref(k->v[i].row);
	}
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

void
pb_keys_free(struct pb_keys *k)
{
	if (k == NULL)
		return;
	pb_keys_clear(k);
	free(k->home);
	free(k);
}

static const char *
row_str(json_t *row, const char *key)
{
	return json_string_value(json_object_get(row, key));
}

/* Kite accounts with a user id and an api secret; the rest sign nothing. */
void
pb_keys_load(struct pb_keys *k, json_t *rows, int64_t now_us)
{
	struct pb_key	*e;
	json_t		*row;
	const char	*user, *acct, *kind, *ct;
	size_t		 i;

	pb_keys_clear(k);
	k->v = xcalloc(json_array_size(rows) + 1, sizeof *k->v);
	json_array_foreach(rows, i, row) {
		user = row_str(row, "user_id");
		acct = row_str(row, "account");
		kind = row_str(row, "kind");
		ct = row_str(row, "api_secret");
		if (user == NULL || acct == NULL || kind == NULL ||
		    ct == NULL || strcmp(kind, "kite") != 0 ||
		    strlen(user) >= sizeof e->user_id ||
		    strlen(acct) >= sizeof e->account)
			continue;
		e = &k->v[k->n++];
		memcpy(e->user_id, user, strlen(user) + 1);
		memcpy(e->account, acct, strlen(acct) + 1);
		e->account_id = json_integer_value(json_object_get(row,
		    "account_id"));
		e->row = json_incref(row);
	}
	k->loaded_us = now_us > 0 ? now_us : 1;
}

int64_t
pb_keys_loaded(const struct pb_keys *k)
{
	return k->loaded_us;
}

size_t
pb_keys_count(const struct pb_keys *k)
{
	return k->n;
}

static const char *
pb_key_secret(struct pb_keys *k, struct pb_key *e)
{
	struct err	err;

	if (e->secret != NULL || e->undecryptable)
		return e->secret;
	err_clear(&err);
	if (secret_decrypt(k->home, row_str(e->row, "api_secret"),
	    &e->secret, &err) != 0) {
		e->undecryptable = 1;
		e->secret = NULL;
		log_warn("postback", "account %s: api secret cannot be "
		    "decrypted: %s", e->account, err.msg);
	}
	return e->secret;
}

/* One user id may have accounts at several brokers: try each secret. */
enum pb_match
pb_keys_verify(struct pb_keys *k, const char *user_id, const char *order_id,
    const char *order_ts, const char *checksum, const struct pb_key **key)
{
	const char	*secret;
	size_t		 i;
	int		 known = 0;

	*key = NULL;
	for (i = 0; i < k->n; i++) {
		if (strcmp(k->v[i].user_id, user_id) != 0)
			continue;
		known = 1;
		if ((secret = pb_key_secret(k, &k->v[i])) == NULL)
			continue;
		if (kite_postback_verify(order_id, order_ts, secret,
		    checksum) == 0) {
			*key = &k->v[i];
			return PB_MATCH;
		}
	}
	return known ? PB_MISMATCH : PB_NO_USER;
}
