/*
 * The export commands, grammar and handlers together:
 *   export KIND from DATE to DATE [TARGET] format csv|pdf
 *          [to PATH | email ADDRESS | http URL]
 *   export verify FILE
 * The work itself is src/report's: this file turns a parsed command into
 * a report request and the outcome into text and JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_int.h"
#include "cmd/dispatch_int.h"
#include "db/store_export.h"
#include "report/report.h"

#define END_OPTS	{ .word = NULL }
/* Dates outside these years are typing errors, not periods. */
#define EXPORT_YEAR_MIN	2000
#define EXPORT_YEAR_MAX	2099

static const char *const formats[] = { "csv", "pdf", NULL };

/* The first "to" is the end date, a second one the output path. */
static const struct cmd_opt export_opts[] = {
	{ .word = "from", .type = V_DATE, .flags = OPT_REQUIRED },
	{ .word = "to", .type = V_DATE, .flags = OPT_REQUIRED },
	{ .word = "format", .type = V_ENUM, .enums = formats,
	  .flags = OPT_REQUIRED },
	{ .word = "to", .key = "path", .type = V_PATH },
	{ .word = "email", .type = V_TEXT, .what = "an e-mail address" },
	{ .word = "http", .key = "url", .type = V_URL },
	END_OPTS
};

static int
arg_col(const struct cmd_pstate *ps, const char *key)
{
	const struct cmd_arg	*a = cmd_find_arg(ps->cmd, key);

	return a != NULL ? a->col : ps->toks->textend;
}

/* COMMANDS.md puts the TARGET after the period: "from D to D TARGET". */
static int
export_extra(struct cmd_pstate *ps, const struct cmd_tok *t)
{
	if (ps->cmd->target != NULL || t->quoted || t->s[0] == '-')
		return 0;
	return cmd_store_value(ps, "target", V_TARGET, NULL, NULL, NULL, 0,
	    t) == 0 ? 1 : -1;
}

/*
 * A period runs forward, within this century, and a destination is one
 * place: the same report is not both mailed and posted by one command.
 */
static int
export_check(struct cmd_pstate *ps)
{
	const char	*from = cmd_get(ps->cmd, "from");
	const char	*to = cmd_get(ps->cmd, "to");
	const char	*email = cmd_get(ps->cmd, "email");
	int		 ndest;

	if (from != NULL && (atoi(from) < EXPORT_YEAR_MIN ||
	    atoi(from) > EXPORT_YEAR_MAX))
		return cmd_perr_set(ps->err, arg_col(ps, "from"), "expected a "
		    "start date in %d..%d, got \"%s\"", EXPORT_YEAR_MIN,
		    EXPORT_YEAR_MAX, from);
	if (to != NULL && (atoi(to) < EXPORT_YEAR_MIN ||
	    atoi(to) > EXPORT_YEAR_MAX))
		return cmd_perr_set(ps->err, arg_col(ps, "to"), "expected an "
		    "end date in %d..%d, got \"%s\"", EXPORT_YEAR_MIN,
		    EXPORT_YEAR_MAX, to);
	if (from != NULL && to != NULL && strcmp(from, to) > 0)
		return cmd_perr_set(ps->err, arg_col(ps, "to"), "expected an "
		    "end date on or after %s, got \"%s\" (the period is "
		    "reversed)", from, to);
	if (email != NULL && !cmd_email_ok(email))
		return cmd_perr_set(ps->err, arg_col(ps, "email"), "expected "
		    "an e-mail address local@domain for \"email\", got "
		    "\"%.200s\"", email);
	ndest = cmd_has(ps->cmd, "path") + cmd_has(ps->cmd, "email") +
	    cmd_has(ps->cmd, "url");
	if (ndest > 1)
		return cmd_perr_set(ps->err, ps->toks->textend, "export takes "
		    "one destination: \"to PATH\", \"email ADDRESS\" or "
		    "\"http URL\"");
	return 0;
}

const struct cmd_def cmd_export_defs[] = {
	{ CMD_EXPORT, "export",
	  "export trades|orders|events|pnl|incidents|audit|sla "
	  "from DATE to DATE [TARGET] format csv|pdf "
	  "[to PATH | email ADDRESS | http URL] [--json]",
	  .pos = { { .key = "report", .type = V_ENUM,
		     .enums = store_export_kinds },
		   { .key = "target", .type = V_TARGET, .optional = 1 } },
	  .opts = export_opts, .extra = export_extra,
	  .check = export_check },
	{ CMD_EXPORT_VERIFY, "export verify", "export verify FILE [--json]",
	  .pos = { { .key = "file", .type = V_PATH,
		     .what = "an exported CSV file" } } },
};

