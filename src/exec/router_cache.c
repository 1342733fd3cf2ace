/*
 * The router's lookups: the registry, the credentials (and so the
 * adapters), instruments, fan-out and order ids, each read once and then served
 * from memory until a process announces a change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_broker.h"
#include "exec/router_int.h"
#include "net/net.h"
#include "util/secret.h"

/* The prefetch in flight; r is NULL once the router is gone. */
struct router_prefetch {
	struct router	*r;
};

/* An instrument lookup no fan-out waits for (router_instrument_warm). */
struct router_warm {
	struct router		*r;	/* NULL once the router is gone */
	uint64_t		 gen;	/* the registry's when sent */
	char			 key[64];
	struct router_warm	*next;
};

static void
router_changed(const char *what, void *arg)
{
	struct router		*r = arg;
	struct router_cache	*c = &r->cache;

	if (what != NULL && strcmp(what, "instruments") == 0) {
		json_object_clear(c->instruments);
		return;
	}
	/* Incidents and limits are the RMS's; nothing cached here moves. */
	if (what != NULL && (strcmp(what, "incidents") == 0 ||
	    strcmp(what, "rms") == 0))
		return;
	c->gen++;
	account_set_free(&c->accounts);
	c->accounts_ok = 0;
	/* A trading state is the registry's, not the credentials'. */
	if (what != NULL && strcmp(what, "states") == 0)
		return;
	json_decref(c->creds);
	c->creds = NULL;
}

static void
router_notified(const char *channel, const char *payload, void *arg)
{
	router_changed(payload, arg);
}

void
router_cache_init(struct router *r)
{
	r->cache.instruments = json_object();
	pg_listen(store_conn(r->store), STORE_REGISTRY_CHANNEL,
	    router_notified, r);
	store_on_change(r->store, router_changed, r);
}

void
router_cache_free(struct router *r)
{
	struct router_warm	*w;

	store_on_change(r->store, NULL, NULL);
	router_changed(NULL, r);
	json_decref(r->cache.instruments);
	r->cache.instruments = NULL;
	for (w = r->cache.warms; w != NULL; w = w->next)
		w->r = NULL;
	r->cache.warms = NULL;
	if (r->cache.prefetch != NULL)
		r->cache.prefetch->r = NULL;
	r->cache.prefetch = NULL;
	free(r->cache.order_ids);
	r->cache.order_ids = NULL;
	r->cache.norder_ids = r->cache.order_ids_cap = 0;
}

struct router_load {
	struct fanout	*fo;
	uint64_t	 gen;
	void		(*next)(struct fanout *);
};

static void
router_creds_apply(struct fanout *fo, json_t *rows)
{
	struct secret_keys	*keys = secret_keys_new(fo->r->home);
	size_t			 i, j;
	json_t			*row;
	struct err		 e;

	/* Only the accounts this fan-out reaches need an adapter. */
	json_array_foreach(rows, i, row) {
		int64_t id = json_integer_value(json_object_get(row,
		    "account_id"));

		for (j = 0; j < fo->match.n; j++) {
			if (fo->match.v[j]->id != id)
				continue;
			err_clear(&e);
			router_acct_refresh(fo->r, row, keys, &e);
			if (err_isset(&e))
				json_object_set_new(fo->notes,
				    fo->match.v[j]->name, json_string(e.msg));
		}
	}
	secret_keys_free(keys);
}

static void
router_creds_loaded(json_t *rows, const struct err *err, void *arg)
{
	struct router_load	*rl = arg;
	struct fanout		*fo = rl->fo;
	void			(*next)(struct fanout *) = rl->next;
	uint64_t		 gen = rl->gen;

	free(rl);
	if (err != NULL) {
		fanout_fail(fo, err->code, "%s", err->msg);
		return;
	}
	if (gen == fo->r->cache.gen) {
		json_decref(fo->r->cache.creds);
		fo->r->cache.creds = json_deep_copy(rows);
	}
	router_creds_apply(fo, rows);
	next(fo);
}

/* Make sure every targeted account has a current adapter, then next(). */
void
router_load_brokers(struct fanout *fo, void (*next)(struct fanout *))
{
	struct router_load	*rl;

	if (fo->r->cache.creds != NULL) {
		router_creds_apply(fo, fo->r->cache.creds);
		next(fo);
		return;
	}
	rl = xmalloc(sizeof *rl);
	rl->fo = fo;
	rl->gen = fo->r->cache.gen;
	rl->next = next;
	store_broker_creds(fo->r->store, NULL, NULL, router_creds_loaded, rl);
}

