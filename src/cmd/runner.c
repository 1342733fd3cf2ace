/*
 * A run's commands, one after another on the loop (runner_start.h).  Parsed
 * whole before the first runs, like a batch: a run whose script does not
 * parse runs nothing and FAILs with the parser's message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auto/run.h"
#include "cmd/runner.h"
#include "net/net.h"

struct rx {
	struct cmd_env	*env;
	int64_t		 id;
	struct run	*run;
	struct cmd_list	 cmds;
	size_t		 next;
	size_t		 failed;
	char		*state;
	char		*outcome;
	runner_cb	 cb;
	void		*arg;
};

static void
rx_free(struct rx *x)
{
	cmd_list_free(&x->cmds);
	free(x->state);
	free(x->outcome);
	free(x);
}

static void
rx_reported(void *arg)
{
	struct rx	*x = arg;

	x->cb(x->id, x->state, x->outcome, NULL, x->arg);
	rx_free(x);
}

static void
rx_end(struct rx *x, const char *state, const char *outcome)
{
	const char	*stopped = run_stopping(x->run);

	x->state = xstrdup(stopped != NULL ? stopped : state);
	x->outcome = xstrdup(stopped != NULL ? (strcmp(stopped,
	    "TIMED_OUT") == 0 ? "timed out" : "cancelled on request") :
	    outcome);
	run_log(x->run, "sys", stopped != NULL ? x->outcome : outcome);
	run_finish(x->run, state, outcome, rx_reported, x);
	x->run = NULL;
}

static void rx_next(struct rx *);

static void
rx_done(const struct cmd *cmd, struct cmd_result *r, void *arg)
{
	struct rx	*x = arg;
	char		*s;

	if (r->status == CMD_OK || r->text != NULL) {
		s = cmd_render_text(r);
		run_log(x->run, "out", s);
		free(s);
	}
	if (r->status != CMD_OK) {
		x->failed++;
		s = xasprintf("%s: %s", cmd->name, r->err.msg);
		run_log(x->run, "err", s);
		free(s);
	}
	loop_later(0, (void (*)(void *))rx_next, x);
}

static void
rx_next(struct rx *x)
{
	char	*s, *text;

	if (run_stopping(x->run) != NULL) {
		rx_end(x, "CANCELLED", "stopped");
		return;
	}
	if (x->next >= x->cmds.n) {
		if (x->failed == 0) {
			s = xasprintf("%zu command%s succeeded", x->cmds.n,
			    x->cmds.n == 1 ? "" : "s");
			rx_end(x, "SUCCEEDED", s);
		} else {
			s = xasprintf("%zu of %zu command%s failed", x->failed,
			    x->cmds.n, x->cmds.n == 1 ? "" : "s");
			rx_end(x, "FAILED", s);
		}
		free(s);
		return;
	}
	text = cmd_text_redacted(&x->cmds.v[x->next]);
	s = xasprintf("> %s", text);
	run_log(x->run, "sys", s);
	free(s);
	free(text);
	cmd_run(x->env, &x->cmds.v[x->next++], rx_done, x);
}

/* The script the run names: its command line, or its batch file. */
static char *
rx_script(struct rx *x, size_t *len, struct err *err)
{
	const char	*cmd = run_command(x->run), *path = run_batch_file(x->run);
	struct strbuf	 b;
	char		 buf[8192];
	size_t		 n;
	FILE		*f;

	if (cmd != NULL) {
		*len = strlen(cmd);
		return xstrdup(cmd);
	}
	if (path == NULL) {
		err_set(err, "run", "run %lld has no command to run",
		    (long long)x->id);
		return NULL;
	}
	if ((f = fopen(path, "r")) == NULL) {
		err_set(err, "run", "cannot open %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	strbuf_init(&b);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0 && b.len < (1 << 24))
		strbuf_add(&b, buf, n);
	if (ferror(f) || b.len >= (1 << 24)) {
		err_set(err, "run", "cannot read %s: %s", path, ferror(f) ?
		    strerror(errno) : "larger than 16 MiB");
		fclose(f);
		strbuf_free(&b);
		return NULL;
	}
	fclose(f);
	*len = b.len;
	strbuf_add(&b, "", 0);
	return strbuf_steal(&b);
}

static void
rx_begun(struct run *run, const struct err *err, void *arg)
{
	struct rx	*x = arg;
	struct cmd_pos	 pos;
	struct err	 e;
	char		*text;
	size_t		 len = 0;

	if (run == NULL) {
		x->cb(x->id, NULL, NULL, err, x->arg);
		rx_free(x);
		return;
	}
	x->run = run;
	err_clear(&e);
	if ((text = rx_script(x, &len, &e)) == NULL) {
		rx_end(x, "FAILED", e.msg);
		return;
	}
	if (cmd_parse_buf(text, len, &x->cmds, &pos, &e) != 0) {
		free(text);
		run_log(run, "err", e.msg);
		rx_end(x, "FAILED", "the script does not parse: nothing ran");
		return;
	}
	free(text);
	rx_next(x);
}

void
runner_start(struct cmd_env *env, int64_t id, runner_cb cb, void *arg)
{
	struct rx	*x = xcalloc(1, sizeof *x);

	x->env = env;
	x->id = id;
	x->cb = cb;
	x->arg = arg;
	run_begin(env->store, id, run_owner(), rx_begun, x);
}
