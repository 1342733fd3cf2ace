/*
 * Automation queries (store_auto.h).  Mutations write their audit_log
 * row in the same statement; variable parts are parameters, a jsonb one
 * where there are many.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_auto.h"
#include "db/store_int.h"

/* Advisory locks: (K, 0) the scheduler duty, (K + 1, run id) a run. */
#define SCHED_K		"1886548065"
#define RUN_K		"1886548066"
#define RUN_K2(id)	"((" id ")::bigint % 2147483647)::integer"

#define SQL_IST(col) "to_char(" col " AT TIME ZONE 'Asia/Kolkata', " \
	"'YYYY-MM-DD HH24:MI:SS')"

#define RUN_COLS \
	"r.id, r.kind, r.ref, r.schedule_id, r.state, r.command," \
	" r.batch_file, r.timeout_s, r.outcome, r.owner, r.created_by," \
	" " SQL_IST("r.fire_at") " AS fire_at," \
	" " SQL_IST("r.created_at") " AS created_at," \
	" " SQL_IST("r.started_at") " AS started_at," \
	" " SQL_IST("r.finished_at") " AS finished_at," \
	" round(extract(epoch FROM COALESCE(r.finished_at, now())" \
	"   - r.started_at)::numeric, 3)::text AS seconds"

static const char sql_holidays_list[] =
"SELECT to_char(day, 'YYYY-MM-DD') AS day, name FROM market_holidays"
" WHERE $1::int = 0 OR extract(year FROM day) = $1::int ORDER BY day";

static const char sql_holidays_load[] =
"WITH d AS (SELECT (x->>'day')::date AS day, x->>'name' AS name"
"  FROM jsonb_array_elements($1::jsonb) x),"
" y AS (SELECT DISTINCT extract(year FROM day)::int AS y FROM d),"
" del AS (DELETE FROM market_holidays h USING y"
"  WHERE extract(year FROM h.day)::int = y.y RETURNING 1),"
" ins AS (INSERT INTO market_holidays (day, name)"
"  SELECT day, name FROM d WHERE (SELECT count(*) FROM del) >= 0"
"  RETURNING 1),"
" au AS (INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $2, $3, 'calendar.load', 'NSE', jsonb_build_object('years',"
"   (SELECT jsonb_agg(y ORDER BY y) FROM y), 'days',"
"   (SELECT count(*) FROM d)))"
"SELECT (SELECT string_agg(y::text, ',' ORDER BY y) FROM y) AS years,"
" (SELECT count(*) FROM ins)::int AS loaded";

static const char sql_schedule_add[] =
"WITH f AS (SELECT $1::jsonb AS j),"
" s AS (INSERT INTO schedules (name, cron, command, batch_file,"
"  concurrency, parallel_max, catchup, timeout_s, trading_days,"
"  created_by)"
"  SELECT j->>'name', j->>'cron', j->>'command', j->>'batch_file',"
"   COALESCE(j->>'concurrency', 'skip'),"
"   COALESCE((j->>'parallel_max')::int, 1),"
"   COALESCE(j->>'catchup', 'last'), (j->>'timeout_s')::int,"
"   COALESCE((j->>'trading_days')::boolean, false), $2 FROM f"
"  ON CONFLICT (name) DO NOTHING RETURNING *),"
" au AS (INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $2, $3, 'schedule.add', s.name, (SELECT j FROM f) FROM s)"
"SELECT id, name, cron FROM s";

static const char sql_schedule_list[] =
"SELECT s.id, s.name, s.cron, s.command, s.batch_file, s.concurrency,"
" s.parallel_max, s.catchup, s.timeout_s, s.trading_days, s.paused,"
" extract(epoch FROM COALESCE(s.last_fire, s.created_at))::bigint"
"   AS since_epoch,"
" " SQL_IST("s.last_fire") " AS last_fire,"
" (SELECT count(*) FROM runs r WHERE r.schedule_id = s.id"
"   AND r.state IN ('PENDING', 'RUNNING'))::int AS active,"
" (SELECT r.id::text || ' ' || r.state FROM runs r"
"   WHERE r.schedule_id = s.id ORDER BY r.id DESC LIMIT 1) AS last_run "
"FROM schedules s WHERE $1::text IS NULL OR s.name = $1 ORDER BY s.name";

