/*
 * Batch mode: `phalanx batch FILE`, stdin, or `phalanx -c CMD`.  The
 * script is parsed whole before anything runs; then the commands run one
 * after another on the event loop, exactly as the console would run them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "cmd/batch.h"
#include "cmd/dispatch.h"
#include "db/db.h"
#include "exec/mtm.h"
#include "exec/reconcile.h"
#include "rms/engine.h"
#include "exec/router.h"
#include "net/net.h"

struct batch {
	const struct batch_opts	*opts;
	struct cmd_env		 env;
	struct cmd_list		 cmds;
	size_t			 next;
	int			 worst;	/* highest exit class seen */
	int			 failed;
};

/*
 * The whole script and its length: a NUL inside is data the parser must
 * see (and refuse), not the end of the text.
 */
static char *
batch_read(FILE *f, size_t *len, struct err *err, const char *what)
{
	struct strbuf	b;
	char		buf[8192];
	size_t		n;

	strbuf_init(&b);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(&b, buf, n);
	if (ferror(f)) {
		err_set(err, "usage", "cannot read %s: %s", what,
		    strerror(errno));
		strbuf_free(&b);
		return NULL;
	}
	*len = b.len;
	strbuf_add(&b, "", 0);
	return strbuf_steal(&b);
}

static char *
batch_source(const struct batch_opts *o, size_t *len, struct err *err)
{
	FILE	*f;
	char	*text;

	if (o->command != NULL) {
		*len = strlen(o->command);
		return xstrdup(o->command);
	}
	if (o->file == NULL || strcmp(o->file, "-") == 0)
		return batch_read(stdin, len, err, "standard input");
	if ((f = fopen(o->file, "r")) == NULL) {
		err_set(err, "usage", "cannot open %s: %s", o->file,
		    strerror(errno));
		return NULL;
	}
	text = batch_read(f, len, err, o->file);
	fclose(f);
	return text;
}

/* Commands that run without the store (help) need no cluster started. */
static int
batch_needs_store(const struct cmd_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].kind != CMD_HELP)
			return 1;
	}
	return 0;
}

static void
batch_report_error(const struct batch *b, const struct cmd *cmd,
    const struct cmd_result *r)
{
	if (cmd != NULL && b->cmds.n > 1)
		fprintf(stderr, "phalanx: line %d: %s: %s\n", cmd->line,
		    cmd->name, r->err.msg);
	else
		fprintf(stderr, "phalanx: %s\n", r->err.msg);
}

static void batch_next(struct batch *);

static void
batch_done(const struct cmd *cmd, struct cmd_result *r, void *arg)
{
	struct batch	*b = arg;
	char		*s;

	if (b->opts->json || cmd->json) {
		s = cmd_render_json(cmd, r);
		printf("%s\n", s);
		free(s);
	} else if (r->status == CMD_OK || r->text != NULL) {
		/* A failed fan-out still shows what each leg did. */
		s = cmd_render_text(r);
		fputs(s, stdout);
		free(s);
	}
	if (r->status != CMD_OK) {
		if (!b->opts->json && !cmd->json)
			batch_report_error(b, cmd, r);
		b->failed = 1;
		if ((int)r->status > b->worst)
			b->worst = (int)r->status;
	}
	fflush(stdout);
	if (r->status != CMD_OK && b->opts->stop_on_error)
		b->next = b->cmds.n;
	/* Continue from the loop, not from inside the callback's stack. */
	loop_later(0, (void (*)(void *))batch_next, b);
}

static void
batch_drained(void *arg)
{
	loop_exit();
}

static void
batch_next(struct batch *b)
{
	if (b->next >= b->cmds.n) {
		router_drain(b->env.router, 10000, batch_drained, b);
		return;
	}
	cmd_run(&b->env, &b->cmds.v[b->next++], batch_done, b);
}

static void
batch_warned(const char *text, void *arg)
{
	struct batch	*b = arg;

	if (text != NULL) {
		fputs(text, stderr);
		fflush(stderr);
	}
	batch_next(b);
}

/*
 * Before the first command: put right what a crashed run left (unless a
 * daemon holds the duty and does it), then warn about fan-outs a trader
 * must look at.  A store failure here is only reported: the commands
 * report it again, as theirs.
 */
static void
batch_reconciled(const struct reconcile_report *rep, void *arg)
{
	struct batch	*b = arg;

	if (rep->text != NULL) {
		fputs(rep->text, stderr);
		fflush(stderr);
	}
	reconcile_warnings(b->env.store, batch_warned, b);
}

static void
batch_start(struct batch *b)
{
	struct reconcile_opts	o;

	if (b->env.recon == NULL) {
		batch_next(b);
		return;
	}
	memset(&o, 0, sizeof o);
	o.duty = 1;
	o.wait = 1;
	reconcile_run(b->env.recon, &o, batch_reconciled, b);
}

static int
batch_fail_early(const struct batch_opts *o, const struct err *err, int code)
{
	struct cmd_result	r;
	char			*s;

	if (o->json) {
		memset(&r, 0, sizeof r);
		r.status = (enum cmd_status)code;
		r.err = *err;
		s = cmd_render_json(NULL, &r);
		printf("%s\n", s);
		free(s);
	}
	fprintf(stderr, "phalanx: %s\n", err->msg);
	return code;
}

/*
 * A script should fail fast when the store goes away (exit 3, events kept
 * in the journal); a console waits for it to come back.
 */
