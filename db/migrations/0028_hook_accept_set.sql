-- Webhook accepts, set-based (issue 12, benchmarks).  0024 stored a batch
-- one payload at a time, each in a subtransaction of its own: four
-- statements per payload, each started, planned or checked anew, so a
-- batch of 16 took the store ~20 ms and the daemon's accept rate was
-- capped by it.  Now one statement stores a whole batch: every payload,
-- every signal, the de-duplication of each against the store and against
-- the payloads before it in the same batch.  Should that statement fail
-- (a connector removed meanwhile, a value a constraint refuses), nothing
-- of it stays and the batch is stored again the old way, one payload at
-- a time, so that each payload answers for itself as before.
--
-- The answers are the same as 0024's, in every case:
--  * payloads and signals get their ids in the order given (arrival);
--  * a payload is a duplicate of the first one of its connector and hash,
--    well-formed, not itself a duplicate nor a replay, stored within
--    dedupe_s seconds -- in the store, or earlier in this batch (stored
--    "now": within any window over 0 s);
--  * a signal with an id of the sender's is a duplicate of the first
--    signal of its connector with that id, not itself a duplicate,
--    within dedupe_id_s seconds -- in the store, or earlier in this batch
--    (in an earlier payload: signals of one payload never match each
--    other, as before).
-- A batch whose items carry different windows (a configuration reloaded
-- in the middle of one) is stored the old way: the rules above assume
-- one window per batch.

-- The old way, kept as the fallback under a name of its own.
ALTER FUNCTION hook_accept_batch(jsonb) RENAME TO hook_accept_each;

