-- Reports and group curves.
--
-- exports.report_sha256: the seal of each report, the SHA-256 of its
-- header lines (which name the data's own SHA-256), so a record names
-- the header a report went out with, not only its data.  NULL for the
-- reports written before it.

ALTER TABLE exports ADD COLUMN report_sha256 text
	CHECK (report_sha256 ~ '^[0-9a-f]{64}$');

-- Group equity: scope 'group', one series per account tag, the sum of
-- the tagged accounts' equity at each snapshot.  The snapshot writes the
-- points, so their 1m/15m/1d rollups are kept by the same insert trigger
-- as every other scope's, and a group's curve is one series read from
-- the rollups instead of a carry-forward sum over its accounts at every
-- query.  A group is the accounts tagged at the time of each snapshot.
-- A timed snapshot writes every tag; one at a fill, the tags of the
-- account that filled.

ALTER TABLE equity_points DROP CONSTRAINT IF EXISTS equity_points_scope_check;
ALTER TABLE equity_points ADD CONSTRAINT equity_points_scope_check
	CHECK (scope IN ('account', 'strategy', 'broker', 'firm', 'group'));

CREATE OR REPLACE FUNCTION phalanx_equity_snapshot(p_reason text,
    p_account bigint DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n	integer;
	m	integer;
	brk	text;
BEGIN
	IF p_account IS NOT NULL THEN
		SELECT b.name INTO brk FROM accounts a
		    JOIN brokers b ON b.id = a.broker_id WHERE a.id = p_account;
	END IF;
	INSERT INTO equity_points (scope, name, account_id, equity, realised,
	    unrealised, margin_used, reason)
	WITH px_equity_now AS MATERIALIZED (SELECT * FROM equity_now)
	SELECT 'account', e.name, e.account_id, e.equity, e.realised,
	    e.unrealised, e.margin_used, p_reason
	FROM px_equity_now e
	WHERE p_account IS NULL OR e.account_id = p_account
	UNION ALL
	SELECT 'broker', e.broker, NULL, sum(e.equity), sum(e.realised),
	    sum(e.unrealised), sum(e.margin_used), p_reason
	FROM px_equity_now e WHERE p_account IS NULL OR e.broker = brk
	GROUP BY e.broker
	UNION ALL
	SELECT 'group', t.tag, NULL, sum(e.equity), sum(e.realised),
	    sum(e.unrealised), sum(e.margin_used), p_reason
	FROM px_equity_now e JOIN account_tags t ON t.account_id = e.account_id
	WHERE p_account IS NULL OR t.tag IN (SELECT tag FROM account_tags
	    WHERE account_id = p_account)
	GROUP BY t.tag
	UNION ALL
	SELECT 'firm', 'firm', NULL, coalesce(sum(e.equity), 0),
	    coalesce(sum(e.realised), 0), coalesce(sum(e.unrealised), 0),
	    coalesce(sum(e.margin_used), 0), p_reason
	FROM px_equity_now e;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF p_account IS NULL THEN
		INSERT INTO equity_points (scope, name, equity, realised,
		    unrealised, margin_used, reason)
		SELECT 'strategy', s.name, s.equity, s.realised, s.unrealised,
		    s.margin_used, p_reason FROM strategy_pnl_now s;
		GET DIAGNOSTICS m = ROW_COUNT;
		n := n + m;
	END IF;
	PERFORM pg_notify('phalanx_analytics', 'equity');
	RETURN n;
END $$;

-- The history a group had before its own points: its accounts' rollups
-- summed, each carried forward from its last bucket, one row per bucket
-- (n 1, the bucket's value as first, last, min and max).  Run here for
-- the tags that exist; buckets the group already has are left alone.
CREATE FUNCTION phalanx_group_backfill(p_tag text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n	integer;
BEGIN
	WITH r AS (
		SELECT x.width, x.bucket, x.name, x.last_equity AS e,
		    x.last_realised AS re, x.last_unrealised AS u,
		    x.last_margin AS m
		FROM equity_rollups x
		WHERE x.scope = 'account' AND x.name IN (SELECT a.name
		    FROM accounts a JOIN account_tags t ON t.account_id = a.id
		    WHERE t.tag = p_tag)
	), d AS (
		SELECT width, bucket, e - coalesce(lag(e) OVER w, 0) AS de,
		    re - coalesce(lag(re) OVER w, 0) AS dre,
		    u - coalesce(lag(u) OVER w, 0) AS du,
		    m - coalesce(lag(m) OVER w, 0) AS dm
		FROM r WINDOW w AS (PARTITION BY width, name ORDER BY bucket)
	), s AS (
		SELECT width, bucket, sum(de) AS de, sum(dre) AS dre,
		    sum(du) AS du, sum(dm) AS dm FROM d GROUP BY width, bucket
	), c AS (
		SELECT width, bucket,
		    sum(de) OVER o AS e, sum(dre) OVER o AS re,
		    sum(du) OVER o AS u, sum(dm) OVER o AS m
		FROM s WINDOW o AS (PARTITION BY width ORDER BY bucket)
	)
	INSERT INTO equity_rollups (width, bucket, scope, name, n, sum_equity,
	    min_equity, max_equity, first_ts, first_equity, last_ts,
	    last_equity, last_realised, last_unrealised, last_margin)
	SELECT width, bucket, 'group', p_tag, 1, e, e, e, bucket, e, bucket,
	    e, re, u, m FROM c
	ON CONFLICT (width, scope, name, bucket) DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;

SELECT phalanx_group_backfill(tag) FROM (SELECT DISTINCT tag
    FROM account_tags) t;