struct router_call {
	struct fanout	*fo;
	uint64_t	 gen;
	void		*cb;
	char		 key[64];
};

static void
router_accounts_loaded(struct account_set *set, const struct err *err,
    void *arg)
{
	struct router_call	*c = arg;
	store_accounts_cb	 cb = (store_accounts_cb)c->cb;
	struct router_cache	*rc = &c->fo->r->cache;

	if (err == NULL && !rc->accounts_ok && c->gen == rc->gen) {
		account_set_copy(&rc->accounts, set);
		rc->accounts_ok = 1;
	}
	cb(set, err, c->fo);
	free(c);
}

/* The registry for one fan-out: its own copy, from the cache if warm. */
void
router_load_accounts(struct fanout *fo, store_accounts_cb cb)
{
	struct router_cache	*rc = &fo->r->cache;
	struct router_call	*c;
	struct account_set	 copy;

	if (rc->accounts_ok) {
		account_set_copy(&copy, &rc->accounts);
		cb(&copy, NULL, fo);
		account_set_free(&copy);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->fo = fo;
	c->gen = rc->gen;
	c->cb = (void *)cb;
	store_accounts_load(fo->r->store, router_accounts_loaded, c);
}

static void
router_instrument_loaded(json_t *rows, const struct err *err, void *arg)
{
	struct router_call	*c = arg;
	store_rows_cb		 cb = (store_rows_cb)c->cb;

	if (err == NULL && json_array_size(rows) > 0)
		json_object_set(c->fo->r->cache.instruments, c->key, rows);
	cb(rows, err, c->fo);
	free(c);
}

void
router_instrument(struct fanout *fo, const char *exchange,
    const char *symbol, store_rows_cb cb)
{
	struct router_call	*c;
	json_t			*rows;

	c = xcalloc(1, sizeof *c);
	snprintf(c->key, sizeof c->key, "%s:%s", exchange != NULL ? exchange :
	    "", symbol);
	if ((rows = json_object_get(fo->r->cache.instruments, c->key)) !=
	    NULL) {
		free(c);
		cb(rows, NULL, fo);
		return;
	}
	c->fo = fo;
	c->cb = (void *)cb;
	store_instrument_resolve(fo->r->store, exchange, symbol,
	    router_instrument_loaded, c);
}

/* Rows of store_fanout_next_ids into the blocks. */
static void
router_ids_keep(struct router_cache *rc, json_t *rows)
{
	size_t		 i;
	json_t		*row;
	const char	*kind;
	int64_t		 id;

	json_array_foreach(rows, i, row) {
		kind = json_string_value(json_object_get(row, "kind"));
		id = json_integer_value(json_object_get(row, "id"));
		if (kind != NULL && strcmp(kind, "fanout") == 0) {
			if (rc->nfanout_ids < nitems(rc->fanout_ids))
				rc->fanout_ids[rc->nfanout_ids++] = id;
			continue;
		}
		if (rc->norder_ids == rc->order_ids_cap) {
			rc->order_ids_cap = rc->order_ids_cap * 2 + 64;
			rc->order_ids = xreallocarray(rc->order_ids,
			    rc->order_ids_cap, sizeof *rc->order_ids);
		}
		rc->order_ids[rc->norder_ids++] = id;
	}
}

static void
router_instrument_warmed(json_t *rows, const struct err *err, void *arg)
{
	struct router_warm	*w = arg, **wp;

	if (w->r != NULL) {
		for (wp = &w->r->cache.warms; *wp != NULL; wp = &(*wp)->next) {
			if (*wp == w) {
				*wp = w->next;
				break;
			}
		}
		if (err == NULL && json_array_size(rows) > 0)
			json_object_set(w->r->cache.instruments, w->key, rows);
	}
	free(w);
}

static int
router_warming(const struct router *r, const char *key)
{
	const struct router_warm	*w;

	for (w = r->cache.warms; w != NULL; w = w->next) {
		if (strcmp(w->key, key) == 0)
			return 1;
	}
	return 0;
}

/*
 * Look an instrument up ahead of need (squareoff, while positions are
 * read); the answer only fills the cache.  A router freed meanwhile
 * detaches the lookups still in flight (router_cache_free).
 */
void
router_instrument_warm(struct router *r, const char *exchange,
    const char *symbol)
{
	struct router_warm	*w;

	w = xcalloc(1, sizeof *w);
	snprintf(w->key, sizeof w->key, "%s:%s", exchange, symbol);
	if (json_object_get(r->cache.instruments, w->key) != NULL ||
	    router_warming(r, w->key)) {
		free(w);
		return;
	}
	w->r = r;
	w->next = r->cache.warms;
	r->cache.warms = w;
	/* "" is no exchange: the key router_instrument makes for NULL. */
	store_instrument_resolve(r->store, exchange[0] != '\0' ? exchange :
	    NULL, symbol, router_instrument_warmed, w);
}

static void
router_ids_loaded(json_t *rows, const struct err *err, void *arg)
{
	struct router_call	*c = arg;
	struct fanout		*fo = c->fo;
	router_ids_cb		 cb = (router_ids_cb)c->cb;

	free(c);
	if (err != NULL) {
		cb(fo, err);
		return;
	}
	router_ids_keep(&fo->r->cache, rows);
	router_reserve_ids(fo, cb);
}

static void
router_ids_prefetched(json_t *rows, const struct err *err, void *arg)
{
	struct router_prefetch	*p = arg;

	if (p->r != NULL) {
		p->r->cache.prefetch = NULL;
		if (err == NULL)
			router_ids_keep(&p->r->cache, rows);
	}
	free(p);
}

/* A block of ids on its way, no fan-out waiting for it. */
static void
router_fetch_ids(struct router *r, int nf, int no)
{
	struct router_cache	*rc = &r->cache;

	if (nf == 0 && no == 0)
		return;
	rc->fetches++;
	rc->prefetch = xcalloc(1, sizeof *rc->prefetch);
	rc->prefetch->r = r;
	store_fanout_next_ids(r->store, nf, no, router_ids_prefetched,
	    rc->prefetch);
}

/*
 * A fan-out whose legs are not known yet (squareoff reads positions
 * first) asks for its ids meanwhile, so that none is fetched after.
 */
void
router_prefetch_ids(struct router *r, size_t norders)
{
	struct router_cache	*rc = &r->cache;
	int			 nf = 0, no = 0;

	if (rc->prefetch != NULL)
		return;
	if (rc->nfanout_ids == 0)
		nf = rc->fetches > 0 ? (int)nitems(rc->fanout_ids) : 1;
	if (rc->norder_ids < norders)
		no = (int)(norders - rc->norder_ids);
	router_fetch_ids(r, nf, no);
}

/*
 * After an intent is queued: blocks for the next fan-out of the same
 * size, so that the warm path makes no round trip for its ids.  Queued
 * behind the intent (same connection), answered while the legs are on
 * the wire.
 */
void
router_ids_topup(struct router *r, size_t need)
{
	struct router_cache	*rc = &r->cache;
	int			 nf = 0, no = 0;

	if (rc->prefetch != NULL)
		return;
	if (rc->nfanout_ids < 2)
		nf = (int)(nitems(rc->fanout_ids) - rc->nfanout_ids);
	if (rc->norder_ids < need)
		no = (int)(2 * need - rc->norder_ids);
	if (no > 0 && no < 256)
		no = 256;
	router_fetch_ids(r, nf, no);
}

static int
router_id_cmp(const void *x, const void *y)
{
	int64_t	a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

/* Legs that have no order id yet. */
static size_t
router_legs_unnumbered(const struct fanout *fo)
{
	size_t	i, n = 0;

	for (i = 0; i < fo->nlegs; i++)
		n += fo->legs[i]->order_id == 0;
	return n;
}

/*
 * Numbers from the prefetched blocks: the fan-out's id (smallest first,
 * so fan-outs of one router number upwards) and an order id for every
 * leg, in leg order.
 */
static void
router_take_ids(struct fanout *fo)
{
	struct router_cache	*rc = &fo->r->cache;
	size_t			 i, k = 0;

	if (fo->id == 0) {
		fo->id = rc->fanout_ids[0];
		for (i = 1; i < rc->nfanout_ids; i++)
			rc->fanout_ids[i - 1] = rc->fanout_ids[i];
		rc->nfanout_ids--;
	}
	if (rc->norder_ids == 0)
		return;		/* and no leg needs one */
	qsort(rc->order_ids, rc->norder_ids, sizeof *rc->order_ids,
	    router_id_cmp);
	for (i = 0; i < fo->nlegs; i++) {
		if (fo->legs[i]->order_id == 0)
			fo->legs[i]->order_id = rc->order_ids[k++];
	}
	memmove(rc->order_ids, rc->order_ids + k,
	    (rc->norder_ids - k) * sizeof *rc->order_ids);
	rc->norder_ids -= k;
}

/*
 * The fan-out's id and its legs' order ids, with no round trip when the
 * blocks hold enough: the intent row names every leg's order before any
 * is sent.  A router's first fetch takes what it needs (a one-command
 * batch wastes no number), later ones a block.
 */
void
router_reserve_ids(struct fanout *fo, router_ids_cb cb)
{
	struct router_cache	*rc = &fo->r->cache;
	struct router_call	*c;
	size_t			 need = router_legs_unnumbered(fo);
	int			 nf = 0, no = 0;


	if ((fo->id != 0 || rc->nfanout_ids > 0) && rc->norder_ids >= need) {
		router_take_ids(fo);
		cb(fo, NULL);
		return;
	}
	if (fo->id == 0 && rc->nfanout_ids == 0)
		nf = rc->fetches > 0 ? (int)nitems(rc->fanout_ids) : 1;
	if (rc->norder_ids < need)
		no = (int)(need - rc->norder_ids);
	if (rc->fetches > 0 && no > 0 && no < 256)
		no = 256;
	rc->fetches++;
	c = xcalloc(1, sizeof *c);
	c->fo = fo;
	c->cb = (void *)cb;
	store_fanout_next_ids(fo->r->store, nf, no, router_ids_loaded, c);
}

static struct router_warm *
router_warm_add(struct router *r, const char *key)
{
	struct router_warm	*w;

	if (router_warming(r, key))
		return NULL;	/* on its way already */
	w = xcalloc(1, sizeof *w);
	snprintf(w->key, sizeof w->key, "%s", key);
	w->r = r;
	w->gen = r->cache.gen;
	w->next = r->cache.warms;
	r->cache.warms = w;
	return w;
}

static void
router_warm_unlink(struct router_warm *w)
{
	struct router_warm	**wp;

	if (w->r == NULL)
		return;
	for (wp = &w->r->cache.warms; *wp != NULL; wp = &(*wp)->next) {
		if (*wp == w) {
			*wp = w->next;
			break;
		}
	}
}

static void
router_creds_warmed(json_t *rows, const struct err *err, void *arg)
{
	struct router_warm	*w = arg;
	struct secret_keys	*keys;
	json_t			*row;
	struct err		 e;
	size_t			 i;

	router_warm_unlink(w);
	if (w->r != NULL && err == NULL && w->r->cache.creds == NULL &&
	    w->gen == w->r->cache.gen) {
		w->r->cache.creds = json_deep_copy(rows);
		/* The adapters too: a fan-out then builds none. */
		keys = secret_keys_new(w->r->home);
		json_array_foreach(rows, i, row) {
			err_clear(&e);
			router_acct_refresh(w->r, row, keys, &e);
		}
		secret_keys_free(keys);
	}
	free(w);
}

static void
router_accounts_warmed(struct account_set *set, const struct err *err,
    void *arg)
{
	struct router_warm	*w = arg;
	struct router_cache	*rc = w->r != NULL ? &w->r->cache : NULL;

	router_warm_unlink(w);
	if (rc != NULL && err == NULL && !rc->accounts_ok && w->gen == rc->gen) {
		account_set_copy(&rc->accounts, set);
		rc->accounts_ok = 1;
	}
	free(w);
}

void
router_warm_registry(struct router *r)
{
	struct router_warm	*w;

	if (!r->cache.accounts_ok &&
	    (w = router_warm_add(r, "\001accounts")) != NULL)
		store_accounts_load(r->store, router_accounts_warmed, w);
	if (r->cache.creds == NULL &&
	    (w = router_warm_add(r, "\001creds")) != NULL)
		store_broker_creds(r->store, NULL, NULL, router_creds_warmed, w);
}

void
router_warm(struct router *r, size_t norders, const char *const *keys,
    size_t nkeys)
{
	const char		*colon;
	char			 ex[16];
	size_t			 i;

	router_warm_registry(r);
	if (r->cache.norder_ids < norders || r->cache.nfanout_ids == 0)
		router_prefetch_ids(r, norders);
	for (i = 0; i < nkeys; i++) {
		if ((colon = strchr(keys[i], ':')) == NULL ||
		    (size_t)(colon - keys[i]) >= sizeof ex)
			continue;
		snprintf(ex, sizeof ex, "%.*s", (int)(colon - keys[i]),
		    keys[i]);
		router_instrument_warm(r, ex, colon + 1);
	}
}
