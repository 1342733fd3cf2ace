/* account add | set | tag | enable | disable | rm | list */
#include <stdlib.h>
#include <string.h>

#include "cmd/dispatch_int.h"

static const char *const account_columns[] = {
	"name", "broker", "user_id", "enabled", "state", "priority", "lots",
	"multiplier", "capital", "weight", "max_lots", "tags", NULL
};

/* Command-language keys and the account columns they set. */
static const struct {
	const char	*arg;
	const char	*column;
} account_fields[] = {
	{ "broker", "broker" },
	{ "user-id", "user_id" },
	{ "lots", "lots" },
	{ "multiplier", "multiplier" },
	{ "capital", "capital" },
	{ "weight", "weight" },
	{ "priority", "priority" },
	{ "max-lots", "max_lots" },
	{ "api-key", "api_key" },
};

static json_t *
account_tag_list(const char *csv)
{
	json_t	*a = json_array();
	char	*copy, *tok, *save;

	copy = xstrdup(csv);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (*tok != '\0')
			json_array_append_new(a, json_string(tok));
	}
	free(copy);
	return a;
}

static json_t *
account_fields_of(const struct cmd *cmd)
{
	json_t		*f = json_object();
	const char	*v;
	size_t		 i;

	for (i = 0; i < nitems(account_fields); i++) {
		if ((v = cmd_get(cmd, account_fields[i].arg)) != NULL)
			json_object_set_new(f, account_fields[i].column,
			    json_string(v));
	}
	return f;
}

static const char *
account_verb(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_ACCOUNT_ADD:
		return "added";
	case CMD_ACCOUNT_TAG:
		return "tagged";
	case CMD_ACCOUNT_ENABLE:
		return "enabled";
	case CMD_ACCOUNT_DISABLE:
		return "disabled";
	case CMD_ACCOUNT_RM:
		return "removed";
	default:
		return "updated";
	}
}

/* The user id an add or set gives the account (add defaults to the name). */
static const char *
account_user_id(const struct cmd *cmd)
{
	const char	*u = cmd_get(cmd, "user-id");

	if (u == NULL && cmd->kind == CMD_ACCOUNT_ADD)
		u = cmd_get(cmd, "name");
	return u;
}

/* After a collision on (broker, user id): name who holds it. */
static void
account_user_id_owner(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);
	const char	*broker = cmd_get(job->cmd, "broker");

	if (err == NULL && row != NULL) {
		cmd_failf(job, "duplicate-user-id", "user id \"%s\" is already "
		    "used by account \"%s\" at broker \"%s\"",
		    json_string_value(json_object_get(row, "user_id")),
		    json_string_value(json_object_get(row, "name")),
		    json_string_value(json_object_get(row, "broker")));
		return;
	}
	cmd_failf(job, "duplicate-user-id", "the user id of account \"%s\" "
	    "is already used by another account%s%s%s",
	    cmd_get(job->cmd, "name"), broker != NULL ? " at broker \"" : "",
	    broker != NULL ? broker : "", broker != NULL ? "\"" : "");
}

/* A unique violation names its constraint: which one was it? */
static int
account_dup_user_id(const struct cmd_job *job, const struct err *err)
{
	return strcmp(err->code, "sql:23505") == 0 &&
	    strstr(err->msg, "user_id") != NULL;
}

/* Shared completion of every statement that changes one account. */
static void
account_changed(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	const char	*name = cmd_get(job->cmd, "name");
	struct err	 e;

	if (err != NULL) {
		if (account_dup_user_id(job, err))
			store_user_id_owner(job->env->store, cmd_get(job->cmd,
			    "broker"), account_user_id(job->cmd), name,
			    account_user_id_owner, job);
		else if (strcmp(err->code, "sql:23503") == 0 &&
		    job->cmd->kind == CMD_ACCOUNT_RM)
			cmd_failf(job, "in-use", "account \"%s\" has orders "
			    "on record; disable it instead", name);
		else if (strcmp(err->code, "sql:23503") == 0 ||
		    strcmp(err->code, "sql:23502") == 0)
			/* broker_id came out NULL: no broker by that name */
			cmd_failf(job, "unknown-broker", "unknown broker "
			    "\"%s\" (see broker list)", cmd_get(job->cmd,
			    "broker"));
		else {
			store_explain(err, "account", name, &e);
			cmd_fail(job, &e);
		}
		return;
	}
	if (json_array_size(rows) == 0) {
		cmd_failf(job, "unknown-account", "unknown account \"%s\"",
		    name);
		return;
	}
	job->res.data = json_deep_copy(json_array_get(rows, 0));
	job->res.text = xasprintf("account %s %s\n", name,
	    account_verb(job->cmd->kind));
	cmd_done(job);
}

