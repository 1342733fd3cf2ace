-- Analytics time series: equity snapshots per account, strategy, broker
-- and firm, their 1m/15m/1d rollups (kept up to date on insert), day
-- partitions with retention, and the LTP a fan-out's instrument had at
-- the intent, for slippage.
--
-- Storage: a TimescaleDB hypertable when px_hypertable() (0004) can make
-- one; otherwise a native table partitioned by UTC day, partitions created
-- ahead and dropped past the retention by phalanx_equity_maintain(), which
-- the snapshot owner calls.  A default partition catches a row for a day
-- not created yet; maintenance moves such rows into their day.
--
-- Advisory lock (two-int form) used with these tables:
--   (1885893240, 21)  the snapshot duty: one process takes the timed
--                     snapshots and runs maintenance (serve, else a console)
--
-- NOTIFY phalanx_analytics, payload 'equity': new equity points committed;
-- caches of equity queries drop what they hold.

DO $$
DECLARE
	ddl	text := '
	CREATE TABLE equity_points (
		ts		timestamptz NOT NULL DEFAULT now(),
		scope		text NOT NULL
				CHECK (scope IN (''account'', ''strategy'',
				    ''broker'', ''firm'')),
		name		text NOT NULL CHECK (name <> ''''),
		account_id	bigint,
		equity		numeric(18,2) NOT NULL,
		realised	numeric(18,2) NOT NULL,
		unrealised	numeric(18,2) NOT NULL,
		margin_used	numeric(18,2) NOT NULL,
		reason		text NOT NULL
				CHECK (reason IN (''timer'', ''fill'', ''manual''))
	)';
	made	boolean := false;
BEGIN
	IF EXISTS (SELECT 1 FROM pg_available_extensions
	    WHERE name = 'timescaledb') THEN
		EXECUTE ddl;
		made := px_hypertable('equity_points', '1 day');
		IF NOT made THEN
			DROP TABLE equity_points;
		END IF;
	END IF;
	IF NOT made THEN
		EXECUTE ddl || ' PARTITION BY RANGE (ts)';
		CREATE TABLE equity_points_default PARTITION OF equity_points
		    DEFAULT;
	END IF;
END $$;

CREATE INDEX equity_points_ts ON equity_points USING brin (ts);
CREATE INDEX equity_points_scope ON equity_points (scope, name, ts);

-- One row per width, bucket and series: enough to give the mean, the
-- range, the first and the last point of the bucket without the raw rows.
-- 1d buckets are IST days.
CREATE TABLE equity_rollups (
	width		text NOT NULL CHECK (width IN ('1m', '15m', '1d')),
	bucket		timestamptz NOT NULL,
	scope		text NOT NULL,
	name		text NOT NULL,
	n		integer NOT NULL,
	sum_equity	numeric NOT NULL,
	min_equity	numeric(18,2) NOT NULL,
	max_equity	numeric(18,2) NOT NULL,
	first_ts	timestamptz NOT NULL,
	first_equity	numeric(18,2) NOT NULL,
	last_ts		timestamptz NOT NULL,
	last_equity	numeric(18,2) NOT NULL,
	last_realised	numeric(18,2) NOT NULL,
	last_unrealised	numeric(18,2) NOT NULL,
	last_margin	numeric(18,2) NOT NULL,
	PRIMARY KEY (width, scope, name, bucket)
);

CREATE FUNCTION phalanx_bucket(p_width text, p_ts timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_width
	  WHEN '1m' THEN date_trunc('minute', p_ts)
	  WHEN '15m' THEN date_trunc('hour', p_ts) + floor(extract(minute
	    FROM p_ts) / 15) * interval '15 minutes'
	  ELSE date_trunc('day', p_ts AT TIME ZONE 'Asia/Kolkata')
	    AT TIME ZONE 'Asia/Kolkata' END
$$;

-- Every point reaches its three rollups in the statement that inserts
-- it; a point older than a bucket's last changes the aggregates but not
-- the "last" columns.  phalanx.no_rollup = 'on' (maintenance moving rows
-- between partitions) skips it, so nothing counts twice.  Native
-- partitions get one statement-level trigger (a transition table: one
-- grouped upsert per statement, so a bulk insert is fast); a hypertable,
-- which has no transition tables, a row-level one.
CREATE FUNCTION phalanx_equity_rollup_sql(src text) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
	SELECT format($q$
	INSERT INTO equity_rollups AS r
	SELECT w, phalanx_bucket(w, p.ts) AS b, p.scope, p.name, count(*),
	    sum(p.equity), min(p.equity), max(p.equity), min(p.ts),
	    (array_agg(p.equity ORDER BY p.ts))[1], max(p.ts),
	    (array_agg(p.equity ORDER BY p.ts DESC))[1],
	    (array_agg(p.realised ORDER BY p.ts DESC))[1],
	    (array_agg(p.unrealised ORDER BY p.ts DESC))[1],
	    (array_agg(p.margin_used ORDER BY p.ts DESC))[1]
	FROM %I p, unnest(ARRAY['1m', '15m', '1d']) w
	GROUP BY w, b, p.scope, p.name
	ON CONFLICT (width, scope, name, bucket) DO UPDATE SET
	  n = r.n + EXCLUDED.n,
	  sum_equity = r.sum_equity + EXCLUDED.sum_equity,
	  min_equity = least(r.min_equity, EXCLUDED.min_equity),
	  max_equity = greatest(r.max_equity, EXCLUDED.max_equity),
	  first_ts = least(r.first_ts, EXCLUDED.first_ts),
	  first_equity = CASE WHEN EXCLUDED.first_ts < r.first_ts
	    THEN EXCLUDED.first_equity ELSE r.first_equity END,
	  last_ts = greatest(r.last_ts, EXCLUDED.last_ts),
	  last_equity = CASE WHEN EXCLUDED.last_ts >= r.last_ts
	    THEN EXCLUDED.last_equity ELSE r.last_equity END,
	  last_realised = CASE WHEN EXCLUDED.last_ts >= r.last_ts
	    THEN EXCLUDED.last_realised ELSE r.last_realised END,
	  last_unrealised = CASE WHEN EXCLUDED.last_ts >= r.last_ts
	    THEN EXCLUDED.last_unrealised ELSE r.last_unrealised END,
	  last_margin = CASE WHEN EXCLUDED.last_ts >= r.last_ts
	    THEN EXCLUDED.last_margin ELSE r.last_margin END$q$, src)
$f$;

-- The transition table is visible only to the trigger function's own
-- statements, so each trigger runs the merge itself.
CREATE FUNCTION phalanx_equity_rollup_stmt() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF coalesce(current_setting('phalanx.no_rollup', true), '') = 'on' THEN
		RETURN NULL;
	END IF;
	EXECUTE phalanx_equity_rollup_sql('px_new_rows');
	RETURN NULL;
END $$;

CREATE FUNCTION phalanx_equity_rollup_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF coalesce(current_setting('phalanx.no_rollup', true), '') = 'on' THEN
		RETURN NULL;
	END IF;
	CREATE TEMP TABLE px_new_point ON COMMIT DROP AS SELECT NEW.*;
	EXECUTE phalanx_equity_rollup_sql('px_new_point');
	DROP TABLE px_new_point;
	RETURN NULL;
END $$;

DO $$
BEGIN
	IF (SELECT relkind FROM pg_class WHERE oid = 'equity_points'::regclass)
	    = 'p' THEN
		CREATE TRIGGER equity_points_rollup AFTER INSERT ON equity_points
		    REFERENCING NEW TABLE AS px_new_rows
		    FOR EACH STATEMENT EXECUTE FUNCTION
		    phalanx_equity_rollup_stmt();
	ELSE
		CREATE TRIGGER equity_points_rollup AFTER INSERT ON equity_points
		    FOR EACH ROW EXECUTE FUNCTION phalanx_equity_rollup_row();
	END IF;
END $$;

-- The strategy a fill belongs to: the fan-out's strategy where it has
-- one, else its "tag TEXT", else untagged (orders found at the broker).
CREATE FUNCTION phalanx_strategy_key(p_strategy bigint, p_tag text)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT 'strategy:' || s.name FROM strategies s
	    WHERE s.id = p_strategy), 'tag:' || p_tag, 'untagged')
$$;

-- Equity of every account now: capital + realised + unrealised; margin
-- used as the matrix shows it (open positions' notional at the last price
-- plus working orders' value).
CREATE VIEW equity_now AS
SELECT a.id AS account_id, a.name, b.name AS broker,
    coalesce(a.capital, 0) + coalesce(p.realised, 0)
      + coalesce(p.unrealised, 0) AS equity,
    coalesce(p.realised, 0) AS realised,
    coalesce(p.unrealised, 0) AS unrealised,
    round(coalesce(p.exposure, 0) + coalesce(o.value, 0), 2) AS margin_used
FROM accounts a JOIN brokers b ON b.id = a.broker_id
LEFT JOIN (SELECT account_id, sum(realised_pnl) AS realised,
    sum(unrealised_pnl) FILTER (WHERE qty <> 0) AS unrealised,
    sum(abs(qty) * coalesce(last_price, avg_price))
      FILTER (WHERE qty <> 0) AS exposure
  FROM positions GROUP BY account_id) p ON p.account_id = a.id
LEFT JOIN (SELECT account_id,
    sum((qty - filled_qty) * coalesce(price, 0)) AS value
  FROM orders WHERE state IN ('NEW', 'SUBMITTED', 'OPEN', 'TRIGGER_PENDING',
    'PARTIALLY_FILLED', 'PENDING_CANCEL', 'UNKNOWN')
  GROUP BY account_id) o ON o.account_id = a.id;

-- Per strategy, from its orders' fills (what reached positions: pos_qty
-- at pos_value) at average cost per contract: realised on the quantity
-- closed, unrealised on the rest at the position's last price.  An
-- estimate where a position flips side within the history.
CREATE VIEW strategy_pnl_now AS
WITH f AS (
	SELECT phalanx_strategy_key(fo.strategy_id, fo.tag) AS name,
	    o.account_id, o.exchange, o.symbol, o.product,
	    sum(o.pos_qty) FILTER (WHERE o.side = 'BUY') AS bq,
	    sum(o.pos_value) FILTER (WHERE o.side = 'BUY') AS bv,
	    sum(o.pos_qty) FILTER (WHERE o.side = 'SELL') AS sq,
	    sum(o.pos_value) FILTER (WHERE o.side = 'SELL') AS sv
	FROM orders o LEFT JOIN fanouts fo ON fo.id = o.fanout_id
	WHERE o.pos_qty > 0
	GROUP BY 1, 2, 3, 4, 5
), c AS (
	SELECT f.name, coalesce(f.bq, 0) - coalesce(f.sq, 0) AS net,
	    CASE WHEN f.bq > 0 AND f.sq > 0 THEN least(f.bq, f.sq)
	      * (f.sv / f.sq - f.bv / f.bq) ELSE 0 END AS realised,
	    CASE WHEN coalesce(f.bq, 0) > coalesce(f.sq, 0) THEN f.bv / f.bq
	      WHEN coalesce(f.sq, 0) > coalesce(f.bq, 0) THEN f.sv / f.sq
	      ELSE 0 END AS avg_open,
	    p.last_price
	FROM f LEFT JOIN positions p ON p.account_id = f.account_id
	  AND p.exchange = f.exchange AND p.symbol = f.symbol
	  AND p.product = f.product
)
SELECT name, round(sum(realised + unrealised), 2) AS equity,
    round(sum(realised), 2) AS realised, round(sum(unrealised), 2)
      AS unrealised, round(sum(abs(net) * coalesce(last_price, avg_open)), 2)
      AS margin_used
FROM (SELECT name, net, realised, avg_open, last_price,
    CASE WHEN net <> 0 AND last_price IS NOT NULL
      THEN net * (last_price - avg_open) ELSE 0 END AS unrealised
  FROM c) s
GROUP BY name;

-- Take a snapshot now.  p_account NULL: every account, broker, strategy
-- and the firm (the timed snapshot); else that account, its broker and
-- the firm (at a fill).  Returns the points written.
CREATE FUNCTION phalanx_equity_snapshot(p_reason text,
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
	SELECT 'account', e.name, e.account_id, e.equity, e.realised,
	    e.unrealised, e.margin_used, p_reason
	FROM equity_now e
	WHERE p_account IS NULL OR e.account_id = p_account
	UNION ALL
	SELECT 'broker', e.broker, NULL, sum(e.equity), sum(e.realised),
	    sum(e.unrealised), sum(e.margin_used), p_reason
	FROM equity_now e WHERE p_account IS NULL OR e.broker = brk
	GROUP BY e.broker
	UNION ALL
	SELECT 'firm', 'firm', NULL, coalesce(sum(e.equity), 0),
	    coalesce(sum(e.realised), 0), coalesce(sum(e.unrealised), 0),
	    coalesce(sum(e.margin_used), 0), p_reason
	FROM equity_now e;
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

-- At every fill, whichever process applies it: a position's quantity or
-- realised PnL moved.  A failure here is a warning, never a lost fill.
CREATE FUNCTION phalanx_equity_on_fill() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.qty = OLD.qty
	    AND NEW.realised_pnl = OLD.realised_pnl THEN
		RETURN NULL;
	END IF;
	BEGIN
		PERFORM phalanx_equity_snapshot('fill', NEW.account_id);
	EXCEPTION WHEN OTHERS THEN
		RAISE WARNING 'phalanx: equity snapshot at a fill: %', SQLERRM;
	END;
	RETURN NULL;
END $$;

CREATE TRIGGER positions_equity AFTER INSERT OR UPDATE ON positions
	FOR EACH ROW EXECUTE FUNCTION phalanx_equity_on_fill();

-- How equity_points is stored: 'hypertable', 'partitioned' or 'plain'.
CREATE FUNCTION phalanx_equity_storage() RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	ht	boolean := false;
BEGIN
	IF to_regclass('timescaledb_information.hypertables') IS NOT NULL THEN
		EXECUTE 'SELECT EXISTS (SELECT 1 FROM '
		    'timescaledb_information.hypertables '
		    'WHERE hypertable_name = ''equity_points'')' INTO ht;
	END IF;
	IF ht THEN
		RETURN 'hypertable';
	END IF;
	RETURN CASE (SELECT relkind FROM pg_class
	    WHERE oid = 'equity_points'::regclass)
	    WHEN 'p' THEN 'partitioned' ELSE 'plain' END;
END $$;

-- Keep the series: day partitions from yesterday to p_ahead days ahead
-- (UTC days), rows left in the default partition moved into theirs, and
-- everything older than p_retention_days dropped (0: kept forever): raw
-- points and 1m rollups; 15m rollups are kept four times as long and 1d
-- rollups forever.  Returns one row per action taken.
CREATE FUNCTION phalanx_equity_maintain(p_retention_days integer,
    p_ahead integer DEFAULT 2)
RETURNS TABLE (action text, object text)
LANGUAGE plpgsql AS $$
DECLARE
	kind	text := phalanx_equity_storage();
	d	date;
	part	text;
	lo	timestamptz;
	hi	timestamptz;
	cutoff	timestamptz;
	r	record;
	moved	integer;
BEGIN
	cutoff := CASE WHEN p_retention_days > 0 THEN
	    date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
	    - make_interval(days => p_retention_days) END;
	IF kind = 'partitioned' THEN
		FOR d IN SELECT generate_series(
		    (now() AT TIME ZONE 'UTC')::date - 1,
		    (now() AT TIME ZONE 'UTC')::date + greatest(p_ahead, 0),
		    interval '1 day')::date
		UNION SELECT DISTINCT (ts AT TIME ZONE 'UTC')::date
		    FROM equity_points_default
		LOOP
			part := 'equity_points_p' || to_char(d, 'YYYYMMDD');
			CONTINUE WHEN to_regclass(part) IS NOT NULL;
			lo := d::timestamp AT TIME ZONE 'UTC';
			hi := (d + 1)::timestamp AT TIME ZONE 'UTC';
			CONTINUE WHEN cutoff IS NOT NULL AND hi <= cutoff;
			IF to_regclass('pg_temp.px_equity_move') IS NULL THEN
				CREATE TEMP TABLE px_equity_move
				    (LIKE equity_points) ON COMMIT DROP;
			END IF;
			DELETE FROM px_equity_move;
			WITH x AS (DELETE FROM equity_points_default
			    WHERE ts >= lo AND ts < hi RETURNING *)
			INSERT INTO px_equity_move SELECT * FROM x;
			GET DIAGNOSTICS moved = ROW_COUNT;
			EXECUTE format('CREATE TABLE %I PARTITION OF '
			    'equity_points FOR VALUES FROM (%L) TO (%L)',
			    part, lo, hi);
			action := 'created';
			object := part;
			RETURN NEXT;
			IF moved > 0 THEN
				PERFORM set_config('phalanx.no_rollup', 'on',
				    true);
				INSERT INTO equity_points
				    SELECT * FROM px_equity_move;
				PERFORM set_config('phalanx.no_rollup', 'off',
				    true);
				action := 'moved ' || moved || ' rows into';
				RETURN NEXT;
			END IF;
		END LOOP;
		IF cutoff IS NOT NULL THEN
			FOR r IN SELECT c.relname FROM pg_inherits i
			    JOIN pg_class c ON c.oid = i.inhrelid
			    WHERE i.inhparent = 'equity_points'::regclass
			      AND c.relname ~ '^equity_points_p[0-9]{8}$'
			      AND to_date(substr(c.relname, 16), 'YYYYMMDD')
			        + 1 <= (cutoff AT TIME ZONE 'UTC')::date
			    ORDER BY c.relname
			LOOP
				EXECUTE format('DROP TABLE %I', r.relname);
				action := 'dropped';
				object := r.relname;
				RETURN NEXT;
			END LOOP;
			DELETE FROM equity_points_default WHERE ts < cutoff;
		END IF;
	ELSIF kind = 'hypertable' AND cutoff IS NOT NULL THEN
		FOR r IN EXECUTE 'SELECT drop_chunks(''equity_points'', '
		    'older_than => $1)::text AS c' USING cutoff LOOP
			action := 'dropped';
			object := r.c;
			RETURN NEXT;
		END LOOP;
	ELSIF cutoff IS NOT NULL THEN
		DELETE FROM equity_points WHERE ts < cutoff;
	END IF;
	IF cutoff IS NOT NULL THEN
		DELETE FROM equity_rollups WHERE width = '1m'
		    AND bucket < cutoff;
		DELETE FROM equity_rollups WHERE width = '15m'
		    AND bucket < cutoff - make_interval(days =>
		      3 * p_retention_days);
	END IF;
END $$;

-- The last price the store knew for the instrument when the intent was
-- recorded (the latest MTM mark of any account's position in it): the
-- reference for slippage.  NULL when nobody held it.
ALTER TABLE fanouts ADD COLUMN ltp_at_intent numeric(18,4);

CREATE FUNCTION phalanx_fanout_ltp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.symbol IS NOT NULL AND NEW.ltp_at_intent IS NULL THEN
		SELECT p.last_price INTO NEW.ltp_at_intent FROM positions p
		WHERE p.symbol = NEW.symbol
		  AND (NEW.exchange IS NULL OR p.exchange = NEW.exchange)
		  AND p.last_price IS NOT NULL
		ORDER BY p.updated_at DESC LIMIT 1;
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER fanouts_ltp BEFORE INSERT ON fanouts
	FOR EACH ROW EXECUTE FUNCTION phalanx_fanout_ltp();

SELECT * FROM phalanx_equity_maintain(0);
