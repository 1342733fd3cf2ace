-- A fan-out's order rows may now be written by more than its sender: a
-- postback for one of its orders that arrives before the sender has
-- written the legs (they follow the sends, 0016/0027) writes them from
-- the intent's plan, as a reconciler's claim does.  Callers of one fan-out
-- take turns on its row, so the audit row, whose "not yet written" test a
-- concurrent caller could not see, is written once.
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