/* A resumed schedule fires from now on: what it missed paused is gone. */
static const char sql_schedule_pause[] =
"WITH s AS (UPDATE schedules SET paused = $2::boolean,"
"  last_fire = CASE WHEN $2::boolean THEN last_fire"
"   ELSE greatest(last_fire, now()) END WHERE name = $1"
"  RETURNING *),"
" au AS (INSERT INTO audit_log (os_user, front, action, object)"
"  SELECT $3, $4, CASE WHEN $2::boolean THEN 'schedule.pause'"
"   ELSE 'schedule.resume' END, s.name FROM s)"
"SELECT name, paused FROM s";

static const char sql_schedule_rm[] =
"WITH s AS (DELETE FROM schedules WHERE name = $1 RETURNING *),"
" au AS (INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $2, $3, 'schedule.rm', s.name, jsonb_build_object('cron',"
"   s.cron) FROM s)"
"SELECT name FROM s";

static const char sql_sched_duty[] =
"SELECT CASE WHEN phalanx_lock_held(" SCHED_K ", 0, true) THEN true"
"  WHEN phalanx_lock_held(" SCHED_K ", 0) THEN false"
"  ELSE pg_try_advisory_lock(" SCHED_K ", 0) END AS held";

static const char sql_sched_fire[] =
"WITH s AS (SELECT * FROM schedules WHERE id = $1::bigint),"
" f AS (SELECT to_timestamp(x::bigint) AS at"
"  FROM jsonb_array_elements_text($2::jsonb) x),"
" r AS (INSERT INTO runs (kind, ref, schedule_id, fire_at, command,"
"   batch_file, timeout_s, created_by)"
"  SELECT 'schedule', s.name, s.id, f.at, s.command, s.batch_file,"
"   s.timeout_s, $4 FROM s, f ORDER BY f.at"
"  ON CONFLICT (schedule_id, fire_at) DO NOTHING RETURNING id, fire_at),"
" u AS (UPDATE schedules SET last_fire = greatest(last_fire,"
"  to_timestamp($3::bigint)) WHERE id = $1::bigint RETURNING id)"
"SELECT r.id, " SQL_IST("r.fire_at") " AS fire_at,"
" (SELECT count(*) FROM u)::int AS moved FROM r ORDER BY r.id";

static const char sql_runs_orphaned[] =
"SELECT m.id, m.state, m.ref FROM (SELECT id FROM runs"
"  WHERE state = 'RUNNING' AND NOT phalanx_lock_held(" RUN_K ","
"  " RUN_K2("id") ") ORDER BY id) o,"
" LATERAL run_move(o.id, 'FAILED', 'interrupted: the process running"
" it stopped') m";

static const char sql_runs_pending[] =
"SELECT r.id, r.schedule_id, s.concurrency, s.parallel_max,"
" (SELECT count(*) FROM runs x WHERE x.schedule_id = r.schedule_id"
"   AND x.state = 'RUNNING')::int AS running "
"FROM runs r JOIN schedules s ON s.id = r.schedule_id "
"WHERE r.state = 'PENDING' AND r.kind = 'schedule' ORDER BY r.id";

static const char sql_run_create[] =
"INSERT INTO runs (kind, ref, schedule_id, command, batch_file,"
" timeout_s, created_by)"
" VALUES ($1, $2, NULLIF($3::bigint, 0), $4, $5, NULLIF($6::int, 0), $7)"
" RETURNING id, kind, ref, state";

/* The lock first (OFFSET 0 keeps it a step of its own), then the move. */
static const char sql_run_begin[] =
"SELECT m.* FROM (SELECT pg_try_advisory_lock(" RUN_K ", " RUN_K2("$1")
") AS ok OFFSET 0) l,"
" LATERAL run_move(CASE WHEN l.ok THEN $1::bigint END, 'RUNNING',"
"  'started by ' || $2, $2) m";

