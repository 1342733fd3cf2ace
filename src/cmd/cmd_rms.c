/*
 * The rms command family, grammar and handlers together:
 *   rms template list|show|add|set, rms apply, rms state, rms override,
 *   rms approve, rms overrides, rms halt|reduce|resume.
 * The rules themselves are src/rms (pure); the rows are db/store_rms.
 * Limit values are checked at parse time by the same code that reads
 * them back from the store, so a bad value is a parse error (exit 2)
 * and nothing is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd_rms_int.h"
#include "db/store_fanout.h"
#include "db/store_rms.h"
#include "rms/rms.h"

#define END_OPTS	{ .word = NULL }

static const struct cmd_opt template_add_opts[] = {
	{ .word = "from", .type = V_NAME, .what = "a template name" },
	{ .word = "about", .type = V_TEXT },
	END_OPTS
};
static const struct cmd_opt template_set_opts[] = {
	{ .word = "about", .type = V_TEXT },
	END_OPTS
};
static const struct cmd_opt apply_opts[] = {
	{ .word = "to", .key = "target", .type = V_TARGET,
	  .flags = OPT_REQUIRED },
	END_OPTS
};
static const struct cmd_opt override_opts[] = {
	{ .word = "until", .type = V_TIME, .flags = OPT_REQUIRED },
	{ .word = "reason", .type = V_TEXT, .flags = OPT_REQUIRED },
	END_OPTS
};
static const struct cmd_opt reason_opts[] = {
	{ .word = "reason", .type = V_TEXT, .flags = OPT_REQUIRED },
	END_OPTS
};

/* LIMIT VALUE pairs after the options: stored as limit=, value= args. */
static int
pairs_extra(struct cmd_pstate *ps, const struct cmd_tok *t)
{
	struct cmd	*c = ps->cmd;
	char		 shown[128];

	if (t->quoted || strlen(t->s) > 64) {
		cmd_tok_show(t->s, shown, sizeof shown);
		return cmd_perr_set(ps->err, t->col, "expected a limit name or "
		    "value, got \"%s\"", shown);
	}
	if (c->nargs > 0 && strcmp(c->args[c->nargs - 1].key, "limit") == 0)
		cmd_add_arg(c, "value", t->s, t->col);
	else
		cmd_add_arg(c, "limit", t->s, t->col);
	ps->nopts++;
	return 1;
}

/* Each pair must be one rms_limit_set accepts ("none" unsets). */
static int
pairs_check(struct cmd_pstate *ps)
{
	struct rms_limits	 scratch;
	struct cmd		*c = ps->cmd;
	const char		*name = NULL;
	struct err		 e;
	size_t			 i;
	int			 n = 0;

	memset(&scratch, 0, sizeof scratch);
	for (i = 0; i < c->nargs; i++) {
		if (strcmp(c->args[i].key, "limit") == 0) {
			name = c->args[i].val;
			continue;
		}
		if (strcmp(c->args[i].key, "value") != 0)
			continue;
		n++;
		err_clear(&e);
		if (strcasecmp(c->args[i].val, "none") == 0) {
			if (rms_limit_unset_name(&scratch, name) == 0)
				continue;
			err_set(&e, "rms-limit", "unknown limit \"%s\"", name);
		}
		if (err_isset(&e) ||
		    rms_limit_set(&scratch, name, c->args[i].val, &e) == -1)
			return cmd_perr_set(ps->err, c->args[i].col, "%s",
			    e.msg);
	}
	if (c->nargs > 0 && strcmp(c->args[c->nargs - 1].key, "limit") == 0)
		return cmd_perr_set(ps->err, ps->toks->textend, "limit \"%s\" "
		    "needs a value", c->args[c->nargs - 1].val);
	if (ps->def->kind == CMD_RMS_TEMPLATE_SET && n == 0)
		return cmd_perr_set(ps->err, ps->toks->textend, "rms template "
		    "set needs at least one LIMIT VALUE pair");
	return 0;
}

static int
override_check(struct cmd_pstate *ps)
{
	struct rms_limits	 scratch;
	struct err		 e;

	memset(&scratch, 0, sizeof scratch);
	err_clear(&e);
	if (rms_limit_set(&scratch, cmd_get(ps->cmd, "limit"),
	    cmd_get(ps->cmd, "value"), &e) == -1 ||
	    rms_limit_find(cmd_get(ps->cmd, "limit"), NULL) == NULL)
		return cmd_perr_set(ps->err, ps->toks->textend, "%s",
		    err_isset(&e) ? e.msg : "an override changes a limit's "
		    "value, not its response, approval, scaleout-pct or "
		    "hedge-premium");
	return 0;
}

