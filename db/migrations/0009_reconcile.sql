-- Reconciliation: what a crash leaves behind is put right from the
-- brokers' books, and a rerun with the same idempotency key resumes
-- instead of trading twice.
--
-- Advisory locks (two-int form, per database) used with these tables:
--   (1885893240, 0)   the reconcile duty: one process sweeps at a time
--   (1885889135, id & 2147483647)
--                     fan-out id is owned by a live process (its sender,
--                     or the reconciler completing it); taken in the
--                     statement that records the fan-out, released in the
--                     one that finishes it, and by PostgreSQL when the
--                     owner's session ends (kill -9 included).

-- idem_key: the caller's idempotency key (buy/sell "key"); idem_intent:
-- the intent it was given for, canonical text, so a rerun with the same
-- key and another intent is refused.  orphaned_at: when a reconciler
-- first found the fan-out RUNNING with no owner; a leg still absent from
-- the broker's book broker.timeout_ms after that was never sent.
-- INTERRUPTED: the sender died before every leg was sent; the unsent legs
-- stay NEW until `fanout resume` sends them -- never automatically.
ALTER TABLE fanouts ADD COLUMN idem_key text
	CHECK (idem_key IS NULL OR idem_key ~ '^[A-Za-z0-9_.-]{1,64}$');
ALTER TABLE fanouts ADD COLUMN idem_intent text;
ALTER TABLE fanouts ADD COLUMN orphaned_at timestamptz;
CREATE UNIQUE INDEX fanouts_idem_key ON fanouts (idem_key)
	WHERE idem_key IS NOT NULL;
ALTER TABLE fanouts DROP CONSTRAINT fanouts_state_check;
ALTER TABLE fanouts ADD CONSTRAINT fanouts_state_check
	CHECK (state IN ('PENDING', 'DENIED', 'RUNNING', 'COMPLETED',
	    'PARTIAL', 'FAILED', 'CANCELLED', 'REVERSED', 'INTERRUPTED'));

-- pos_qty / pos_value: how much of the order's fill the positions table
-- already holds (quantity, and its value in rupees).  Every fill source
-- reports the order's cumulative fill; only the difference moves the
-- position, so a fill seen twice (router, postback, order book) counts
-- once.  Orders found at the broker that phalanx did not place have no
-- client tag.
ALTER TABLE orders ADD COLUMN pos_qty integer NOT NULL DEFAULT 0
	CHECK (pos_qty >= 0);
ALTER TABLE orders ADD COLUMN pos_value numeric(24,4) NOT NULL DEFAULT 0;
ALTER TABLE orders ALTER COLUMN client_tag DROP NOT NULL;
UPDATE orders SET pos_qty = filled_qty, pos_value = filled_qty * avg_price
	WHERE filled_qty > 0;

-- The one place a fill reaches positions.  filled is the order's
-- cumulative filled quantity, avg its average price (rupees).  Returns the
-- quantity applied now: 0 when nothing is new.  The order row is locked,
-- so two sources reporting the same fill at once apply it once.  Same side
-- (or flat): weighted average; opposite side: PnL realised on the part
-- closed, and past zero the remainder opens at the fill price.
CREATE FUNCTION phalanx_fill_apply(p_order bigint, p_filled integer,
    p_avg numeric) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	o	orders%ROWTYPE;
	dq	integer;
	px	numeric;
	sq	integer;
BEGIN
	SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
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

-- An advisory lock (two-int form) held by any session of this database
-- (mine: by this session).
CREATE FUNCTION phalanx_lock_held(k1 integer, k2 integer,
    mine boolean DEFAULT false) RETURNS boolean
LANGUAGE sql VOLATILE AS $$
	SELECT EXISTS (SELECT 1 FROM pg_locks l
	    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
	      AND l.classid::bigint = (k1::bigint & 4294967295)
	      AND l.objid::bigint = (k2::bigint & 4294967295)
	      AND (NOT mine OR l.pid = pg_backend_pid())
	      AND l.database = (SELECT oid FROM pg_database
		  WHERE datname = current_database()))
$$;

-- Take or drop a fan-out's ownership lock.  Taking fails when any session
-- holds it, this one included (the same process's sender owns it: locks
-- of one session stack); dropping one not held is a no-op, not a warning.
CREATE FUNCTION phalanx_fanout_own(p_id bigint, p_take boolean)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	k	integer := (p_id & 2147483647)::integer;
BEGIN
	IF p_take THEN
		IF phalanx_lock_held(1885889135, k) THEN
			RETURN false;
		END IF;
		RETURN pg_try_advisory_lock(1885889135, k);
	END IF;
	IF phalanx_lock_held(1885889135, k, true) THEN
		RETURN pg_advisory_unlock(1885889135, k);
	END IF;
	RETURN false;
END $$;

-- One order of a broker's book (JSON from the reconciler: order_id, tag,
-- status, state, message, filled, avg, qty, side, symbol, exchange,
-- product, order_type, price, trigger_price) put into the store: matched
-- by client tag, else by broker order id; an order phalanx never placed
-- is recorded (no fan-out, no tag).  Orders of a fan-out that a live
-- process owns are left to it, unless the caller claimed that fan-out
-- (p_claimed).  The state, fill and broker id are corrected with an
-- order event saying so, and the fill reaches positions.
CREATE FUNCTION phalanx_reconcile_order(p_account bigint, b jsonb,
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
	    AND tag IS NOT NULL AND x.client_tag = tag FOR UPDATE;
	IF NOT FOUND THEN
		SELECT * INTO o FROM orders x WHERE x.account_id = p_account
		    AND x.broker_order_id = bid FOR UPDATE;
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
