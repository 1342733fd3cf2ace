/*
 * The schedule and calendar families, grammar and handlers together:
 *   schedule add NAME cron "M H DOM MON DOW" run "COMMAND" | batch FILE
 *       [concurrency skip|queue|parallel N] [catchup none|last|all]
 *       [timeout DURATION] [trading-days]
 *   schedule list | schedule run NAME | schedule pause|resume|rm NAME
 *   calendar list [year N] | calendar load FILE
 * Schedules fire in `phalanx serve` (auto/sched.c); `schedule run` runs
 * one now, in this process, as a manual run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auto/cron.h"
#include "cmd/cmd_int.h"
#include "cmd/dispatch_int.h"
#include "cmd/runner.h"
#include "db/store_auto.h"
#include "util/jsonget.h"

#define END_OPTS	{ .word = NULL }
#define P_SCHEDULE	{ .key = "name", .type = V_NAME, \
			  .what = "a schedule name" }
/* Longest timeout a run may be given: a week. */
#define TIMEOUT_MAX_S	(7 * 86400)

static const char *const concurrency[] = { "skip", "queue", "parallel",
	NULL };
static const char *const catchup[] = { "none", "last", "all", NULL };

static const struct cmd_opt schedule_opts[] = {
	{ .word = "cron", .type = V_CRON, .flags = OPT_REQUIRED },
	{ .word = "run", .key = "command", .type = V_COMMAND },
	{ .word = "batch", .key = "batch_file", .type = V_PATH,
	  .what = "a batch file" },
	{ .word = "concurrency", .type = V_ENUM, .enums = concurrency },
	{ .word = "catchup", .type = V_ENUM, .enums = catchup },
	{ .word = "timeout", .type = V_TEXT,
	  .what = "a duration like 90s, 5m or 2h" },
	{ .word = "trading-days", .type = V_NONE },
	END_OPTS
};

static const struct cmd_opt calendar_list_opts[] = {
	{ .word = "year", .type = V_INT, .what = "a year", .max = 9999 },
	END_OPTS
};

/* "90", "90s", "5m", "2h" in seconds; -1 when it is none of those. */
static int64_t
duration_s(const char *s)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno != 0 || v <= 0 || *s == '-' || *s == '+')
		return -1;
	if (*end == 'm')
		v *= 60;
	else if (*end == 'h')
		v *= 3600;
	else if (*end != 's' && *end != '\0')
		return -1;
	if (*end != '\0' && end[1] != '\0')
		return -1;
	return v > TIMEOUT_MAX_S ? -1 : v;
}

static int
arg_col(const struct cmd *c, const char *key, int def)
{
	size_t	i;

	for (i = 0; i < c->nargs; i++) {
		if (strcmp(c->args[i].key, key) == 0)
			return c->args[i].col;
	}
	return def;
}

/* "concurrency parallel N": the number after the word parallel. */
static int
schedule_extra(struct cmd_pstate *ps, const struct cmd_tok *t)
{
	const char	*c = cmd_get(ps->cmd, "concurrency");
	char		*v;

	if (c == NULL || strcmp(c, "parallel") != 0 ||
	    cmd_has(ps->cmd, "parallel-max"))
		return 0;
	if (cmd_check_value(ps, V_QTY, NULL, "the most runs at once (1-64)",
	    "parallel", 64, t, &v) != 0)
		return -1;
	cmd_add_arg(ps->cmd, "parallel-max", v, t->col);
	free(v);
	return 1;
}

static int
schedule_check(struct cmd_pstate *ps)
{
	const char	*to = cmd_get(ps->cmd, "timeout");
	const char	*c = cmd_get(ps->cmd, "concurrency");
	int		 end = ps->toks->textend;

	if (!cmd_has(ps->cmd, "command") && !cmd_has(ps->cmd, "batch_file"))
		return cmd_perr_set(ps->err, end, "schedule add needs "
		    "\"run COMMAND\" or \"batch FILE\"");
	if (cmd_has(ps->cmd, "command") && cmd_has(ps->cmd, "batch_file"))
		return cmd_perr_set(ps->err, arg_col(ps->cmd, "batch_file",
		    end), "schedule add takes \"run COMMAND\" or \"batch "
		    "FILE\", not both");
	if (c != NULL && strcmp(c, "parallel") == 0 &&
	    !cmd_has(ps->cmd, "parallel-max"))
		return cmd_perr_set(ps->err, arg_col(ps->cmd, "concurrency",
		    end), "concurrency parallel needs the most runs at once: "
		    "\"concurrency parallel N\"");
	if (to != NULL && duration_s(to) < 0)
		return cmd_perr_set(ps->err, arg_col(ps->cmd, "timeout", end),
		    "expected a duration like 90s, 5m or 2h (at most 7 days) "
		    "for \"timeout\", got \"%.40s\"", to);
	return 0;
}

