/*
 * The incident family and audit verify, grammar and handlers together:
 *   incident list [open] [last N] | show ID | ack ID [note TEXT] |
 *   note ID TEXT | step ID N done [note TEXT] | resolve ID [note TEXT] |
 *   signoff ID note TEXT;  audit verify.
 * An incident goes OPEN -> ACKNOWLEDGED -> MITIGATED -> RESOLVED ->
 * SIGNED_OFF; sign-off comes after resolve, from an operator listed in
 * rms.signoff_users who is not the one who resolved it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_rms_int.h"
#include "db/store_rms.h"
#include "util/config.h"

#define END_OPTS	{ .word = NULL }
#define P_INCIDENT	{ .key = "id", .type = V_ID, \
			  .what = "an incident id" }

static const struct cmd_opt list_opts[] = {
	{ .word = "open", .type = V_NONE },
	{ .word = "last", .type = V_INT, .what = "a number of incidents" },
	END_OPTS
};
static const struct cmd_opt note_opts[] = {
	{ .word = "note", .type = V_TEXT },
	END_OPTS
};
static const char *const done_word[] = { "done", NULL };
static const struct cmd_opt signoff_opts[] = {
	{ .word = "note", .type = V_TEXT, .flags = OPT_REQUIRED },
	END_OPTS
};

const struct cmd_def cmd_incident_defs[] = {
	{ CMD_INCIDENT_LIST, "incident list",
	  "incident list [open] [last N] [--json]", .opts = list_opts },
	{ CMD_INCIDENT_SHOW, "incident show", "incident show ID [--json]",
	  .pos = { P_INCIDENT } },
	{ CMD_INCIDENT_ACK, "incident ack", "incident ack ID [note TEXT]",
	  .pos = { P_INCIDENT }, .opts = note_opts },
	{ CMD_INCIDENT_NOTE, "incident note", "incident note ID TEXT",
	  .pos = { P_INCIDENT, { .key = "note", .type = V_TEXT,
		   .what = "a note" } } },
	{ CMD_INCIDENT_STEP, "incident step",
	  "incident step ID N done [note TEXT]",
	  .pos = { P_INCIDENT, { .key = "step", .type = V_QTY,
		   .what = "a step number" }, { .key = "done", .type = V_ENUM,
		   .enums = done_word } }, .opts = note_opts },
	{ CMD_INCIDENT_RESOLVE, "incident resolve",
	  "incident resolve ID [note TEXT]",
	  .pos = { P_INCIDENT }, .opts = note_opts },
	{ CMD_INCIDENT_ACK, "incident ack", "incident ack ID [note TEXT]",
	  .pos = { P_INCIDENT }, .opts = note_opts },
	{ CMD_INCIDENT_NOTE, "incident note", "incident note ID TEXT",
	  .pos = { P_INCIDENT, { .key = "note", .type = V_TEXT,
		   .what = "a note" } } },
	{ CMD_INCIDENT_STEP, "incident step",
	  "incident step ID N done [note TEXT]",
	  .pos = { P_INCIDENT, { .key = "step", .type = V_QTY,
		   .what = "a step number" }, { .key = "done", .type = V_ENUM,
		   .enums = done_word } }, .opts = note_opts },
	{ CMD_INCIDENT_RESOLVE, "incident resolve",
	  "incident resolve ID [note TEXT]",
	  .pos = { P_INCIDENT }, .opts = note_opts },
	{ CMD_INCIDENT_SIGNOFF, "incident signoff",
	  "incident signoff ID note TEXT",
	  .pos = { P_INCIDENT }, .opts = signoff_opts },
	{ CMD_AUDIT_VERIFY, "audit verify", "audit verify [--json]",
	  .opts = NULL },
};

const size_t cmd_incident_ndefs = nitems(cmd_incident_defs);

static const char *
str(json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* --- list / show ------------------------------------------------------ */

static const char *const incident_columns[] = { "id", "opened_at",
	"severity", "kind", "name", "rule", "state", "events", "summary", NULL };

