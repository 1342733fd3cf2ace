/*
 * The notification outbox's queries: channels, routing rules, the alerts
 * a user reads, and the claim/finish pair the delivery workers run.  The
 * routing itself is SQL (notify_enqueue() in migration 0010), so a cause
 * can call it from inside its own statement as well as through here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_int.h"
#include "db/store_notify.h"

#define SQL_IST(col) \
	"to_char(" col " AT TIME ZONE 'Asia/Kolkata', 'YYYY-MM-DD HH24:MI:SS')"

struct notify_enq {
	store_notify_id_cb	 cb;
	void			*arg;
};

static void
store_notify_enqueued(PGresult *res, const struct err *err, void *arg)
{
	struct notify_enq	*q = arg;
	struct err		 e;

	if (err != NULL && err_isset(err)) {
		if (strcmp(err->code, "sql:P0002") == 0) {
			err_set(&e, "unknown-channel", "%s", err->msg);
			q->cb(0, &e, q->arg);
		} else if (strcmp(err->code, "sql:23514") == 0) {
			err_set(&e, "bad-value", "notification refused: %s",
			    err->msg);
			q->cb(0, &e, q->arg);
		} else
			q->cb(0, err, q->arg);
	} else
		q->cb(strtoll(PQgetvalue(res, 0, 0), NULL, 10), NULL, q->arg);
	free(q);
}

void
store_notify_enqueue(struct pg_conn *pg, const struct store_notify_msg *m,
    store_notify_id_cb cb, void *arg)
{
	struct notify_enq	*q;
	char			*att, *chans = NULL, inc[24];
	const char		*p[10];

	att = m->attachments != NULL ? json_dumps(m->attachments,
	    JSON_COMPACT) : xstrdup("[]");
	if (m->channels != NULL)
		chans = json_dumps(m->channels, JSON_COMPACT);
	p[0] = m->severity;
	p[1] = m->source;
	p[2] = m->scope;
	p[3] = m->title;
	p[4] = m->body;
	p[5] = m->ref;
	p[6] = att;
	p[7] = chans;
	p[8] = m->origin;
	snprintf(inc, sizeof inc, "%lld", (long long)m->incident_id);
	p[9] = m->incident_id > 0 ? inc : NULL;
	q = xmalloc(sizeof *q);
	q->cb = cb;
	q->arg = arg;
	pg_query(pg, "SELECT notify_enqueue($1, $2, $3, $4, $5, $6, $7::jsonb,"
	    " CASE WHEN $8::jsonb IS NULL THEN NULL"
	    " ELSE ARRAY(SELECT jsonb_array_elements_text($8::jsonb)) END, $9,"
	    " $10::bigint)", 10, p, store_notify_enqueued, q);
	free(att);
	free(chans);
}

static const char sql_channel_add[] =
"WITH c AS ("
"  INSERT INTO notify_channels (name, kind, url, config, secret_enc,"
"    rate_per_min)"
"  VALUES ($1, $2, $3, $4::jsonb, $5, $6::int) RETURNING *"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $7, $8, 'channel.add', c.name, jsonb_build_object('kind', c.kind,"
"    'url', c.url, 'secret', c.secret_enc IS NOT NULL) || c.config FROM c"
")"
"SELECT c.name, c.kind, c.url, c.config, c.secret_enc IS NOT NULL AS secret,"
"  c.rate_per_min FROM c";

void
store_channel_add(struct store *st, const struct store_channel *c,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	char		*cfg, rate[16];
	const char	*p[8];

	cfg = json_dumps(c->config, JSON_COMPACT);
	snprintf(rate, sizeof rate, "%d", c->rate_per_min);
	p[0] = c->name;
	p[1] = c->kind;
	p[2] = c->url;
	p[3] = cfg;
	p[4] = c->secret_enc;
	p[5] = rate;
	p[6] = a->os_user;
	p[7] = a->front;
	store_run(st, sql_channel_add, 8, p, cb, arg);
	free(cfg);
}

static const char sql_channel_list[] =
"SELECT c.name, c.kind, c.url, c.config, c.secret_enc IS NOT NULL AS secret,"
"  c.rate_per_min, " SQL_IST("c.paused_until") " AS paused_until,"
"  COALESCE((SELECT jsonb_agg(r.name ORDER BY r.name)"
"    FROM notify_rule_channels rc JOIN notify_rules r ON r.id = rc.rule_id"
"    WHERE rc.channel_id = c.id), '[]') AS rules,"
"  (SELECT count(*) FROM notification_deliveries d WHERE d.channel_id = c.id"
"    AND d.state IN ('PENDING', 'SENDING'))::int AS pending,"
"  (SELECT count(*) FROM notification_deliveries d WHERE d.channel_id = c.id"
"    AND d.state = 'FAILED')::int AS failed "
"FROM notify_channels c ORDER BY c.name";

void
store_channel_list(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_channel_list, 0, NULL, cb, arg);
}

void
store_channel_get(struct store *st, const char *name, store_rows_cb cb,
    void *arg)
{
	const char	*p[1] = { name };

	store_run(st, "SELECT id, name, kind, url, config, secret_enc,"
	    " rate_per_min FROM notify_channels WHERE name = $1", 1, p, cb,
	    arg);
}

static const char sql_channel_rm[] =
"WITH used AS ("
"  SELECT string_agg(r.name, ', ' ORDER BY r.name) AS rules"
"  FROM notify_channels c"
"  JOIN notify_rule_channels rc ON rc.channel_id = c.id"
"  JOIN notify_rules r ON r.id = rc.rule_id WHERE c.name = $1"
"), d AS ("
"  DELETE FROM notify_channels c USING used"
"  WHERE c.name = $1 AND used.rules IS NULL RETURNING c.name"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object)"
"  SELECT $2, $3, 'channel.rm', d.name FROM d"
")"
"SELECT (SELECT name FROM d) AS removed, used.rules FROM used";

void
store_channel_rm(struct store *st, const char *name,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	const char	*p[3] = { name, a->os_user, a->front };

	store_run(st, sql_channel_rm, 3, p, cb, arg);
}

static const char sql_rule_add[] =
"WITH want AS (SELECT jsonb_array_elements_text($5::jsonb) AS name),"
" ch AS (SELECT c.id, c.name FROM notify_channels c JOIN want USING (name)),"
" miss AS (SELECT string_agg(w.name, ', ') AS m FROM want w"
"   WHERE NOT EXISTS (SELECT 1 FROM ch WHERE ch.name = w.name)),"
" r AS ("
"  INSERT INTO notify_rules (name, min_severity, source, scope,"
"    quiet_start, quiet_end)"
"  SELECT $1, $2, $3,"
"    CASE WHEN $4::jsonb IS NULL THEN NULL"
"      ELSE ARRAY(SELECT jsonb_array_elements_text($4::jsonb)) END,"
"    $6::time, $7::time"
"  FROM miss WHERE miss.m IS NULL RETURNING *"
"), rc AS ("
"  INSERT INTO notify_rule_channels (rule_id, channel_id)"
"  SELECT r.id, ch.id FROM r, ch"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $8, $9, 'notify.rule.add', r.name, jsonb_build_object("
"    'when', r.min_severity, 'source', r.source, 'scope', $4::jsonb,"
"    'to', $5::jsonb) FROM r"
")"
"SELECT r.name, r.min_severity AS \"when\", r.source, $4::jsonb AS scope,"
"  $5::jsonb AS channels, to_char(r.quiet_start, 'HH24:MI') || '-' ||"
"  to_char(r.quiet_end, 'HH24:MI') AS quiet, miss.m AS missing "
"FROM miss LEFT JOIN r ON true";

void
store_rule_add(struct store *st, const struct store_rule *r,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	char		*scope = NULL, *chans;
	const char	*p[9];

	if (r->scope != NULL)
		scope = json_dumps(r->scope, JSON_COMPACT);
	chans = json_dumps(r->channels, JSON_COMPACT);
	p[0] = r->name;
	p[1] = r->min_severity;
	p[2] = r->source;
	p[3] = scope;
	p[4] = chans;
	p[5] = r->quiet_start;
	p[6] = r->quiet_end;
	p[7] = a->os_user;
	p[8] = a->front;
	store_run(st, sql_rule_add, 9, p, cb, arg);
	free(scope);
	free(chans);
}

void
store_rule_list(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, "SELECT r.name, r.min_severity AS \"when\", r.source,"
	    " to_jsonb(r.scope) AS scope,"
	    " COALESCE((SELECT jsonb_agg(c.name ORDER BY c.name)"
	    "   FROM notify_rule_channels rc JOIN notify_channels c"
	    "   ON c.id = rc.channel_id WHERE rc.rule_id = r.id), '[]')"
	    "   AS channels,"
	    " to_char(r.quiet_start, 'HH24:MI') || '-' ||"
	    " to_char(r.quiet_end, 'HH24:MI') AS quiet"
	    " FROM notify_rules r ORDER BY r.name", 0, NULL, cb, arg);
}

void
store_rule_rm(struct store *st, const char *name,
    const struct store_actor *a, store_rows_cb cb, void *arg)
{
	const char	*p[3] = { name, a->os_user, a->front };

	store_run(st, "WITH d AS (DELETE FROM notify_rules WHERE name = $1"
	    " RETURNING name), au AS (INSERT INTO audit_log (os_user, front,"
	    " action, object) SELECT $2, $3, 'notify.rule.rm', d.name FROM d)"
	    " SELECT name FROM d", 3, p, cb, arg);
}

static const char sql_alert_list[] =
"SELECT n.id, " SQL_IST("n.ts") " AS ts, n.severity, n.source, n.scope,"
"  n.title || CASE WHEN n.repeats > 0"
"    THEN ' (x' || (n.repeats + 1) || ')' ELSE '' END AS title,"
"  n.repeats + 1 AS count,"
"  CASE WHEN count(d.id) = 0 THEN 'UNROUTED'"
"    WHEN bool_or(d.state = 'FAILED') THEN 'FAILED'"
"    WHEN bool_and(d.state = 'SENT') THEN 'SENT'"
"    ELSE 'PENDING' END AS state,"
"  COALESCE(jsonb_agg(d.channel_name || ':' || d.state"
"    ORDER BY d.channel_name) FILTER (WHERE d.id IS NOT NULL), '[]')"
"    AS deliveries,"
"  max(d.latency_ms) AS latency_ms "
"FROM notifications n"
" LEFT JOIN notification_deliveries d ON d.notification_id = n.id "
"WHERE n.dup_of IS NULL AND (NOT $2::boolean OR EXISTS (SELECT 1"
"  FROM notification_deliveries f"
"  WHERE f.notification_id = n.id AND f.state = 'FAILED')) "
"GROUP BY n.id ORDER BY n.id DESC LIMIT $1::int";

void
store_alert_list(struct store *st, int n, int failed, store_rows_cb cb,
    void *arg)
{
	char		 lim[16];
	const char	*p[2];

	snprintf(lim, sizeof lim, "%d", n);
	p[0] = lim;
	p[1] = failed ? "true" : "false";
	store_run(st, sql_alert_list, 2, p, cb, arg);
}

static const char sql_alert_show[] =
"SELECT n.id, " SQL_IST("n.ts") " AS ts, n.severity, n.source, n.scope,"
"  n.title, n.body, n.ref, n.attachments, n.origin, n.repeats + 1 AS count,"
"  n.dup_of, n.incident_id, n.dead_letter_of,"
"  COALESCE((SELECT jsonb_agg(jsonb_build_object("
"    'id', d.id, 'channel', d.channel_name, 'state', d.state,"
"    'attempts', d.attempts, 'next_at', " SQL_IST("d.next_at") ","
"    'sent_at', " SQL_IST("d.sent_at") ", 'latency_ms', d.latency_ms,"
"    'last_error', d.last_error,"
"    'tries', COALESCE((SELECT jsonb_agg(jsonb_build_object("
"       'ts', " SQL_IST("a.ts") ", 'worker', a.worker,"
"       'outcome', a.outcome, 'http_status', a.http_status,"
"       'error', a.error, 'elapsed_ms', a.elapsed_ms) ORDER BY a.id)"
"       FROM notification_attempts a WHERE a.delivery_id = d.id), '[]'))"
"    ORDER BY d.channel_name)"
"    FROM notification_deliveries d WHERE d.notification_id = n.id), '[]')"
"    AS deliveries "
"FROM notifications n WHERE n.id = $1::bigint";

void
store_alert_show(struct store *st, int64_t id, store_rows_cb cb, void *arg)
{
	char		 s[24];
	const char	*p[1] = { s };

	snprintf(s, sizeof s, "%lld", (long long)id);
	store_run(st, sql_alert_show, 1, p, cb, arg);
}

static const char sql_alert_retry[] =
"WITH u AS ("
"  UPDATE notification_deliveries SET state = 'PENDING', attempts = 0,"
"    next_at = now(), claimed_by = NULL, claimed_until = NULL"
"  WHERE notification_id = $1::bigint AND state = 'FAILED'"
"    AND channel_id IS NOT NULL"
"  RETURNING channel_name"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $2, $3, 'alert.retry', $1::bigint::text,"
"    jsonb_build_object('channels',"
"    jsonb_agg(channel_name)) FROM u HAVING count(*) > 0"
"), n AS ("
"  SELECT pg_notify('" STORE_NOTIFY_CHANNEL "', $1::bigint::text)"
"  FROM u LIMIT 1"
")"
"SELECT channel_name, (SELECT count(*) FROM n) AS woke FROM u"
" ORDER BY channel_name";

void
store_alert_retry(struct store *st, int64_t id, const struct store_actor *a,
    store_rows_cb cb, void *arg)
{
	char		 s[24];
	const char	*p[3] = { s, a->os_user, a->front };

	snprintf(s, sizeof s, "%lld", (long long)id);
	store_run(st, sql_alert_retry, 3, p, cb, arg);
}

void
store_alert_deliveries(struct store *st, int64_t id, store_rows_cb cb,
    void *arg)
{
	char		 s[24];
	const char	*p[1] = { s };

	snprintf(s, sizeof s, "%lld", (long long)id);
	store_run(st, "SELECT d.channel_name, d.state, " SQL_IST("d.next_at")
	    " AS next_at, d.next_at > now() + interval '1 second' AS held,"
	    " n.dup_of, l.repeats + 1 AS count,"
	    " l.window_at > now() + interval '1 second' AS repeat_held"
	    " FROM notifications n"
	    " JOIN notifications l ON l.id = COALESCE(n.dup_of, n.id)"
	    " LEFT JOIN notification_deliveries d ON d.notification_id = l.id"
	    " WHERE n.id = $1::bigint ORDER BY d.channel_name", 1, p, cb, arg);
}

/*
 * Lock due rows first (SKIP LOCKED: workers claiming at the same moment
 * take different rows), skipping channels paused by a 429 and those the
 * worker's limiter is busy with; then keep at most 4 per channel (the
 * worker's rate limiter holds them in memory meanwhile) and let the
 * statement's end unlock the rest.  A SENDING row whose lease ran out
 * belongs to a worker that died: it is due again.
 */