/* An end state drops the run's lock, even when the move was refused. */
static const char sql_run_move[] =
"WITH m AS (SELECT * FROM run_move($1::bigint, $2, $3)),"
" u AS (SELECT CASE WHEN $2 <> 'RUNNING' AND (SELECT count(*) FROM m) >= 0"
"  AND phalanx_lock_held(" RUN_K ", " RUN_K2("$1") ", true)"
"  THEN pg_advisory_unlock(" RUN_K ", " RUN_K2("$1") ") END AS unlocked)"
"SELECT m.id, m.state, m.outcome, m.kind, m.ref, u.unlocked"
" FROM u LEFT JOIN m ON true";

static const char sql_run_log[] =
"WITH l AS (INSERT INTO run_logs (run_id, stream, line)"
"  SELECT $1::bigint, $2, x FROM jsonb_array_elements_text($3::jsonb)"
"  WITH ORDINALITY AS t(x, n) ORDER BY n RETURNING 1)"
"SELECT r.cancel_requested, r.state, (SELECT count(*) FROM l)::int AS n"
" FROM runs r WHERE r.id = $1::bigint";

static const char sql_run_cancel[] =
"WITH w AS (SELECT id, state FROM runs WHERE id = $1::bigint),"
" p AS (SELECT m.* FROM w, LATERAL run_move(w.id, 'CANCELLED',"
"   'cancelled by ' || $2) m WHERE w.state = 'PENDING'),"
" q AS (UPDATE runs r SET cancel_requested = true FROM w"
"  WHERE r.id = w.id AND w.state = 'RUNNING' RETURNING r.id),"
" n AS (SELECT pg_notify('" STORE_RUNS_CHANNEL "', q.id || ' cancel')"
"  FROM q),"
" au AS (INSERT INTO audit_log (os_user, front, action, object)"
"  SELECT $2, $3, 'run.cancel', w.id::text FROM w"
"  WHERE w.state IN ('PENDING', 'RUNNING'))"
"SELECT w.state AS was, (SELECT count(*) FROM p)::int AS cancelled,"
" (SELECT count(*) FROM q)::int AS asked,"
" (SELECT count(*) FROM n)::int AS notified FROM w";

static const char sql_run_list[] =
"SELECT " RUN_COLS " FROM runs r"
" WHERE ($2::text IS NULL OR r.state = $2)"
"  AND ($3::text IS NULL OR (r.kind = 'schedule' AND r.ref = $3)"
"   OR (r.kind = 'manual' AND r.ref = $3))"
" ORDER BY r.id DESC LIMIT $1::int";

static const char sql_run_show[] =
"SELECT to_jsonb(x) AS run, COALESCE((SELECT jsonb_agg(jsonb_build_object("
"   'ts', " SQL_IST("e.ts") " || '.' || to_char(e.ts, 'MS'),"
"   'state', e.state, 'message', e.message) ORDER BY e.ts, e.id)"
"   FROM run_events e WHERE e.run_id = x.id), '[]') AS events,"
" (SELECT count(*) FROM run_logs l WHERE l.run_id = x.id)::int AS lines "
"FROM (SELECT " RUN_COLS " FROM runs r WHERE r.id = $1::bigint) x";

static const char sql_run_state[] =
"SELECT state, outcome FROM runs WHERE id = $1::bigint";

static const char sql_run_logs[] =
"SELECT l.id, " SQL_IST("l.ts") " AS ts, l.stream, l.line FROM run_logs l"
" WHERE l.run_id = $1::bigint AND l.id > $2::bigint"
" ORDER BY l.id LIMIT $3::int";