static void
listed(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, incident_columns, NULL);
}

static void
cmd_incident_list(struct cmd_job *job)
{
	store_incident_list(job->env->store, cmd_has(job->cmd, "open"),
	    (int)cmd_get_int(job->cmd, "last", 50), listed, job);
}

/* What was sent to whom and when: each alert and its deliveries. */
static void
alerts_text(struct strbuf *b, json_t *alerts)
{
	json_t	*a, *d;
	size_t	 i, j;
	long long count;

	if (json_array_size(alerts) == 0)
		return;
	strbuf_puts(b, "alerts:\n");
	json_array_foreach(alerts, i, a) {
		count = json_integer_value(json_object_get(a, "count"));
		strbuf_printf(b, "  %s  alert %lld %s \"%s\"", str(a, "at"),
		    (long long)json_integer_value(json_object_get(a, "id")),
		    str(a, "severity"), str(a, "title"));
		if (count > 1)
			strbuf_printf(b, " (x%lld)", count);
		strbuf_putc(b, '\n');
		if (json_array_size(json_object_get(a, "deliveries")) == 0)
			strbuf_puts(b, "    (no channel routes it)\n");
		json_array_foreach(json_object_get(a, "deliveries"), j, d) {
			strbuf_printf(b, "    %-12s %-8s %-24s %s", str(d,
			    "channel"), str(d, "kind"), str(d, "to"),
			    str(d, "state"));
			if (json_is_string(json_object_get(d, "sent_at")))
				strbuf_printf(b, " at %s", str(d, "sent_at"));
			if (strcmp(str(d, "state"), "FAILED") == 0)
				strbuf_printf(b, " after %lld attempts: %s",
				    (long long)json_integer_value(
				    json_object_get(d, "attempts")),
				    str(d, "error"));
			strbuf_putc(b, '\n');
		}
	}
}

static void
shown(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0), *i, *e, *so;
	struct strbuf	 b;
	size_t		 n;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (row == NULL) {
		cmd_failf(job, "unknown-incident", "no incident %s",
		    cmd_get(job->cmd, "id"));
		return;
	}
	i = json_object_get(row, "incident");
	strbuf_init(&b);
	strbuf_printf(&b, "incident %lld  %s  %s  %s:%s  rule %s\n  %s\n",
	    (long long)json_integer_value(json_object_get(i, "id")),
	    str(i, "state"), str(i, "severity"), str(i, "scope_kind"),
	    str(i, "scope_name"), str(i, "rule"), str(i, "summary"));
	strbuf_puts(&b, "timeline:\n");
	json_array_foreach(json_object_get(row, "events"), n, e)
		strbuf_printf(&b, "  %s  %-8s %-10s %s\n", str(e, "ts"),
		    str(e, "kind"), str(e, "actor"), str(e, "message"));
	if (json_array_size(json_object_get(row, "steps")) > 0)
		strbuf_printf(&b, "playbook %s:\n", str(i, "playbook"));
	json_array_foreach(json_object_get(row, "steps"), n, e)
		strbuf_printf(&b, "  [%s] %lld. %s%s%s%s\n",
		    json_is_string(json_object_get(e, "done_at")) ? "x" : " ",
		    (long long)json_integer_value(json_object_get(e, "n")),
		    str(e, "title"), json_is_true(json_object_get(e,
		    "automatic")) ? " (automatic)" : "",
		    json_is_string(json_object_get(e, "done_by")) ? " -- " :
		    "", str(e, "done_by"));
	alerts_text(&b, json_object_get(row, "alerts"));
	so = json_object_get(row, "signoff");
	if (json_is_object(so))
		strbuf_printf(&b, "signed off by %s at %s: %s\n",
		    str(so, "signed_by"), str(so, "signed_at"), str(so, "note"));
	job->res.text = strbuf_steal(&b);
	job->res.data = json_deep_copy(row);
	cmd_done(job);
}

