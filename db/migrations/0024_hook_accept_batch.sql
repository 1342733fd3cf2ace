-- Webhook accepts in batches (issue 12).  The daemon stores what its
-- connectors accept on a connection of its own and, while one batch is
-- at the store, gathers the payloads that arrive meanwhile into the next:
-- one round trip and one commit for many senders, never queued behind
-- the executor's work.  Items are stored in the order given (their ids
-- follow their arrival, which is the order their signals run in), each
-- in a subtransaction of its own: one that fails answers for itself.
--
-- An item: {connector_id, connector, method, remote, ctype, query, body
-- (hex), hash (hex), reason, signals [...], dedupe_s, dedupe_id_s}, the
-- signals as store_hook.h describes them.  The answer, one per item in
-- order: {payload, duplicate_of, signals [{id, status, reason}]}, or
-- {error, state} when that item was not stored.
CREATE FUNCTION hook_accept_batch(items jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	it	jsonb;
	res	jsonb := '[]';
	cid	bigint;
	h	bytea;
	dupof	bigint;
	pid	bigint;
BEGIN
	FOR it IN SELECT e FROM jsonb_array_elements(items)
	    WITH ORDINALITY AS t(e, n) ORDER BY n LOOP
	BEGIN
		cid := (it->>'connector_id')::bigint;
		h := decode(it->>'hash', 'hex');
		SELECT id INTO dupof FROM webhook_payloads
		  WHERE connector_id = cid AND hash = h AND duplicate_of IS NULL
		    AND reason IS NULL AND replay_of IS NULL
		    AND ts > now() - make_interval(secs =>
		      COALESCE((it->>'dedupe_s')::int, 0))
		  ORDER BY id LIMIT 1;
		INSERT INTO webhook_payloads (connector_id, connector, method,
		    remote, content_type, query, body, hash, duplicate_of, reason)
		  VALUES (cid, it->>'connector', it->>'method', it->>'remote',
		    it->>'ctype', it->>'query', decode(it->>'body', 'hex'), h,
		    dupof, it->>'reason')
		  RETURNING id INTO pid;
		INSERT INTO signals (payload_id, seq, connector_id, strategy_id,
		    source, ext_id, action, symbol, exchange, qty, unit,
		    order_type, price, trigger_price, product, parsed, status,
		    reason, duplicate_of, t_queued)
		SELECT pid, x.seq, c.id, c.strategy_id, 'webhook:' || c.name,
		    x.ext_id, x.action, x.symbol, NULLIF(x.exchange, ''), x.qty,
		    x.unit, x.order_type, x.price, x.trigger_price,
		    NULLIF(x.product, ''), x.parsed,
		    CASE WHEN dupof IS NOT NULL OR idd.id IS NOT NULL
		      THEN 'DUPLICATE' ELSE COALESCE(x.status, 'QUEUED') END,
		    CASE WHEN dupof IS NOT NULL THEN 'same payload as ' || dupof
		      WHEN idd.id IS NOT NULL THEN 'same id as signal ' || idd.id
		      ELSE x.reason END,
		    COALESCE(idd.id, (SELECT min(d.id) FROM signals d
		      WHERE d.payload_id = dupof AND d.seq = x.seq)),
		    CASE WHEN COALESCE(x.status, 'QUEUED') = 'QUEUED'
		      THEN now() END
		  FROM jsonb_to_recordset(COALESCE(it->'signals', '[]'))
		    AS x(seq int, action text, symbol text, exchange text,
		    qty bigint, unit text, order_type text, price numeric,
		    trigger_price numeric, product text, ext_id text,
		    parsed jsonb, status text, reason text)
		  JOIN connectors c ON c.id = cid
		  LEFT JOIN LATERAL (SELECT o.id FROM signals o
		    WHERE x.ext_id IS NOT NULL AND o.connector_id = c.id
		      AND o.ext_id = x.ext_id AND o.status <> 'DUPLICATE'
		      AND o.ts > now() - make_interval(secs =>
		        COALESCE((it->>'dedupe_id_s')::int, 0))
		    ORDER BY o.id LIMIT 1) idd ON true
		  ORDER BY x.seq;
		res := res || jsonb_build_array(jsonb_build_object(
		    'payload', pid, 'duplicate_of', dupof,
		    'signals', COALESCE((SELECT jsonb_agg(jsonb_build_object(
		      'id', s.id, 'status', s.status, 'reason', s.reason)
		      ORDER BY s.seq) FROM signals s WHERE s.payload_id = pid),
		      '[]')));
	EXCEPTION WHEN OTHERS THEN
		res := res || jsonb_build_array(jsonb_build_object(
		    'error', SQLERRM, 'state', SQLSTATE));
	END;
	END LOOP;
	RETURN res;
END $$;

-- The executor's claim looks for the oldest unfinished signal of each
-- strategy and symbol (store_hook.c, sql_claim): a skip scan over this
-- index, one probe per strategy and symbol, where reading a backlog of
-- thousands at every claim took the store's time from the accepts.
CREATE INDEX signals_heads ON signals ((COALESCE(strategy_id, 0)), symbol, id)
	WHERE status IN ('QUEUED', 'EXECUTING');

-- A leg of an account HALTED by the time its fan-out's intent was written
-- (the kill switch or an RMS response won the race against the router's
-- view of the registry) is marked denied in the plan.  It used to get no
-- order row at all, and so vanished from the fan-out; it gets its row now,
-- which the router moves to DENIED with the rule (RMS halted) at once.
CREATE OR REPLACE FUNCTION phalanx_fanout_orders(p_id bigint) RETURNS integer
LANGUAGE sql AS $$
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
	)
	SELECT count(*)::int FROM o
$$;
