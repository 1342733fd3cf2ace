/*
 * RMS queries.  As in store_registry.c, each mutation is one statement
 * whose CTEs also write the audit_log row, and variable parts travel as
 * parameters (a jsonb one where there are many): the SQL never holds
 * input.  Statements that can refuse (approve, sign off, move) return
 * both what they did and what they found, so the caller can say why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_int.h"
#include "db/store_rms.h"

/* A timestamptz shown as Indian traders read it. */
#define SQL_IST(col) "to_char(" col " AT TIME ZONE 'Asia/Kolkata', " \
	"'YYYY-MM-DD HH24:MI:SS') || ' IST'"

static const char sql_seed[] =
"INSERT INTO rms_templates (name, version, limits, about, shipped,"
"  created_by)"
" SELECT x->>'name', 1, x->'limits', x->>'about', true, 'phalanx'"
" FROM jsonb_array_elements($1::jsonb) x "
"ON CONFLICT DO NOTHING "
"RETURNING name";

static const char sql_template_list[] =
"SELECT DISTINCT ON (t.name) t.name, t.version, t.about, t.shipped,"
"  t.limits, t.created_by, t.created_at,"
"  (SELECT count(*) FROM rms_bindings b WHERE b.template = t.name)::int"
"    AS bound "
"FROM rms_templates t ORDER BY t.name, t.version DESC";

static const char sql_template_get[] =
"SELECT t.name, t.version, t.about, t.shipped, t.limits, t.created_by,"
"  t.created_at,"
"  COALESCE((SELECT jsonb_agg(jsonb_build_object('kind', b.scope_kind,"
"    'name', b.scope_name, 'version', b.version) ORDER BY b.scope_kind,"
"    b.scope_name) FROM rms_bindings b WHERE b.template = t.name),"
"    '[]') AS bindings "
"FROM rms_templates t WHERE t.name = $1 ORDER BY t.version DESC";

