-- Webhook signals claimed as they are stored (issue 12, benchmarks).
-- A signal used to wait, once stored, for the executor to be woken and
-- to claim it in a round trip of its own, on the engine's connection
-- behind whatever else was there: most of a signal's way to the wire,
-- and all of its tail.  Now the statement that stores a batch also
-- claims, of the signals it queued, those the executor may run at once
-- -- the only unfinished signal of their strategy and symbol, up to the
-- slots the executor has free -- and the daemon hands them to its
-- executor from the answer, in memory.
--
-- A claimed signal is EXECUTING, claimed_by the accepting session, as
-- if the executor had claimed it (hook_signal_claim of 0028): no other
-- process takes it while that session lives, and once it is gone (the
-- daemon killed, or its accepting connection lost with the answer) the
-- next claim takes it over and runs it once, by its fan-out's key.
-- Should the claim fail, nothing is claimed and the batch is stored all
-- the same: its signals stay QUEUED for the executor, as before.

-- Of the signals ids (just queued by this transaction), claim those
-- that are the only unfinished signal of their strategy and symbol --
-- the later ones of this same batch aside: of these only the first is
-- claimed -- at most p_limit, oldest first.  The rows are those of
-- hook_signal_claim, with fresh: their fan-out's key is new (no fan-out
-- of theirs can exist yet), so the router need not look it up.  The
-- plan is the same whatever the ids (each by its primary key), so it is
-- made once per session, not for each of a session's first five calls
-- (milliseconds each, on a signal's way to the wire).  The book is read
-- only for the actions that need it (exit, target), as in 0028.
CREATE FUNCTION hook_accept_claim(p_ids bigint[], p_limit int)
RETURNS jsonb
LANGUAGE plpgsql SET jit = off SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	res	jsonb;
BEGIN
	WITH c AS (
		SELECT s.id, s.action, s.qty, CASE WHEN s.action IN ('exit',
		    'target') THEN (SELECT COALESCE(sum(b.signed_lots), 0)
		      FROM signals b
		      WHERE b.strategy_id = s.strategy_id AND b.symbol = s.symbol
			AND b.status IN ('EXECUTING', 'DONE') AND b.id <> s.id)
		    END AS book
		FROM signals s
		WHERE s.id = ANY (p_ids) AND s.status = 'QUEUED'
		  AND s.retry_at IS NULL
		  -- none older unfinished: the nearest older one, read
		  -- backwards (a backlog's newest is live; its oldest
		  -- entries, finished, are dead until a vacuum)
		  AND NOT EXISTS (SELECT 1 FROM (SELECT o.id FROM signals o
		    WHERE COALESCE(o.strategy_id, 0) = COALESCE(s.strategy_id, 0)
		      AND o.symbol = s.symbol
		      AND o.status IN ('QUEUED', 'EXECUTING') AND o.id < s.id
		    ORDER BY COALESCE(o.strategy_id, 0) DESC, o.symbol DESC,
		      o.id DESC LIMIT 1) older)
		  -- nor a newer one running (another process claimed it
		  -- while this one was not yet committed)
		  AND NOT EXISTS (SELECT 1 FROM signals o
		    WHERE o.status = 'EXECUTING' AND o.id > s.id
		      AND o.id <> ALL (p_ids)
		      AND COALESCE(o.strategy_id, 0) = COALESCE(s.strategy_id, 0)
		      AND o.symbol = s.symbol)
		ORDER BY s.id LIMIT p_limit
	), u AS (
		UPDATE signals s SET status = 'EXECUTING',
		    claimed_by = pg_backend_pid(), t_started = clock_timestamp(),
		    t_queued = COALESCE(s.t_queued, now()),
		    signed_lots = CASE c.action
		      WHEN 'buy' THEN c.qty WHEN 'sell' THEN -c.qty
		      WHEN 'exit' THEN -c.book ELSE c.qty - c.book END,
		    exec_side = CASE c.action WHEN 'buy' THEN 'BUY'
			WHEN 'sell' THEN 'SELL'
			WHEN 'target' THEN CASE WHEN c.qty > c.book THEN 'BUY'
			  WHEN c.qty < c.book THEN 'SELL' END END,
		    exec_qty = CASE c.action WHEN 'target' THEN abs(c.qty - c.book)
			WHEN 'exit' THEN NULL ELSE c.qty END
		FROM c WHERE s.id = c.id
		RETURNING s.*
	)
	SELECT COALESCE(jsonb_agg(jsonb_build_object('id', u.id,
	    'payload_id', u.payload_id, 'action', u.action, 'symbol', u.symbol,
	    'exchange', u.exchange, 'qty', u.qty, 'unit', u.unit,
	    'order_type', u.order_type, 'price', u.price::text,
	    'trigger_price', u.trigger_price::text, 'product', u.product,
	    'status', u.status, 'signed_lots', u.signed_lots,
	    'exec_side', u.exec_side, 'exec_qty', u.exec_qty,
	    'fanout_id', u.fanout_id, 'strategy', st.name,
	    'target', st.target, 'params', st.params, 'connector', cn.name,
	    'received_us', (extract(epoch FROM u.ts) * 1000000)::bigint,
	    'fresh', true) ORDER BY u.id), '[]')
	INTO res
	FROM u LEFT JOIN strategies st ON st.id = u.strategy_id
	LEFT JOIN connectors cn ON cn.id = u.connector_id;
	RETURN res;
END $$;

-- The daemon's accept (store_hook_accept.c): the batch as before
-- (hook_accept_batch of 0028), then the claim of up to p_limit of its
-- queued signals -- of the items not marked "claim": false, whose
-- signals the daemon knows must wait (the head of their strategy and
-- symbol is running there): a burst on one symbol costs no claim.
-- {accepted: [one answer per item], claimed: [rows]}.
CREATE FUNCTION hook_accept_run(items jsonb, p_limit int) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	res	jsonb := hook_accept_batch(items);
	ids	bigint[];
	cl	jsonb := '[]';
BEGIN
	IF p_limit > 0 THEN
		SELECT array_agg((s->>'id')::bigint) INTO ids
		FROM jsonb_array_elements(res) WITH ORDINALITY AS p(v, n),
		    jsonb_array_elements(p.v->'signals') s
		WHERE s->>'status' = 'QUEUED'
		  AND COALESCE((items->(p.n::int - 1)->>'claim')::boolean, true);
	END IF;
	IF ids IS NOT NULL THEN
		BEGIN
			cl := hook_accept_claim(ids, p_limit);
		EXCEPTION WHEN OTHERS THEN
			-- Stored all the same; the executor claims them.
			cl := '[]';
		END;
	END IF;
	RETURN jsonb_build_object('accepted', res, 'claimed', cl);
END $$;

-- The statements on a signal's way to the wire are planned once per
-- session: their plans do not depend on the values (rows read from
-- JSON, rows by their keys), and each of a session's first five calls
-- would otherwise be planned anew -- milliseconds each, for the first
-- signals a daemon accepts and the first fan-outs it records.
ALTER FUNCTION hook_accept_set(jsonb) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION phalanx_fanout_intent(jsonb, jsonb, text, text, jsonb)
    SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION phalanx_fanout_orders(bigint)
    SET plan_cache_mode = force_generic_plan;

-- A new accepting session's first batch would pay for what the session
-- has not read yet -- the tables' and indexes' descriptions, the foreign
-- keys' checks, the plans -- tens of milliseconds, on the way of the first
-- signal a daemon accepts.  The daemon calls this as its accepting
-- connection opens: a payload and a signal of the first connector are
-- stored and claimed, under ids no sequence gave (negative), and all of
-- it is undone; nothing stays, no id is used up.
CREATE FUNCTION hook_accept_warm() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	c	connectors%ROWTYPE;
BEGIN
	PERFORM hook_accept_run('[]', 0);
	SELECT * INTO c FROM connectors ORDER BY id LIMIT 1;
	BEGIN
		INSERT INTO webhook_payloads (id, connector_id, connector,
		    method, body, hash)
		VALUES (-1, c.id, COALESCE(c.name, 'warm'), 'POST', '', '');
		INSERT INTO signals (id, payload_id, seq, connector_id,
		    strategy_id, source, action, symbol, qty, status, t_queued)
		VALUES (-1, -1, 0, c.id, c.strategy_id, 'webhook:warm', 'buy',
		    'warm', 1, 'QUEUED', now());
		PERFORM hook_accept_claim(ARRAY[-1::bigint], 1);
		RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'warm';
	EXCEPTION WHEN OTHERS THEN
		-- undone, as meant (or another daemon warms at once)
		NULL;
	END;
END $$;
