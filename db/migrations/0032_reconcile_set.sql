-- A broker's order book into the store in one set-based pass
-- (db/store_reconcile.c).  The reconciler sends each account's whole book
-- at every process start and every exec.reconcile_s; nearly all of it
-- already matches the store.  The per-order function (0009) locked every
-- order row FOR UPDATE and asked pg_locks about its fan-out, ~170 us an
-- order with nothing to change, and in book order: against the events
-- writer, whose COPY into order_events holds FOR KEY SHARE on its orders
-- (foreign keys) before its settle locks them in id order (0031), that
-- could deadlock.
--
-- Now the book is matched without locks first (the tag, else the broker
-- order id, as 0009 does), and an entry is answered at once when nothing
-- would change: its order belongs to a fan-out a live session owns and
-- the caller did not claim ("live"), or its state, fill, average price
-- and broker id are the store's and its fill is already in the positions
-- ("same", applied 0).  Only the others -- changed, unknown, or one order
-- named by two entries, whose outcome depends on their order -- go to
-- phalanx_reconcile_order, one by one in book order as before, their rows
-- locked first, in id order, FOR NO KEY UPDATE: the lock their UPDATE
-- takes anyway (no key changes: client_tag is never rewritten, the
-- broker id's unique index is partial), which foreign-key checks do not
-- wait on.  An answer read without a lock is what the per-order function
-- would have said had it run just before a concurrent writer; a row
-- changed between the match and the lock is read again under the lock.

-- As 0009, with the row locked FOR NO KEY UPDATE: it still serialises two
-- sources applying one fill, and no longer waits on (or upgrades past) a
-- foreign-key check's FOR KEY SHARE.
CREATE OR REPLACE FUNCTION phalanx_fill_apply(p_order bigint,
    p_filled integer, p_avg numeric) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	o	orders%ROWTYPE;
	dq	integer;
	px	numeric;
	sq	integer;
BEGIN
	SELECT * INTO o FROM orders WHERE id = p_order FOR NO KEY UPDATE;
	IF NOT FOUND OR p_filled IS NULL OR p_filled <= o.pos_qty THEN
		RETURN 0;
	END IF;
	dq := p_filled - o.pos_qty;
	px := greatest((p_filled * coalesce(p_avg, 0) - o.pos_value) / dq, 0);
	UPDATE orders SET pos_qty = p_filled,
	    pos_value = p_filled * coalesce(p_avg, 0) WHERE id = p_order;
	sq := CASE o.side WHEN 'BUY' THEN dq ELSE -dq END;
	INSERT INTO positions AS p (account_id, exchange, symbol, product, qty,
	    avg_price, updated_at)
	VALUES (o.account_id, o.exchange, o.symbol, o.product, sq, px, now())
	ON CONFLICT (account_id, exchange, symbol, product) DO UPDATE SET
	  qty = p.qty + EXCLUDED.qty,
	  avg_price = CASE
	    WHEN p.qty = 0 OR sign(p.qty) = sign(EXCLUDED.qty) THEN
	      (p.avg_price * abs(p.qty) + EXCLUDED.avg_price * abs(EXCLUDED.qty))
	        / (abs(p.qty) + abs(EXCLUDED.qty))
	    WHEN abs(EXCLUDED.qty) > abs(p.qty) THEN EXCLUDED.avg_price
	    WHEN abs(EXCLUDED.qty) = abs(p.qty) THEN 0
	    ELSE p.avg_price END,
	  realised_pnl = p.realised_pnl + CASE
	    WHEN p.qty <> 0 AND sign(p.qty) <> sign(EXCLUDED.qty) THEN
	      round((EXCLUDED.avg_price - p.avg_price)
	        * least(abs(p.qty), abs(EXCLUDED.qty)) * sign(p.qty)::numeric, 2)
	    ELSE 0 END,
	  unrealised_pnl = CASE WHEN p.qty + EXCLUDED.qty = 0 THEN 0
	    ELSE p.unrealised_pnl END,
	  updated_at = now();
	RETURN dq;
END $$;

-- As 0009, with the rows locked FOR NO KEY UPDATE (see above).
CREATE OR REPLACE FUNCTION phalanx_reconcile_order(p_account bigint, b jsonb,
    p_claimed bigint[])
RETURNS TABLE (order_id bigint, fanout_id bigint, client_tag text,
    action text, old_state text, new_state text, applied integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	o	orders%ROWTYPE;
	st	text := b->>'state';
	bid	text := b->>'order_id';
	tag	text := nullif(b->>'tag', '');
	fq	integer := (b->>'filled')::integer;
	av	numeric := (b->>'avg')::numeric;
BEGIN
	SELECT * INTO o FROM orders x WHERE x.account_id = p_account
	    AND tag IS NOT NULL AND x.client_tag = tag FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		SELECT * INTO o FROM orders x WHERE x.account_id = p_account
		    AND x.broker_order_id = bid FOR NO KEY UPDATE;
	END IF;
	IF NOT FOUND THEN
		INSERT INTO orders AS x (fanout_id, account_id, slice,
		    client_tag, broker_order_id, state, side, symbol,
		    exchange, product, order_type, qty, filled_qty, price,
		    trigger_price, avg_price, message)
		VALUES (NULL, p_account, 0, NULL, bid, st, b->>'side',
		    b->>'symbol', b->>'exchange', b->>'product',
		    b->>'order_type', (b->>'qty')::integer, fq,
		    nullif((b->>'price')::numeric, 0),
		    nullif((b->>'trigger_price')::numeric, 0), av,
		    'found at the broker: not placed by phalanx')
		RETURNING * INTO o;
		INSERT INTO order_events (order_id, state, broker_status,
		    filled_qty, message)
		VALUES (o.id, st, b->>'status', fq,
		    'reconciled: found at the broker');
		RETURN QUERY SELECT o.id, o.fanout_id, o.client_tag,
		    'foreign'::text, NULL::text, st,
		    phalanx_fill_apply(o.id, fq, av);
		RETURN;
	END IF;
	IF o.fanout_id IS NOT NULL
	    AND NOT (o.fanout_id = ANY (coalesce(p_claimed, '{}')))
	    AND phalanx_lock_held(1885889135,
		(o.fanout_id & 2147483647)::integer) THEN
		RETURN QUERY SELECT o.id, o.fanout_id, o.client_tag,
		    'live'::text, o.state, o.state, 0;
		RETURN;
	END IF;
	IF o.state IS DISTINCT FROM st OR o.filled_qty <> fq
	    OR o.avg_price <> av OR o.broker_order_id IS DISTINCT FROM bid THEN
		UPDATE orders x SET state = st, filled_qty = fq, avg_price = av,
		    broker_order_id = bid, updated_at = now(),
		    message = coalesce(nullif(b->>'message', ''), x.message)
		WHERE x.id = o.id;
		INSERT INTO order_events (order_id, state, broker_status,
		    filled_qty, message)
		VALUES (o.id, st, b->>'status', fq,
		    'reconciled from the broker''s order book (was '
		    || o.state || ', filled ' || o.filled_qty || ')');
		RETURN QUERY SELECT o.id, o.fanout_id, o.client_tag,
		    'corrected'::text, o.state, st,
		    phalanx_fill_apply(o.id, fq, av);
		RETURN;
	END IF;
	RETURN QUERY SELECT o.id, o.fanout_id, o.client_tag, 'same'::text,
	    o.state, st, phalanx_fill_apply(o.id, fq, av);
END $$;

-- One account's book (a JSON array of phalanx_reconcile_order's objects).
-- Rows as phalanx_reconcile_order's, each with n, the entry's position in
-- the book (from 1), in no particular order: the caller sorts by n.
--
-- The match takes the tag's order if there is one, else the broker id's
-- (UNION ALL under LIMIT 1: the second is read only when the first has
-- nothing).  Which fan-outs a live session owns is read from pg_locks
-- once for the book, not once an order.  "same" mirrors 0009 exactly:
-- its comparisons are NULL-tolerant the way an IF is (NULL is not true),
-- and phalanx_fill_apply does nothing when the fill is NULL or not above
-- what the positions hold.
CREATE FUNCTION phalanx_reconcile_book(p_account bigint, p_book jsonb,
    p_claimed bigint[])
RETURNS TABLE (n bigint, order_id bigint, fanout_id bigint, client_tag text,
    action text, old_state text, new_state text, applied integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	d_n	bigint[];
	d_id	bigint[];
	d_fan	bigint[];
	d_tag	text[];
	d_act	text[];
	d_old	text[];
	d_new	text[];
	v_todo	bigint[];
	v_lock	bigint[];
	e	record;
BEGIN
	WITH held AS (
		SELECT coalesce(array_agg(l.objid::bigint), '{}') AS k
		FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.granted
		  AND l.objsubid = 2 AND l.classid::bigint = 1885889135
		  AND l.database = (SELECT d.oid FROM pg_database d
		      WHERE d.datname = current_database())
	), m AS (
		SELECT b.n, b.st, o.id, o.fanout_id, o.client_tag, o.state,
		    o.fanout_id IS NOT NULL
		      AND NOT (o.fanout_id = ANY (coalesce(p_claimed, '{}')))
		      AND (o.fanout_id & 2147483647) = ANY (held.k) AS live,
		    NOT coalesce(o.state IS DISTINCT FROM b.st
		      OR o.filled_qty <> b.fq OR o.avg_price <> b.av
		      OR o.broker_order_id IS DISTINCT FROM b.bid, false)
		      AND NOT coalesce(b.fq > o.pos_qty, false) AS same,
		    count(o.id) OVER (PARTITION BY o.id) AS named
		FROM (SELECT bk.n, bk.j->>'state' AS st,
			bk.j->>'order_id' AS bid,
			nullif(bk.j->>'tag', '') AS tag,
			(bk.j->>'filled')::integer AS fq,
			(bk.j->>'avg')::numeric AS av
		    FROM jsonb_array_elements(p_book)
		      WITH ORDINALITY AS bk(j, n)) b
		CROSS JOIN held
		LEFT JOIN LATERAL (
			SELECT * FROM (
				SELECT x.* FROM orders x
				WHERE b.tag IS NOT NULL
				  AND x.client_tag = b.tag
				  AND x.account_id = p_account
				UNION ALL
				SELECT x.* FROM orders x
				WHERE x.account_id = p_account
				  AND x.broker_order_id = b.bid
			) c LIMIT 1
		) o ON true
	)
	SELECT array_agg(m.n) FILTER (WHERE m.done),
	    array_agg(m.id) FILTER (WHERE m.done),
	    array_agg(m.fanout_id) FILTER (WHERE m.done),
	    array_agg(m.client_tag) FILTER (WHERE m.done),
	    array_agg(CASE WHEN m.live THEN 'live' ELSE 'same' END)
	      FILTER (WHERE m.done),
	    array_agg(m.state) FILTER (WHERE m.done),
	    array_agg(CASE WHEN m.live THEN m.state ELSE m.st END)
	      FILTER (WHERE m.done),
	    array_agg(m.n ORDER BY m.n) FILTER (WHERE NOT m.done),
	    array_agg(m.id) FILTER (WHERE NOT m.done AND m.id IS NOT NULL)
	INTO d_n, d_id, d_fan, d_tag, d_act, d_old, d_new, v_todo, v_lock
	FROM (SELECT m.*, m.id IS NOT NULL
		AND (m.live OR (m.same AND m.named = 1)) AS done FROM m) m;

	RETURN QUERY SELECT u.n, u.id, u.fan, u.tag, u.act, u.old, u.new, 0
	    FROM unnest(d_n, d_id, d_fan, d_tag, d_act, d_old, d_new)
	      AS u(n, id, fan, tag, act, old, new);
	IF v_todo IS NULL THEN
		RETURN;
	END IF;
	PERFORM 1 FROM orders x WHERE x.id = ANY (v_lock) ORDER BY x.id
	    FOR NO KEY UPDATE;
	FOR e IN SELECT b.n, b.j FROM jsonb_array_elements(p_book)
	    WITH ORDINALITY AS b(j, n) WHERE b.n = ANY (v_todo) ORDER BY b.n
	LOOP
		RETURN QUERY SELECT e.n, r.order_id, r.fanout_id, r.client_tag,
		    r.action, r.old_state, r.new_state, r.applied
		FROM phalanx_reconcile_order(p_account, e.j, p_claimed) r;
	END LOOP;
END $$;