static const char sql_claim[] =
"WITH locked AS MATERIALIZED ("
"  SELECT d.id, d.channel_id, d.next_at"
"  FROM notification_deliveries d"
"  JOIN notify_channels c ON c.id = d.channel_id"
"  WHERE ((d.state = 'PENDING' AND d.next_at <= now())"
"      OR (d.state = 'SENDING' AND d.claimed_until < now()))"
"    AND (c.paused_until IS NULL OR c.paused_until <= now())"
"    AND c.id <> ALL (ARRAY(SELECT jsonb_array_elements_text("
"      COALESCE($4::jsonb, '[]'))::bigint))"
"  ORDER BY d.next_at, d.id LIMIT $2::int * 4"
"  FOR UPDATE OF d SKIP LOCKED"
"), pick AS ("
"  SELECT id FROM (SELECT id, next_at, row_number() OVER"
"    (PARTITION BY channel_id ORDER BY next_at, id) AS rn FROM locked) x"
"  WHERE rn <= 4 ORDER BY next_at, id LIMIT $2::int"
")"
"UPDATE notification_deliveries d SET state = 'SENDING', claimed_by = $1,"
"  claimed_until = now() + $3::int * interval '1 millisecond',"
"  attempts = d.attempts + 1 "
"FROM pick, notifications n, notify_channels ch "
"WHERE d.id = pick.id AND n.id = d.notification_id AND ch.id = d.channel_id "
"RETURNING d.id, d.attempts, n.id AS notification_id,"
"  (extract(epoch FROM n.ts) * 1000000)::bigint AS ts_us,"
"  n.severity, n.source, n.scope, n.title, n.body, n.ref, n.attachments,"
"  n.repeats, ch.id AS channel_id, ch.name AS channel, ch.kind, ch.url,"
"  ch.config,"
"  ch.secret_enc, ch.rate_per_min";