const size_t cmd_export_ndefs = nitems(cmd_export_defs);

/* The target as the rows keep it and as the header shows it. */
static void
target_of(const struct target *t, const char **kind, char **names,
    char **text)
{
	json_t		*a = json_array();
	struct strbuf	 b;
	size_t		 i;

	strbuf_init(&b);
	if (t == NULL || t->kind == TARGET_ALL) {
		*kind = "all";
		strbuf_puts(&b, "all");
	} else if (t->kind == TARGET_GROUP) {
		*kind = "group";
		json_array_append_new(a, json_string(t->names[0]));
		strbuf_printf(&b, "group:%s", t->names[0]);
	} else {
		*kind = "accounts";
		for (i = 0; i < t->n; i++) {
			json_array_append_new(a, json_string(t->names[i]));
			strbuf_printf(&b, "%sacct:%s", i > 0 ? "," : "",
			    t->names[i]);
		}
	}
	*names = json_dumps(a, JSON_COMPACT);
	*text = strbuf_steal(&b);
	json_decref(a);
}

static void
exported(const struct report_outcome *o, const struct err *err, void *arg)
{
	struct cmd_job			*job = arg;
	const struct report_meta	*m = &o->meta;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	job->res.data = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,"
	    "s:I}", "report_id", m->id, "report", m->kind, "format",
	    m->format, "from", m->from, "to", m->to, "target", m->target,
	    "rows", (json_int_t)m->rows, "sha256", m->sha256, "destination",
	    o->destination, "file", o->file, "bytes", (json_int_t)o->bytes);
	json_object_set_new(job->res.data, "report_sha256",
	    json_string(m->seal));
	job->res.text = xasprintf("export %s %s..%s: %lld rows, report %s\n"
	    "  sha256 %s\n  report sha256 %s\n  %s %s\n", m->kind, m->from,
	    m->to, (long long)m->rows, m->id, m->sha256, m->seal,
	    strcmp(o->destination, o->file) == 0 ? "written to" :
	    "delivered to", o->destination);
	cmd_done(job);
}

static void
cmd_export(struct cmd_job *job)
{
	const struct cmd	*c = job->cmd;
	struct report_request	 rq;
	struct store_actor	 a = cmd_actor(job);
	char			*names, *text;

	memset(&rq, 0, sizeof rq);
	target_of(c->target, &rq.tkind, &names, &text);
	rq.kind = cmd_get(c, "report");
	rq.format = cmd_get(c, "format");
	rq.from = cmd_get(c, "from");
	rq.to = cmd_get(c, "to");
	rq.tnames = names;
	rq.target = text;
	rq.path = cmd_get(c, "path");
	rq.email = cmd_get(c, "email");
	rq.url = cmd_get(c, "url");
	report_export(job->env->store, job->env->cfg, job->env->home, &a, &rq,
	    exported, job);
	free(names);
	free(text);
}

static void
cmd_export_verify(struct cmd_job *job)
{
	struct report_check	ck;
	const char		*path = cmd_get(job->cmd, "file");

	switch (report_verify(path, &ck)) {
	case REPORT_INTACT:
		job->res.data = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s}", "file",
		    path, "verdict", "intact", "report_id", ck.id, "rows",
		    (json_int_t)ck.rows_found, "sha256", ck.sha_found,
		    "report_sha256", ck.seal_found);
		job->res.text = xasprintf("%s: intact: report %s, %lld rows, "
		    "sha256 %s, report sha256 %s\n", path, ck.id[0] != '\0' ?
		    ck.id : "-", (long long)ck.rows_found, ck.sha_found,
		    ck.seal_found);
		cmd_done(job);
		break;
	case REPORT_ALTERED:
		job->res.data = json_pack("{s:s,s:s,s:s,s:s}", "file", path,
		    "verdict", "altered", "part", ck.part, "report_id", ck.id);
		cmd_failf(job, "altered", "%s was altered (%s): %s", path,
		    ck.part, ck.why);
		break;
	case REPORT_UNREADABLE:
		cmd_failf(job, "unreadable", "%s", ck.why);
		break;
	}
}

cmd_handler
cmd_export_handler(enum cmd_kind kind)
{
	if (kind == CMD_EXPORT)
		return cmd_export;
	return kind == CMD_EXPORT_VERIFY ? cmd_export_verify : NULL;
}
