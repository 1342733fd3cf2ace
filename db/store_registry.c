/*
 * Registry queries: brokers and accounts.  Each mutation is one statement
 * whose CTEs also write the audit_log row, so a change is never stored
 * without its audit entry.  Variable fields travel as one jsonb parameter
 * and are picked apart in SQL: the statement text never contains input.
 */
#include <stdlib.h>
#include <string.h>

#include "db/store_int.h"

/* numeric(12,4) without trailing zeros: 1.0000 -> 1, 0.5000 -> 0.5 */
#define SQL_RATIO(col) "rtrim(rtrim(" col "::text, '0'), '.')"

/*
 * An account's trading state as the RMS sees it: the most restrictive of
 * its own, the firm's and its groups' (rms_scope_states), so halting the
 * firm or a group stops every fan-out to its accounts.
 */
#define SQL_EFFECTIVE_STATE(a) \
	"(SELECT (ARRAY['ACTIVE', 'REDUCING', 'HALTED'])[max(" \
	"  array_position(ARRAY['ACTIVE', 'REDUCING', 'HALTED'], x.s))]" \
	"  FROM (SELECT " a ".trading_state AS s UNION ALL" \
	"  SELECT r.state FROM rms_scope_states r WHERE r.scope_kind = 'firm'" \
	"  OR (r.scope_kind = 'group' AND r.scope_name IN (SELECT t.tag" \
	"  FROM account_tags t WHERE t.account_id = " a ".id))) x)"

#define SQL_ACCOUNT_COLS(a, broker) \
	a ".id, " a ".name, " broker " AS broker, " a ".user_id, " \
	a ".enabled, " SQL_EFFECTIVE_STATE(a) " AS state, " a ".priority, " \
	a ".lots, " SQL_RATIO(a ".multiplier") " AS multiplier, " \
	a ".capital::text AS capital, " SQL_RATIO(a ".weight") " AS weight, " \
	a ".max_lots"

