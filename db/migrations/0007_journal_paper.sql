-- The router's writes besides lifecycle events (broker order ids, fan-out
-- final states, position fills) carry a uid.  The statement that applies
-- one records its uid here, and applies nothing if the uid is already
-- here: a write replayed from the local journal after its first attempt
-- did commit (the answer lost with the connection) is a no-op, so a fill
-- never moves a position twice.
CREATE TABLE journal_applied (
	uid		uuid PRIMARY KEY,
	op		text NOT NULL CHECK (op <> ''),
	applied_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX journal_applied_at ON journal_applied USING brin (applied_at);

-- Resting paper orders (LIMIT, SL, SL-M) live here as well as in the
-- process that placed them, so another process can cancel or modify them
-- and a restart still has them.  body is the paper adapter's own record
-- of the order (src/broker/paper_store.c); resting is what may still
-- change.  A change that ends an order is applied only while the row is
-- still resting, so two processes cannot both cancel (or fill and cancel)
-- one order.
CREATE TABLE paper_orders (
	account		text NOT NULL CHECK (account <> ''),
	order_id	text NOT NULL CHECK (order_id <> ''),
	resting		boolean NOT NULL,
	body		jsonb NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (account, order_id)
);

CREATE INDEX paper_orders_resting ON paper_orders (account) WHERE resting;
