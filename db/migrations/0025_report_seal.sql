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

-- pg_partman keeps the day partitions where it is installed (Debian's
-- postgresql-15-partman, CREATE EXTENSION pg_partman): the first upkeep
-- after it appears hands equity_points over (phalanx's partitions renamed
-- to partman's names, its default partition replaced by partman's and
-- its rows put back), then each upkeep sets partman's retention and runs
-- its maintenance.  Without it phalanx keeps them itself, as before.
-- Partition bounds are UTC days either way.
ALTER FUNCTION phalanx_equity_maintain(integer, integer)
	RENAME TO phalanx_equity_maintain_own;

CREATE FUNCTION phalanx_partman_schema() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT n.nspname::text FROM pg_extension e
	JOIN pg_namespace n ON n.oid = e.extnamespace
	WHERE e.extname = 'pg_partman'
$$;

CREATE FUNCTION phalanx_equity_partman(p_retention_days integer,
    p_ahead integer)
RETURNS TABLE (action text, object text)
LANGUAGE plpgsql SET TimeZone = 'UTC' AS $$
DECLARE
	pm	text := phalanx_partman_schema();
	known	boolean;
	r	record;
	before	text[];
	after	text[];
	moved	integer;
BEGIN
	EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.part_config WHERE '
	    'parent_table = ''public.equity_points'')', pm) INTO known;
	IF NOT known THEN
		FOR r IN SELECT c.relname FROM pg_inherits i
		    JOIN pg_class c ON c.oid = i.inhrelid
		    WHERE i.inhparent = 'equity_points'::regclass
		      AND c.relname ~ '^equity_points_p[0-9]{8}$'
		LOOP
			EXECUTE format('ALTER TABLE %I RENAME TO %I', r.relname,
			    'equity_points_p' || substr(r.relname, 16, 4) || '_'
			    || substr(r.relname, 20, 2) || '_'
			    || substr(r.relname, 22, 2));
		END LOOP;
		IF to_regclass('equity_points_default') IS NOT NULL THEN
			ALTER TABLE equity_points
			    DETACH PARTITION equity_points_default;
			ALTER TABLE equity_points_default
			    RENAME TO equity_points_default_px;
		END IF;
		EXECUTE format('SELECT %I.create_parent(''public.equity_points'', '
		    '''ts'', ''native'', ''daily'', p_premake := %s, '
		    'p_start_partition := %L, p_jobmon := false)', pm,
		    greatest(p_ahead, 1) + 1, (now()::date - 1)::text);
		-- partman makes its default partition only when it made a
		-- child; else phalanx's goes back as it was.
		IF to_regclass('equity_points_default_px') IS NOT NULL
		    AND to_regclass('equity_points_default') IS NULL THEN
			ALTER TABLE equity_points_default_px
			    RENAME TO equity_points_default;
			ALTER TABLE equity_points ATTACH PARTITION
			    equity_points_default DEFAULT;
		ELSIF to_regclass('equity_points_default_px') IS NOT NULL THEN
			PERFORM set_config('phalanx.no_rollup', 'on', true);
			INSERT INTO equity_points
			    SELECT * FROM equity_points_default_px;
			PERFORM set_config('phalanx.no_rollup', 'off', true);
			DROP TABLE equity_points_default_px;
		END IF;
		action := 'handed to pg_partman';
		object := 'equity_points';
		RETURN NEXT;
	END IF;
	EXECUTE format('UPDATE %I.part_config SET retention = %L, '
	    'retention_keep_table = false, infinite_time_partitions = true, '
	    'premake = %s WHERE parent_table = ''public.equity_points''', pm,
	    CASE WHEN p_retention_days > 0 THEN p_retention_days || ' days'
	    END, greatest(p_ahead, 1) + 1);
	SELECT array_agg(c.relname::text ORDER BY c.relname) INTO before
	FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	WHERE i.inhparent = 'equity_points'::regclass;
	-- Rows of days that had no partition wait in the default one; give
	-- them theirs (partman moves them into the children directly, so no
	-- rollup counts them twice).
	EXECUTE format('SELECT %I.partition_data_time(''public.equity_points'', '
	    'p_batch_count := 1000)', pm) INTO moved;
	EXECUTE format('SELECT %I.run_maintenance(''public.equity_points'', '
	    'p_jobmon := false)', pm);
	SELECT array_agg(c.relname::text ORDER BY c.relname) INTO after
	FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	WHERE i.inhparent = 'equity_points'::regclass;
	action := 'kept by';
	object := 'pg_partman';
	RETURN NEXT;
	FOR r IN SELECT x AS o FROM unnest(after) x
	    WHERE x <> ALL (coalesce(before, '{}')) LOOP
		action := 'created';
		object := r.o;
		RETURN NEXT;
	END LOOP;
	FOR r IN SELECT x AS o FROM unnest(before) x
	    WHERE x <> ALL (coalesce(after, '{}')) LOOP
		action := 'dropped';
		object := r.o;
		RETURN NEXT;
	END LOOP;
	IF moved > 0 THEN
		action := 'moved ' || moved || ' rows out of';
		object := 'equity_points_default';
		RETURN NEXT;
	END IF;
END $$;

CREATE FUNCTION phalanx_equity_maintain(p_retention_days integer,
    p_ahead integer DEFAULT 2)
RETURNS TABLE (action text, object text)
LANGUAGE plpgsql AS $$
DECLARE
	cutoff	timestamptz;
BEGIN
	IF phalanx_equity_storage() <> 'partitioned'
	    OR phalanx_partman_schema() IS NULL THEN
		RETURN QUERY SELECT * FROM phalanx_equity_maintain_own(
		    p_retention_days, p_ahead);
		RETURN;
	END IF;
	RETURN QUERY SELECT * FROM phalanx_equity_partman(p_retention_days,
	    p_ahead);
	IF p_retention_days > 0 THEN
		cutoff := date_trunc('day', now() AT TIME ZONE 'UTC')
		    AT TIME ZONE 'UTC' - make_interval(days => p_retention_days);
		DELETE FROM equity_rollups WHERE width = '1m'
		    AND bucket < cutoff;
		DELETE FROM equity_rollups WHERE width = '15m'
		    AND bucket < cutoff - make_interval(days =>
		      3 * p_retention_days);
	END IF;
END $$;
