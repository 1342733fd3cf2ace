/*
 * The run and alert-rule families, grammar and handlers together:
 *   run list [last N] [state S] [schedule NAME] | run show ID |
 *   run logs ID [--follow] | run cancel ID
 *   alert rule add NAME when run-failed | run-longer-than DURATION |
 *       no-signal-by HH:MM connector NAME | reject-rate-above PCT%
 *       [schedule NAME] [notify CHANNEL[,CHANNEL]] [severity S]
 *   alert rule list | alert rule rm NAME
 * Runs are made by schedules, webhooks and `schedule run` (auto/run.h);
 * alert rules are evaluated by the scheduler and send through the
 * notification outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_int.h"
#include "cmd/dispatch_int.h"
#include "db/store_auto.h"
#include "net/net.h"
#include "util/jsonget.h"

#define END_OPTS	{ .word = NULL }
#define P_RUN		{ .key = "id", .type = V_ID, .what = "a run id" }
#define P_RULE		{ .key = "name", .type = V_NAME, \
			  .what = "an alert rule name" }
/* How often a follower looks even without a NOTIFY. */
#define FOLLOW_POLL_US	1000000

static const char *const run_states[] = { "PENDING", "RUNNING", "SUCCEEDED",
	"FAILED", "CANCELLED", "TIMED_OUT", NULL };
static const char *const conds[] = { "run-failed", "run-longer-than",
	"no-signal-by", "reject-rate-above", NULL };
static const char *const severities[] = { "info", "warning", "critical",
	NULL };
static const char *const follow_flags[] = { "follow", NULL };

static const struct cmd_opt run_list_opts[] = {
	{ .word = "last", .type = V_INT, .what = "a number of runs",
	  .max = 100000 },
	{ .word = "state", .type = V_ENUM_UPPER, .enums = run_states },
	{ .word = "schedule", .type = V_NAME, .what = "a schedule name" },
	END_OPTS
};

static const struct cmd_opt rule_opts[] = {
	{ .word = "when", .key = "cond", .type = V_ENUM, .enums = conds,
	  .flags = OPT_REQUIRED },
	{ .word = "connector", .type = V_NAME, .what = "a connector name" },
	{ .word = "schedule", .type = V_NAME, .what = "a schedule name" },
	{ .word = "notify", .key = "channels", .type = V_TEXT,
	  .what = "channel names, comma-separated" },
	{ .word = "severity", .type = V_ENUM, .enums = severities },
	END_OPTS
};

/* "90", "90s", "5m", "2h": seconds, or -1. */
static long
rule_duration(const char *s)
{
	char	*end;
	long	 v = strtol(s, &end, 10);

	if (end == s || *s == '-' || *s == '+' || v <= 0 || v > 86400)
		return -1;
	if (*end == 'm')
		v *= 60;
	else if (*end == 'h')
		v *= 3600;
	else if (*end != 's' && *end != '\0')
		return -1;
	if (*end != '\0' && end[1] != '\0')
		return -1;
	return v > 7 * 86400 ? -1 : v;
}

/* The value right after "when COND" for the conditions that take one. */
static int
rule_extra(struct cmd_pstate *ps, const struct cmd_tok *t)
{
	const char	*c = cmd_get(ps->cmd, "cond"), *s = t->s;
	char		 buf[32], shown[64];
	int		 h, m, n = 0;
	double		 pct;
	long		 d;

	if (c == NULL || cmd_has(ps->cmd, "value") ||
	    strcmp(c, "run-failed") == 0)
		return 0;
	cmd_tok_show(s, shown, sizeof shown);
	if (strcmp(c, "run-longer-than") == 0) {
		if ((d = rule_duration(s)) < 0)
			return cmd_perr_set(ps->err, t->col, "expected a "
			    "duration like 90s, 5m or 2h for run-longer-than, "
			    "got \"%s\"", shown);
		snprintf(buf, sizeof buf, "%ld", d);
	} else if (strcmp(c, "no-signal-by") == 0) {
		if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] != '\0' ||
		    n != 5 || h > 23 || m > 59 || h < 0 || m < 0)
			return cmd_perr_set(ps->err, t->col, "expected an IST "
			    "time HH:MM for no-signal-by, got \"%s\"", shown);
		snprintf(buf, sizeof buf, "%02d:%02d", h, m);
	} else {
		if (sscanf(s, "%lf%n", &pct, &n) != 1 || (s[n] != '\0' &&
		    strcmp(s + n, "%") != 0) || !(pct >= 0 && pct <= 100) ||
		    strspn(s, "0123456789.") != (size_t)n || n > 6)
			return cmd_perr_set(ps->err, t->col, "expected a "
			    "percentage from 0 to 100 like 5%% for "
			    "reject-rate-above, got \"%s\"", shown);
		snprintf(buf, sizeof buf, "%.*s", n, s);
	}
	cmd_add_arg(ps->cmd, "value", buf, t->col);
	return 1;
}

