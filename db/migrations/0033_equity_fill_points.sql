-- Equity at a fill, in time proportional to the account, not the firm.
--
-- Every fill used to snapshot its account, its broker, its groups and the
-- firm in full (0021, 0025): equity_now for every account, then four
-- sums, then the rollups' upsert planned afresh -- 2-3 ms with 500
-- accounts, at every fill.  A fan-out to N accounts fills N orders, so
-- the store spent N times the whole firm's worth of work on each, and a
-- process starting after a day's fills it had not seen (a batch script
-- exits before its orders fill) reconciled 5,500 of them at ~7 ms each:
-- 40 s before its first command.
--
-- Now a fill writes its account's point only, from that account's rows
-- (equity_now filtered by account: the filter reaches the positions and
-- working-order indexes), and notes the account in phalanx.equity_due,
-- a setting local to the transaction.  At commit, one deferred trigger
-- writes the broker, group and firm points of all the transaction's
-- fills in one statement: one firm-wide pass per transaction, however
-- many fills it applied.  The points are those of the transaction's end
-- state, at its time (ts is now(), the transaction's start, as before).
CREATE FUNCTION phalanx_equity_fill(p_account bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	due	text := coalesce(current_setting('phalanx.equity_due', true), '');
BEGIN
	INSERT INTO equity_points (scope, name, account_id, equity, realised,
	    unrealised, margin_used, reason)
	SELECT 'account', e.name, e.account_id, e.equity, e.realised,
	    e.unrealised, e.margin_used, 'fill'
	FROM equity_now e WHERE e.account_id = p_account;
	-- A substring search: a transaction filling a thousand accounts
	-- would otherwise split the list a thousand times.
	IF position(',' || p_account || ',' IN ',' || due || ',') = 0 THEN
		PERFORM set_config('phalanx.equity_due', concat_ws(',',
		    nullif(due, ''), p_account), true);
	END IF;
END $$;

CREATE OR REPLACE FUNCTION phalanx_equity_on_fill() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.qty = OLD.qty
	    AND NEW.realised_pnl = OLD.realised_pnl THEN
		RETURN NULL;
	END IF;
	BEGIN
		PERFORM phalanx_equity_fill(NEW.account_id);
	EXCEPTION WHEN OTHERS THEN
		RAISE WARNING 'phalanx: equity snapshot at a fill: %', SQLERRM;
	END;
	RETURN NULL;
END $$;

-- The transaction's broker, group and firm points, once: the first of
-- its deferred events takes the due accounts and clears them, the others
-- find nothing to do.
CREATE FUNCTION phalanx_equity_due() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	due	text := coalesce(current_setting('phalanx.equity_due', true), '');
	ids	bigint[];
BEGIN
	IF due = '' THEN
		RETURN NULL;
	END IF;
	PERFORM set_config('phalanx.equity_due', '', true);
	-- Nothing here may fail the commit of the fills: a warning at most.
	BEGIN
		ids := string_to_array(due, ',')::bigint[];
		INSERT INTO equity_points (scope, name, account_id, equity,
		    realised, unrealised, margin_used, reason)
		WITH e AS MATERIALIZED (SELECT * FROM equity_now)
		SELECT 'broker', e.broker, NULL::bigint, sum(e.equity),
		    sum(e.realised), sum(e.unrealised), sum(e.margin_used),
		    'fill'
		FROM e WHERE e.broker IN (SELECT d.broker FROM e d
		    WHERE d.account_id = ANY (ids))
		GROUP BY e.broker
		UNION ALL
		SELECT 'group', t.tag, NULL, sum(e.equity), sum(e.realised),
		    sum(e.unrealised), sum(e.margin_used), 'fill'
		FROM e JOIN account_tags t ON t.account_id = e.account_id
		WHERE t.tag IN (SELECT d.tag FROM account_tags d
		    WHERE d.account_id = ANY (ids))
		GROUP BY t.tag
		UNION ALL
		SELECT 'firm', 'firm', NULL, coalesce(sum(e.equity), 0),
		    coalesce(sum(e.realised), 0), coalesce(sum(e.unrealised), 0),
		    coalesce(sum(e.margin_used), 0), 'fill'
		FROM e;
	EXCEPTION WHEN OTHERS THEN
		RAISE WARNING 'phalanx: equity snapshot at a fill: %', SQLERRM;
	END;
	PERFORM pg_notify('phalanx_analytics', 'equity');
	RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER positions_equity_due AFTER INSERT ON positions
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION phalanx_equity_due();
CREATE CONSTRAINT TRIGGER positions_equity_due_update AFTER UPDATE
	ON positions DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (NEW.qty <> OLD.qty
	    OR NEW.realised_pnl <> OLD.realised_pnl)
	EXECUTE FUNCTION phalanx_equity_due();

-- The rollups' merge at every insert of points, as a statement of the
-- trigger function itself rather than text EXECUTEd at each call: its
-- plan is made once per session instead of at every point (0.3 ms of
-- the 0.35 ms a fill's point took).  Made from phalanx_equity_rollup_sql,
-- so the merge stays written once.
DO $$
BEGIN
	EXECUTE format($f$
	CREATE OR REPLACE FUNCTION phalanx_equity_rollup_stmt() RETURNS trigger
	LANGUAGE plpgsql AS $b$
	BEGIN
		IF coalesce(current_setting('phalanx.no_rollup', true), '')
		    = 'on' THEN
			RETURN NULL;
		END IF;
		%s;
		RETURN NULL;
	END $b$
	$f$, phalanx_equity_rollup_sql('px_new_rows'));
END $$;