static void
cmd_incident_show(struct cmd_job *job)
{
	store_incident_show(job->env->store, cmd_get(job->cmd, "id"), shown,
	    job);
}

/* --- ack / resolve / note / step -------------------------------------- */

static void
moved(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);
	json_t		*done = json_object_get(row, "done");
	const char	*was = json_string_value(json_object_get(row, "was"));
	const char	*id = cmd_get(job->cmd, "id");

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_is_object(done)) {
		job->res.text = xasprintf("incident %s is %s\n", id,
		    str(done, "state"));
		job->res.data = json_deep_copy(done);
		cmd_done(job);
	} else if (was == NULL)
		cmd_failf(job, "unknown-incident", "no incident %s", id);
	else
		cmd_failf(job, "incident-state", "incident %s is %s: it cannot "
		    "be %s", id, was, job->cmd->kind == CMD_INCIDENT_ACK ?
		    "acknowledged (only an OPEN incident can)" :
		    "resolved (it is resolved already)");
}

static void
cmd_incident_ack(struct cmd_job *job)
{
	struct store_actor	who = cmd_actor(job);

	store_incident_move(job->env->store, cmd_get(job->cmd, "id"),
	    "ACKNOWLEDGED", "OPEN", "ack", cmd_get(job->cmd, "note"), &who,
	    moved, job);
}

static void
cmd_incident_resolve(struct cmd_job *job)
{
	struct store_actor	who = cmd_actor(job);

	store_incident_move(job->env->store, cmd_get(job->cmd, "id"),
	    "RESOLVED", "OPEN,ACKNOWLEDGED,MITIGATED", "resolve",
	    cmd_get(job->cmd, "note"), &who, moved, job);
}

static void
noted(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_array_size(rows) == 0) {
		cmd_failf(job, "unknown-incident", "no incident %s",
		    cmd_get(job->cmd, "id"));
		return;
	}
	job->res.text = xasprintf("note added to incident %s\n",
	    cmd_get(job->cmd, "id"));
	job->res.data = json_deep_copy(json_array_get(rows, 0));
	cmd_done(job);
}

static void
cmd_incident_note(struct cmd_job *job)
{
	struct store_actor	who = cmd_actor(job);

	store_incident_event(job->env->store, cmd_get(job->cmd, "id"), "note",
	    cmd_get(job->cmd, "note"), NULL, &who, noted, job);
}

static void
stepped(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);
	json_t		*was = json_object_get(row, "was");
	const char	*id = cmd_get(job->cmd, "id");
	const char	*n = cmd_get(job->cmd, "step");

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_is_object(json_object_get(row, "done"))) {
		job->res.text = xasprintf("incident %s: step %s done\n", id, n);
		job->res.data = json_deep_copy(json_object_get(row, "done"));
		cmd_done(job);
	} else if (!json_is_object(was))
		cmd_failf(job, "unknown-incident", "no incident %s", id);
	else if (!json_is_object(json_object_get(was, "step")))
		cmd_failf(job, "unknown-step", "incident %s has no step %s",
		    id, n);
	else if (json_is_string(json_object_get(json_object_get(was, "step"),
	    "done_at")))
		cmd_failf(job, "step-done", "incident %s: step %s is done "
		    "already", id, n);
	else
		cmd_failf(job, "incident-state", "incident %s is %s: its "
		    "steps are closed", id, str(was, "state"));
}

static void
cmd_incident_step(struct cmd_job *job)
{
	struct store_actor	who = cmd_actor(job);

	store_incident_step(job->env->store, cmd_get(job->cmd, "id"),
	    cmd_get(job->cmd, "step"), cmd_get(job->cmd, "note"), &who,
	    stepped, job);
}

/* --- signoff ---------------------------------------------------------- */

/* Is user one of the comma-separated names in list? */
static int
listed_user(const char *list, const char *user)
{
	size_t	n = strlen(user);
	const char *p;

	for (p = list; p != NULL && *p != '\0'; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		while (*p == ' ')
			p++;
		if (strncmp(p, user, n) == 0 && (p[n] == '\0' || p[n] == ',' ||
		    p[n] == ' '))
			return 1;
		if (strchr(p, ',') == NULL)
			break;
	}
	return 0;
}

