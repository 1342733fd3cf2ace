/*
 * Target resolution: the one place that turns "all", "group:TAG", "TAG" or
 * "acct:a,acct:b" into accounts.  The router, square-off and the console
 * all go through here so they agree on who a command reaches and in what
 * order (priority, then name).
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/target.h"

static int
match_ptr_cmp(const void *x, const void *y)
{
	const struct account	*a = *(const struct account *const *)x;
	const struct account	*b = *(const struct account *const *)y;

	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	return strcmp(a->name, b->name);
}

static const struct account *
target_find(const struct account_set *all, const char *name)
{
	size_t	i;

	for (i = 0; i < all->n; i++) {
		if (strcmp(all->v[i].name, name) == 0)
			return &all->v[i];
	}
	return NULL;
}

static int
target_listed(const struct target_match *m, const struct account *a)
{
	size_t	i;

	for (i = 0; i < m->n; i++) {
		if (m->v[i] == a)
			return 1;
	}
	return 0;
}

static int
target_resolve_names(const struct target *t, const struct account_set *all,
    struct target_match *out, struct err *err)
{
	const struct account	*a;
	size_t			 i;

	for (i = 0; i < t->n; i++) {
		if ((a = target_find(all, t->names[i])) == NULL) {
			err_set(err, "unknown-account", "unknown account \"%s\"",
			    t->names[i]);
			return -1;
		}
		if (!target_listed(out, a))
			out->v[out->n++] = a;
	}
	return 0;
}

int
target_resolve(const struct target *t, const struct account_set *all,
    struct target_match *out, struct err *err)
{
	size_t	i;

	out->v = xcalloc(all->n ? all->n : 1, sizeof *out->v);
	out->n = 0;
	switch (t->kind) {
	case TARGET_ALL:
		for (i = 0; i < all->n; i++)
			out->v[out->n++] = &all->v[i];
		break;
	case TARGET_GROUP:
		for (i = 0; i < all->n; i++) {
			if (account_has_tag(&all->v[i], t->names[0]))
				out->v[out->n++] = &all->v[i];
		}
		if (out->n == 0) {
			err_set(err, "unknown-group",
			    "no account is tagged \"%s\"", t->names[0]);
			target_match_free(out);
			return -1;
		}
		break;
	case TARGET_ACCOUNTS:
		if (target_resolve_names(t, all, out, err) != 0) {
			target_match_free(out);
			return -1;
		}
		break;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, match_ptr_cmp);
	return 0;
}

void
target_match_free(struct target_match *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

char *
target_format(const struct target *t)
{
	struct strbuf	b;
	size_t		i;

	if (t == NULL || t->kind == TARGET_ALL)
		return xstrdup("all");
	if (t->kind == TARGET_GROUP)
		return xasprintf("group:%s", t->names[0]);
	strbuf_init(&b);
	for (i = 0; i < t->n; i++)
		strbuf_printf(&b, "%sacct:%s", i ? "," : "", t->names[i]);
	return strbuf_steal(&b);
}