const struct cmd_def cmd_schedule_defs[] = {
	{ CMD_SCHEDULE_ADD, "schedule add",
	  "schedule add NAME cron \"M H DOM MON DOW\" run \"COMMAND\" | "
	  "batch FILE [concurrency skip|queue|parallel N] "
	  "[catchup none|last|all] [timeout DURATION] [trading-days]  "
	  "(an unquoted run COMMAND takes the rest of the line)",
	  .pos = { P_SCHEDULE }, .opts = schedule_opts,
	  .extra = schedule_extra,
	  .check = schedule_check },
	{ CMD_SCHEDULE_LIST, "schedule list", "schedule list [--json]",
	  .opts = NULL },
	{ CMD_SCHEDULE_RUN, "schedule run", "schedule run NAME",
	  .pos = { P_SCHEDULE } },
	{ CMD_SCHEDULE_PAUSE, "schedule pause", "schedule pause NAME",
	  .pos = { P_SCHEDULE } },
	{ CMD_SCHEDULE_RESUME, "schedule resume", "schedule resume NAME",
	  .pos = { P_SCHEDULE } },
	{ CMD_SCHEDULE_RM, "schedule rm", "schedule rm NAME",
	  .pos = { P_SCHEDULE } },
	{ CMD_CALENDAR_LIST, "calendar list",
	  "calendar list [year N] [--json]", .opts = calendar_list_opts },
	{ CMD_CALENDAR_LOAD, "calendar load", "calendar load FILE  "
	  "(lines \"YYYY-MM-DD name\"; replaces the years it lists)",
	  .pos = { { .key = "path", .type = V_PATH,
		     .what = "a holiday file" } } },
};

const size_t cmd_schedule_ndefs = nitems(cmd_schedule_defs);


/* --- add --------------------------------------------------------------- */

static void
added(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	struct err	 e;

	if (err != NULL) {
		store_explain(err, "schedule", cmd_get(job->cmd, "name"), &e);
		cmd_fail(job, &e);
		return;
	}
	if (json_array_size(rows) == 0) {
		cmd_failf(job, "schedule-exists", "schedule %s exists already "
		    "(schedule rm it first)", cmd_get(job->cmd, "name"));
		return;
	}
	job->res.text = xasprintf("schedule %s added: %s\n",
	    cmd_get(job->cmd, "name"), cmd_get(job->cmd, "cron"));
	job->res.data = json_deep_copy(json_array_get(rows, 0));
	cmd_done(job);
}

static void
cmd_schedule_add(struct cmd_job *job)
{
	const struct cmd	*c = job->cmd;
	struct store_actor	 who = cmd_actor(job);
	json_t			*f = json_object();
	const char		*v;

	json_object_set_new(f, "name", json_string(cmd_get(c, "name")));
	json_object_set_new(f, "cron", json_string(cmd_get(c, "cron")));
	if ((v = cmd_get(c, "command")) != NULL)
		json_object_set_new(f, "command", json_string(v));
	if ((v = cmd_get(c, "batch_file")) != NULL)
		json_object_set_new(f, "batch_file", json_string(v));
	if ((v = cmd_get(c, "concurrency")) != NULL)
		json_object_set_new(f, "concurrency", json_string(v));
	if ((v = cmd_get(c, "parallel-max")) != NULL)
		json_object_set_new(f, "parallel_max", json_string(v));
	if ((v = cmd_get(c, "catchup")) != NULL)
		json_object_set_new(f, "catchup", json_string(v));
	if ((v = cmd_get(c, "timeout")) != NULL)
		json_object_set_new(f, "timeout_s", json_integer(duration_s(v)));
	json_object_set_new(f, "trading_days", json_boolean(cmd_has(c,
	    "trading-days")));
	store_schedule_add(job->env->store, f, &who, added, job);
	json_decref(f);
}

