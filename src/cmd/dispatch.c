/*
 * The executor's dispatch: one handler per command kind.  A handler starts
 * whatever asynchronous work the command needs and finishes the job with
 * exec_done() or exec_fail() from a callback, never by blocking.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/dispatch_int.h"
#include "util/secret.h"

static const exec_handler exec_handlers[CMD__COUNT] = {
	[CMD_BROKER_ADD] = exec_broker_add,
	[CMD_BROKER_LIST] = exec_broker_list,
	[CMD_BROKER_RM] = exec_broker_rm,
	[CMD_ACCOUNT_ADD] = exec_account_add,
	[CMD_ACCOUNT_SET] = exec_account_set,
	[CMD_ACCOUNT_TAG] = exec_account_tag,
	[CMD_ACCOUNT_ENABLE] = exec_account_enable,
	[CMD_ACCOUNT_DISABLE] = exec_account_disable,
	[CMD_ACCOUNT_RM] = exec_account_rm,
	[CMD_ACCOUNT_LIST] = exec_account_list,
	[CMD_INSTRUMENTS_LOAD] = exec_instruments_load,
	[CMD_POSITIONS] = exec_positions,
	[CMD_ORDERS] = exec_orders,
	[CMD_BUY] = exec_buy,
	[CMD_SELL] = exec_buy,
	[CMD_SQUAREOFF] = exec_squareoff,
	[CMD_CANCEL] = exec_cancel,
	[CMD_CANCEL_ORDER] = exec_cancel_order,
	[CMD_KILL] = exec_kill,
	[CMD_UNKILL] = exec_unkill,
	[CMD_FANOUTS] = exec_fanouts,
	[CMD_FANOUT_SHOW] = exec_fanout_show,
	[CMD_FANOUT_RESUME] = exec_fanout_resume,
	[CMD_LATENCY] = exec_latency,
	[CMD_HELP] = exec_help,
};

/* Error codes that mean "could not reach", not "was refused". */
static const char *exec_unreachable_codes[] = {
	"store-unreachable", "broker-unreachable"
};

enum exec_status
exec_status_of(const char *code)
{
	size_t	i;

	if (strcmp(code, "parse") == 0 || strcmp(code, "usage") == 0)
		return EXEC_USAGE;
	for (i = 0; i < nitems(exec_unreachable_codes); i++) {
		if (strcmp(code, exec_unreachable_codes[i]) == 0)
			return EXEC_UNREACHABLE;
	}
	return EXEC_FAILED;
}

/*
 * The grammar's "later" flag decides what runs: a handler written for a
 * command still marked later stays off until the flag is cleared, so help,
 * completion and the executor never disagree.
 */
/* The command families (cmd_*.c) that keep their own handlers. */
static exec_handler (*const exec_families[])(enum cmd_kind) = {
	exec_notify_handler,
	exec_rms_handler,
	exec_incident_handler,
	exec_analytics_handler,
};

static exec_handler
exec_handler_of(enum cmd_kind kind)
{
	exec_handler	h;
	size_t		i;

	if ((unsigned)kind >= CMD__COUNT || !cmd_built(kind))
		return NULL;
	h = exec_handlers[kind];
	for (i = 0; h == NULL && i < nitems(exec_families); i++)
		h = exec_families[i](kind);
	return h;
}

int
exec_handles(enum cmd_kind kind)
{
	return exec_handler_of(kind) != NULL;
}
void
exec_result_clear(struct exec_result *r)
{
	json_decref(r->data);
	free(r->text);
	memset(r, 0, sizeof *r);
}

void
exec_done(struct exec_job *job)
{
	/* A message may quote what the command was given: not its secrets. */
	cmd_redact_msg_cmd(job->cmd, job->res.err.msg, sizeof job->res.err.msg);
	job->cb(job->cmd, &job->res, job->arg);
	exec_result_clear(&job->res);
	free(job);
}

void
exec_fail(struct exec_job *job, const struct err *err)
{
	job->res.err = *err;
	job->res.status = exec_status_of(err->code);
	exec_done(job);
}

void
exec_failf(struct exec_job *job, const char *code, const char *fmt, ...)
{
	va_list	ap;

	snprintf(job->res.err.code, sizeof job->res.err.code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(job->res.err.msg, sizeof job->res.err.msg, fmt, ap);
	va_end(ap);
	job->res.status = exec_status_of(code);
	exec_done(job);
}

struct store_actor
exec_actor(const struct exec_job *job)
{
	struct store_actor	a;

	a.os_user = path_os_user();
	a.front = job->env->front;
	return a;
}

void
exec_cmd(struct exec_env *env, const struct cmd *cmd, exec_done_cb cb,
    void *arg)
{
	struct exec_job	*job;
	exec_handler	 h;

	job = xcalloc(1, sizeof *job);
	job->env = env;
	job->cmd = cmd;
	job->cb = cb;
	job->arg = arg;
	if ((h = exec_handler_of(cmd->kind)) == NULL) {
		exec_failf(job, "not-available",
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
exec_encrypt(struct exec_job *job, const char *key, char **out)
{
	const char	*plain = cmd_get(job->cmd, key);
	struct err	 err;

	*out = NULL;
	if (plain == NULL)
		return 0;
	err_clear(&err);
	if (secret_encrypt(job->env->home, plain, out, &err) != 0) {
		exec_fail(job, &err);
		return -1;
	}
	return 0;
}

/* Two secrets, both or neither: *a and *b are NULL after a failure. */
int
exec_encrypt2(struct exec_job *job, const char *ka, char **a, const char *kb,
    char **b)
{
	if (exec_encrypt(job, ka, a) != 0)
		return -1;
	if (exec_encrypt(job, kb, b) != 0) {
		free(*a);
		*a = NULL;
		return -1;
	}
	return 0;
}
