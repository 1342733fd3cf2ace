/*
 * rms state, rms override, rms approve, rms overrides: what is in force
 * for a target, and the temporary changes to it.  An override that
 * tightens a limit is in force at once; one that loosens it waits for a
 * second operator where the scope's template asks for approval.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd_rms_int.h"
#include "db/store_rms.h"
#include "db/store_rms_live.h"
#include "rms/rms.h"


/* What a state or override job gathers before it can answer. */
struct rms_job {
	struct cmd_job		*job;
	struct account_set	 set;
	struct rms_world	 world;
	json_t			*scopes;
	json_t			*ids;
	json_t			*out;
	json_t			*marks;		/* state: from stored positions */
	size_t			 next;		/* override: scope being written */
	char			 until[40];
};

static void
rms_job_free(struct rms_job *rj)
{
	account_set_free(&rj->set);
	rms_world_free(&rj->world);
	json_decref(rj->scopes);
	json_decref(rj->ids);
	json_decref(rj->out);
	json_decref(rj->marks);
	free(rj);
}

static void
rms_job_fail(struct rms_job *rj, const struct err *e)
{
	struct cmd_job	*job = rj->job;

	rms_job_free(rj);
	cmd_fail(job, e);
}

static void
rms_job_done(struct rms_job *rj, char *text)
{
	struct cmd_job	*job = rj->job;

	job->res.text = text;
	job->res.data = rj->out;
	rj->out = NULL;
	rms_job_free(rj);
	cmd_done(job);
}

/* --- rms state -------------------------------------------------------- */

static json_t *
mark_of(json_t *marks, const char *name)
{
	json_t	*m;
	size_t	 i;

	json_array_foreach(marks, i, m) {
		if (strcmp(json_string_value(json_object_get(m, "name")),
		    name) == 0)
			return m;
	}
	return NULL;
}

/* "firm intraday-scalper v1, group:family conservative v2" */
static void
bindings_text(const struct rms_world *w, const struct account *a,
    struct strbuf *b, json_t *arr)
{
	const struct rms_binding	*bd;
	size_t				 i;
	int				 n = 0;

	for (i = 0; i < w->nb; i++) {
		bd = &w->b[i];
		if (bd->template[0] == '\0')
			continue;	/* an override alone */
		if (!(bd->kind == RS_FIRM ||
		    (bd->kind == RS_GROUP && account_has_tag(a, bd->name)) ||
		    (bd->kind == RS_ACCOUNT && strcmp(bd->name, a->name) == 0)))
			continue;
		strbuf_printf(b, "%s%s%s%s %s v%d", n++ ? ", " : "",
		    rms_scope_kind_name(bd->kind), bd->kind == RS_FIRM ? "" :
		    ":", bd->name, bd->template, bd->version);
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:i}",
		    "kind", rms_scope_kind_name(bd->kind), "name", bd->name,
		    "template", bd->template, "version", bd->version));
	}
	if (n == 0)
		strbuf_puts(b, "none bound");
}

static void
rupees_fmt(char *buf, size_t len, int64_t paise, const char *suffix)
{
	snprintf(buf, len, "%s%lld.%02lld%s", paise < 0 ? "-" : "",
	    (long long)(llabs(paise) / 100), (long long)(llabs(paise) % 100),
	    suffix);
}

