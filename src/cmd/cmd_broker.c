/* broker add | list | rm */
#include <stdlib.h>
#include <string.h>

#include "cmd/dispatch_int.h"

static const char *const broker_columns[] = {
	"name", "kind", "url", "api_key", "api_secret", "access_token",
	"accounts", NULL
};

/* Secrets are shown as "****" (set) or "-" (unset), never in clear. */
static void
broker_mask_row(json_t *row)
{
	static const char	*keys[] = { "api_secret", "access_token" };
	size_t			 i;
	json_t			*v;

	for (i = 0; i < nitems(keys); i++) {
		v = json_object_get(row, keys[i]);
		if (v != NULL && json_is_true(v))
			json_object_set_new(row, keys[i], json_string("****"));
		else
			json_object_set_new(row, keys[i], json_null());
	}
}

static void
broker_added(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	struct err	 e;
	json_t		*row;

	if (err != NULL) {
		store_explain(err, "broker", cmd_get(job->cmd, "name"), &e);
		cmd_fail(job, &e);
		return;
	}
	row = json_deep_copy(json_array_get(rows, 0));
	broker_mask_row(row);
	job->res.data = row;
	job->res.text = xasprintf("broker %s added\n", cmd_get(job->cmd,
	    "name"));
	cmd_done(job);
}

void
cmd_broker_add(struct cmd_job *job)
{
	struct store_broker	b;
	struct store_actor	a = cmd_actor(job);
	char			*secret, *token;

	memset(&b, 0, sizeof b);
	b.name = cmd_get(job->cmd, "name");
	b.kind = cmd_get(job->cmd, "kind");
	b.url = cmd_get(job->cmd, "url");
	b.api_key = cmd_get(job->cmd, "api-key");
	if (cmd_encrypt2(job, "api-secret", &secret, "access-token",
	    &token) != 0)
		return;
	b.api_secret_enc = secret;
	b.access_token_enc = token;
	store_broker_add(job->env->store, &b, &a, broker_added, job);
	free(secret);
	free(token);
}

static void
broker_listed(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, broker_columns, broker_mask_row);
}

void
cmd_broker_list(struct cmd_job *job)
{
	store_broker_list(job->env->store, broker_listed, job);
}

static void
broker_removed(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	const char	*name = cmd_get(job->cmd, "name");

	if (err != NULL) {
		if (strcmp(err->code, "sql:23503") == 0)
			cmd_failf(job, "in-use", "broker \"%s\" still has "
			    "accounts; remove or move them first", name);
		else
			cmd_fail(job, err);
		return;
	}
	if (json_array_size(rows) == 0) {
		cmd_failf(job, "unknown-broker", "unknown broker \"%s\"",
		    name);
		return;
	}
	job->res.data = json_pack("{s:s}", "removed", name);
	job->res.text = xasprintf("broker %s removed\n", name);
	cmd_done(job);
}

void
cmd_broker_rm(struct cmd_job *job)
{
	struct store_actor	a = cmd_actor(job);

	store_broker_rm(job->env->store, cmd_get(job->cmd, "name"), &a,
	    broker_removed, job);
}
