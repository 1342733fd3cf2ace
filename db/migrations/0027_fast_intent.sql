-- A fan-out's intent in one cheap statement (db/store_fanout.c).  The
-- router sends nothing before this row is in, so everything it does is on
-- the path of every order: a function, so its statements are planned once
-- per connection, not at every fan-out; the plan stored as the router
-- built it unless an account is HALTED at all (the usual case: none), and
-- only then read leg by leg to mark the legs of the accounts HALTED
-- meanwhile as denied (0024).  The ownership lock is taken directly: the
-- id is fresh from the sequence, no other session can hold it.
--
-- The fan-out's audit row (the chained log: a locked head, a digest, six
-- indexes) is no longer written here but with the legs' order rows, which
-- follow as soon as the legs are on the wire, or -- the sender dead in
-- between -- when a reconciler claims the fan-out: both call
-- phalanx_fanout_orders, which writes it once.  The fan-out row itself
-- says who, from where and when; front is kept for that row.
ALTER TABLE fanouts ADD COLUMN front text;
--
-- p_release: the fan-outs this connection owned that have finished since
-- its last intent (their state is stored): their locks are dropped here,
-- first, instead of in a round trip of their own before this intent.
--
-- Returns one row per denied leg (its order id), or one row with NULL.
CREATE FUNCTION phalanx_fanout_intent(p_row jsonb, p_plan jsonb,
    p_who text, p_front text, p_release jsonb)
RETURNS TABLE (fanout_id bigint, denied bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_plan	jsonb := p_plan;
	v_id	bigint;
	v_halt	boolean := false;
BEGIN
	IF p_release IS NOT NULL AND p_release <> '[]' THEN
		PERFORM pg_advisory_unlock(1885889135,
		    (r::bigint & 2147483647)::integer)
		FROM jsonb_array_elements_text(p_release) r;
	END IF;
	IF p_row->>'intent' = 'order' THEN
		v_halt := EXISTS (SELECT 1 FROM accounts a
		    WHERE a.trading_state = 'HALTED');
	END IF;
	IF v_halt THEN
		SELECT coalesce(jsonb_agg(CASE WHEN EXISTS (SELECT 1
		    FROM accounts a WHERE a.id = (x.e->>'account_id')::bigint
		      AND a.trading_state = 'HALTED')
		  THEN '{"denied": true, "message": "RMS halted: the account is HALTED"}'::jsonb
		    || x.e || '{"denied": true}'
		  ELSE x.e END ORDER BY x.n), '[]')
		INTO v_plan
		FROM jsonb_array_elements(p_plan) WITH ORDINALITY AS x(e, n);
	END IF;
	INSERT INTO fanouts (id, who, source, intent, target, side, symbol,
	    exchange, qty, unit, product, order_type, price, trigger_price,
	    policy, mode, on_fail, state, message, t_intent, t_rms, tag,
	    idem_key, idem_intent, plan, strategy_id, front)
	SELECT x.id, x.who, x.source, x.intent, x.target, x.side, x.symbol,
	    x.exchange, x.qty, COALESCE(x.unit, 'lots'), x.product,
	    x.order_type, x.price, x.trigger_price,
	    COALESCE(x.policy, 'fixed'), COALESCE(x.mode, 'async'),
	    COALESCE(x.on_fail, 'best-effort'), x.state, x.message,
	    x.t_intent, x.t_rms, x.tag, x.idem_key, x.idem_intent, v_plan,
	    CASE WHEN x.strategy IS NOT NULL THEN
	      (SELECT s.id FROM strategies s WHERE s.name = x.strategy) END,
	    p_front
	FROM jsonb_to_record(p_row) AS x(id bigint, who text, source text,
	    intent text, target text, side text, symbol text, exchange text,
	    qty int, unit text, product text, order_type text, price numeric,
	    trigger_price numeric, policy text, mode text, on_fail text,
	    state text, message text, t_intent timestamptz,
	    t_rms timestamptz, tag text, idem_key text, idem_intent text,
	    strategy text)
	RETURNING id INTO v_id;
	-- The sender owns the fan-out until it finishes (or its session
	-- ends): a reconciler leaves an owned fan-out alone.
	PERFORM pg_try_advisory_lock(1885889135,
	    (v_id & 2147483647)::integer);
	fanout_id := v_id;
	IF v_halt THEN
		FOR denied IN SELECT (e->>'id')::bigint
		    FROM jsonb_array_elements(v_plan) e WHERE e ? 'denied'
		LOOP
			RETURN NEXT;
		END LOOP;
		IF FOUND THEN
			RETURN;
		END IF;
	END IF;
	denied := NULL;
	RETURN NEXT;
END $$;

-- The same drop, when no intent came to carry it.
CREATE FUNCTION phalanx_fanout_release(p_release jsonb) RETURNS integer
LANGUAGE sql AS $$
	SELECT count(*)::integer FROM jsonb_array_elements_text(p_release) r
	WHERE pg_advisory_unlock(1885889135, (r::bigint & 2147483647)::integer)
$$;

-- The plan's orders that are not rows yet, the number written (0024), and
-- the fan-out's audit row if it has none (an intent written before 0027
-- has its own).  Safe to repeat.  Not only the sender writes them: a
-- reconciler's claim does, and so does a postback that comes before the
-- sender has written the legs (src/exec/postback.c).  Callers of one
-- fan-out take turns on its row, so the audit row, whose "not yet
-- written" test a concurrent caller could not see, is written once.
CREATE OR REPLACE FUNCTION phalanx_fanout_orders(p_id bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n	integer;
BEGIN
	PERFORM 1 FROM fanouts WHERE id = p_id FOR UPDATE;
	WITH o AS (
		INSERT INTO orders (id, fanout_id, account_id, slice,
		    client_tag, state, side, symbol, exchange, product,
		    order_type, qty, price, trigger_price, message)
		SELECT x.id, f.id, x.account_id, x.slice, x.client_tag, 'NEW',
		    x.side, x.symbol, x.exchange, x.product, x.order_type,
		    x.qty, x.price, x.trigger_price, x.message
		FROM fanouts f CROSS JOIN LATERAL jsonb_to_recordset(f.plan)
		    AS x(id bigint, account_id bigint, slice int,
		    client_tag text, side text, symbol text, exchange text,
		    product text, order_type text, qty int, price numeric,
		    trigger_price numeric, message text)
		WHERE f.id = p_id AND x.id IS NOT NULL
		ORDER BY x.id
		ON CONFLICT DO NOTHING
		RETURNING 1
	), au AS (
		INSERT INTO audit_log (ts, os_user, front, action, object,
		    detail)
		SELECT f.t_intent, f.who, f.front, 'fanout.' || f.intent,
		    'fanout:' || f.id, to_jsonb(f) - 'plan' - 'front'
		FROM fanouts f
		WHERE f.id = p_id AND f.front IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM audit_log a
		    WHERE a.object = 'fanout:' || f.id
		      AND a.action = 'fanout.' || f.intent)
	)
	SELECT count(*)::integer INTO n FROM o;
	RETURN n;
