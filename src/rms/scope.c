/*
 * Scopes: firm > group > account > strategy.  The store gives bindings
 * (a template version per scope), the overrides that are live now, and
 * the firm's and groups' states; an account carries its own state.  An
 * account's effective limits narrow from the firm down, so binding a
 * looser template lower down never loosens what is bound above it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rms/rms.h"

#define E_WORLD	"rms-store"

static const char *const kind_names[RS__COUNT] = { "firm", "group",
	"account", "strategy" };

const char *
rms_scope_kind_name(enum rms_scope_kind k)
{
	return k >= 0 && k < RS__COUNT ? kind_names[k] : "?";
}

int
rms_scope_kind_parse(const char *s, enum rms_scope_kind *out)
{
	int	i;

	for (i = 0; s != NULL && i < RS__COUNT; i++) {
		if (strcasecmp(s, kind_names[i]) == 0) {
			*out = (enum rms_scope_kind)i;
			return 0;
		}
	}
	return -1;
}

void
rms_world_free(struct rms_world *w)
{
	size_t	i;

	for (i = 0; i < w->nb; i++) {
		free(w->b[i].name);
		free(w->b[i].template);
	}
	for (i = 0; i < w->nst; i++)
		free(w->st[i].name);
	free(w->b);
	free(w->st);
	memset(w, 0, sizeof *w);
}

static const char *
str_of(const json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

const struct rms_binding *
rms_world_binding(const struct rms_world *w, enum rms_scope_kind kind,
    const char *name)
{
	size_t	i;

	for (i = 0; i < w->nb; i++) {
		if (w->b[i].kind == kind && strcmp(w->b[i].name, name) == 0)
			return &w->b[i];
	}
	return NULL;
}

static struct rms_binding *
binding_add(struct rms_world *w, enum rms_scope_kind kind, const char *name)
{
	struct rms_binding	*b;

	w->b = xreallocarray(w->b, w->nb + 1, sizeof *w->b);
	b = &w->b[w->nb++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	b->name = xstrdup(name);
	b->template = xstrdup("");
	return b;
}

static int
load_bindings(const json_t *a, struct rms_world *w, struct err *e)
{
	struct rms_binding	*b;
	enum rms_scope_kind	 kind;
	const json_t		*x;
	size_t			 i;

	json_array_foreach(a, i, x) {
		if (rms_scope_kind_parse(str_of(x, "kind"), &kind) == -1) {
			err_set(e, E_WORLD, "binding %zu: bad scope kind", i);
			return -1;
		}
		b = binding_add(w, kind, str_of(x, "name"));
		free(b->template);
		b->template = xstrdup(str_of(x, "template"));
		b->version = (int)json_integer_value(json_object_get(x,
		    "version"));
		if (rms_limits_from_json(json_object_get(x, "limits"),
		    &b->limits, e) == -1)
			return -1;
	}
	return 0;
}

/* An override replaces its scope's value; a value it cannot parse is a
 * store problem, reported rather than guessed at. */
static int
load_overrides(const json_t *a, struct rms_world *w, struct err *e)
{
	struct rms_binding	*b;
	enum rms_scope_kind	 kind;
	const json_t		*x;
	size_t			 i;

	json_array_foreach(a, i, x) {
		if (rms_scope_kind_parse(str_of(x, "kind"), &kind) == -1) {
			err_set(e, E_WORLD, "override %zu: bad scope kind", i);
			return -1;
		}
		b = (struct rms_binding *)rms_world_binding(w, kind,
		    str_of(x, "name"));
		if (b == NULL)
			b = binding_add(w, kind, str_of(x, "name"));
		if (rms_limit_set(&b->limits, str_of(x, "limit"),
		    str_of(x, "value"), e) == -1)
			return -1;
		w->noverrides++;
	}
	return 0;
}

static int
load_states(const json_t *a, struct rms_world *w, struct err *e)
{
	const json_t	*x;
	size_t		 i;

	w->st = xcalloc(json_array_size(a) + 1, sizeof *w->st);
	json_array_foreach(a, i, x) {
		if (rms_scope_kind_parse(str_of(x, "kind"),
		    &w->st[w->nst].kind) == -1 ||
		    trading_state_parse(str_of(x, "state"),
		    &w->st[w->nst].state) == -1) {
			err_set(e, E_WORLD, "state %zu is unreadable", i);
			return -1;
		}
		w->st[w->nst].name = xstrdup(str_of(x, "name"));
		w->nst++;
	}
	return 0;
}

int
rms_world_load(const json_t *row, struct rms_world *w, struct err *e)
{
	memset(w, 0, sizeof *w);
	if (!json_is_object(row) ||
	    !json_is_array(json_object_get(row, "bindings")) ||
	    !json_is_array(json_object_get(row, "overrides")) ||
	    !json_is_array(json_object_get(row, "states"))) {
		err_set(e, E_WORLD, "the RMS rows are malformed");
		return -1;
	}
	if (load_bindings(json_object_get(row, "bindings"), w, e) == -1 ||
	    load_overrides(json_object_get(row, "overrides"), w, e) == -1 ||
	    load_states(json_object_get(row, "states"), w, e) == -1) {
		rms_world_free(w);
		return -1;
	}
	return 0;
}

static enum trading_state
state_of(const struct rms_world *w, enum rms_scope_kind kind,
    const char *name)
{
	size_t	i;

	for (i = 0; i < w->nst; i++) {
		if (w->st[i].kind == kind && strcmp(w->st[i].name, name) == 0)
			return w->st[i].state;
	}
	return TRADING_ACTIVE;
}

static void
narrow_by(const struct rms_world *w, enum rms_scope_kind kind,
    const char *name, struct rms_limits *out)
{
	const struct rms_binding	*b = rms_world_binding(w, kind, name);

	if (b != NULL)
		rms_limits_narrow(out, &b->limits);
}

void
rms_effective(const struct rms_world *w, const struct account *a,
    struct rms_limits *out, enum trading_state *st)
{
	size_t	i;

	memset(out, 0, sizeof *out);
	narrow_by(w, RS_FIRM, "", out);
	*st = state_of(w, RS_FIRM, "");
	for (i = 0; i < a->ntags; i++) {
		narrow_by(w, RS_GROUP, a->tags[i], out);
		*st = rms_state_min(*st, state_of(w, RS_GROUP, a->tags[i]));
	}
	narrow_by(w, RS_ACCOUNT, a->name, out);
	*st = rms_state_min(*st, a->state);
}