static const char sql_alert_add[] =
"WITH f AS (SELECT $1::jsonb AS j),"
" a AS (INSERT INTO alert_rules (name, cond, arg_s, at_time, pct,"
"  connector, schedule, channels, severity, created_by)"
"  SELECT j->>'name', j->>'cond', (j->>'arg_s')::int,"
"   (j->>'at_time')::time, (j->>'pct')::numeric, j->>'connector',"
"   j->>'schedule', CASE WHEN j ? 'channels' THEN ARRAY(SELECT"
"   jsonb_array_elements_text(j->'channels')) END,"
"   COALESCE(j->>'severity', 'warning'), $2 FROM f"
"  WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text("
"   COALESCE(j->'channels', '[]')) c WHERE NOT EXISTS (SELECT 1"
"   FROM notify_channels n WHERE n.name = c))"
"  ON CONFLICT (name) DO NOTHING RETURNING *),"
" au AS (INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $2, $3, 'alert.rule.add', a.name, (SELECT j FROM f) FROM a)"
"SELECT a.id, a.name, (SELECT string_agg(c, ', ') FROM"
"  jsonb_array_elements_text(COALESCE((SELECT j FROM f)->'channels',"
"  '[]')) c WHERE NOT EXISTS (SELECT 1 FROM notify_channels n"
"  WHERE n.name = c)) AS missing FROM (SELECT 1) one"
" LEFT JOIN a ON true";

static const char sql_alert_list[] =
"SELECT a.name, a.cond, a.arg_s, to_char(a.at_time, 'HH24:MI') AS at_time,"
" a.pct::text AS pct, a.connector, a.schedule,"
" array_to_string(a.channels, ',') AS channels, a.severity,"
" (SELECT count(*) FROM alert_fires f WHERE f.rule_id = a.id)::int"
"   AS fired,"
" (SELECT " SQL_IST("max(f.fired_at)") " FROM alert_fires f"
"   WHERE f.rule_id = a.id) AS last_fired "
"FROM alert_rules a ORDER BY a.name";

static const char sql_alert_rm[] =
"WITH a AS (DELETE FROM alert_rules WHERE name = $1 RETURNING *),"
" au AS (INSERT INTO audit_log (os_user, front, action, object)"
"  SELECT $2, $3, 'alert.rule.rm', a.name FROM a)"
"SELECT name FROM a";

static const char sql_alert_eval[] =
"SELECT rule, key, notification FROM alert_evaluate()";

void
store_holidays_list(struct store *st, int year, store_rows_cb cb, void *arg)
{
	char		 y[16];
	const char	*p[1] = { y };

	snprintf(y, sizeof y, "%d", year);
	store_run(st, sql_holidays_list, 1, p, cb, arg);
}

void
store_holidays_load(struct store *st, json_t *days,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	char		*j = json_dumps(days, JSON_COMPACT);
	const char	*p[3] = { j, a->os_user, a->front };

	store_run(st, sql_holidays_load, 3, p, cb, arg);
	free(j);
}

void
store_schedule_add(struct store *st, json_t *fields,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	char		*j = json_dumps(fields, JSON_COMPACT);
	const char	*p[3] = { j, a->os_user, a->front };

	store_run(st, sql_schedule_add, 3, p, cb, arg);
	free(j);
}

void
store_schedule_list(struct store *st, store_rows_cb cb, void *arg)
{
	const char	*p[1] = { NULL };

	store_run(st, sql_schedule_list, 1, p, cb, arg);
}

void
store_schedule_get(struct store *st, const char *name, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { name };

	store_run(st, sql_schedule_list, 1, p, cb, arg);
}

void
store_schedule_pause(struct store *st, const char *name, int paused,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	const char	*p[4] = { name, paused ? "true" : "false", a->os_user,
			    a->front };

	store_run(st, sql_schedule_pause, 4, p, cb, arg);
}

void
store_schedule_rm(struct store *st, const char *name,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	const char	*p[3] = { name, a->os_user, a->front };

	store_run(st, sql_schedule_rm, 3, p, cb, arg);
}

void
store_sched_duty(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_sched_duty, 0, NULL, cb, arg);
}

void
store_sched_fire(struct store *st, int64_t schedule_id, const char *fires,
    int64_t watermark, const char *created_by, store_rows_cb cb, void *arg)
{
	char		 id[24], wm[24];
	const char	*p[4] = { id, fires, wm, created_by };

	snprintf(id, sizeof id, "%lld", (long long)schedule_id);
	snprintf(wm, sizeof wm, "%lld", (long long)watermark);
	store_run(st, sql_sched_fire, 4, p, cb, arg);
}