#define P_TEMPLATE	{ .key = "name", .type = V_NAME, \
			  .what = "a template name" }

const struct cmd_def cmd_rms_defs[] = {
	{ CMD_RMS_TEMPLATE_LIST, "rms template list", "rms template list",
	  .opts = NULL },
	{ CMD_RMS_TEMPLATE_SHOW, "rms template show",
	  "rms template show NAME", .pos = { P_TEMPLATE } },
	{ CMD_RMS_TEMPLATE_ADD, "rms template add",
	  "rms template add NAME [from TEMPLATE] [about TEXT] "
	  "[LIMIT VALUE ...]",
	  .pos = { P_TEMPLATE }, .opts = template_add_opts,
	  .extra = pairs_extra, .check = pairs_check },
	{ CMD_RMS_TEMPLATE_SET, "rms template set",
	  "rms template set NAME LIMIT VALUE [LIMIT VALUE ...]  "
	  "(VALUE none removes a limit; LIMIT may be on-LIMIT with a "
	  "response alert|throttle|reduce|scaleout|halt|squareoff|hedge|kill, "
	  "approval yes|no, scaleout-pct PCT or hedge-premium RUPEES)",
	  .pos = { P_TEMPLATE }, .opts = template_set_opts,
	  .extra = pairs_extra, .check = pairs_check },
	{ CMD_RMS_APPLY, "rms apply", "rms apply TEMPLATE to TARGET",
	  .pos = { { .key = "template", .type = V_NAME,
		     .what = "a template name" } },
	  .opts = apply_opts },
	{ CMD_RMS_STATE, "rms state", "rms state [TARGET] [--json]",
	  .pos = { { .key = "target", .type = V_TARGET, .optional = 1 } },
	  .target_all = 1 },
	{ CMD_RMS_OVERRIDE, "rms override",
	  "rms override TARGET LIMIT VALUE until TIME reason TEXT",
	  .pos = { { .key = "target", .type = V_TARGET },
		   { .key = "limit", .type = V_NAME, .what = "a limit name" },
		   { .key = "value", .type = V_LIMIT_VALUE } },
	  .opts = override_opts, .check = override_check },
	{ CMD_RMS_APPROVE, "rms approve", "rms approve ID",
	  .pos = { { .key = "id", .type = V_ID,
		     .what = "an override id" } } },
	{ CMD_RMS_OVERRIDES, "rms overrides", "rms overrides [--json]",
	  .opts = NULL },
	{ CMD_RMS_HALT, "rms halt", "rms halt TARGET reason TEXT",
	  .pos = { { .key = "target", .type = V_TARGET } },
	  .opts = reason_opts },
	{ CMD_RMS_REDUCE, "rms reduce", "rms reduce TARGET reason TEXT",
	  .pos = { { .key = "target", .type = V_TARGET } },
	  .opts = reason_opts },
	{ CMD_RMS_RESUME, "rms resume", "rms resume TARGET reason TEXT",
	  .pos = { { .key = "target", .type = V_TARGET } },
	  .opts = reason_opts },
};

const size_t cmd_rms_ndefs = nitems(cmd_rms_defs);

/* --- shared --------------------------------------------------------- */

/* The shipped templates, as store_rms_seed wants them. */
static json_t *
shipped_json(void)
{
	json_t			*a = json_array();
	struct rms_limits	 lim;
	struct err		 e;
	size_t			 i;

	for (i = 0; i < rms_ntemplates; i++) {
		if (rms_template_build(&rms_templates[i], &lim, &e) != 0)
			fatal("shipped template %s: %s", rms_templates[i].name,
			    e.msg);
		json_array_append_new(a, json_pack("{s:s,s:s,s:o}", "name",
		    rms_templates[i].name, "about", rms_templates[i].about,
		    "limits", rms_limits_to_json(&lim)));
	}
	return a;
}

/* After seeding, the handler's next step; a failed seed fails the job. */
static void
seeded(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	void		(*next)(struct cmd_job *) = job->state;

	job->state = NULL;
	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	next(job);
}

void
cmd_rms_seed_then(struct cmd_job *job, void (*next)(struct cmd_job *))
{
	json_t	*t = shipped_json();

	job->state = (void *)next;
	store_rms_seed(job->env->store, t, seeded, job);
	json_decref(t);
}

/* --- rms template list / show --------------------------------------- */