/* --- list -------------------------------------------------------------- */

static const char *const schedule_columns[] = { "name", "cron", "next",
	"state", "concurrency", "catchup", "last_run", "work", NULL };

struct listing {
	struct cmd_job	*job;
	int32_t		*holidays;
	size_t		 n;
};

/* The next fire from now, as the scheduler will see it. */
static void
schedule_next(json_t *row, const struct cron_calendar *cal)
{
	struct cron	c;
	struct err	err;
	char		buf[32];
	int64_t		t, from = time_display_us() / 1000000;

	if (json_is_true(json_object_get(row, "paused"))) {
		json_object_set_new(row, "next", json_string("paused"));
		return;
	}
	if (cron_parse(jstr(row, "cron"), &c, &err) != 0 ||
	    (t = cron_next(&c, from, json_is_true(json_object_get(row,
	    "trading_days")) ? cal : NULL)) < 0) {
		json_object_set_new(row, "next", json_string("never"));
		return;
	}
	cron_fmt_ist(t, buf, sizeof buf);
	json_object_set_new(row, "next", json_string(buf));
	json_object_set_new(row, "next_epoch", json_integer(t));
}

static void
listed(json_t *rows, const struct err *err, void *arg)
{
	struct listing		*l = arg;
	struct cmd_job		*job = l->job;
	struct cron_calendar	 cal = { l->holidays, l->n };
	json_t			*out, *row, *r;
	size_t			 i;
	char			*work;

	if (err != NULL) {
		free(l->holidays);
		free(l);
		cmd_fail(job, err);
		return;
	}
	out = json_array();
	json_array_foreach(rows, i, row) {
		r = json_deep_copy(row);
		schedule_next(r, &cal);
		json_object_set_new(r, "state", json_string(json_is_true(
		    json_object_get(row, "paused")) ? "paused" :
		    json_integer_value(json_object_get(row, "active")) > 0 ?
		    "running" : "waiting"));
		work = json_is_string(json_object_get(row, "command")) ?
		    xasprintf("run %s", jstr(row, "command")) :
		    xasprintf("batch %s", jstr(row, "batch_file"));
		json_object_set_new(r, "work", json_string(work));
		free(work);
		if (json_is_true(json_object_get(row, "trading_days"))) {
			work = xasprintf("%s (trading days)", jstr(r, "next"));
			json_object_set_new(r, "next", json_string(work));
			free(work);
		}
		json_array_append_new(out, r);
	}
	job->res.data = out;
	job->res.columns = schedule_columns;
	free(l->holidays);
	free(l);
	cmd_done(job);
}

static void
holidays_read(json_t *rows, const struct err *err, void *arg)
{
	struct listing	*l = arg;
	json_t		*row;
	size_t		 i;
	int		 y, m, d;

	if (err != NULL) {
		cmd_fail(l->job, err);
		free(l);
		return;
	}
	l->holidays = xcalloc(json_array_size(rows) + 1, sizeof *l->holidays);
	json_array_foreach(rows, i, row) {
		if (sscanf(jstr(row, "day"), "%d-%d-%d", &y, &m, &d) == 3)
			l->holidays[l->n++] = y * 10000 + m * 100 + d;
	}
	store_schedule_list(l->job->env->store, listed, l);
}

static void
cmd_schedule_list(struct cmd_job *job)
{
	struct listing	*l = xcalloc(1, sizeof *l);

	l->job = job;
	store_holidays_list(job->env->store, 0, holidays_read, l);
}

/* --- run (now, here) --------------------------------------------------- */

struct manual {
	struct cmd_job	*job;
	int64_t		 id;
	char		*state;
	char		*outcome;
};

