/*
 * A parsed command's arguments: stored in the order given, looked up by key,
 * freed with the command.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_int.h"

void
cmd_add_arg(struct cmd *c, const char *key, const char *val, int col)
{
	c->args = xreallocarray(c->args, c->nargs + 1, sizeof *c->args);
	c->args[c->nargs].key = xstrdup(key);
	c->args[c->nargs].val = xstrdup(val);
	c->args[c->nargs].col = col;
	c->nargs++;
}

const struct cmd_arg *
cmd_find_arg(const struct cmd *c, const char *key)
{
	size_t	i;

	for (i = 0; i < c->nargs; i++) {
		if (strcmp(c->args[i].key, key) == 0)
			return &c->args[i];
	}
	return NULL;
}

const char *
cmd_get(const struct cmd *c, const char *key)
{
	const struct cmd_arg	*a = cmd_find_arg(c, key);

	return a != NULL ? a->val : NULL;
}

int
cmd_has(const struct cmd *c, const char *key)
{
	return cmd_find_arg(c, key) != NULL;
}

int64_t
cmd_get_int(const struct cmd *c, const char *key, int64_t def)
{
	const char	*v = cmd_get(c, key);
	char		*end;
	long long	 n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtoll(v, &end, 10);
	if (*end != '\0')
		return def;
	return n;
}

void
cmd_target_free(struct target *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t);
}

void
cmd_free(struct cmd *c)
{
	size_t	i;

	if (c == NULL)
		return;
	/* A command may carry secrets: wipe before freeing. */
	for (i = 0; i < c->nargs; i++) {
		free(c->args[i].key);
		explicit_bzero(c->args[i].val, strlen(c->args[i].val));
		free(c->args[i].val);
	}
	free(c->args);
	if (c->text != NULL)
		explicit_bzero(c->text, strlen(c->text));
	free(c->text);
	cmd_target_free(c->target);
	memset(c, 0, sizeof *c);
}

void
cmd_list_free(struct cmd_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		cmd_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