static const char *const template_columns[] = { "name", "version",
	"bound", "about", NULL };

static void
templates_listed(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, template_columns, NULL);
}


static void
template_list(struct cmd_job *job)
{
	store_rms_template_list(job->env->store, templates_listed, job);
}

static void
cmd_template_list(struct cmd_job *job)
{
	cmd_rms_seed_then(job, template_list);
}

/* One line per limit, in the table's order, with its response. */
static void
limits_text(struct strbuf *b, const struct rms_limits *lim)
{
	char	val[64];
	int	i;

	for (i = 0; i < RL__COUNT; i++) {
		if (!rms_limit_has(lim, (enum rms_limit_id)i))
			continue;
		rms_limit_format(lim, (enum rms_limit_id)i, val, sizeof val);
		strbuf_printf(b, "  %-24s %-14s", rms_limit_defs[i].name, val);
		if (rms_limit_defs[i].monitor)
			strbuf_printf(b, " on breach: %s",
			    rms_response_name(lim->on[i]));
		strbuf_putc(b, '\n');
	}
	if (lim->approval)
		strbuf_puts(b, "  loosening overrides need a second operator's "
		    "approval\n");
	for (i = 0; i < RL__COUNT; i++) {
		if (rms_limit_has(lim, (enum rms_limit_id)i) &&
		    lim->on[i] == RR_SCALEOUT)
			break;
	}
	if (i < RL__COUNT || lim->scaleout_bp > 0) {
		json_t *j = rms_limits_to_json(lim);

		snprintf(val, sizeof val, "%lld",
		    (long long)RMS_SCALEOUT_DEFAULT_BP / 100);
		strbuf_printf(b, "  %-24s %-14s%s\n", "scaleout-pct",
		    lim->scaleout_bp > 0 ? json_string_value(json_object_get(
		    j, "scaleout-pct")) : val, lim->scaleout_bp > 0 ?
		    " a scaleout closes this % of every position, in whole "
		    "lots" : " (the default) a scaleout closes this % of "
		    "every position, in whole lots");
		json_decref(j);
	}
	if (lim->hedge_premium > 0) {
		json_t *j = rms_limits_to_json(lim);

		strbuf_printf(b, "  %-24s %-14s a hedge buys the strike whose "
		    "premium is nearest this, at or below it\n",
		    "hedge-premium", json_string_value(json_object_get(j,
		    "hedge-premium")));
		json_decref(j);
	}
}

static void
template_got(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job		*job = arg;
	json_t			*row = json_array_get(rows, 0), *bnd;
	struct rms_limits	 lim;
	struct strbuf		 b;
	struct err		 e;
	size_t			 i;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (row == NULL) {
		cmd_failf(job, "unknown-template", "no RMS template \"%s\" "
		    "(see rms template list)", cmd_get(job->cmd, "name"));
		return;
	}
	if (rms_limits_from_json(json_object_get(row, "limits"), &lim,
	    &e) == -1) {
		cmd_fail(job, &e);
		return;
	}
	strbuf_init(&b);
	strbuf_printf(&b, "%s v%lld%s: %s\n",
	    json_string_value(json_object_get(row, "name")),
	    (long long)json_integer_value(json_object_get(row, "version")),
	    json_is_true(json_object_get(row, "shipped")) ? " (shipped)" : "",
	    json_is_string(json_object_get(row, "about")) ?
	    json_string_value(json_object_get(row, "about")) : "");
	limits_text(&b, &lim);
	bnd = json_object_get(row, "bindings");
	for (i = 0; i < json_array_size(bnd); i++)
		strbuf_printf(&b, "%s %s:%s (v%lld)", i == 0 ? "bound to" : ",",
		    json_string_value(json_object_get(json_array_get(bnd, i),
		    "kind")), json_string_value(json_object_get(
		    json_array_get(bnd, i), "name")), (long long)
		    json_integer_value(json_object_get(json_array_get(bnd, i),
		    "version")));
	if (json_array_size(bnd) > 0)
		strbuf_putc(&b, '\n');
	job->res.text = strbuf_steal(&b);
	job->res.data = json_deep_copy(row);
	json_object_set_new(job->res.data, "versions",
	    json_integer((json_int_t)json_array_size(rows)));
	cmd_done(job);
}


static void
template_show(struct cmd_job *job)
{
	store_rms_template_get(job->env->store, cmd_get(job->cmd, "name"),
	    template_got, job);
}

static void
cmd_template_show(struct cmd_job *job)
{
	cmd_rms_seed_then(job, template_show);
}