static int
rule_check(struct cmd_pstate *ps)
{
	const char	*c = cmd_get(ps->cmd, "cond");
	const char	*ch = cmd_get(ps->cmd, "channels"), *p;
	int		 end = ps->toks->textend;
	char		 one[80];
	size_t		 n;

	if (c == NULL)
		return 0;
	if (strcmp(c, "run-failed") != 0 && !cmd_has(ps->cmd, "value"))
		return cmd_perr_set(ps->err, end, "when %s needs its value "
		    "(%s)", c, strcmp(c, "run-longer-than") == 0 ? "a duration "
		    "like 5m" : strcmp(c, "no-signal-by") == 0 ? "an IST time "
		    "HH:MM" : "a percentage like 5%");
	if (strcmp(c, "no-signal-by") == 0 && !cmd_has(ps->cmd, "connector"))
		return cmd_perr_set(ps->err, end, "no-signal-by needs "
		    "\"connector NAME\"");
	if (strcmp(c, "no-signal-by") != 0 && cmd_has(ps->cmd, "connector"))
		return cmd_perr_set(ps->err, end, "\"connector\" goes with "
		    "no-signal-by only");
	if (strncmp(c, "run-", 4) != 0 && cmd_has(ps->cmd, "schedule"))
		return cmd_perr_set(ps->err, end, "\"schedule\" goes with "
		    "run-failed and run-longer-than only");
	for (p = ch; p != NULL; p = p[n] == ',' ? p + n + 1 : NULL) {
		n = strcspn(p, ",");
		snprintf(one, sizeof one, "%.*s", (int)(n < 79 ? n : 79), p);
		if (n == 0 || n > 64 || !cmd_name_ok(one, "_.-", 64))
			return cmd_perr_set(ps->err, end, "expected channel "
			    "names (%s) separated by commas for \"notify\"",
			    CMD_NAME_RULE);
	}
	return 0;
}

const struct cmd_def cmd_run_defs[] = {
	{ CMD_RUN_LIST, "run list",
	  "run list [last N] [state STATE] [schedule NAME] [--json]",
	  .opts = run_list_opts },
	{ CMD_RUN_SHOW, "run show", "run show ID [--json]",
	  .pos = { P_RUN } },
	{ CMD_RUN_LOGS, "run logs", "run logs ID [--follow]",
	  .pos = { P_RUN }, .flags = follow_flags },
	{ CMD_RUN_CANCEL, "run cancel", "run cancel ID",
	  .pos = { P_RUN } },
	{ CMD_ALERT_RULE_ADD, "alert rule add",
	  "alert rule add NAME when run-failed | run-longer-than DURATION | "
	  "no-signal-by HH:MM connector NAME | reject-rate-above PCT% "
	  "[schedule NAME] [notify CHANNEL[,CHANNEL]] "
	  "[severity info|warning|critical]",
	  .pos = { P_RULE }, .opts = rule_opts, .extra = rule_extra,
	  .check = rule_check },
	{ CMD_ALERT_RULE_LIST, "alert rule list", "alert rule list [--json]",
	  .opts = NULL },
	{ CMD_ALERT_RULE_RM, "alert rule rm", "alert rule rm NAME",
	  .pos = { P_RULE } },
};

const size_t cmd_run_ndefs = nitems(cmd_run_defs);


static int
final_state(const char *s)
{
	return strcmp(s, "PENDING") != 0 && strcmp(s, "RUNNING") != 0;
}

/* --- list / show ------------------------------------------------------- */

static const char *const run_columns[] = { "id", "kind", "ref", "state",
	"created_at", "seconds", "outcome", NULL };

static void
runs_listed(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, run_columns, NULL);
}