static const char sql_template_put[] =
"WITH cur AS (SELECT max(version) AS v FROM rms_templates WHERE name = $1),"
" ins AS ("
"  INSERT INTO rms_templates (name, version, limits, about, created_by)"
"  SELECT $1, COALESCE(cur.v, 0) + 1, $2::jsonb,"
"    COALESCE($3, (SELECT about FROM rms_templates"
"      WHERE name = $1 AND version = cur.v)), $4"
"  FROM cur WHERE ($6::boolean AND cur.v IS NULL)"
"    OR (NOT $6::boolean AND cur.v IS NOT NULL)"
"  RETURNING *"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $4, $5, 'rms.template', ins.name, jsonb_build_object('version',"
"    ins.version, 'limits', ins.limits) FROM ins"
")"
"SELECT name, version, limits FROM ins";

static const char sql_apply[] =
"WITH t AS (SELECT name, max(version) AS v FROM rms_templates"
"  WHERE name = $1 GROUP BY name),"
" s AS (SELECT x->>'kind' AS kind, x->>'name' AS name"
"  FROM jsonb_array_elements($2::jsonb) x),"
" b AS ("
"  INSERT INTO rms_bindings (scope_kind, scope_name, template, version,"
"    bound_by)"
"  SELECT s.kind, s.name, t.name, t.v, $3 FROM s, t"
"  ON CONFLICT (scope_kind, scope_name) DO UPDATE SET"
"    template = EXCLUDED.template, version = EXCLUDED.version,"
"    bound_by = EXCLUDED.bound_by, bound_at = now()"
"  RETURNING *"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $3, $4, 'rms.apply', b.scope_kind || ':' || b.scope_name,"
"    jsonb_build_object('template', b.template, 'version', b.version)"
"  FROM b"
")"
"SELECT scope_kind AS kind, scope_name AS name, template, version FROM b "
"ORDER BY 1, 2";

static const char sql_load[] =
"SELECT"
"  COALESCE((SELECT jsonb_agg(jsonb_build_object('kind', b.scope_kind,"
"    'name', b.scope_name, 'template', b.template, 'version', b.version,"
"    'limits', t.limits))"
"    FROM rms_bindings b JOIN rms_templates t"
"      ON t.name = b.template AND t.version = b.version), '[]')"
"    AS bindings,"
"  COALESCE((SELECT jsonb_agg(jsonb_build_object('id', o.id, 'kind',"
"    o.scope_kind, 'name', o.scope_name, 'limit', o.limit_name,"
"    'value', o.value, 'until', o.until) ORDER BY o.id)"
"    FROM rms_overrides o WHERE o.state = 'ACTIVE' AND o.until > now()),"
"    '[]') AS overrides,"
"  COALESCE((SELECT jsonb_agg(jsonb_build_object('kind', s.scope_kind,"
"    'name', s.scope_name, 'state', s.state))"
"    FROM rms_scope_states s), '[]') AS states";

static const char sql_marks[] =
"SELECT a.name,"
"  COALESCE(sum(p.realised_pnl + p.unrealised_pnl), 0)::text AS mtm,"
"  (count(*) FILTER (WHERE p.qty <> 0))::int AS open_positions,"
"  COALESCE(bool_or(p.product = 'MIS' AND p.qty <> 0), false) AS has_mis "
"FROM accounts a LEFT JOIN positions p ON p.account_id = a.id "
"GROUP BY a.name";

static const char sql_state_set[] =
"WITH s AS ("
"  INSERT INTO rms_scope_states (scope_kind, scope_name, state, reason,"
"    changed_by)"
"  VALUES ($1, $2, $3, $4, $5)"
"  ON CONFLICT (scope_kind, scope_name) DO UPDATE SET"
"    state = EXCLUDED.state, reason = EXCLUDED.reason,"
"    changed_by = EXCLUDED.changed_by, changed_at = now()"
"  RETURNING *"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $5, $6, 'rms.state', s.scope_kind || ':' || s.scope_name,"
"    jsonb_build_object('state', s.state, 'reason', s.reason) FROM s"
")"
"SELECT scope_kind AS kind, scope_name AS name, state FROM s";

static const char sql_override_add[] =
"WITH o AS ("
"  INSERT INTO rms_overrides (scope_kind, scope_name, limit_name, value,"
"    loosens, state, until, reason, requested_by)"
"  VALUES ($1, $2, $3, $4, $5::boolean,"
"    CASE WHEN $6::boolean THEN 'PENDING' ELSE 'ACTIVE' END,"
"    $7::timestamptz, $8, $9)"
"  RETURNING *"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $9, $10, 'rms.override', o.scope_kind || ':' || o.scope_name,"
"    jsonb_build_object('id', o.id, 'limit', o.limit_name, 'value',"
"    o.value, 'until', o.until, 'state', o.state, 'reason', o.reason)"
"  FROM o"
")"
"SELECT id, scope_kind AS kind, scope_name AS name, limit_name AS limit,"
"  value, loosens, state, " SQL_IST("until") " AS until FROM o";

static const char sql_override_approve[] =
"WITH o AS ("
"  UPDATE rms_overrides SET state = 'ACTIVE', approved_by = $2,"
"    approved_at = now()"
"  WHERE id = $1::bigint AND state = 'PENDING' AND requested_by <> $2"
"    AND until > now()"
"  RETURNING *"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $2, $3, 'rms.approve', o.scope_kind || ':' || o.scope_name,"
"    jsonb_build_object('id', o.id, 'limit', o.limit_name, 'value',"
"    o.value) FROM o"
")"
"SELECT (SELECT to_jsonb(o) || jsonb_build_object('until', "
"  " SQL_IST("o.until") ") FROM o) AS approved,"
"  (SELECT to_jsonb(r) || jsonb_build_object('expired', r.until <= now())"
"    FROM rms_overrides r WHERE r.id = $1::bigint) AS current";

static const char sql_override_expire[] =
"WITH e AS ("
"  UPDATE rms_overrides SET state = 'EXPIRED'"
"  WHERE state IN ('PENDING', 'ACTIVE') AND until <= now()"
"  RETURNING *"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT 'rms', 'daemon', 'rms.expire', e.scope_kind || ':' ||"
"    e.scope_name, jsonb_build_object('id', e.id, 'limit', e.limit_name)"
"  FROM e"
")"
"SELECT id, scope_kind AS kind, scope_name AS name, limit_name AS limit "
"FROM e";

static const char sql_override_list[] =
"SELECT id, scope_kind AS kind, scope_name AS name, limit_name AS limit,"
"  value, loosens, CASE WHEN state IN ('PENDING', 'ACTIVE')"
"    AND until <= now() THEN 'EXPIRED' ELSE state END AS state,"
"  " SQL_IST("until") " AS until, reason, requested_by, approved_by "
"FROM rms_overrides ORDER BY id DESC LIMIT 200";

static const char sql_breach[] =
"WITH ex AS ("
"  SELECT id FROM incidents WHERE scope_kind = $1 AND scope_name = $2"
"    AND rule = $3 AND state NOT IN ('RESOLVED', 'SIGNED_OFF')"
"), ins AS ("
"  INSERT INTO incidents (severity, scope_kind, scope_name, rule, summary,"
"    breach, playbook)"
"  SELECT $4, $1, $2, $3, $5, $6::jsonb,"
"    (SELECT name FROM playbooks WHERE $3 = ANY (rules) ORDER BY name"
"      LIMIT 1)"
"  WHERE NOT EXISTS (SELECT 1 FROM ex)"
"  ON CONFLICT DO NOTHING"
"  RETURNING id, playbook"
"), steps AS ("
"  INSERT INTO incident_steps (incident_id, n, title, automatic)"
"  SELECT ins.id, s.n, s.x->>'title',"
"    COALESCE((s.x->>'automatic')::boolean, false)"
"  FROM ins JOIN playbooks p ON p.name = ins.playbook,"
"    jsonb_array_elements(p.steps) WITH ORDINALITY s(x, n)"
"), i AS ("
"  SELECT id, true AS opened FROM ins UNION ALL SELECT id, false FROM ex"
"), ev AS ("
"  INSERT INTO incident_events (incident_id, kind, actor, message, detail)"
"  SELECT i.id, 'breach', $7, $5, $6::jsonb FROM i"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $7, $8, 'incident.breach', 'incident:' || i.id,"
"    jsonb_build_object('rule', $3, 'scope', $1 || ':' || $2) FROM i"
")"
"SELECT id, opened FROM i";

static const char sql_event[] =
"WITH ev AS ("
"  INSERT INTO incident_events (incident_id, kind, actor, message, detail)"
"  SELECT id, $2, $5, $3, $4::jsonb FROM incidents WHERE id = $1::bigint"
"  RETURNING incident_id, ts"
"), u AS ("
"  UPDATE incidents SET updated_at = now()"
"  WHERE id IN (SELECT incident_id FROM ev)"
")"
"SELECT incident_id AS id, ts FROM ev";

static const char sql_incident_list[] =
"SELECT i.id, i.opened_at, i.severity, i.scope_kind AS kind,"
"  i.scope_name AS name, i.rule, i.state, i.summary, i.updated_at,"
"  (SELECT count(*) FROM incident_events e WHERE e.incident_id = i.id)::int"
"    AS events "
"FROM incidents i "
"WHERE NOT $1::boolean OR i.state NOT IN ('RESOLVED', 'SIGNED_OFF') "
"ORDER BY i.id DESC LIMIT $2::int";

/*
 * Whom a channel reaches, for the record: a chat, numbers or addresses,
 * or only a webhook's scheme and host (a path may hold a token).
 */
#define SQL_CHANNEL_DEST \
"COALESCE('chat ' || (c.config->>'chat_id'),"\
"  CASE jsonb_typeof(c.config->'to') WHEN 'array' THEN (SELECT"\
"    string_agg(x, ',') FROM jsonb_array_elements_text(c.config->'to') x)"\
"    ELSE c.config->>'to' END,"\
"  substring(c.url FROM '^[a-z]+://[^/?#]+'))"

static const char sql_incident_show[] =
"SELECT to_jsonb(i) AS incident,"
"  COALESCE((SELECT jsonb_agg(jsonb_build_object('ts', " SQL_IST("e.ts") ","
"    'at', to_char(e.ts AT TIME ZONE 'Asia/Kolkata', 'HH24:MI:SS'),"
"    'ts_us', (extract(epoch FROM e.ts) * 1000000)::bigint, 'kind',"
"    e.kind, 'actor', e.actor, 'message', e.message, 'detail', e.detail)"
"    ORDER BY e.ts, e.id) FROM incident_events e"
"    WHERE e.incident_id = i.id), '[]') AS events,"
"  COALESCE((SELECT jsonb_agg(to_jsonb(s) ORDER BY s.n)"
"    FROM incident_steps s WHERE s.incident_id = i.id), '[]') AS steps,"
"  (SELECT to_jsonb(so) || jsonb_build_object('signed_at', "
"    " SQL_IST("so.signed_at") ") FROM signoffs so WHERE so.incident_id = i.id)"
"    AS signoff,"
"  COALESCE((SELECT jsonb_agg(jsonb_build_object('id', n.id,"
"    'at', to_char(n.ts AT TIME ZONE 'Asia/Kolkata', 'HH24:MI:SS'),"
"    'ts_us', (extract(epoch FROM n.ts) * 1000000)::bigint,"
"    'severity', n.severity, 'source', n.source, 'title', n.title,"
"    'count', n.repeats + 1, 'deliveries', COALESCE((SELECT jsonb_agg("
"      jsonb_build_object('channel', d.channel_name, 'kind', c.kind,"
"      'to', " SQL_CHANNEL_DEST ", 'state', d.state,"
"      'attempts', d.attempts, 'sent_at', to_char(d.sent_at"
"      AT TIME ZONE 'Asia/Kolkata', 'HH24:MI:SS'), 'sent_us',"
"      (extract(epoch FROM d.sent_at) * 1000000)::bigint,"
"      'error', d.last_error)"
"      ORDER BY d.channel_name) FROM notification_deliveries d"
"      LEFT JOIN notify_channels c ON c.id = d.channel_id"
"      WHERE d.notification_id = n.id), '[]')) ORDER BY n.id)"
"    FROM notifications n WHERE n.incident_id = i.id AND n.dup_of IS NULL),"
"    '[]') AS alerts "
"FROM incidents i WHERE i.id = $1::bigint";

static const char sql_incident_move[] =
"WITH u AS ("
"  UPDATE incidents SET state = $2, updated_at = now(),"
"    acked_by = CASE WHEN $2 = 'ACKNOWLEDGED' THEN $6 ELSE acked_by END,"
"    acked_at = CASE WHEN $2 = 'ACKNOWLEDGED' THEN now() ELSE acked_at END,"
"    resolved_by = CASE WHEN $2 = 'RESOLVED' THEN $6 ELSE resolved_by END,"
"    resolved_at = CASE WHEN $2 = 'RESOLVED' THEN now()"
"      ELSE resolved_at END"
"  WHERE id = $1::bigint AND state = ANY (string_to_array($3, ','))"
"  RETURNING *"
"), ev AS ("
"  INSERT INTO incident_events (incident_id, kind, actor, message)"
"  SELECT u.id, $4, $6, COALESCE($5, lower(u.state)) FROM u"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $6, $7, 'incident.' || $4, 'incident:' || u.id,"
"    jsonb_build_object('state', u.state, 'note', $5) FROM u"
")"
"SELECT (SELECT to_jsonb(u) FROM u) AS done,"
"  (SELECT state FROM incidents WHERE id = $1::bigint) AS was";

static const char sql_incident_step[] =
"WITH s AS ("
"  UPDATE incident_steps SET done_by = $4, done_at = now(), note = $3"
"  WHERE incident_id = $1::bigint AND n = $2::int AND done_at IS NULL"
"    AND EXISTS (SELECT 1 FROM incidents WHERE id = $1::bigint"
"      AND state NOT IN ('RESOLVED', 'SIGNED_OFF'))"
"  RETURNING *"
"), ev AS ("
"  INSERT INTO incident_events (incident_id, kind, actor, message)"
"  SELECT s.incident_id, 'step', $4, 'step ' || s.n || ' done: ' ||"
"    s.title || COALESCE(' (' || $3 || ')', '') FROM s"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $4, $5, 'incident.step', 'incident:' || s.incident_id,"
"    jsonb_build_object('step', s.n, 'note', $3) FROM s"
")"
"SELECT (SELECT to_jsonb(s) FROM s) AS done,"
"  (SELECT jsonb_build_object('state', i.state, 'step', (SELECT"
"    to_jsonb(st) FROM incident_steps st WHERE st.incident_id = i.id"
"    AND st.n = $2::int)) FROM incidents i WHERE i.id = $1::bigint) AS was";

static const char sql_incident_signoff[] =
"WITH i AS (SELECT * FROM incidents WHERE id = $1::bigint),"
" s AS ("
"  INSERT INTO signoffs (incident_id, signed_by, note)"
"  SELECT id, $3, $2 FROM i"
"  WHERE state = 'RESOLVED' AND resolved_by IS DISTINCT FROM $3"
"  RETURNING *"
"), u AS ("
"  UPDATE incidents SET state = 'SIGNED_OFF', updated_at = now()"
"  WHERE id IN (SELECT incident_id FROM s)"
"), ev AS ("
"  INSERT INTO incident_events (incident_id, kind, actor, message)"
"  SELECT s.incident_id, 'signoff', $3, $2 FROM s"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $3, $4, 'incident.signoff', 'incident:' || s.incident_id,"
"    jsonb_build_object('note', $2) FROM s"
")"
"SELECT (SELECT to_jsonb(s) FROM s) AS done,"
"  (SELECT to_jsonb(i) FROM i) AS was";

/*
 * The first row whose hash is not what its content and predecessor make,
 * whose link does not match the row before, or that follows a gap.
 */
static const char sql_audit_verify[] =
"WITH c AS ("
"  SELECT a.chain_seq, a.ts, a.action, a.object, a.prev_hash, a.hash,"
"    px_audit_digest(a.prev_hash, a.chain_seq, a) AS want,"
"    lag(a.hash) OVER w AS before, lag(a.chain_seq) OVER w AS seq_before"
"  FROM audit_log a WHERE a.chain_seq IS NOT NULL"
"  WINDOW w AS (ORDER BY a.chain_seq)"
"), bad AS ("
"  SELECT chain_seq, ts, action, object,"
"    CASE WHEN hash IS DISTINCT FROM want THEN 'row altered'"
"      WHEN chain_seq <> COALESCE(seq_before, 0) + 1"
"        THEN 'rows missing before this one'"
"      ELSE 'link to the row before is broken' END AS problem"
"  FROM c WHERE hash IS DISTINCT FROM want"
"    OR chain_seq <> COALESCE(seq_before, 0) + 1"
"    OR prev_hash IS DISTINCT FROM COALESCE(before,"
"      CASE WHEN chain_seq = 1 THEN sha256(''::bytea) END)"
"  ORDER BY chain_seq LIMIT 1"
")"
"SELECT (SELECT count(*) FROM c)::bigint AS rows,"
"  (SELECT seq FROM audit_chain_head) AS head_seq,"
"  (SELECT encode(hash, 'hex') FROM audit_chain_head) AS head_hash,"
"  (SELECT max(chain_seq) FROM c) AS last_seq,"
"  (SELECT encode(hash, 'hex') FROM c ORDER BY chain_seq DESC LIMIT 1)"
"    AS last_hash,"
"  (SELECT to_jsonb(bad) FROM bad) AS first_broken,"
"  (SELECT count(*) FROM audit_log WHERE chain_seq IS NULL)::bigint"
"    AS unchained";

static char *
json_text(json_t *j)
{
	return j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) :
	    NULL;
}