static const char sql_broker_add[] =
"WITH b AS ("
"  INSERT INTO brokers (name, kind, url, api_key)"
"  VALUES ($1, $2, $3, $4) RETURNING *"
"), c AS ("
"  INSERT INTO credentials (broker_id, kind, ciphertext)"
"  SELECT b.id, x.kind, x.ct FROM b,"
"    (VALUES ('api_secret', $5::text), ('access_token', $6::text))"
"      AS x(kind, ct)"
"  WHERE x.ct IS NOT NULL"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $7, $8, 'broker.add', b.name, jsonb_build_object('kind', b.kind,"
"    'url', b.url, 'api_secret', $5::text IS NOT NULL,"
"    'access_token', $6::text IS NOT NULL) FROM b"
")"
"SELECT b.name, b.kind, b.url, b.api_key,"
"  $5::text IS NOT NULL AS api_secret, $6::text IS NOT NULL AS access_token,"
"  0 AS accounts FROM b";

static const char sql_broker_list[] =
"SELECT b.name, b.kind, b.url, b.api_key,"
"  EXISTS (SELECT 1 FROM credentials c WHERE c.broker_id = b.id"
"    AND c.kind = 'api_secret') AS api_secret,"
"  EXISTS (SELECT 1 FROM credentials c WHERE c.broker_id = b.id"
"    AND c.kind = 'access_token') AS access_token,"
"  (SELECT count(*) FROM accounts a WHERE a.broker_id = b.id)::int"
"    AS accounts "
"FROM brokers b ORDER BY b.name";

static const char sql_broker_rm[] =
"WITH d AS (DELETE FROM brokers WHERE name = $1 RETURNING name),"
" au AS ("
"  INSERT INTO audit_log (os_user, front, action, object)"
"  SELECT $2, $3, 'broker.rm', d.name FROM d"
")"
"SELECT name FROM d";

static const char sql_account_add[] =
"WITH f AS (SELECT $2::jsonb AS j),"
" ins AS ("
"  INSERT INTO accounts (name, broker_id, user_id, lots, multiplier,"
"    capital, weight, priority, max_lots, api_key)"
"  SELECT $1, (SELECT id FROM brokers WHERE name = f.j->>'broker'),"
"    COALESCE(f.j->>'user_id', $1), COALESCE((f.j->>'lots')::int, 1),"
"    COALESCE((f.j->>'multiplier')::numeric, 1),"
"    COALESCE((f.j->>'capital')::numeric, 0),"
"    COALESCE((f.j->>'weight')::numeric, 1),"
"    COALESCE((f.j->>'priority')::int, 100),"
"    NULLIF((f.j->>'max_lots')::int, 0), f.j->>'api_key'"
"  FROM f RETURNING *"
"), cr AS ("
"  INSERT INTO credentials (account_id, kind, ciphertext)"
"  SELECT ins.id, x.kind, x.ct FROM ins,"
"    (VALUES ('access_token', $6::text), ('api_secret', $7::text))"
"      AS x(kind, ct)"
"  WHERE x.ct IS NOT NULL"
"), t AS ("
"  INSERT INTO account_tags (account_id, tag)"
"  SELECT ins.id, x FROM ins, jsonb_array_elements_text($3::jsonb) x"
"  ON CONFLICT DO NOTHING"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $4, $5, 'account.add', ins.name,"
"    ($2::jsonb - 'api_key') || jsonb_build_object('tags', $3::jsonb,"
"    'api_key', $2::jsonb ? 'api_key',"
"    'access_token', $6::text IS NOT NULL,"
"    'api_secret', $7::text IS NOT NULL) FROM ins"
")"
"SELECT " SQL_ACCOUNT_COLS("ins", "$2::jsonb->>'broker'") ","
"  (SELECT COALESCE(jsonb_agg(DISTINCT x ORDER BY x), '[]')"
"     FROM jsonb_array_elements_text($3::jsonb) x) AS tags "
"FROM ins";

/*
 * One statement for every "account set" and enable/disable: absent keys
 * keep their column; "tags" replaces the tag set; max_lots 0 lifts the cap.
 */
static const char sql_account_set[] =
"WITH f AS (SELECT $2::jsonb AS j),"
" up AS ("
"  UPDATE accounts a SET"
"    broker_id = CASE WHEN f.j ? 'broker' THEN"
"      (SELECT id FROM brokers WHERE name = f.j->>'broker')"
"      ELSE a.broker_id END,"
"    user_id = COALESCE(f.j->>'user_id', a.user_id),"
"    lots = COALESCE((f.j->>'lots')::int, a.lots),"
"    multiplier = COALESCE((f.j->>'multiplier')::numeric, a.multiplier),"
"    capital = COALESCE((f.j->>'capital')::numeric, a.capital),"
"    weight = COALESCE((f.j->>'weight')::numeric, a.weight),"
"    priority = COALESCE((f.j->>'priority')::int, a.priority),"
"    max_lots = CASE WHEN f.j ? 'max_lots' THEN"
"      NULLIF((f.j->>'max_lots')::int, 0) ELSE a.max_lots END,"
"    enabled = COALESCE((f.j->>'enabled')::boolean, a.enabled),"
"    api_key = COALESCE(f.j->>'api_key', a.api_key),"
"    updated_at = now()"
"  FROM f WHERE a.name = $1 RETURNING a.*"
"), cr AS ("
"  INSERT INTO credentials (account_id, kind, ciphertext)"
"  SELECT up.id, x.kind, x.ct FROM up,"
"    (VALUES ('access_token', $5::text), ('api_secret', $6::text))"
"      AS x(kind, ct)"
"  WHERE x.ct IS NOT NULL"
"  ON CONFLICT (account_id, kind) WHERE account_id IS NOT NULL"
"  DO UPDATE SET ciphertext = EXCLUDED.ciphertext, updated_at = now()"
"), td AS ("
"  DELETE FROM account_tags t USING up, f"
"  WHERE f.j ? 'tags' AND t.account_id = up.id"
"    AND t.tag NOT IN (SELECT jsonb_array_elements_text(f.j->'tags'))"
"), ti AS ("
"  INSERT INTO account_tags (account_id, tag)"
"  SELECT up.id, x FROM up, f, jsonb_array_elements_text("
"    CASE WHEN f.j ? 'tags' THEN f.j->'tags' ELSE '[]' END) x"
"  ON CONFLICT DO NOTHING"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $3, $4, CASE WHEN f.j ? 'enabled' AND f.j->>'enabled' = 'true'"
"    THEN 'account.enable' WHEN f.j ? 'enabled' THEN 'account.disable'"
"    ELSE 'account.set' END, up.name, (f.j - 'api_key') ||"
"    jsonb_build_object('api_key', f.j ? 'api_key',"
"    'access_token', $5::text IS NOT NULL,"
"    'api_secret', $6::text IS NOT NULL) FROM up, f"
")"
"SELECT " SQL_ACCOUNT_COLS("up",
    "(SELECT name FROM brokers WHERE id = up.broker_id)") ","
"  CASE WHEN f.j ? 'tags' THEN"
"    (SELECT COALESCE(jsonb_agg(DISTINCT x ORDER BY x), '[]')"
"       FROM jsonb_array_elements_text(f.j->'tags') x)"
"  ELSE (SELECT COALESCE(jsonb_agg(tag ORDER BY tag), '[]')"
"       FROM account_tags WHERE account_id = up.id) END AS tags "
"FROM up, f";

static const char sql_account_tags[] =
"WITH acc AS (SELECT * FROM accounts WHERE name = $1),"
" d AS ("
"  DELETE FROM account_tags t USING acc WHERE t.account_id = acc.id"
"    AND t.tag IN (SELECT jsonb_array_elements_text($3::jsonb))"
"), i AS ("
"  INSERT INTO account_tags (account_id, tag)"
"  SELECT acc.id, x FROM acc, jsonb_array_elements_text($2::jsonb) x"
"  WHERE x NOT IN (SELECT jsonb_array_elements_text($3::jsonb))"
"  ON CONFLICT DO NOTHING"
"), au AS ("
"  INSERT INTO audit_log (os_user, front, action, object, detail)"
"  SELECT $4, $5, 'account.tag', acc.name,"
"    jsonb_build_object('add', $2::jsonb, 'remove', $3::jsonb) FROM acc"
")"
"SELECT " SQL_ACCOUNT_COLS("acc",
    "(SELECT name FROM brokers WHERE id = acc.broker_id)") ","
"  (SELECT COALESCE(jsonb_agg(DISTINCT tag ORDER BY tag), '[]') FROM ("
"     SELECT tag FROM account_tags WHERE account_id = acc.id"
"       AND tag NOT IN (SELECT jsonb_array_elements_text($3::jsonb))"
"     UNION SELECT x FROM jsonb_array_elements_text($2::jsonb) x"
"       WHERE x NOT IN (SELECT jsonb_array_elements_text($3::jsonb))"
"  ) s) AS tags "
"FROM acc";

static const char sql_account_rm[] =
"WITH d AS (DELETE FROM accounts WHERE name = $1 RETURNING name),"
" au AS ("
"  INSERT INTO audit_log (os_user, front, action, object)"
"  SELECT $2, $3, 'account.rm', d.name FROM d"
")"
"SELECT name FROM d";

static const char sql_account_list[] =
"SELECT " SQL_ACCOUNT_COLS("a", "b.name") ","
"  COALESCE((SELECT jsonb_agg(tag ORDER BY tag) FROM account_tags t"
"    WHERE t.account_id = a.id), '[]') AS tags "
"FROM accounts a JOIN brokers b ON b.id = a.broker_id "
"ORDER BY a.priority, a.name";

void
store_broker_add(struct store *st, const struct store_broker *b,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	const char	*p[8];

	p[0] = b->name;
	p[1] = b->kind;
	p[2] = b->url;
	p[3] = b->api_key;
	p[4] = b->api_secret_enc;
	p[5] = b->access_token_enc;
	p[6] = who->os_user;
	p[7] = who->front;
	store_run(st, sql_broker_add, 8, p, cb, arg);
	store_registry_changed(st, "accounts");
}

void
store_broker_list(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_broker_list, 0, NULL, cb, arg);
}

