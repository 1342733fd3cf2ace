/*
 * account add|set with api-key KEY and/or access-token T: the account's
 * own way into its broker (one api key per user at the simulator, a daily
 * token at Kite).  The account's fields go through the ordinary handler;
 * the key (accounts.api_key) and the token (encrypted into credentials)
 * follow in one statement of their own.  The token is encrypted before
 * anything is written, so a bad master key changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/exec_int.h"
#include "db/store_broker.h"
#include "util/secret.h"

struct creds {
	struct exec_job	*job;
	char		*token_enc;
	int		 only;	/* account set with nothing but credentials */
};

static void
creds_free(struct creds *c)
{
	free(c->token_enc);
	free(c);
}

static void
creds_stored(json_t *rows, const struct err *err, void *arg)
{
	struct creds	*c = arg;
	struct exec_job	*job = c->job;
	const char	*name = cmd_get(job->cmd, "name");
	json_t		*row;

	creds_free(c);
	if (err != NULL) {
		exec_failf(job, err->code, "account %s: credentials not "
		    "stored: %s", name, err->msg);
		return;
	}
	if (json_array_size(rows) == 0) {
		exec_failf(job, "unknown-account", "unknown account \"%s\"",
		    name);
		return;
	}
	row = json_array_get(rows, 0);
	if (job->res.data == NULL || !json_is_object(job->res.data)) {
		json_decref(job->res.data);
		job->res.data = json_pack("{s:s}", "name", name);
		free(job->res.text);
		job->res.text = xasprintf("account %s updated\n", name);
	}
	json_object_set_new(job->res.data, "api_key",
	    json_is_true(json_object_get(row, "api_key")) ?
	    json_string("****") : json_null());
	json_object_set_new(job->res.data, "access_token",
	    json_is_true(json_object_get(row, "access_token")) ?
	    json_string("****") : json_null());
	exec_done(job);
}

static void
creds_write(struct creds *c)
{
	struct store_actor	a = exec_actor(c->job);

	store_account_creds_set(c->job->env->store, cmd_get(c->job->cmd,
	    "name"), cmd_get(c->job->cmd, "api-key"), c->token_enc, &a,
	    creds_stored, c);
}

/* The ordinary handler's result becomes ours; then the credentials. */
static void
creds_fields_done(const struct cmd *cmd, struct exec_result *res, void *arg)
{
	struct creds	*c = arg;
	struct exec_job	*job = c->job;

	job->res = *res;
	memset(res, 0, sizeof *res);
	if (job->res.status != EXEC_OK) {
		creds_free(c);
		exec_done(job);
		return;
	}
	creds_write(c);
}

static int
creds_has_fields(const struct cmd *cmd)
{
	size_t	i;

	for (i = 0; i < cmd->nargs; i++) {
		if (strcmp(cmd->args[i].key, "name") != 0 &&
		    strcmp(cmd->args[i].key, "api-key") != 0 &&
		    strcmp(cmd->args[i].key, "access-token") != 0)
			return 1;
	}
	return 0;
}

static void
creds_run(struct exec_job *job, exec_handler fields)
{
	struct creds	*c;
	struct exec_job	*inner;
	const char	*token = cmd_get(job->cmd, "access-token");
	struct err	 err;

	if (token == NULL && !cmd_has(job->cmd, "api-key")) {
		fields(job);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->job = job;
	err_clear(&err);
	if (token != NULL && secret_encrypt(job->env->home, token,
	    &c->token_enc, &err) != 0) {
		creds_free(c);
		exec_fail(job, &err);
		return;
	}
	if (job->cmd->kind == CMD_ACCOUNT_SET && !creds_has_fields(job->cmd)) {
		creds_write(c);
		return;
	}
	inner = xcalloc(1, sizeof *inner);
	inner->env = job->env;
	inner->cmd = job->cmd;
	inner->cb = creds_fields_done;
	inner->arg = c;
	fields(inner);
}

void
exec_account_add_creds(struct exec_job *job)
{
	creds_run(job, exec_account_add);
}

void
exec_account_set_creds(struct exec_job *job)
{
	creds_run(job, exec_account_set);
}