void
store_rms_seed(struct store *st, json_t *templates, store_rows_cb cb,
    void *arg)
{
	char		*t = json_text(templates);
	const char	*p[1] = { t };

	store_run(st, sql_seed, 1, p, cb, arg);
	free(t);
}

void
store_rms_template_list(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_template_list, 0, NULL, cb, arg);
}

void
store_rms_template_get(struct store *st, const char *name, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { name };

	store_run(st, sql_template_get, 1, p, cb, arg);
}

void
store_rms_template_put(struct store *st, const char *name, json_t *limits,
    const char *about, int create, const struct store_actor *who,
    store_rows_cb cb, void *arg)
{
	char		*l = json_text(limits);
	const char	*p[6] = { name, l, about, who->os_user, who->front,
			    create ? "true" : "false" };

	store_run(st, sql_template_put, 6, p, cb, arg);
	store_registry_changed(st, STORE_RMS_CHANGED);
	free(l);
}

void
store_rms_apply(struct store *st, const char *template, json_t *scopes,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	char		*s = json_text(scopes);
	const char	*p[4] = { template, s, who->os_user, who->front };

	store_run(st, sql_apply, 4, p, cb, arg);
	store_registry_changed(st, STORE_RMS_CHANGED);
	free(s);
}

void
store_rms_load(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_load, 0, NULL, cb, arg);
}