END $$;

-- Lifecycle events (db/store_events.c) are copied straight into
-- order_events; this settles the rest of the batch in the same
-- transaction: each order the batch touches moves to its latest event
-- (picked by the writer: order id, state, fill, average price -- which
-- order_events does not keep --, time and uid), forward only (a final
-- state is not undone by an older event written late; the filled
-- quantity never shrinks), and one notification says how many rows came
-- and which.  A batch naming an order that does not exist fails on the
-- foreign key and is written again by the filtering path.
CREATE FUNCTION phalanx_events_settle(p_n integer, p_first uuid,
    p_last uuid, p_ids bigint[], p_states text[], p_filled integer[],
    p_avgs numeric[], p_ts timestamptz[], p_uids uuid[])
RETURNS TABLE (n integer, known integer, orders integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_orders	integer;
	v_first		bigint;
	v_last		bigint;
BEGIN
	UPDATE orders o SET state = l.state,
	    filled_qty = coalesce(l.filled, o.filled_qty),
	    avg_price = coalesce(l.avg, o.avg_price),
	    message = CASE WHEN l.state = 'DENIED' THEN coalesce(nullif(
	      (SELECT e.message FROM order_events e WHERE e.uid = l.uid
	        LIMIT 1), ''), o.message) ELSE o.message END,
	    updated_at = l.ts
	FROM unnest(p_ids, p_states, p_filled, p_avgs, p_ts, p_uids)
	  AS l(id, state, filled, avg, ts, uid)
	WHERE o.id = l.id
	  AND NOT (o.state IN ('FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED',
	    'DENIED') AND l.state NOT IN ('FILLED', 'CANCELLED', 'REJECTED',
	    'EXPIRED', 'DENIED'))
	  AND coalesce(l.filled, o.filled_qty) >= o.filled_qty;
	GET DIAGNOSTICS v_orders = ROW_COUNT;
	IF p_n > 0 THEN
		SELECT e.id INTO v_first FROM order_events e
		WHERE e.uid = p_first;
		SELECT e.id INTO v_last FROM order_events e
		WHERE e.uid = p_last;
		PERFORM pg_notify('phalanx_events', json_build_object('n', p_n,
		    'first_id', v_first, 'last_id', v_last)::text);
	END IF;
	n := p_n;
	known := p_n;
	orders := v_orders;
	RETURN NEXT;
END $$;