void
store_runs_orphaned(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_runs_orphaned, 0, NULL, cb, arg);
}

void
store_runs_pending(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_runs_pending, 0, NULL, cb, arg);
}

void
store_run_create(struct store *st, const struct store_run_spec *r,
    const char *created_by, store_rows_cb cb, void *arg)
{
	char		 sid[24], to[16];
	const char	*p[7] = { r->kind, r->ref, sid, r->command,
			    r->batch_file, to, created_by };

	snprintf(sid, sizeof sid, "%lld", (long long)r->schedule_id);
	snprintf(to, sizeof to, "%d", r->timeout_s);
	store_run(st, sql_run_create, 7, p, cb, arg);
}

void
store_run_begin(struct store *st, int64_t id, const char *owner,
    store_rows_cb cb, void *arg)
{
	char		 s[24];
	const char	*p[2] = { s, owner };

	snprintf(s, sizeof s, "%lld", (long long)id);
	store_run(st, sql_run_begin, 2, p, cb, arg);
}

void
store_run_move(struct store *st, int64_t id, const char *state,
    const char *msg, store_rows_cb cb, void *arg)
{
	char		 s[24];
	const char	*p[3] = { s, state, msg };

	snprintf(s, sizeof s, "%lld", (long long)id);
	store_run(st, sql_run_move, 3, p, cb, arg);
}

void
store_run_log(struct store *st, int64_t id, const char *stream,
    const char *lines_json, store_rows_cb cb, void *arg)
{
	char		 s[24];
	const char	*p[3] = { s, stream, lines_json };

	snprintf(s, sizeof s, "%lld", (long long)id);
	store_run(st, sql_run_log, 3, p, cb, arg);
}

void
store_run_cancel(struct store *st, int64_t id, const struct store_actor *a,
    store_rows_cb cb, void *arg)
{
	char		 s[24];
	const char	*p[3] = { s, a->os_user, a->front };

	snprintf(s, sizeof s, "%lld", (long long)id);
	store_run(st, sql_run_cancel, 3, p, cb, arg);
}

void
store_run_list(struct store *st, int last, const char *state,
    const char *schedule, store_rows_cb cb, void *arg)
{
	char		 n[16];
	const char	*p[3] = { n, state, schedule };

	snprintf(n, sizeof n, "%d", last);
	store_run(st, sql_run_list, 3, p, cb, arg);
}

void
store_run_show(struct store *st, int64_t id, store_rows_cb cb, void *arg)
{
	char		 s[24];
	const char	*p[1] = { s };

	snprintf(s, sizeof s, "%lld", (long long)id);
	store_run(st, sql_run_show, 1, p, cb, arg);
}

void
store_run_state(struct store *st, int64_t id, store_rows_cb cb, void *arg)
{
	char		 s[24];
	const char	*p[1] = { s };

	snprintf(s, sizeof s, "%lld", (long long)id);
	store_run(st, sql_run_state, 1, p, cb, arg);
}

void
store_run_logs(struct store *st, int64_t id, int64_t after_id, int limit,
    store_rows_cb cb, void *arg)
{
	char		 s[24], a[24], l[16];
	const char	*p[3] = { s, a, l };

	snprintf(s, sizeof s, "%lld", (long long)id);
	snprintf(a, sizeof a, "%lld", (long long)after_id);
	snprintf(l, sizeof l, "%d", limit);
	store_run(st, sql_run_logs, 3, p, cb, arg);
}

void
store_alert_rule_add(struct store *st, json_t *fields,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	char		*j = json_dumps(fields, JSON_COMPACT);
	const char	*p[3] = { j, a->os_user, a->front };

	store_run(st, sql_alert_add, 3, p, cb, arg);
	free(j);
}

void
store_alert_rule_list(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_alert_list, 0, NULL, cb, arg);
}

void
store_alert_rule_rm(struct store *st, const char *name,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	const char	*p[3] = { name, a->os_user, a->front };

	store_run(st, sql_alert_rm, 3, p, cb, arg);
}

void
store_alert_evaluate(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_alert_eval, 0, NULL, cb, arg);
}