static void
manual_logs(json_t *rows, const struct err *err, void *arg)
{
	struct manual	*m = arg;
	struct cmd_job	*job = m->job;
	struct strbuf	 b;
	json_t		*row, *data;
	size_t		 i;

	strbuf_init(&b);
	json_array_foreach(rows, i, row)
		strbuf_printf(&b, "%s%s\n", strcmp(jstr(row, "stream"), "err") ==
		    0 ? "! " : "", jstr(row, "line"));
	strbuf_printf(&b, "run %lld %s: %s\n", (long long)m->id, m->state,
	    m->outcome);
	data = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)m->id, "state",
	    m->state, "outcome", m->outcome);
	job->res.data = data;
	job->res.text = strbuf_steal(&b);
	if (strcmp(m->state, "SUCCEEDED") == 0)
		cmd_done(job);
	else {
		snprintf(job->res.err.code, sizeof job->res.err.code,
		    "run-failed");
		snprintf(job->res.err.msg, sizeof job->res.err.msg,
		    "run %lld %s: %s", (long long)m->id, m->state, m->outcome);
		job->res.status = CMD_FAILED;
		cmd_done(job);
	}
	free(m->state);
	free(m->outcome);
	free(m);
}

static void
manual_done(int64_t id, const char *state, const char *outcome,
    const struct err *err, void *arg)
{
	struct manual	*m = arg;

	if (state == NULL) {
		cmd_fail(m->job, err);
		free(m);
		return;
	}
	m->state = xstrdup(state);
	m->outcome = xstrdup(outcome != NULL ? outcome : "");
	store_run_logs(m->job->env->store, id, 0, 100000, manual_logs, m);
}

static void
manual_created(json_t *rows, const struct err *err, void *arg)
{
	struct manual	*m = arg;

	if (err != NULL) {
		cmd_fail(m->job, err);
		free(m);
		return;
	}
	m->id = json_integer_value(json_object_get(json_array_get(rows, 0),
	    "id"));
	runner_start(m->job->env, m->id, manual_done, m);
}

static void
manual_schedule(json_t *rows, const struct err *err, void *arg)
{
	struct manual		*m = arg;
	struct cmd_job		*job = m->job;
	json_t			*row = json_array_get(rows, 0);
	struct store_run_spec	 spec;

	if (err != NULL || row == NULL) {
		if (err != NULL)
			cmd_fail(job, err);
		else
			cmd_failf(job, "unknown-schedule", "no schedule %s",
			    cmd_get(job->cmd, "name"));
		free(m);
		return;
	}
	memset(&spec, 0, sizeof spec);
	spec.kind = "manual";
	spec.ref = jstr(row, "name");
	spec.schedule_id = json_integer_value(json_object_get(row, "id"));
	spec.command = json_string_value(json_object_get(row, "command"));
	spec.batch_file = json_string_value(json_object_get(row,
	    "batch_file"));
	spec.timeout_s = (int)json_integer_value(json_object_get(row,
	    "timeout_s"));
	store_run_create(job->env->store, &spec, path_os_user(),
	    manual_created, m);
}

static void
cmd_schedule_run(struct cmd_job *job)
{
	struct manual	*m = xcalloc(1, sizeof *m);

	m->job = job;
	store_schedule_get(job->env->store, cmd_get(job->cmd, "name"),
	    manual_schedule, m);
}

/* --- pause / resume / rm ----------------------------------------------- */

static void
changed(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	const char	*name = cmd_get(job->cmd, "name");

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_array_size(rows) == 0) {
		cmd_failf(job, "unknown-schedule", "no schedule %s", name);
		return;
	}
	job->res.text = xasprintf("schedule %s %s\n", name,
	    job->cmd->kind == CMD_SCHEDULE_PAUSE ? "paused" :
	    job->cmd->kind == CMD_SCHEDULE_RESUME ? "resumed (fires missed "
	    "while paused are not caught up)" : "removed (its runs are "
	    "kept)");
	job->res.data = json_deep_copy(json_array_get(rows, 0));
	cmd_done(job);
}

static void
cmd_schedule_pause(struct cmd_job *job)
{
	struct store_actor	who = cmd_actor(job);

	store_schedule_pause(job->env->store, cmd_get(job->cmd, "name"),
	    job->cmd->kind == CMD_SCHEDULE_PAUSE, &who, changed, job);
}