static const struct pg_opts *
batch_pg_opts(const char *front)
{
	static const struct pg_opts	batch_opts = { 3000, 4, 100, 1000, 0 };

	return strcmp(front, "batch") == 0 ? &batch_opts : NULL;
}

/* Open the store for a front; -1 with err (exit class 3) when it cannot. */
int
batch_env_open(struct cmd_env *env, struct config *cfg, const char *front,
    int need_store, struct err *err)
{
	char	*conninfo = NULL;

	memset(env, 0, sizeof *env);
	env->cfg = cfg;
	env->front = front;
	env->home = xstrdup(config_str(cfg, "store.home"));
	if (!need_store)
		return 0;
	if (db_store_open_info(cfg, &conninfo, err) != 0) {
		free(env->home);
		env->home = NULL;
		return -1;
	}
	env->store = store_open(loop_base(), conninfo, batch_pg_opts(front));
	free(conninfo);
	/* The router's event writer also replays what an earlier run left
	 * in the journal, so it exists whenever the store does. */
	env->router = router_new(env->store, cfg, env->home);
	router_set_actor(env->router, path_os_user(), front);
	/*
	 * The registry and the adapters load while the front starts and
	 * reconciles: a first fan-out or square-off (phalanx -c) then reads
	 * nothing it could have had already.  (Ids are taken when a fan-out
	 * is asked for: a script that trades nothing leaves no gap.)
	 */
	router_warm_registry(env->router);
	env->recon = reconcile_new(env->router);
	/* Every leg of every front passes the RMS guard. */
	env->rms = rms_engine_new(env->store, env->router, cfg, env->home,
	    front);
	if (strcmp(front, "batch") != 0) {
		env->mtm = mtm_start(env->store, cfg, env->home);
		env->snap = an_snap_start(env->store, cfg);
	}
	return 0;
}

/* Lines for people: to the front's callback, else to the log. */
static void
batch_env_say(struct cmd_env *env, const char *text)
{
	const char	*p, *nl;
	char		*line;

	for (p = text; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 :
	    NULL) {
		nl = strchr(p, '\n');
		line = nl != NULL ? xasprintf("%.*s", (int)(nl - p), p) :
		    xstrdup(p);
		if (env->say != NULL)
			env->say(line, env->say_arg);
		else
			log_warn("reconcile", "%s", line);
		free(line);
	}
}

static void
batch_env_warned(const char *text, void *arg)
{
	batch_env_say(arg, text);
}

static void
batch_env_reconciled(const struct reconcile_report *rep, void *arg)
{
	struct cmd_env	*env = arg;

	batch_env_say(env, rep->text);
	/* After the first pass: what a trader must look at. */
	if (!env->warned) {
		env->warned = 1;
		reconcile_warnings(env->store, batch_env_warned, env);
	}
}

/*
 * The daemon and the console reconcile at start and every
 * exec.reconcile_s, whenever they hold (or can take) the duty.  say, when
 * not NULL, gets each line for people (passes, then the warnings about
 * interrupted fan-outs once); else the lines go to the log.
 */
void
batch_env_reconcile(struct cmd_env *env, void (*say)(const char *, void *),
    void *arg)
{
	if (env->recon == NULL)
		return;
	env->say = say;
	env->say_arg = arg;
	/* The monitors, like reconciling, belong to one process at a time. */
	rms_engine_monitor(env->rms);
	reconcile_every(env->recon, (int)config_int(env->cfg,
	    "exec.reconcile_s"), batch_env_reconciled, env);
}

void
batch_env_close(struct cmd_env *env)
{
	mtm_free(env->mtm);
	an_snap_free(env->snap);
	reconcile_free(env->recon);
	rms_engine_stop(env->rms);
	router_free(env->router);
	store_close(env->store);
	rms_engine_free(env->rms);
	free(env->home);
	memset(env, 0, sizeof *env);
}

/* Output that arrives while a command runs (run logs --follow). */
static void
batch_stream(const char *text, void *arg)
{
	fputs(text, stdout);
	fflush(stdout);
}

int
batch_main(const struct batch_opts *o, struct config *cfg)
{
	struct batch	 b;
	struct cmd_pos	 pos;
	struct err	 err;
	char		*text;
	const char	*where;
	size_t		 len = 0;

	memset(&b, 0, sizeof b);
	b.opts = o;
	err_clear(&err);
	if ((text = batch_source(o, &len, &err)) == NULL)
		return batch_fail_early(o, &err, CMD_USAGE);
	if (cmd_parse_buf(text, len, &b.cmds, &pos, &err) != 0) {
		free(text);
		where = o->command != NULL ? "-c" : (o->file != NULL &&
		    strcmp(o->file, "-") != 0 ? o->file : "stdin");
		{
			struct err	e2;

			err_set(&e2, err.code, "%s: %s (nothing was run)",
			    where, err.msg);
			return batch_fail_early(o, &e2, CMD_USAGE);
		}
	}
	free(text);

	if (batch_env_open(&b.env, cfg, o->front != NULL ? o->front : "batch",
	    batch_needs_store(&b.cmds), &err) != 0) {
		cmd_list_free(&b.cmds);
		return batch_fail_early(o, &err, CMD_UNREACHABLE);
	}
	if (!o->json)
		b.env.stream = batch_stream;
	batch_start(&b);
	loop_run();

	batch_env_close(&b.env);
	cmd_list_free(&b.cmds);
	loop_free();
	return b.failed ? (b.worst ? b.worst : CMD_FAILED) : CMD_OK;
}