void
store_broker_rm(struct store *st, const char *name,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	const char	*p[3] = { name, who->os_user, who->front };

	store_run(st, sql_broker_rm, 3, p, cb, arg);
	store_registry_changed(st, "accounts");
}

static char *
store_json_text(json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
}

void
store_account_add(struct store *st, const char *name, json_t *fields,
    json_t *tags, const char *token_enc, const char *secret_enc,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	char		*f = store_json_text(fields), *t = store_json_text(tags);
	const char	*p[7] = { name, f, t, who->os_user, who->front,
			    token_enc, secret_enc };

	store_run(st, sql_account_add, 7, p, cb, arg);
	store_registry_changed(st, "accounts");
	free(f);
	free(t);
}

void
store_account_set(struct store *st, const char *name, json_t *fields,
    const char *token_enc, const char *secret_enc,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	char		*f = store_json_text(fields);
	const char	*p[6] = { name, f, who->os_user, who->front,
			    token_enc, secret_enc };

	store_run(st, sql_account_set, 6, p, cb, arg);
	store_registry_changed(st, "accounts");
	free(f);
}

void
store_account_tags(struct store *st, const char *name, json_t *add,
    json_t *remove, const struct store_actor *who, store_rows_cb cb,
    void *arg)
{
	char		*a = store_json_text(add), *r = store_json_text(remove);
	const char	*p[5] = { name, a, r, who->os_user, who->front };

	store_run(st, sql_account_tags, 5, p, cb, arg);
	store_registry_changed(st, "accounts");
	free(a);
	free(r);
}

void
store_account_rm(struct store *st, const char *name,
    const struct store_actor *who, store_rows_cb cb, void *arg)
{
	const char	*p[3] = { name, who->os_user, who->front };

	store_run(st, sql_account_rm, 3, p, cb, arg);
	store_registry_changed(st, "accounts");
}

/*
 * Who holds a broker user id: the account other than name whose user id
 * is user_id (NULL: name's own) at broker (NULL: name's own).  Row: name,
 * broker, user_id.
 */
static const char sql_user_id_owner[] =
"SELECT a.name, b.name AS broker, a.user_id FROM accounts a"
"  JOIN brokers b ON b.id = a.broker_id"
" WHERE a.user_id = COALESCE($2,"
"     (SELECT user_id FROM accounts WHERE name = $3))"
"   AND a.name <> $3"
"   AND b.id = COALESCE((SELECT id FROM brokers WHERE name = $1),"
"     (SELECT broker_id FROM accounts WHERE name = $3))"
" ORDER BY a.id LIMIT 1";

void
store_user_id_owner(struct store *st, const char *broker, const char *user_id,
    const char *name, store_rows_cb cb, void *arg)
{
	const char	*p[3] = { broker, user_id, name };

	store_run(st, sql_user_id_owner, 3, p, cb, arg);
}

void
store_account_list(struct store *st, store_rows_cb cb, void *arg)
{
	store_run(st, sql_account_list, 0, NULL, cb, arg);
}