static void
limit_now(enum rms_limit_id id, const struct rms_mark *m,
    const struct rms_watch *w, int open, char *buf, size_t len)
{
	int64_t	loss = m->mtm < 0 ? -m->mtm : 0;

	switch (id) {
	case RL_MAX_DRAWDOWN:
		rupees_fmt(buf, len, w->peak - m->mtm, " off peak");
		return;
	case RL_TRAIL_ACTIVATE:
		rupees_fmt(buf, len, m->mtm, w->trail_armed ? " (armed)" : "");
		return;
	case RL_TRAIL_BY:
		if (w->trail_armed)
			rupees_fmt(buf, len, w->peak - m->mtm, " given back");
		else
			snprintf(buf, len, "not armed");
		return;
	case RL_MARGIN_MAX_PCT:
		if (m->margin_total > 0) {
			int64_t bp = m->margin_used * 10000 / m->margin_total;

			snprintf(buf, len, "%lld.%02lld%% in use",
			    (long long)(bp / 100), (long long)(bp % 100));
		} else
			snprintf(buf, len, "-");
		return;
	case RL_SQUAREOFF_AT:
		snprintf(buf, len, "%s", m->has_mis ? "MIS open" : "no MIS");
		return;
	default:
		break;
	}
	switch (id) {
	case RL_MTM_LOSS:
	case RL_MTM_LOSS_PCT:
		snprintf(buf, len, "%lld.%02lld loss", (long long)(loss / 100),
		    (long long)(loss % 100));
		break;
	case RL_PROFIT_TARGET:
		snprintf(buf, len, "%s%lld.%02lld", m->mtm < 0 ? "-" : "",
		    (long long)(llabs(m->mtm) / 100),
		    (long long)(llabs(m->mtm) % 100));
		break;
	case RL_MAX_OPEN_POSITIONS:
		snprintf(buf, len, "%d open", open);
		break;
	default:
		snprintf(buf, len, "-");
	}
}

/*
 * The RMS owner's last pass for the account (rms_live), over what the
 * stored positions say: its MTM from live quotes, the day's peak, the
 * trailing lock, margin, open MIS.  Text for the header line.
 */
static void
live_apply(json_t *live, struct rms_mark *m, struct rms_watch *w, int *open,
    char *buf, size_t len)
{
	json_int_t	age;

	if (live == NULL) {
		snprintf(buf, len, "live: no RMS owner has marked it; MTM from "
		    "stored positions");
		return;
	}
	m->mtm = json_integer_value(json_object_get(live, "mtm"));
	w->peak = json_integer_value(json_object_get(live, "peak"));
	w->trail_armed = json_is_true(json_object_get(live, "trail_armed"));
	m->margin_used = json_integer_value(json_object_get(live,
	    "margin_used"));
	m->margin_total = json_integer_value(json_object_get(live,
	    "margin_total"));
	m->has_mis = json_is_true(json_object_get(live, "has_mis"));
	m->stale = json_is_true(json_object_get(live, "stale"));
	*open = (int)json_integer_value(json_object_get(live,
	    "open_positions"));
	age = json_integer_value(json_object_get(live, "age_ms"));
	snprintf(buf, len, "live: the %s's monitor at %s IST (%lld.%llds "
	    "ago)%s", json_string_value(json_object_get(live, "front")),
	    json_string_value(json_object_get(live, "at")),
	    (long long)(age / 1000), (long long)(age % 1000 / 100),
	    m->stale ? ", prices STALE" : "");
}

static void
account_state(const struct rms_world *w, const struct account *a,
    json_t *markrow, json_t *live, struct strbuf *b, json_t *out)
{
	struct rms_limits	 lim;
	struct rms_watch	 watch;
	struct rms_mark		 m;
	enum trading_state	 st;
	json_t			*o, *limits, *bound;
	char			 val[64], now[48], src[160];
	int64_t			 used;
	int			 i, open = 0;

	rms_effective(w, a, &lim, &st);
	memset(&m, 0, sizeof m);
	memset(&watch, 0, sizeof watch);
	m.capital = a->capital;
	if (markrow != NULL) {
		decimal_parse(json_string_value(json_object_get(markrow,
		    "mtm")), 2, &m.mtm);
		open = (int)json_integer_value(json_object_get(markrow,
		    "open_positions"));
	}
	watch.peak = m.mtm;
	live_apply(live, &m, &watch, &open, src, sizeof src);
	bound = json_array();
	limits = json_array();
	strbuf_printf(b, "%s  %s  templates: ", a->name,
	    trading_state_name(st));
	bindings_text(w, a, b, bound);
	strbuf_printf(b, "\n  %s\n", src);
	for (i = 0; i < RL__COUNT; i++) {
		if (!rms_limit_has(&lim, (enum rms_limit_id)i))
			continue;
		rms_limit_format(&lim, (enum rms_limit_id)i, val, sizeof val);
		limit_now((enum rms_limit_id)i, &m, &watch, open, now,
		    sizeof now);
		used = i == RL_MAX_OPEN_POSITIONS ? (lim.v[i] > 0 ?
		    (int64_t)open * 10000 / lim.v[i] : 0) : rms_used_bp(&lim, (enum rms_limit_id)i, &m,
		    &watch);
		if (i == RL_TRAIL_ACTIVATE && m.mtm > 0 && lim.v[i] > 0)
			used = m.mtm > INT64_MAX / 10000 ? INT64_MAX :
			    m.mtm * 10000 / lim.v[i];
		strbuf_printf(b, "  %-24s %-14s %-16s", rms_limit_defs[i].name,
		    val, now);
		if (used > 0)
			strbuf_printf(b, " %lld.%02lld%% used",
			    (long long)(used / 100), (long long)(used % 100));
		strbuf_putc(b, '\n');
		o = json_pack("{s:s,s:s,s:s}", "limit", rms_limit_defs[i].name,
		    "value", val, "now", now);
		json_object_set_new(o, "used_pct", json_real((double)used /
		    100));
		if (rms_limit_defs[i].monitor)
			json_object_set_new(o, "on", json_string(
			    rms_response_name(lim.on[i])));
		json_array_append_new(limits, o);
	}
	o = json_pack("{s:s,s:s,s:o,s:o,s:s}", "account", a->name, "state",
	    trading_state_name(st), "bindings", bound, "limits", limits,
	    "source", src);
	if (live != NULL)
		json_object_set_new(o, "live", json_deep_copy(live));
	json_array_append_new(out, o);
}

