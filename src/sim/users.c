/*
 * Simulated Kite users: one api key and access token each, made up from
 * the seed or read from a file, plus the per-key order rate window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sim/sim_int.h"

static void
rand_word(struct sim_rng *r, char *buf, size_t n)
{
	static const char	alnum[] =
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t			i;

	for (i = 0; i < n; i++)
		buf[i] = alnum[sim_rng_below(r, sizeof alnum - 1)];
	buf[n] = '\0';
}

int
sim_users_generate(struct sim_user **out, size_t n, uint64_t seed,
    int64_t cash)
{
	struct sim_user	*u = xcalloc(n, sizeof *u);
	struct sim_rng	 r;
	size_t		 i;

	sim_rng_seed(&r, sim_hash64(seed ^ 0x7573657273ULL));
	for (i = 0; i < n; i++) {
		snprintf(u[i].user_id, sizeof u[i].user_id, "SIM%03u",
		    (unsigned)(i + 1));
		rand_word(&r, u[i].api_key, 16);
		rand_word(&r, u[i].api_secret, 32);
		rand_word(&r, u[i].access_token, 32);
		u[i].cash = cash;
	}
	*out = u;
	return 0;
}

static int
copy_field(const json_t *o, const char *key, char *dst, size_t len,
    size_t idx, struct err *e)
{
	const char	*s = json_string_value(json_object_get(o, key));

	if (s == NULL || *s == '\0' || strlen(s) >= len ||
	    strpbrk(s, ": \t\r\n") != NULL) {
		err_set(e, "users-file", "user %zu: `%s` is missing, too long "
		    "or has a space or colon", idx + 1, key);
		return -1;
	}
	snprintf(dst, len, "%s", s);
	return 0;
}

/* A JSON array of {user_id, api_key, api_secret, access_token[, cash]}. */
int
sim_users_load(struct sim_user **out, size_t *np, const char *path,
    int64_t cash, struct err *e)
{
	json_error_t	 je;
	json_t		*root, *o, *c;
	struct sim_user	*u;
	size_t		 i, n;
	int64_t		 p;

	if ((root = json_load_file(path, 0, &je)) == NULL) {
		err_set(e, "users-file", "%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	if (!json_is_array(root) || (n = json_array_size(root)) == 0) {
		err_set(e, "users-file", "%s: expected a non-empty JSON array",
		    path);
		json_decref(root);
		return -1;
	}
	u = xcalloc(n, sizeof *u);
	json_array_foreach(root, i, o) {
		if (copy_field(o, "user_id", u[i].user_id,
		    sizeof u[i].user_id, i, e) == -1 ||
		    copy_field(o, "api_key", u[i].api_key,
		    sizeof u[i].api_key, i, e) == -1 ||
		    copy_field(o, "api_secret", u[i].api_secret,
		    sizeof u[i].api_secret, i, e) == -1 ||
		    copy_field(o, "access_token", u[i].access_token,
		    sizeof u[i].access_token, i, e) == -1) {
			json_decref(root);
			free(u);
			return -1;
		}
		u[i].cash = cash;
		c = json_object_get(o, "cash");
		if (json_is_string(c) &&
		    sim_parse_paise(json_string_value(c), &p) == 0)
			u[i].cash = p;
		else if (json_is_integer(c))
			u[i].cash = (int64_t)json_integer_value(c) * 100;
	}
	json_decref(root);
	*out = u;
	*np = n;
	return 0;
}

void
sim_users_free(struct sim_user *u, size_t n)
{
	size_t	i, j;

	if (u == NULL)
		return;
	for (i = 0; i < n; i++) {
		for (j = 0; j < u[i].norders; j++) {
			free(u[i].orders[j]->hist);
			free(u[i].orders[j]);
		}
		for (j = 0; j < u[i].ntrades; j++)
			free(u[i].trades[j]);
		free(u[i].orders);
		free(u[i].trades);
		free(u[i].pos);
		sodium_memzero(u[i].api_secret, sizeof u[i].api_secret);
		sodium_memzero(u[i].access_token, sizeof u[i].access_token);
	}
	free(u);
}

/*
 * "token api_key:access_token" -> the user.  The token compare is
 * constant-time so response timing says nothing about a guess.
 */
struct sim_user *
sim_users_auth(struct sim_user *u, size_t n, const char *hdr, size_t *idx)
{
	const char	*colon, *tok;
	size_t		 i, klen, tlen;

	if (hdr == NULL || strncmp(hdr, "token ", 6) != 0)
		return NULL;
	hdr += 6;
	if ((colon = strchr(hdr, ':')) == NULL)
		return NULL;
	klen = (size_t)(colon - hdr);
	tok = colon + 1;
	tlen = strlen(tok);
	for (i = 0; i < n; i++) {
		if (strlen(u[i].api_key) != klen ||
		    memcmp(u[i].api_key, hdr, klen) != 0)
			continue;
		if (strlen(u[i].access_token) != tlen ||
		    sodium_memcmp(u[i].access_token, tok, tlen) != 0)
			return NULL;
		*idx = i;
		return &u[i];
	}
	return NULL;
}

/* Sliding one-second window over the last `limit` order requests. */
int
sim_rate_allow(struct sim_user *u, int limit, int64_t now_us)
{
	size_t	n = nitems(u->rate_us), oldest;

	if (limit <= 0)
		return 1;
	if ((size_t)limit > n)
		limit = (int)n;
	oldest = (u->rate_next + n - (size_t)limit) % n;
	if (u->rate_us[oldest] != 0 && now_us - u->rate_us[oldest] < 1000000)
		return 0;
	u->rate_us[u->rate_next] = now_us;
	u->rate_next = (u->rate_next + 1) % n;
	return 1;
}