-- The whole batch in one statement.  Ids are drawn in the order of the
-- items (and of the signals in each: by seq, as 0024 inserted them), over
-- subqueries sorted so -- a join may return its rows in any order --
-- before anything is written: a later item's duplicate_of
-- may name an earlier one's row of this same statement.  The planner
-- guesses 100 rows for each set-returning function, so the statement
-- looks costly enough to be compiled by JIT: seconds of LLVM for a
-- statement that runs in one or two milliseconds.  No JIT, then.
CREATE FUNCTION hook_accept_set(items jsonb) RETURNS jsonb
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	res	jsonb;
BEGIN
	WITH it AS MATERIALIZED (
		SELECT o.*, nextval('webhook_payloads_id_seq') AS pid
		FROM (SELECT t.n, t.e, (t.e->>'connector_id')::bigint AS cid,
		    decode(t.e->>'hash', 'hex') AS h, t.e->>'reason' AS reason,
		    COALESCE((t.e->>'dedupe_s')::int, 0) AS dd,
		    COALESCE((t.e->>'dedupe_id_s')::int, 0) AS ddi
		  FROM jsonb_array_elements(items) WITH ORDINALITY AS t(e, n)
		  ORDER BY t.n) o
	), d AS MATERIALIZED (
		SELECT it.*, CASE WHEN it.dd > 0 THEN COALESCE(
		    (SELECT min(q.id) FROM (SELECT p.id FROM webhook_payloads p
		      WHERE p.connector_id = it.cid AND p.hash = it.h
			AND p.duplicate_of IS NULL AND p.reason IS NULL
			AND p.replay_of IS NULL
			AND p.ts > now() - make_interval(secs => it.dd)
		      OFFSET 0) q),
		    (SELECT b.pid FROM it b WHERE b.cid = it.cid
		      AND b.h = it.h AND b.reason IS NULL AND b.n < it.n
		      ORDER BY b.n LIMIT 1)) END AS dupof
		FROM it
	), ins_p AS (
		INSERT INTO webhook_payloads (id, connector_id, connector,
		    method, remote, content_type, query, body, hash,
		    duplicate_of, reason)
		SELECT d.pid, d.cid, d.e->>'connector', d.e->>'method',
		    d.e->>'remote', d.e->>'ctype', d.e->>'query',
		    decode(d.e->>'body', 'hex'), d.h, d.dupof, d.reason
		FROM d ORDER BY d.n
		RETURNING 1
	), sg AS MATERIALIZED (
		SELECT o.*, nextval('signals_id_seq') AS sid
		FROM (SELECT d.n, d.pid, d.dupof, d.ddi, x.*, c.id AS c_id,
		    c.strategy_id, c.name AS cname
		  FROM d CROSS JOIN LATERAL ROWS FROM (jsonb_to_recordset(
		    COALESCE(d.e->'signals', '[]')) AS (seq int, action text,
		    symbol text, exchange text, qty bigint, unit text,
		    order_type text, price numeric, trigger_price numeric,
		    product text, ext_id text, parsed jsonb, status text,
		    reason text)) WITH ORDINALITY AS x(seq, action, symbol,
		    exchange, qty, unit, order_type, price, trigger_price,
		    product, ext_id, parsed, status, reason, k)
		  JOIN connectors c ON c.id = d.cid
		  ORDER BY d.n, x.seq, x.k) o
	), sx AS MATERIALIZED (
		SELECT sg.*, CASE WHEN sg.ddi > 0 AND sg.ext_id IS NOT NULL
		    THEN COALESCE(
		    (SELECT min(q.id) FROM (SELECT o.id FROM signals o
		      WHERE o.connector_id = sg.c_id AND o.ext_id = sg.ext_id
			AND o.status <> 'DUPLICATE'
			AND o.ts > now() - make_interval(secs => sg.ddi)
		      OFFSET 0) q),
		    (SELECT b.sid FROM sg b WHERE b.c_id = sg.c_id
		      AND b.ext_id = sg.ext_id AND b.n < sg.n
		      AND b.dupof IS NULL ORDER BY b.n, b.k LIMIT 1)) END AS idd
		FROM sg
	), sy AS MATERIALIZED (
		SELECT sx.*,
		    CASE WHEN sx.dupof IS NOT NULL OR sx.idd IS NOT NULL
		      THEN 'DUPLICATE' ELSE COALESCE(sx.status, 'QUEUED') END
		      AS st,
		    CASE WHEN sx.dupof IS NOT NULL
		      THEN 'same payload as ' || sx.dupof
		      WHEN sx.idd IS NOT NULL THEN 'same id as signal ' || sx.idd
		      ELSE sx.reason END AS rs,
		    COALESCE(sx.idd, CASE WHEN sx.dupof IS NOT NULL THEN
		      COALESCE((SELECT min(q.id) FROM (SELECT o.id FROM signals o
			WHERE o.payload_id = sx.dupof AND o.seq = sx.seq
			OFFSET 0) q),
		      (SELECT min(b.sid) FROM sg b WHERE b.pid = sx.dupof
			AND b.seq = sx.seq)) END) AS dsig
		FROM sx
	), ins_s AS (
		INSERT INTO signals (id, payload_id, seq, connector_id,
		    strategy_id, source, ext_id, action, symbol, exchange, qty,
		    unit, order_type, price, trigger_price, product, parsed,
		    status, reason, duplicate_of, t_queued)
		SELECT sy.sid, sy.pid, sy.seq, sy.c_id, sy.strategy_id,
		    'webhook:' || sy.cname, sy.ext_id, sy.action, sy.symbol,
		    NULLIF(sy.exchange, ''), sy.qty, sy.unit, sy.order_type,
		    sy.price, sy.trigger_price, NULLIF(sy.product, ''),
		    sy.parsed, sy.st, sy.rs, sy.dsig,
		    CASE WHEN COALESCE(sy.status, 'QUEUED') = 'QUEUED'
		      THEN now() END
		FROM sy ORDER BY sy.sid
		RETURNING 1
	), sa AS (
		SELECT sy.n, jsonb_agg(jsonb_build_object('id', sy.sid,
		    'status', sy.st, 'reason', sy.rs) ORDER BY sy.seq) AS sigs
		FROM sy GROUP BY sy.n
	)
	SELECT COALESCE(jsonb_agg(jsonb_build_object('payload', d.pid,
	    'duplicate_of', d.dupof, 'signals', COALESCE(sa.sigs, '[]'))
	    ORDER BY d.n), '[]')
	INTO res FROM d LEFT JOIN sa ON sa.n = d.n;
	RETURN res;
END $$;