void
store_rms_marks(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_marks, 0, NULL, cb, arg);
}

void
store_rms_state_set(struct store *st, const char *kind, const char *name,
    const char *state, const char *reason, const struct store_actor *who,
    store_rows_cb cb, void *arg)
{
	const char	*p[6] = { kind, name, state, reason, who->os_user,
			    who->front };

	store_run(st, sql_state_set, 6, p, cb, arg);
	store_registry_changed(st, STORE_RMS_CHANGED);
}

void
store_rms_override_add(struct store *st, const struct store_override *o,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	const char	*p[10] = { o->kind, o->name, o->limit, o->value,
			    o->loosens ? "true" : "false",
			    o->pending ? "true" : "false", o->until, o->reason,
			    who->os_user, who->front };

	store_run(st, sql_override_add, 10, p, cb, arg);
	store_registry_changed(st, STORE_RMS_CHANGED);
}

void
store_rms_override_approve(struct store *st, const char *id,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	const char	*p[3] = { id, who->os_user, who->front };

	store_run(st, sql_override_approve, 3, p, cb, arg);
	store_registry_changed(st, STORE_RMS_CHANGED);
}

void
store_rms_override_expire(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_override_expire, 0, NULL, cb, arg);
}

void
store_rms_override_list(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_override_list, 0, NULL, cb, arg);
}

