/*
 * The executor's dispatch: one handler per command kind.  A handler starts
 * whatever asynchronous work the command needs and finishes the job with
 * cmd_done() or cmd_fail() from a callback, never by blocking.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/dispatch_int.h"
#include "util/secret.h"

static const cmd_handler cmd_handlers[CMD__COUNT] = {
	[CMD_BROKER_ADD] = cmd_broker_add,
	[CMD_BROKER_LIST] = cmd_broker_list,
	[CMD_BROKER_RM] = cmd_broker_rm,
	[CMD_ACCOUNT_ADD] = cmd_account_add,
	[CMD_ACCOUNT_SET] = cmd_account_set,
	[CMD_ACCOUNT_TAG] = cmd_account_tag,
	[CMD_ACCOUNT_ENABLE] = cmd_account_enable,
	[CMD_ACCOUNT_DISABLE] = cmd_account_disable,
	[CMD_ACCOUNT_RM] = cmd_account_rm,
	[CMD_ACCOUNT_LIST] = cmd_account_list,
	[CMD_INSTRUMENTS_LOAD] = cmd_instruments_load,
	[CMD_POSITIONS] = cmd_positions,
	[CMD_ORDERS] = cmd_orders,
	[CMD_BUY] = cmd_buy,
	[CMD_SELL] = cmd_buy,
	[CMD_SQUAREOFF] = cmd_squareoff,
	[CMD_CANCEL] = cmd_cancel,
	[CMD_CANCEL_ORDER] = cmd_cancel_order,
	[CMD_KILL] = cmd_kill,
	[CMD_UNKILL] = cmd_unkill,
	[CMD_FANOUTS] = cmd_fanouts,
	[CMD_FANOUT_SHOW] = cmd_fanout_show,
	[CMD_FANOUT_RESUME] = cmd_fanout_resume,
	[CMD_LATENCY] = cmd_latency,
	[CMD_HELP] = cmd_help,
};

/* Error codes that mean "could not reach", not "was refused". */
static const char *cmd_unreachable_codes[] = {
	"store-unreachable", "broker-unreachable"
};

enum cmd_status
cmd_status_of(const char *code)
{
	size_t	i;

	if (strcmp(code, "parse") == 0 || strcmp(code, "usage") == 0)
		return CMD_USAGE;
	for (i = 0; i < nitems(cmd_unreachable_codes); i++) {
		if (strcmp(code, cmd_unreachable_codes[i]) == 0)
			return CMD_UNREACHABLE;
	}
	return CMD_FAILED;
}

/*
 * The grammar's "later" flag decides what runs: a handler written for a
 * command still marked later stays off until the flag is cleared, so help,
 * completion and the executor never disagree.
 */
/* The command families (cmd_*.c) that keep their own handlers. */
static cmd_handler (*const dispatch_families[])(enum cmd_kind) = {
	cmd_notify_handler,
	cmd_rms_handler,
	cmd_incident_handler,
	cmd_analytics_handler,
	cmd_export_handler,
	cmd_schedule_handler,
	cmd_run_handler,
	cmd_connector_handler,
};

static cmd_handler
cmd_handler_of(enum cmd_kind kind)
{
	cmd_handler	h;
	size_t		i;

	if ((unsigned)kind >= CMD__COUNT || !cmd_built(kind))
		return NULL;
	h = cmd_handlers[kind];
	for (i = 0; h == NULL && i < nitems(dispatch_families); i++)
		h = dispatch_families[i](kind);
	return h;
}

int
cmd_handles(enum cmd_kind kind)
{
	return cmd_handler_of(kind) != NULL;
}
void
cmd_result_clear(struct cmd_result *r)
{
	json_decref(r->data);
	free(r->text);
	memset(r, 0, sizeof *r);
}

void
cmd_done(struct cmd_job *job)
{
	/* A message may quote what the command was given: not its secrets. */
	cmd_redact_msg_cmd(job->cmd, job->res.err.msg, sizeof job->res.err.msg);
	job->cb(job->cmd, &job->res, job->arg);
	cmd_result_clear(&job->res);
	free(job);
}

void
cmd_fail(struct cmd_job *job, const struct err *err)
{
	job->res.err = *err;
	job->res.status = cmd_status_of(err->code);
	cmd_done(job);
}

/*
 * A listing's answer: the rows (each passed through fix, when given: to
 * mask a secret, say) shown under these columns.
 */
void
cmd_rows(struct cmd_job *job, json_t *rows, const struct err *err,
    const char *const *columns, void (*fix)(json_t *row))
{
	size_t	 i;
	json_t	*row;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	job->res.data = json_deep_copy(rows);
	if (fix != NULL)
		json_array_foreach(job->res.data, i, row)
			fix(row);
	job->res.columns = columns;
	cmd_done(job);
}

void
cmd_failf(struct cmd_job *job, const char *code, const char *fmt, ...)
{
	va_list	ap;

	snprintf(job->res.err.code, sizeof job->res.err.code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(job->res.err.msg, sizeof job->res.err.msg, fmt, ap);
	va_end(ap);
	job->res.status = cmd_status_of(code);
	cmd_done(job);
}

struct store_actor
cmd_actor(const struct cmd_job *job)
{
	struct store_actor	a;

	a.os_user = path_os_user();
	a.front = job->env->front;
	return a;
}

void
cmd_run(struct cmd_env *env, const struct cmd *cmd, cmd_done_cb cb,
    void *arg)
{
	struct cmd_job	*job;
	cmd_handler	 h;

	job = xcalloc(1, sizeof *job);
	job->env = env;
	job->cmd = cmd;
	job->cb = cb;
	job->arg = arg;
	if ((h = cmd_handler_of(cmd->kind)) == NULL) {
		cmd_failf(job, "not-available",
		    "\"%s\" is not built yet in this version of phalanx "
		    "(see \"help\")", cmd->name);
		return;
	}
	h(job);
}

/*
 * Encrypt the secret a command carries under key (NULL in *out when it
 * carries none).  On failure the job is finished with the error: -1.
 */
int
cmd_encrypt(struct cmd_job *job, const char *key, char **out)
{
	const char	*plain = cmd_get(job->cmd, key);
	struct err	 err;

	*out = NULL;
	if (plain == NULL)
		return 0;
	err_clear(&err);
	if (secret_encrypt(job->env->home, plain, out, &err) != 0) {
		cmd_fail(job, &err);
		return -1;
	}
	return 0;
}

/* Two secrets, both or neither: *a and *b are NULL after a failure. */
int
cmd_encrypt2(struct cmd_job *job, const char *ka, char **a, const char *kb,
    char **b)
{
	if (cmd_encrypt(job, ka, a) != 0)
		return -1;
	if (cmd_encrypt(job, kb, b) != 0) {
		free(*a);
		*a = NULL;
		return -1;
	}
	return 0;
}