/* --- rms template add / set ------------------------------------------ */

/* Lay the command's LIMIT VALUE pairs over lim (checked at parse time). */
static int
apply_pairs(const struct cmd *c, struct rms_limits *lim, struct err *e)
{
	const char		*name = NULL;
	size_t			 i;

	for (i = 0; i < c->nargs; i++) {
		if (strcmp(c->args[i].key, "limit") == 0)
			name = c->args[i].val;
		else if (strcmp(c->args[i].key, "value") == 0 &&
		    strcasecmp(c->args[i].val, "none") == 0) {
			(void)rms_limit_unset_name(lim, name);
		} else if (strcmp(c->args[i].key, "value") == 0 &&
		    rms_limit_set(lim, name, c->args[i].val, e) == -1)
			return -1;
	}
	return 0;
}

static void
template_put(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);
	int		 add = job->cmd->kind == CMD_RMS_TEMPLATE_ADD;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (row == NULL) {
		cmd_failf(job, add ? "template-exists" : "unknown-template",
		    add ? "RMS template \"%s\" exists already (change it with "
		    "rms template set)" : "no RMS template \"%s\"",
		    cmd_get(job->cmd, "name"));
		return;
	}
	job->res.text = xasprintf("RMS template %s is now version %lld\n",
	    json_string_value(json_object_get(row, "name")),
	    (long long)json_integer_value(json_object_get(row, "version")));
	job->res.data = json_deep_copy(row);
	cmd_done(job);
}

/* base: the rows of the template to start from (from, or the one set). */
static void
template_base(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job		*job = arg;
	json_t			*row = json_array_get(rows, 0), *j;
	struct store_actor	 who;
	struct rms_limits	 lim;
	struct err		 e;
	int			 add = job->cmd->kind == CMD_RMS_TEMPLATE_ADD;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	memset(&lim, 0, sizeof lim);
	err_clear(&e);
	if (row == NULL && (!add || cmd_has(job->cmd, "from"))) {
		cmd_failf(job, "unknown-template", "no RMS template \"%s\" "
		    "(see rms template list)", add ? cmd_get(job->cmd, "from") :
		    cmd_get(job->cmd, "name"));
		return;
	}
	if ((row != NULL && rms_limits_from_json(json_object_get(row,
	    "limits"), &lim, &e) == -1) || apply_pairs(job->cmd, &lim,
	    &e) == -1) {
		cmd_fail(job, &e);
		return;
	}
	j = rms_limits_to_json(&lim);
	who = cmd_actor(job);
	store_rms_template_put(job->env->store, cmd_get(job->cmd, "name"), j,
	    cmd_get(job->cmd, "about"), add, &who, template_put, job);
	json_decref(j);
}

static void
template_start(struct cmd_job *job)
{
	const char	*base;

	base = job->cmd->kind == CMD_RMS_TEMPLATE_ADD ?
	    cmd_get(job->cmd, "from") : cmd_get(job->cmd, "name");
	if (base == NULL) {
		json_t *none = json_array();	/* from nothing; rows borrowed */

		template_base(none, NULL, job);
		json_decref(none);
		return;
	}
	store_rms_template_get(job->env->store, base, template_base, job);
}

static void
cmd_template_put(struct cmd_job *job)
{
	cmd_rms_seed_then(job, template_start);
}

/* --- scopes of a target ---------------------------------------------- */

/*
 * The scopes a target names: all is the firm, a group its tag, accounts
 * each account.  Unknown accounts and tags no account carries are
 * errors, as everywhere a target is resolved.
 */
json_t *
cmd_rms_scopes(const struct target *t, const struct account_set *set,
    json_t **ids, struct err *e)
{
	struct target_match	 m;
	json_t			*a;
	size_t			 i;

	if (target_resolve(t, set, &m, e) != 0)
		return NULL;
	a = json_array();
	*ids = json_array();
	for (i = 0; i < m.n; i++)
		json_array_append_new(*ids, json_integer(m.v[i]->id));
	if (t->kind == TARGET_ALL)
		json_array_append_new(a, json_pack("{s:s,s:s}", "kind", "firm",
		    "name", ""));
	else if (t->kind == TARGET_GROUP)
		json_array_append_new(a, json_pack("{s:s,s:s}", "kind", "group",
		    "name", t->names[0]));
	else {
		for (i = 0; i < m.n; i++)
			json_array_append_new(a, json_pack("{s:s,s:s}", "kind",
			    "account", "name", m.v[i]->name));
	}
	target_match_free(&m);
	return a;
}