void
cmd_account_add(struct cmd_job *job)
{
	struct store_actor	 a = cmd_actor(job);
	json_t			*fields, *tags;
	const char		*t;
	char			*token, *secret;

	/* Secrets are encrypted here, before they go anywhere. */
	if (cmd_encrypt2(job, "access-token", &token, "api-secret",
	    &secret) != 0)
		return;
	fields = account_fields_of(job->cmd);
	tags = (t = cmd_get(job->cmd, "tags")) != NULL ?
	    account_tag_list(t) : json_array();
	store_account_add(job->env->store, cmd_get(job->cmd, "name"), fields,
	    tags, token, secret, &a, account_changed, job);
	json_decref(fields);
	json_decref(tags);
	free(token);
	free(secret);
}

void
cmd_account_set(struct cmd_job *job)
{
	struct store_actor	 a = cmd_actor(job);
	json_t			*fields;
	const char		*t;
	char			*token, *secret;

	/* Secrets are encrypted here, before they go anywhere. */
	if (cmd_encrypt2(job, "access-token", &token, "api-secret",
	    &secret) != 0)
		return;
	fields = account_fields_of(job->cmd);
	if ((t = cmd_get(job->cmd, "tags")) != NULL)
		json_object_set_new(fields, "tags", account_tag_list(t));
	store_account_set(job->env->store, cmd_get(job->cmd, "name"), fields,
	    token, secret, &a, account_changed, job);
	json_decref(fields);
	free(token);
	free(secret);
}

void
cmd_account_tag(struct cmd_job *job)
{
	struct store_actor	 a = cmd_actor(job);
	json_t			*add, *rm;
	size_t			 i;

	add = json_array();
	rm = json_array();
	for (i = 0; i < job->cmd->nargs; i++) {
		const struct cmd_arg *arg = &job->cmd->args[i];

		if (strcmp(arg->key, "+tag") == 0)
			json_array_append_new(add, json_string(arg->val));
		else if (strcmp(arg->key, "-tag") == 0)
			json_array_append_new(rm, json_string(arg->val));
	}
	store_account_tags(job->env->store, cmd_get(job->cmd, "name"), add, rm,
	    &a, account_changed, job);
	json_decref(add);
	json_decref(rm);
}

static void
account_set_enabled(struct cmd_job *job, int on)
{
	struct store_actor	 a = cmd_actor(job);
	json_t			*fields;

	fields = json_pack("{s:s}", "enabled", on ? "true" : "false");
	store_account_set(job->env->store, cmd_get(job->cmd, "name"), fields,
	    NULL, NULL, &a, account_changed, job);
	json_decref(fields);
}

void
cmd_account_enable(struct cmd_job *job)
{
	account_set_enabled(job, 1);
}

void
cmd_account_disable(struct cmd_job *job)
{
	account_set_enabled(job, 0);
}

void
cmd_account_rm(struct cmd_job *job)
{
	struct store_actor	a = cmd_actor(job);

	store_account_rm(job->env->store, cmd_get(job->cmd, "name"), &a,
	    account_changed, job);
}

/*
 * The list goes through target_resolve like every other consumer of a
 * target, so "account list group:x" shows exactly whom "buy ... to group:x"
 * would reach, in the same order.
 */
static void
account_listed(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job		*job = arg;
	struct account_set	 set = { NULL, 0 };
	struct target	 all = { TARGET_ALL, NULL, 0 };
	struct target_match	 m;
	struct err		 e;
	json_t			*out, *row;
	size_t			 i, j;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (store_accounts_from_rows(rows, &set, &e) != 0 ||
	    target_resolve(job->cmd->target != NULL ? job->cmd->target : &all,
	    &set, &m, &e) != 0) {
		account_set_free(&set);
		cmd_fail(job, &e);
		return;
	}
	out = json_array();
	for (i = 0; i < m.n; i++) {
		json_array_foreach(rows, j, row) {
			if (json_integer_value(json_object_get(row, "id")) ==
			    m.v[i]->id) {
				json_array_append(out, row);
				break;
			}
		}
	}
	target_match_free(&m);
	account_set_free(&set);
	job->res.data = out;
	job->res.columns = account_columns;
	cmd_done(job);
}

void
cmd_account_list(struct cmd_job *job)
{
	store_account_list(job->env->store, account_listed, job);
}