static void
state_live(json_t *rows, const struct err *err, void *arg)
{
	struct rms_job		*rj = arg;
	struct target_match	 m;
	struct strbuf		 b;
	struct err		 e;
	size_t			 i;

	if (err != NULL) {
		rms_job_fail(rj, err);
		return;
	}
	err_clear(&e);
	if (target_resolve(rj->job->cmd->target, &rj->set, &m, &e) != 0) {
		rms_job_fail(rj, &e);
		return;
	}
	strbuf_init(&b);
	rj->out = json_array();
	for (i = 0; i < m.n; i++)
		account_state(&rj->world, m.v[i], mark_of(rj->marks,
		    m.v[i]->name), mark_of(rows, m.v[i]->name), &b, rj->out);
	target_match_free(&m);
	rms_job_done(rj, strbuf_steal(&b));
}

static void
state_marks(json_t *rows, const struct err *err, void *arg)
{
	struct rms_job	*rj = arg;

	if (err != NULL) {
		rms_job_fail(rj, err);
		return;
	}
	rj->marks = json_incref(rows);
	store_rms_live(rj->job->env->store, state_live, rj);
}

static void
state_world(json_t *rows, const struct err *err, void *arg)
{
	struct rms_job	*rj = arg;
	struct err	 e;

	if (err != NULL) {
		rms_job_fail(rj, err);
		return;
	}
	err_clear(&e);
	if (rms_world_load(json_array_get(rows, 0), &rj->world, &e) == -1) {
		rms_job_fail(rj, &e);
		return;
	}
	store_rms_marks(rj->job->env->store, state_marks, rj);
}

static void
state_accounts(struct account_set *set, const struct err *err, void *arg)
{
	struct rms_job	*rj = arg;

	if (err != NULL) {
		rms_job_fail(rj, err);
		return;
	}
	account_set_copy(&rj->set, set);
	store_rms_load(rj->job->env->store, state_world, rj);
}

static struct rms_job *
rms_job_new(struct cmd_job *job)
{
	struct rms_job	*rj = xcalloc(1, sizeof *rj);

	rj->job = job;
	return rj;
}

static void
state_start(struct cmd_job *job)
{
	store_accounts_load(job->env->store, state_accounts,
	    rms_job_new(job));
}

static void
cmd_rms_state(struct cmd_job *job)
{
	cmd_rms_seed_then(job, state_start);
}

/* --- rms override ------------------------------------------------------ */

/*
 * until TIME as a timestamptz in IST: HH:MM[:SS] is today, a date is the
 * end of that day; it must lie ahead.
 */
