/*
 * Histograms by key -- per broker (name) and per account (id) -- in an
 * open-addressing table.  Keys are few (brokers) to a thousand or so
 * (accounts) and never removed, so linear probing and doubling suffice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"

struct lat_entry {
	char		*key;		/* NULL: free slot */
	struct lat_hist	*h;
};

struct lat_map {
	struct lat_entry	*v;
	size_t			 cap;	/* power of two */
	size_t			 n;
};

struct lat_map *
lat_map_new(void)
{
	struct lat_map	*m;

	m = xcalloc(1, sizeof *m);
	m->cap = 16;
	m->v = xcalloc(m->cap, sizeof *m->v);
	return m;
}

void
lat_map_free(struct lat_map *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->cap; i++) {
		free(m->v[i].key);
		free(m->v[i].h);
	}
	free(m->v);
	free(m);
}

static struct lat_entry *
lat_slot(struct lat_entry *v, size_t cap, const char *key)
{
	size_t	i = (size_t)str_hash64(key) & (cap - 1);

	while (v[i].key != NULL && strcmp(v[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static void
lat_grow(struct lat_map *m)
{
	struct lat_entry	*old = m->v;
	size_t			 i, oldcap = m->cap;

	m->cap *= 2;
	m->v = xcalloc(m->cap, sizeof *m->v);
	for (i = 0; i < oldcap; i++) {
		if (old[i].key != NULL)
			*lat_slot(m->v, m->cap, old[i].key) = old[i];
	}
	free(old);
}

struct lat_hist *
lat_map_get(struct lat_map *m, const char *key)
{
	struct lat_entry	*e;

	e = lat_slot(m->v, m->cap, key);
	if (e->key != NULL)
		return e->h;
	if ((m->n + 1) * 4 > m->cap * 3) {
		lat_grow(m);
		e = lat_slot(m->v, m->cap, key);
	}
	e->key = xstrdup(key);
	e->h = xmalloc(sizeof *e->h);
	lat_init(e->h);
	m->n++;
	return e->h;
}

struct lat_hist *
lat_map_get_id(struct lat_map *m, int64_t id)
{
	char	buf[24];

	snprintf(buf, sizeof buf, "%lld", (long long)id);
	return lat_map_get(m, buf);
}

const struct lat_hist *
lat_map_find(const struct lat_map *m, const char *key)
{
	const struct lat_entry	*e;

	e = lat_slot(m->v, m->cap, key);
	return e->key != NULL ? e->h : NULL;
}

size_t
lat_map_count(const struct lat_map *m)
{
	return m->n;
}

void
lat_map_each(const struct lat_map *m, void (*cb)(const char *,
    const struct lat_hist *, void *), void *arg)
{
	size_t	i;

	for (i = 0; i < m->cap; i++) {
		if (m->v[i].key != NULL)
			cb(m->v[i].key, m->v[i].h, arg);
	}
}