void
store_notify_claim(struct store *st, const char *worker, int limit,
    int lease_ms, json_t *skip, store_rows_cb cb, void *arg)
{
	char		 lim[16], lease[16], *sk;
	const char	*p[4] = { worker, lim, lease, NULL };

	snprintf(lim, sizeof lim, "%d", limit);
	snprintf(lease, sizeof lease, "%d", lease_ms);
	sk = skip != NULL ? json_dumps(skip, JSON_COMPACT) : NULL;
	p[3] = sk;
	store_run(st, sql_claim, 4, p, cb, arg);
	free(sk);
}

static const char sql_finish[] =
"WITH d AS ("
"  UPDATE notification_deliveries d SET"
"    state = CASE $3 WHEN 'sent' THEN 'SENT' WHEN 'retry' THEN 'PENDING'"
"      ELSE 'FAILED' END,"
"    attempts = d.attempts - $9::int,"
"    next_at = CASE $3 WHEN 'retry'"
"      THEN now() + $7::bigint * interval '1 millisecond' ELSE d.next_at END,"
"    last_error = COALESCE($5, d.last_error),"
"    sent_at = CASE $3 WHEN 'sent' THEN now() END,"
"    latency_ms = CASE $3 WHEN 'sent' THEN (extract(epoch FROM"
"      clock_timestamp() - n.ts) * 1000)::bigint END,"
"    claimed_by = NULL, claimed_until = NULL"
"  FROM notifications n"
"  WHERE d.id = $1::bigint AND d.claimed_by = $2 AND d.state = 'SENDING'"
"    AND n.id = d.notification_id"
"  RETURNING d.id, d.channel_id, d.state, d.latency_ms"
"), a AS ("
"  INSERT INTO notification_attempts (delivery_id, worker, outcome,"
"    http_status, error, elapsed_ms)"
"  SELECT d.id, $2, $3, NULLIF($4::int, 0), $5, $6::int FROM d"
"), p AS ("
"  UPDATE notify_channels c SET paused_until ="
"    now() + $8::bigint * interval '1 millisecond'"
"  FROM d WHERE c.id = d.channel_id AND $8::bigint > 0"
")"
"SELECT id, state, latency_ms FROM d";

void
store_notify_finish(struct store *st, const struct store_notify_result *r,
    store_rows_cb cb, void *arg)
{
	char		 id[24], status[16], el[24], retry[24], pause[24];
	const char	*p[9];

	snprintf(id, sizeof id, "%lld", (long long)r->delivery_id);
	snprintf(status, sizeof status, "%ld", r->http_status);
	snprintf(el, sizeof el, "%lld", (long long)r->elapsed_ms);
	snprintf(retry, sizeof retry, "%lld", (long long)r->retry_ms);
	snprintf(pause, sizeof pause, "%lld", (long long)r->pause_ms);
	p[0] = id;
	p[1] = r->worker;
	p[2] = r->outcome;
	p[3] = status;
	p[4] = r->error;
	p[5] = el;
	p[6] = retry;
	p[7] = pause;
	p[8] = r->uncount ? "1" : "0";
	store_run(st, sql_finish, 9, p, cb, arg);
}