static void
cmd_run_list(struct cmd_job *job)
{
	store_run_list(job->env->store, (int)cmd_get_int(job->cmd, "last", 20),
	    cmd_get(job->cmd, "state"), cmd_get(job->cmd, "schedule"),
	    runs_listed, job);
}

static void
run_shown(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0), *r, *e;
	struct strbuf	 b;
	size_t		 i;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (row == NULL) {
		cmd_failf(job, "unknown-run", "no run %s",
		    cmd_get(job->cmd, "id"));
		return;
	}
	r = json_object_get(row, "run");
	strbuf_init(&b);
	strbuf_printf(&b, "run %lld  %s  %s %s\n",
	    (long long)json_integer_value(json_object_get(r, "id")),
	    jstr(r, "state"), jstr(r, "kind"), jstr(r, "ref"));
	if (json_is_string(json_object_get(r, "command")))
		strbuf_printf(&b, "  run %s\n", jstr(r, "command"));
	else if (json_is_string(json_object_get(r, "batch_file")))
		strbuf_printf(&b, "  batch %s\n", jstr(r, "batch_file"));
	if (json_is_string(json_object_get(r, "fire_at")))
		strbuf_printf(&b, "  fire at %s IST\n", jstr(r, "fire_at"));
	if (json_is_string(json_object_get(r, "outcome")))
		strbuf_printf(&b, "  outcome: %s\n", jstr(r, "outcome"));
	if (json_is_string(json_object_get(r, "owner")))
		strbuf_printf(&b, "  ran in %s, %s s\n", jstr(r, "owner"),
		    jstr(r, "seconds"));
	strbuf_puts(&b, "timeline (IST):\n");
	json_array_foreach(json_object_get(row, "events"), i, e)
		strbuf_printf(&b, "  %s  %-9s %s\n", jstr(e, "ts"),
		    jstr(e, "state"), jstr(e, "message"));
	strbuf_printf(&b, "log: %lld lines (run logs %lld)\n",
	    (long long)json_integer_value(json_object_get(row, "lines")),
	    (long long)json_integer_value(json_object_get(r, "id")));
	job->res.text = strbuf_steal(&b);
	job->res.data = json_deep_copy(row);
	cmd_done(job);
}

static void
cmd_run_show(struct cmd_job *job)
{
	store_run_show(job->env->store, cmd_get_int(job->cmd, "id", 0),
	    run_shown, job);
}

/* --- logs [--follow] --------------------------------------------------- */

/*
 * A follower prints what the log gains until the run ends: woken by the
 * run's NOTIFYs (one listener per store, for every follower of this
 * process) and by a slow poll in case a NOTIFY was missed.
 */
struct follow {
	struct cmd_job	*job;
	int64_t		 id;
	int64_t		 after;		/* last log row shown */
	int		 busy;		/* a read is on its way */
	int		 again;		/* woken while busy */
	int		 ended;		/* the run was over at the read */
	char		*state;
	json_t		*lines;		/* kept for the result */
	struct strbuf	 text;
	struct follow	*next;
};

static struct follow	*followers;
static struct store	*follow_store;

static void	follow_read(struct follow *);

static void
follow_unlink(struct follow *f)
{
	struct follow	**p;

	for (p = &followers; *p != NULL; p = &(*p)->next) {
		if (*p == f) {
			*p = f->next;
			return;
		}
	}
}

static void
follow_finish(struct follow *f)
{
	struct cmd_job	*job = f->job;

	follow_unlink(f);
	job->res.data = json_pack("{s:I, s:s, s:o}", "id", (json_int_t)f->id,
	    "state", f->state != NULL ? f->state : "", "lines", f->lines);
	job->res.text = f->job->env->stream != NULL && cmd_has(job->cmd,
	    "follow") ? xstrdup("") : strbuf_steal(&f->text);
	strbuf_free(&f->text);
	free(f->state);
	free(f);
	cmd_done(job);
}