void
store_incident_breach(struct store *st, const struct store_breach *b,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	char		*v = json_text(b->values);
	const char	*p[8] = { b->kind, b->name, b->rule, b->severity,
			    b->summary, v != NULL ? v : "{}", who->os_user,
			    who->front };

	store_run(st, sql_breach, 8, p, cb, arg);
	store_registry_changed(st, STORE_INCIDENTS_CHANGED);
	free(v);
}

void
store_incident_event(struct store *st, const char *id, const char *kind,
    const char *message, json_t *detail, const struct store_actor *who,
    store_rows_cb cb, void *arg)
{
	char		*d = json_text(detail);
	const char	*p[5] = { id, kind, message, d != NULL ? d : "{}",
			    who->os_user };

	store_run(st, sql_event, 5, p, cb, arg);
	store_registry_changed(st, STORE_INCIDENTS_CHANGED);
	free(d);
}

void
store_incident_list(struct store *st, int open_only, int last,
    store_rows_cb cb, void *arg)
{
	char		 n[16];
	const char	*p[2] = { open_only ? "true" : "false", n };

	snprintf(n, sizeof n, "%d", last > 0 ? last : 50);
	store_run(st, sql_incident_list, 2, p, cb, arg);
}

void
store_incident_show(struct store *st, const char *id, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { id };

	store_run(st, sql_incident_show, 1, p, cb, arg);
}

void
store_incident_move(struct store *st, const char *id, const char *to,
    const char *from, const char *event_kind, const char *note,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	const char	*p[7] = { id, to, from, event_kind, note, who->os_user,
			    who->front };

	store_run(st, sql_incident_move, 7, p, cb, arg);
	store_registry_changed(st, STORE_INCIDENTS_CHANGED);
}

void
store_incident_step(struct store *st, const char *id, const char *n,
    const char *note, const struct store_actor *who, store_rows_cb cb,
    void *arg)
{
	const char	*p[5] = { id, n, note, who->os_user, who->front };

	store_run(st, sql_incident_step, 5, p, cb, arg);
	store_registry_changed(st, STORE_INCIDENTS_CHANGED);
}

void
store_incident_signoff(struct store *st, const char *id, const char *note,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	const char	*p[4] = { id, note, who->os_user, who->front };

	store_run(st, sql_incident_signoff, 4, p, cb, arg);
	store_registry_changed(st, STORE_INCIDENTS_CHANGED);
}

void
store_audit_verify(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_audit_verify, 0, NULL, cb, arg);
}
