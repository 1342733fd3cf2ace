/* The account registry as the engine holds it in memory. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"

static const char *trading_state_names[] = { "ACTIVE", "REDUCING", "HALTED" };

const char *
trading_state_name(enum trading_state s)
{
	return trading_state_names[s];
}

int
trading_state_parse(const char *s, enum trading_state *out)
{
	size_t	i;

	for (i = 0; i < nitems(trading_state_names); i++) {
		if (strcasecmp(s, trading_state_names[i]) == 0) {
			*out = (enum trading_state)i;
			return 0;
		}
	}
	return -1;
}

static void
account_free_fields(struct account *a)
{
	size_t	i;

	free(a->name);
	free(a->broker);
	free(a->user_id);
	for (i = 0; i < a->ntags; i++)
		free(a->tags[i]);
	free(a->tags);
}

void
account_set_free(struct account_set *set)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		account_free_fields(&set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

int
account_has_tag(const struct account *a, const char *tag)
{
	size_t	i;

	for (i = 0; i < a->ntags; i++) {
		if (strcmp(a->tags[i], tag) == 0)
			return 1;
	}
	return 0;
}

static int
account_cmp(const void *x, const void *y)
{
	const struct account	*a = x, *b = y;

	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	return strcmp(a->name, b->name);
}

void
account_set_sort(struct account_set *set)
{
	if (set->n > 1)
		qsort(set->v, set->n, sizeof *set->v, account_cmp);
}

/* A deep copy: fan-outs hold their own, the router keeps the cache. */
void
account_set_copy(struct account_set *dst, const struct account_set *src)
{
	const struct account	*a;
	struct account		*b;
	size_t			 i, j;

	dst->v = xcalloc(src->n + 1, sizeof *dst->v);
	dst->n = src->n;
	for (i = 0; i < src->n; i++) {
		a = &src->v[i];
		b = &dst->v[i];
		*b = *a;
		b->name = xstrdup(a->name);
		b->broker = xstrdup(a->broker);
		b->user_id = xstrdup(a->user_id);
		b->tags = xcalloc(a->ntags + 1, sizeof *b->tags);
		for (j = 0; j < a->ntags; j++)
			b->tags[j] = xstrdup(a->tags[j]);
	}
}