static void
follow_lines(json_t *rows, const struct err *err, void *arg)
{
	struct follow	*f = arg;
	struct strbuf	 b;
	json_t		*row;
	size_t		 i;

	f->busy = 0;
	if (err != NULL) {
		follow_unlink(f);
		json_decref(f->lines);
		strbuf_free(&f->text);
		free(f->state);
		cmd_fail(f->job, err);
		free(f);
		return;
	}
	strbuf_init(&b);
	json_array_foreach(rows, i, row) {
		f->after = json_integer_value(json_object_get(row, "id"));
		json_array_append(f->lines, row);
		strbuf_printf(&b, "%s %s%s\n", jstr(row, "ts"),
		    strcmp(jstr(row, "stream"), "err") == 0 ? "! " :
		    strcmp(jstr(row, "stream"), "sys") == 0 ? "# " : "",
		    jstr(row, "line"));
	}
	if (b.len > 0 && f->job->env->stream != NULL &&
	    cmd_has(f->job->cmd, "follow"))
		f->job->env->stream(b.s, f->job->env->stream_arg);
	else if (b.len > 0)
		strbuf_puts(&f->text, b.s);
	strbuf_free(&b);
	/* A page was full: there is more to read at once. */
	if (json_array_size(rows) == 1000) {
		follow_read(f);
		return;
	}
	if (f->ended || !cmd_has(f->job->cmd, "follow")) {
		if (cmd_has(f->job->cmd, "follow"))
			strbuf_printf(&f->text, "run %lld %s\n",
			    (long long)f->id, f->state);
		if (f->job->env->stream != NULL && cmd_has(f->job->cmd,
		    "follow")) {
			char	*s = xasprintf("run %lld %s\n",
				    (long long)f->id, f->state);

			f->job->env->stream(s, f->job->env->stream_arg);
			free(s);
		}
		follow_finish(f);
		return;
	}
	if (f->again) {
		f->again = 0;
		follow_read(f);
	}
}

/* The state first: the lines read after a final state are all there is. */
static void
follow_state(json_t *rows, const struct err *err, void *arg)
{
	struct follow	*f = arg;
	json_t		*row = json_array_get(rows, 0);

	if (err == NULL && row == NULL) {
		f->busy = 0;
		follow_unlink(f);
		json_decref(f->lines);
		strbuf_free(&f->text);
		free(f->state);
		cmd_failf(f->job, "unknown-run", "no run %lld",
		    (long long)f->id);
		free(f);
		return;
	}
	if (row != NULL) {
		free(f->state);
		f->state = xstrdup(jstr(row, "state"));
		f->ended = final_state(f->state);
	}
	store_run_logs(f->job->env->store, f->id, f->after, 1000,
	    follow_lines, f);
}

static void
follow_read(struct follow *f)
{
	if (f->busy) {
		f->again = 1;
		return;
	}
	f->busy = 1;
	store_run_state(f->job->env->store, f->id, follow_state, f);
}

static void
follow_notified(const char *channel, const char *payload, void *arg)
{
	struct follow	*f;
	long long	 id;

	if (sscanf(payload, "%lld", &id) != 1)
		return;
	for (f = followers; f != NULL; f = f->next) {
		if (f->id == id)
			follow_read(f);
	}
}

static void
follow_poll(void *arg)
{
	struct follow	*f;

	for (f = followers; f != NULL; f = f->next)
		follow_read(f);
	if (followers != NULL)
		loop_later(FOLLOW_POLL_US, follow_poll, NULL);
}

static void
cmd_run_logs(struct cmd_job *job)
{
	struct follow	*f = xcalloc(1, sizeof *f);

	f->job = job;
	f->id = cmd_get_int(job->cmd, "id", 0);
	f->lines = json_array();
	strbuf_init(&f->text);
	if (cmd_has(job->cmd, "follow")) {
		if (follow_store != job->env->store) {
			pg_listen(store_conn(job->env->store),
			    STORE_RUNS_CHANNEL, follow_notified, NULL);
			follow_store = job->env->store;
		}
		if (followers == NULL)
			loop_later(FOLLOW_POLL_US, follow_poll, NULL);
		f->next = followers;
		followers = f;
	}
	follow_read(f);
}

/* --- cancel ------------------------------------------------------------ */

static void
cancelled(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);
	const char	*id = cmd_get(job->cmd, "id");

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (row == NULL) {
		cmd_failf(job, "unknown-run", "no run %s", id);
		return;
	}
	if (json_integer_value(json_object_get(row, "cancelled")) > 0)
		job->res.text = xasprintf("run %s cancelled before it "
		    "started\n", id);
	else if (json_integer_value(json_object_get(row, "asked")) > 0)
		job->res.text = xasprintf("run %s: cancel asked of the process "
		    "running it (it stops after the command in flight)\n", id);
	else {
		cmd_failf(job, "run-state", "run %s is %s already: nothing "
		    "to cancel", id, jstr(row, "was"));
		return;
	}
	job->res.data = json_deep_copy(row);
	cmd_done(job);
}