static int
until_text(const char *s, char *out, size_t len, struct err *e)
{
	int	y, mo, d, h = 23, mi = 59, sec = 59, today = time_today_ist();
	int64_t	at;

	if (strlen(s) >= 5 && s[2] == ':') {
		y = today / 10000;
		mo = today / 100 % 100;
		d = today % 100;
		sec = 0;
		if (sscanf(s, "%d:%d:%d", &h, &mi, &sec) < 2)
			goto bad;
	} else if (sscanf(s, "%d-%d-%d", &y, &mo, &d) != 3)
		goto bad;
	else if (strlen(s) > 10 && sscanf(s + 11, "%d:%d:%d", &h, &mi,
	    &sec) < 2)
		goto bad;
	else if (strlen(s) > 10 && strlen(s) <= 16)
		sec = 0;
	at = (int64_t)time_days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + sec - IST_OFFSET_S;
	if (at * 1000000 <= time_wall_us()) {
		err_set(e, "rms-override", "until %s is not in the future "
		    "(times are IST)", s);
		return -1;
	}
	snprintf(out, len, "%04d-%02d-%02d %02d:%02d:%02d+05:30", y, mo, d, h,
	    mi, sec);
	return 0;
bad:
	err_set(e, "rms-override", "until: cannot read \"%s\"", s);
	return -1;
}

static void override_next(struct rms_job *);

static void
override_added(json_t *rows, const struct err *err, void *arg)
{
	struct rms_job	*rj = arg;

	if (err != NULL) {
		rms_job_fail(rj, err);
		return;
	}
	json_array_extend(rj->out, rows);
	override_next(rj);
}

/* The value bound at this scope now, and whether its template asks for
 * approval (so does the firm's, for every scope). */
static void
scope_now(const struct rms_world *w, enum rms_scope_kind kind,
    const char *name, enum rms_limit_id id, int *has, int64_t *v,
    int *approval)
{
	const struct rms_binding	*b = rms_world_binding(w, kind, name);
	const struct rms_binding	*firm = rms_world_binding(w, RS_FIRM,
					    "");

	*has = b != NULL && rms_limit_has(&b->limits, id);
	*v = *has ? b->limits.v[id] : 0;
	*approval = (b != NULL && b->limits.approval) ||
	    (firm != NULL && firm->limits.approval);
}

static char *
override_text(json_t *rows)
{
	struct strbuf	 b;
	json_t		*r;
	size_t		 i;

	strbuf_init(&b);
	json_array_foreach(rows, i, r) {
		strbuf_printf(&b, "override %lld on %s%s%s: %s %s until %s, %s",
		    (long long)json_integer_value(json_object_get(r, "id")),
		    json_string_value(json_object_get(r, "kind")),
		    *json_string_value(json_object_get(r, "name")) ? ":" : "",
		    json_string_value(json_object_get(r, "name")),
		    json_string_value(json_object_get(r, "limit")),
		    json_string_value(json_object_get(r, "value")),
		    json_string_value(json_object_get(r, "until")),
		    json_string_value(json_object_get(r, "state")));
		if (strcmp(json_string_value(json_object_get(r, "state")),
		    "PENDING") == 0)
			strbuf_printf(&b, ": it loosens the limit, so another "
			    "operator must approve it (rms approve %lld)",
			    (long long)json_integer_value(json_object_get(r,
			    "id")));
		strbuf_putc(&b, '\n');
	}
	return strbuf_steal(&b);
}

static void
override_next(struct rms_job *rj)
{
	struct cmd_job		*job = rj->job;
	struct store_override	 o;
	struct store_actor	 who = cmd_actor(job);
	struct rms_limits	 lim;
	enum rms_limit_id	 id;
	enum rms_scope_kind	 kind;
	json_t			*s;
	struct err		 e;
	int64_t			 cur;
	int			 has, approval;

	if ((s = json_array_get(rj->scopes, rj->next++)) == NULL) {
		rms_job_done(rj, override_text(rj->out));
		return;
	}
	memset(&o, 0, sizeof o);
	memset(&lim, 0, sizeof lim);
	o.kind = json_string_value(json_object_get(s, "kind"));
	o.name = json_string_value(json_object_get(s, "name"));
	o.limit = rms_limit_find(cmd_get(job->cmd, "limit"), &id)->name;
	if (rms_limit_set(&lim, o.limit, cmd_get(job->cmd, "value"),
	    &e) == -1) {
		rms_job_fail(rj, &e);
		return;
	}
	rms_scope_kind_parse(o.kind, &kind);
	scope_now(&rj->world, kind, o.name, id, &has, &cur, &approval);
	o.value = cmd_get(job->cmd, "value");
	o.loosens = has && lim.v[id] != cur &&
	    !rms_limit_tighter(id, lim.v[id], cur);
	o.pending = o.loosens && approval;
	o.until = rj->until;
	o.reason = cmd_get(job->cmd, "reason");
	store_rms_override_add(job->env->store, &o, &who, override_added, rj);
}

