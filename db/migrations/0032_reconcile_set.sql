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

-- phalanx_fill_apply and phalanx_reconcile_order as 0009 wrote them, but
-- for their row locks: FOR NO KEY UPDATE, which still serialises two
-- sources applying one fill or one book entry, and no longer waits on
-- (nor, the row already locked by the caller, upgrades past) a
-- foreign-key check's FOR KEY SHARE.  Made from their own definitions, so
-- nothing else of them can differ; refused if they are not 0009's.
DO $$
DECLARE
	f	regprocedure;
	src	text;
BEGIN
	FOREACH f IN ARRAY ARRAY[
	    'phalanx_fill_apply(bigint, integer, numeric)',
	    'phalanx_reconcile_order(bigint, jsonb, bigint[])']::regprocedure[]
	LOOP
		src := pg_get_functiondef(f);
		IF src NOT LIKE '% FOR UPDATE;%' OR src LIKE '%NO KEY%' THEN
			RAISE EXCEPTION '%: not as 0009 defined it', f;
		END IF;
		EXECUTE replace(src, ' FOR UPDATE;', ' FOR NO KEY UPDATE;');
	END LOOP;
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