static void
cmd_run_cancel(struct cmd_job *job)
{
	struct store_actor	who = cmd_actor(job);

	store_run_cancel(job->env->store, cmd_get_int(job->cmd, "id", 0),
	    &who, cancelled, job);
}

/* --- alert rules ------------------------------------------------------- */

static void
rule_added(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);
	const char	*name = cmd_get(job->cmd, "name");

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_is_string(json_object_get(row, "missing"))) {
		cmd_failf(job, "unknown-channel", "no channel %s (channel add "
		    "it first)", jstr(row, "missing"));
		return;
	}
	if (!json_is_integer(json_object_get(row, "id"))) {
		cmd_failf(job, "rule-exists", "alert rule %s exists already",
		    name);
		return;
	}
	job->res.text = xasprintf("alert rule %s added\n", name);
	job->res.data = json_deep_copy(row);
	cmd_done(job);
}

static void
cmd_alert_rule_add(struct cmd_job *job)
{
	const struct cmd	*c = job->cmd;
	struct store_actor	 who = cmd_actor(job);
	const char		*cond = cmd_get(c, "cond");
	const char		*v = cmd_get(c, "value"), *ch, *p;
	json_t			*f = json_object(), *chs;
	size_t			 n;

	json_object_set_new(f, "name", json_string(cmd_get(c, "name")));
	json_object_set_new(f, "cond", json_string(cond));
	if (strcmp(cond, "run-longer-than") == 0)
		json_object_set_new(f, "arg_s", json_string(v));
	else if (strcmp(cond, "no-signal-by") == 0)
		json_object_set_new(f, "at_time", json_string(v));
	else if (strcmp(cond, "reject-rate-above") == 0)
		json_object_set_new(f, "pct", json_string(v));
	if ((p = cmd_get(c, "connector")) != NULL)
		json_object_set_new(f, "connector", json_string(p));
	if ((p = cmd_get(c, "schedule")) != NULL)
		json_object_set_new(f, "schedule", json_string(p));
	if ((p = cmd_get(c, "severity")) != NULL)
		json_object_set_new(f, "severity", json_string(p));
	if ((ch = cmd_get(c, "channels")) != NULL) {
		chs = json_array();
		for (p = ch; p != NULL; p = p[n] == ',' ? p + n + 1 : NULL) {
			n = strcspn(p, ",");
			json_array_append_new(chs, json_stringn(p, n));
		}
		json_object_set_new(f, "channels", chs);
	}
	store_alert_rule_add(job->env->store, f, &who, rule_added, job);
	json_decref(f);
}

static const char *const rule_columns[] = { "name", "cond", "arg_s",
	"at_time", "pct", "connector", "schedule", "channels", "severity",
	"fired", "last_fired", NULL };

static void
rules_listed(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, rule_columns, NULL);
}

static void
cmd_alert_rule_list(struct cmd_job *job)
{
	store_alert_rule_list(job->env->store, rules_listed, job);
}

static void
rule_removed(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_array_size(rows) == 0) {
		cmd_failf(job, "unknown-rule", "no alert rule %s",
		    cmd_get(job->cmd, "name"));
		return;
	}
	job->res.text = xasprintf("alert rule %s removed\n",
	    cmd_get(job->cmd, "name"));
	cmd_done(job);
}

static void
cmd_alert_rule_rm(struct cmd_job *job)
{
	struct store_actor	who = cmd_actor(job);

	store_alert_rule_rm(job->env->store, cmd_get(job->cmd, "name"), &who,
	    rule_removed, job);
}

cmd_handler
cmd_run_handler(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_RUN_LIST:
		return cmd_run_list;
	case CMD_RUN_SHOW:
		return cmd_run_show;
	case CMD_RUN_LOGS:
		return cmd_run_logs;
	case CMD_RUN_CANCEL:
		return cmd_run_cancel;
	case CMD_ALERT_RULE_ADD:
		return cmd_alert_rule_add;
	case CMD_ALERT_RULE_LIST:
		return cmd_alert_rule_list;
	case CMD_ALERT_RULE_RM:
		return cmd_alert_rule_rm;
	default:
		return NULL;
	}
}
