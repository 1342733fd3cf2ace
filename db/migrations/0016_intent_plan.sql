-- One intent row before the first send: the fan-out row carries its
-- allocation plan, one element per leg with the order id (drawn from the
-- orders sequence in advance), the client tag and the order's fields, so
-- every leg's tag is durable before any leg is sent.  The order rows
-- follow once the legs are on the wire; after a crash in between, the
-- reconciler writes them from the plan.  A leg marked "denied" (its
-- account was HALTED when the intent was written) was never sent and
-- gets no row.
ALTER TABLE fanouts ADD COLUMN plan jsonb;

-- The plan's orders that are not rows yet; the number written.  Safe to
-- repeat: a leg already written (its id or its tag) is left alone.
CREATE FUNCTION phalanx_fanout_orders(p_id bigint) RETURNS integer
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
		    trigger_price numeric, message text, denied boolean)
		WHERE f.id = p_id AND x.id IS NOT NULL
		    AND NOT coalesce(x.denied, false)
		ORDER BY x.id
		ON CONFLICT DO NOTHING
		RETURNING 1
	)
	SELECT count(*)::int FROM o
$$;