-- The entry point the daemon calls (store_hook_accept.c), as in 0024.
CREATE FUNCTION hook_accept_batch(items jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
	IF (SELECT count(DISTINCT (COALESCE((e->>'dedupe_s')::int, 0),
	    COALESCE((e->>'dedupe_id_s')::int, 0)))
	    FROM jsonb_array_elements(items) e) <= 1 THEN
		BEGIN
			RETURN hook_accept_set(items);
		EXCEPTION WHEN OTHERS THEN
			-- Nothing of it was stored: one at a time, below.
			NULL;
		END;
	END IF;
	RETURN hook_accept_each(items);
END $$;

-- The executor's claim (store_hook.c) as a function, so that its plan is
-- made once per session rather than at every claim (a recursive query of
-- four CTEs: milliseconds of planning each time, on a signal's way to
-- the wire).  And it no longer reads the whole backlog: of the queued
-- signals only the heads can be claimed, and of the executing ones only
-- those whose session is gone, so those are the candidates it looks at
-- -- the heads by the skip scan of signals_heads, the executing ones by
-- an index of their own -- where it used to test every queued signal
-- (10 ms and more behind a flood of thousands).  What it claims, and the
-- rows it answers, are those of the query it replaces.
CREATE INDEX signals_executing ON signals (id) WHERE status = 'EXECUTING';

CREATE FUNCTION hook_signal_claim(p_id bigint, p_limit int)
RETURNS TABLE (id bigint, payload_id bigint, action text, symbol text,
    exchange text, qty bigint, unit text, order_type text, price text,
    trigger_price text, product text, status text, signed_lots bigint,
    exec_side text, exec_qty bigint, fanout_id bigint, strategy text,
    target text, params jsonb, connector text, received_us bigint)
LANGUAGE plpgsql SET jit = off AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY
	WITH RECURSIVE heads AS (
		(SELECT COALESCE(strategy_id, 0) AS sk, symbol, id, status
		FROM signals
		WHERE status IN ('QUEUED', 'EXECUTING') AND p_id = 0
		ORDER BY COALESCE(strategy_id, 0), symbol, id LIMIT 1)
		UNION ALL
		SELECT n.sk, n.symbol, n.id, n.status FROM heads h
		CROSS JOIN LATERAL (SELECT COALESCE(g.strategy_id, 0) AS sk,
		    g.symbol, g.id, g.status FROM signals g
		  WHERE g.status IN ('QUEUED', 'EXECUTING')
		    AND (COALESCE(g.strategy_id, 0), g.symbol) > (h.sk, h.symbol)
		  ORDER BY COALESCE(g.strategy_id, 0), g.symbol, g.id
		  LIMIT 1) n
	), cand AS (
		SELECT heads.id FROM heads WHERE heads.status = 'QUEUED'
		UNION
		SELECT p_id WHERE p_id > 0
		UNION
		SELECT e.id FROM signals e WHERE e.status = 'EXECUTING'
	), c AS (
		-- Candidate by candidate, each by its primary key: the
		-- planner, its statistics taken before a burst, may think
		-- the queued signals few and read them all instead.
		SELECT s.id, s.action, s.qty,
		    (SELECT COALESCE(sum(b.signed_lots), 0) FROM signals b
		      WHERE b.strategy_id = s.strategy_id AND b.symbol = s.symbol
			AND b.status IN ('EXECUTING', 'DONE') AND b.id <> s.id)
		      AS book
		FROM (SELECT DISTINCT cand.id FROM cand) k
		CROSS JOIN LATERAL (SELECT s0.* FROM signals s0
		  WHERE s0.id = k.id
		    AND ((p_id > 0 AND s0.id = p_id
			AND s0.status IN ('RECEIVED', 'QUEUED'))
		      OR (p_id = 0 AND s0.status = 'QUEUED'
			AND (s0.retry_at IS NULL OR s0.retry_at <= now())
			AND s0.id IN (SELECT heads.id FROM heads
			  WHERE heads.status = 'QUEUED'))
		      OR ((p_id = 0 OR s0.id = p_id)
			AND s0.status = 'EXECUTING'
			-- this session is alive: no need to ask
			AND s0.claimed_by IS DISTINCT FROM pg_backend_pid()
			AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
			  WHERE a.pid = s0.claimed_by
			    AND a.backend_start <= s0.t_started)))
		  OFFSET 0 FOR UPDATE SKIP LOCKED) s
		ORDER BY s.id LIMIT p_limit
	), u AS (
		UPDATE signals s SET status = 'EXECUTING',
		    claimed_by = pg_backend_pid(), t_started = clock_timestamp(),
		    t_queued = COALESCE(s.t_queued, now()),
		    signed_lots = COALESCE(s.signed_lots, CASE c.action
		      WHEN 'buy' THEN c.qty WHEN 'sell' THEN -c.qty
		      WHEN 'exit' THEN -c.book ELSE c.qty - c.book END),
		    exec_side = CASE WHEN s.signed_lots IS NOT NULL
		      THEN s.exec_side
		      ELSE CASE c.action WHEN 'buy' THEN 'BUY'
			WHEN 'sell' THEN 'SELL'
			WHEN 'target' THEN CASE WHEN c.qty > c.book THEN 'BUY'
			  WHEN c.qty < c.book THEN 'SELL' END END END,
		    exec_qty = CASE WHEN s.signed_lots IS NOT NULL
		      THEN s.exec_qty
		      ELSE CASE c.action WHEN 'target' THEN abs(c.qty - c.book)
			WHEN 'exit' THEN NULL ELSE c.qty END END
		FROM c WHERE s.id = c.id
		RETURNING s.*
	)
	SELECT u.id, u.payload_id, u.action, u.symbol, u.exchange, u.qty,
	    u.unit, u.order_type, u.price::text, u.trigger_price::text,
	    u.product, u.status, u.signed_lots, u.exec_side, u.exec_qty,
	    u.fanout_id, st.name, st.target, st.params, cn.name,
	    (extract(epoch FROM u.ts) * 1000000)::bigint
	FROM u LEFT JOIN strategies st ON st.id = u.strategy_id
	LEFT JOIN connectors cn ON cn.id = u.connector_id
	ORDER BY u.id;
END $$;