static void
override_world(json_t *rows, const struct err *err, void *arg)
{
	struct rms_job	*rj = arg;
	struct err	 e;

	if (err != NULL) {
		rms_job_fail(rj, err);
		return;
	}
	err_clear(&e);
	if (rms_world_load(json_array_get(rows, 0), &rj->world, &e) == -1) {
		rms_job_fail(rj, &e);
		return;
	}
	rj->out = json_array();
	override_next(rj);
}

static void
override_accounts(struct account_set *set, const struct err *err, void *arg)
{
	struct rms_job	*rj = arg;
	struct err	 e;

	if (err != NULL) {
		rms_job_fail(rj, err);
		return;
	}
	err_clear(&e);
	if ((rj->scopes = cmd_rms_scopes(rj->job->cmd->target, set, &rj->ids,
	    &e)) == NULL || until_text(cmd_get(rj->job->cmd, "until"),
	    rj->until, sizeof rj->until, &e) == -1) {
		rms_job_fail(rj, &e);
		return;
	}
	store_rms_load(rj->job->env->store, override_world, rj);
}

static void
cmd_rms_override(struct cmd_job *job)
{
	store_accounts_load(job->env->store, override_accounts,
	    rms_job_new(job));
}

/* --- rms approve / overrides ----------------------------------------- */

static void
approved(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);
	json_t		*done = json_object_get(row, "approved");
	json_t		*cur = json_object_get(row, "current");
	const char	*id = cmd_get(job->cmd, "id"), *me = path_os_user();

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_is_object(done)) {
		job->res.text = xasprintf("override %s approved: %s %s is in "
		    "force until %s\n", id, json_string_value(json_object_get(
		    done, "limit_name")), json_string_value(json_object_get(
		    done, "value")), json_string_value(json_object_get(done,
		    "until")));
		job->res.data = json_deep_copy(done);
		cmd_done(job);
	} else if (!json_is_object(cur))
		cmd_failf(job, "unknown-override", "no override %s", id);
	else if (strcmp(json_string_value(json_object_get(cur,
	    "requested_by")), me) == 0)
		cmd_failf(job, "self-approval", "override %s was requested "
		    "by %s: another operator must approve it", id, me);
	else if (json_is_true(json_object_get(cur, "expired")))
		cmd_failf(job, "override-expired", "override %s has expired",
		    id);
	else
		cmd_failf(job, "override-not-pending", "override %s is %s, "
		    "not waiting for approval", id, json_string_value(
		    json_object_get(cur, "state")));
}

static void
cmd_rms_approve(struct cmd_job *job)
{
	struct store_actor	who = cmd_actor(job);

	store_rms_override_approve(job->env->store, cmd_get(job->cmd, "id"),
	    &who, approved, job);
}

static const char *const override_columns[] = { "id", "kind", "name",
	"limit", "value", "state", "until", "requested_by", "approved_by",
	"reason", NULL };

static void
overrides_listed(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	job->res.data = json_deep_copy(rows);
	job->res.columns = override_columns;
	cmd_done(job);
}

static void
cmd_rms_overrides(struct cmd_job *job)
{
	store_rms_override_list(job->env->store, overrides_listed, job);
}

cmd_handler
cmd_rms_more_handler(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_RMS_STATE:
		return cmd_rms_state;
	case CMD_RMS_OVERRIDE:
		return cmd_rms_override;
	case CMD_RMS_APPROVE:
		return cmd_rms_approve;
	case CMD_RMS_OVERRIDES:
		return cmd_rms_overrides;
	default:
		return NULL;
	}
}
