-- Statements that change many orders rows take their locks in ascending
-- id order, so that two of them never wait on each other in a circle:
-- the events writers' settles (one per process), here and in the
-- filtering path (db/store_events.c).  The lock is the one their UPDATE
-- takes anyway (FOR NO KEY UPDATE: state and fills are no key), which
-- the foreign-key checks of another writer's COPY into order_events
-- (FOR KEY SHARE) do not wait on.  The batch of broker order ids
-- (db/store_bids.c) never waits at all: it skips rows locked elsewhere
-- and tries them again.  Found by the fan-out bench at 500 accounts,
-- where the batch and the settle deadlocked.  Otherwise as 0027.
CREATE OR REPLACE FUNCTION phalanx_events_settle(p_n integer, p_first uuid,
    p_last uuid, p_ids bigint[], p_states text[], p_filled integer[],
    p_avgs numeric[], p_ts timestamptz[], p_uids uuid[])
RETURNS TABLE (n integer, known integer, orders integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_orders	integer;
	v_first		bigint;
	v_last		bigint;
BEGIN
	PERFORM 1 FROM orders WHERE id = ANY (p_ids) ORDER BY id FOR NO KEY UPDATE;
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