/* --- rms apply -------------------------------------------------------- */

static void
applied(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	struct strbuf	 b;
	json_t		*r;
	size_t		 i;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_array_size(rows) == 0) {
		cmd_failf(job, "unknown-template", "no RMS template \"%s\" "
		    "(see rms template list)", cmd_get(job->cmd, "template"));
		return;
	}
	strbuf_init(&b);
	json_array_foreach(rows, i, r)
		strbuf_printf(&b, "%s v%lld bound to %s%s%s\n",
		    json_string_value(json_object_get(r, "template")),
		    (long long)json_integer_value(json_object_get(r,
		    "version")), json_string_value(json_object_get(r, "kind")),
		    *json_string_value(json_object_get(r, "name")) ? ":" : "",
		    json_string_value(json_object_get(r, "name")));
	job->res.text = strbuf_steal(&b);
	job->res.data = json_deep_copy(rows);
	cmd_done(job);
}

static void
apply_accounts(struct account_set *set, const struct err *err, void *arg)
{
	struct cmd_job		*job = arg;
	json_t			*scopes, *ids = NULL;
	struct store_actor	 who;
	struct err		 e;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	err_clear(&e);
	if ((scopes = cmd_rms_scopes(job->cmd->target, set, &ids, &e)) ==
	    NULL) {
		cmd_fail(job, &e);
		return;
	}
	who = cmd_actor(job);
	store_rms_apply(job->env->store, cmd_get(job->cmd, "template"),
	    scopes, &who, applied, job);
	json_decref(scopes);
	json_decref(ids);
}


static void
apply_start(struct cmd_job *job)
{
	store_accounts_load(job->env->store, apply_accounts, job);
}

static void
cmd_apply(struct cmd_job *job)
{
	cmd_rms_seed_then(job, apply_start);
}

/* --- rms halt / reduce / resume ------------------------------------- */

static const char *
state_word(enum cmd_kind k)
{
	return k == CMD_RMS_HALT ? "HALTED" : k == CMD_RMS_REDUCE ?
	    "REDUCING" : "ACTIVE";
}

static void
state_set(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	struct strbuf	 b;
	json_t		*r;
	size_t		 i;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	strbuf_init(&b);
	strbuf_printf(&b, "%s:", state_word(job->cmd->kind));
	json_array_foreach(rows, i, r)
		strbuf_printf(&b, " %s", json_string_value(json_object_get(r,
		    "name")) != NULL && *json_string_value(json_object_get(r,
		    "name")) != '\0' ? json_string_value(json_object_get(r,
		    "name")) : "firm");
	strbuf_putc(&b, '\n');
	job->res.text = strbuf_steal(&b);
	job->res.data = json_deep_copy(rows);
	cmd_done(job);
}

static void
state_accounts(struct account_set *set, const struct err *err, void *arg)
{
	struct cmd_job		*job = arg;
	const struct target	*t = job->cmd->target;
	struct store_actor	 who = cmd_actor(job);
	json_t			*scopes, *ids = NULL;
	struct err		 e;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	err_clear(&e);
	if ((scopes = cmd_rms_scopes(t, set, &ids, &e)) == NULL) {
		cmd_fail(job, &e);
		return;
	}
	if (t->kind == TARGET_ACCOUNTS)
		store_trading_state_set(job->env->store, ids,
		    state_word(job->cmd->kind), cmd_get(job->cmd, "reason"),
		    &who, state_set, job);
	else
		store_rms_state_set(job->env->store, t->kind == TARGET_ALL ?
		    "firm" : "group", t->kind == TARGET_ALL ? "" : t->names[0],
		    state_word(job->cmd->kind), cmd_get(job->cmd, "reason"),
		    &who, state_set, job);
	json_decref(scopes);
	json_decref(ids);
}

static void
cmd_state_change(struct cmd_job *job)
{
	store_accounts_load(job->env->store, state_accounts, job);
}

cmd_handler
cmd_rms_handler(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_RMS_TEMPLATE_LIST:
		return cmd_template_list;
	case CMD_RMS_TEMPLATE_SHOW:
		return cmd_template_show;
	case CMD_RMS_TEMPLATE_ADD:
	case CMD_RMS_TEMPLATE_SET:
		return cmd_template_put;
	case CMD_RMS_APPLY:
		return cmd_apply;
	case CMD_RMS_HALT:
	case CMD_RMS_REDUCE:
	case CMD_RMS_RESUME:
		return cmd_state_change;
	default:
		return cmd_rms_more_handler(kind);
	}
}