static void
signed_off(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);
	json_t		*was = json_object_get(row, "was");
	const char	*id = cmd_get(job->cmd, "id");

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_is_object(json_object_get(row, "done"))) {
		job->res.text = xasprintf("incident %s signed off by %s\n", id,
		    path_os_user());
		job->res.data = json_deep_copy(json_object_get(row, "done"));
		cmd_done(job);
	} else if (!json_is_object(was))
		cmd_failf(job, "unknown-incident", "no incident %s", id);
	else if (strcmp(str(was, "state"), "RESOLVED") != 0)
		cmd_failf(job, "incident-state", "incident %s is %s: sign-off "
		    "comes after resolve", id, str(was, "state"));
	else
		cmd_failf(job, "signoff-self", "incident %s was resolved by "
		    "%s: another operator must sign it off", id,
		    str(was, "resolved_by"));
}

static void
cmd_incident_signoff(struct cmd_job *job)
{
	struct store_actor	 who = cmd_actor(job);
	const char		*list = config_str(job->env->cfg,
				    "rms.signoff_users");

	if (!listed_user(list, who.os_user)) {
		cmd_failf(job, "signoff-not-allowed", "%s may not sign off "
		    "incidents: only the operators in rms.signoff_users (%s) "
		    "may", who.os_user, *list != '\0' ? list : "empty");
		return;
	}
	store_incident_signoff(job->env->store, cmd_get(job->cmd, "id"),
	    cmd_get(job->cmd, "note"), &who, signed_off, job);
}

/* --- audit verify ----------------------------------------------------- */

static void
verified(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);
	json_t		*bad = json_object_get(row, "first_broken");
	long long	 n = json_integer_value(json_object_get(row, "rows"));
	long long	 head = json_integer_value(json_object_get(row,
			    "head_seq"));
	long long	 last = json_integer_value(json_object_get(row,
			    "last_seq"));

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	job->res.data = json_deep_copy(row);
	if (json_is_object(bad))
		cmd_failf(job, "audit-broken", "audit chain broken at row %lld "
		    "(%s %s at %.19s): %s", (long long)json_integer_value(
		    json_object_get(bad, "chain_seq")), str(bad, "action"),
		    str(bad, "object"), str(bad, "ts"), str(bad, "problem"));
	else if (last != head)
		cmd_failf(job, "audit-broken", "audit chain broken: the head "
		    "is row %lld but the last row is %lld (rows were deleted "
		    "from the end)", head, last);
	else if (json_integer_value(json_object_get(row, "unchained")) > 0)
		cmd_failf(job, "audit-broken", "%lld audit rows are outside "
		    "the chain", (long long)json_integer_value(json_object_get(
		    row, "unchained")));
	else {
		job->res.text = xasprintf("audit chain intact: %lld rows, head "
		    "%lld %s\n", n, head, str(row, "head_hash"));
		cmd_done(job);
	}
}

static void
cmd_audit_verify(struct cmd_job *job)
{
	store_audit_verify(job->env->store, verified, job);
}

cmd_handler
cmd_incident_handler(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_INCIDENT_LIST:
		return cmd_incident_list;
	case CMD_INCIDENT_SHOW:
		return cmd_incident_show;
	case CMD_INCIDENT_ACK:
		return cmd_incident_ack;
	case CMD_INCIDENT_NOTE:
		return cmd_incident_note;
	case CMD_INCIDENT_STEP:
		return cmd_incident_step;
	case CMD_INCIDENT_RESOLVE:
		return cmd_incident_resolve;
	case CMD_INCIDENT_SIGNOFF:
		return cmd_incident_signoff;
	case CMD_AUDIT_VERIFY:
		return cmd_audit_verify;
	default:
		return NULL;
	}
}
