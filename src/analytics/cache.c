/*
 * Results of repeated queries, kept until a NOTIFY says the data under
 * them changed.  The console asks for the same curves every refresh; a
 * snapshot or fill clears the lot, so a hit is never stale by more than
 * the NOTIFY's trip.  A ring of max entries: the oldest goes first.
 */
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "util/util.h"

struct an_cache_ent {
	char	*key;
	json_t	*value;
};

struct an_cache {
	struct an_cache_ent	*v;
	size_t			 max, n, next;
	uint64_t		 hits, misses;
};

struct an_cache *
an_cache_new(size_t max)
{
	struct an_cache	*c = xcalloc(1, sizeof *c);

	c->max = max > 0 ? max : 1;
	c->v = xcalloc(c->max, sizeof *c->v);
	return c;
}

static void
ent_clear(struct an_cache_ent *e)
{
	free(e->key);
	json_decref(e->value);
	e->key = NULL;
	e->value = NULL;
}

void
an_cache_clear(struct an_cache *c)
{
	size_t	i;

	for (i = 0; i < c->max; i++)
		ent_clear(&c->v[i]);
	c->n = c->next = 0;
}

void
an_cache_free(struct an_cache *c)
{
	if (c == NULL)
		return;
	an_cache_clear(c);
	free(c->v);
	free(c);
}

json_t *
an_cache_get(struct an_cache *c, const char *key)
{
	size_t	i;

	for (i = 0; i < c->max; i++) {
		if (c->v[i].key != NULL && strcmp(c->v[i].key, key) == 0) {
			c->hits++;
			return c->v[i].value;
		}
	}
	c->misses++;
	return NULL;
}

void
an_cache_put(struct an_cache *c, const char *key, json_t *value)
{
	struct an_cache_ent	*e = NULL;
	size_t			 i;

	for (i = 0; i < c->max && e == NULL; i++) {
		if (c->v[i].key != NULL && strcmp(c->v[i].key, key) == 0)
			e = &c->v[i];
	}
	if (e == NULL) {
		e = &c->v[c->next];
		c->next = (c->next + 1) % c->max;
		if (e->key == NULL)
			c->n++;
	}
	ent_clear(e);
	e->key = xstrdup(key);
	e->value = json_incref(value);
}

void
an_cache_stats(const struct an_cache *c, uint64_t *hits, uint64_t *misses)
{
	*hits = c->hits;
	*misses = c->misses;
}