static void
cmd_schedule_rm(struct cmd_job *job)
{
	struct store_actor	who = cmd_actor(job);

	store_schedule_rm(job->env->store, cmd_get(job->cmd, "name"), &who,
	    changed, job);
}

/* --- calendar ---------------------------------------------------------- */

static const char *const holiday_columns[] = { "day", "name", NULL };

static void
holidays_listed(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	job->res.data = json_deep_copy(rows);
	job->res.columns = holiday_columns;
	cmd_done(job);
}

static void
cmd_calendar_list(struct cmd_job *job)
{
	store_holidays_list(job->env->store, (int)cmd_get_int(job->cmd,
	    "year", 0), holidays_listed, job);
}

/*
 * One line "YYYY-MM-DD NAME..." (blank lines and # comments skipped);
 * 1 with the day added, 0 skipped, -1 with err.
 */
static int
holiday_line(const char *line, int n, json_t *days, struct err *err)
{
	int		y, m, d, k = 0;
	const char	*name;
	char		day[16];
	long		dd;

	line += strspn(line, " \t");
	if (*line == '\0' || *line == '#')
		return 0;
	if (sscanf(line, "%4d-%2d-%2d%n", &y, &m, &d, &k) != 3 || k != 10 ||
	    m < 1 || m > 12 || d < 1 || d > 31 || y < 1990 || y > 2100)
		goto bad;
	dd = time_days_from_civil(y, m, d);
	if (time_civil_from_days(dd) != y * 10000 + m * 100 + d)
		goto bad;
	name = line + 10;
	if (*name != ' ' && *name != '\t')
		goto bad;
	name += strspn(name, " \t");
	if (*name == '\0' || strlen(name) > 200 || !cmd_chars_ok(name, " ",
	    strlen(name)))
		goto bad;
	snprintf(day, sizeof day, "%04d-%02d-%02d", y, m, d);
	json_array_append_new(days, json_pack("{s:s, s:s}", "day", day,
	    "name", name));
	return 1;
bad:
	err_set(err, "calendar", "line %d: expected \"YYYY-MM-DD holiday "
	    "name\" with a real date, got \"%.60s\"", n, line);
	return -1;
}

static void
loaded(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	job->res.text = xasprintf("%lld holidays loaded for %s\n",
	    (long long)json_integer_value(json_object_get(row, "loaded")),
	    jstr(row, "years"));
	job->res.data = json_deep_copy(row);
	cmd_done(job);
}

static void
cmd_calendar_load(struct cmd_job *job)
{
	const char		*path = cmd_get(job->cmd, "path");
	struct store_actor	 who = cmd_actor(job);
	struct err		 err;
	json_t			*days = json_array();
	char			 line[512];
	FILE			*f;
	int			 n = 0, r = 0;

	if ((f = fopen(path, "r")) == NULL) {
		json_decref(days);
		cmd_failf(job, "usage", "cannot open %s: %s", path,
		    strerror(errno));
		return;
	}
	err_clear(&err);
	while (r >= 0 && fgets(line, sizeof line, f) != NULL) {
		n++;
		line[strcspn(line, "\r\n")] = '\0';
		r = holiday_line(line, n, days, &err);
	}
	fclose(f);
	if (r >= 0 && json_array_size(days) == 0) {
		err_set(&err, "calendar", "%s lists no holidays", path);
		r = -1;
	}
	if (r < 0) {
		json_decref(days);
		cmd_fail(job, &err);
		return;
	}
	store_holidays_load(job->env->store, days, &who, loaded, job);
	json_decref(days);
}

cmd_handler
cmd_schedule_handler(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_SCHEDULE_ADD:
		return cmd_schedule_add;
	case CMD_SCHEDULE_LIST:
		return cmd_schedule_list;
	case CMD_SCHEDULE_RUN:
		return cmd_schedule_run;
	case CMD_SCHEDULE_PAUSE:
	case CMD_SCHEDULE_RESUME:
		return cmd_schedule_pause;
	case CMD_SCHEDULE_RM:
		return cmd_schedule_rm;
	case CMD_CALENDAR_LIST:
		return cmd_calendar_list;
	case CMD_CALENDAR_LOAD:
		return cmd_calendar_load;
	default:
		return NULL;
	}
}
