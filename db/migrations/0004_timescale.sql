-- Turn the time-series tables into TimescaleDB hypertables when the
-- extension can be had; on plain PostgreSQL this changes nothing.
--
-- px_hypertable() is the one place that knows how: later migrations that add
-- time-series tables (equity_points, quotes, run_events, ...) call it too.
-- It returns whether the table is a hypertable afterwards.  A failure
-- (extension installed but not in shared_preload_libraries, a unique key
-- without ts, ...) is reported as a WARNING and leaves the table as it was:
-- the schema stays correct either way.

CREATE FUNCTION px_hypertable(tbl regclass, chunk interval DEFAULT '7 days')
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_available_extensions
	    WHERE name = 'timescaledb') THEN
		RETURN false;
	END IF;
	BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_extension
		    WHERE extname = 'timescaledb') THEN
			CREATE EXTENSION timescaledb;
		END IF;
		EXECUTE format('SELECT create_hypertable(%L::regclass, %L, '
		    'chunk_time_interval => %L::interval, '
		    'if_not_exists => true, migrate_data => true, '
		    'create_default_indexes => false)', tbl, 'ts', chunk);
		RETURN true;
	EXCEPTION WHEN OTHERS THEN
		RAISE WARNING 'phalanx: % stays a plain table: %', tbl, SQLERRM;
		RETURN false;
	END;
END;
$$;

DO $$
BEGIN
	PERFORM px_hypertable('order_events', '1 day');
	PERFORM px_hypertable('audit_log', '7 days');
END;
$$;
