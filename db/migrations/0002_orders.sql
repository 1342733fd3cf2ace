-- Fan-outs, the orders they produce, and what the brokers did with them.
-- No triggers: writers send NOTIFY themselves after commit.

-- One intent applied to a target.  qty is in `unit` (lots by default) and
-- is NULL for intents that carry none (squareoff/cancel of everything).
-- Timings follow the intent -> RMS pass -> first send -> last send -> last
-- ack path of DESIGN.md section 7.
CREATE TABLE fanouts (
	id		bigserial PRIMARY KEY,
	who		text NOT NULL CHECK (who <> ''),
	source		text NOT NULL CHECK (source <> ''),
	strategy_id	bigint REFERENCES strategies (id) ON DELETE SET NULL,
	intent		text NOT NULL DEFAULT 'order'
			CHECK (intent IN ('order', 'squareoff', 'cancel', 'kill')),
	target		text NOT NULL CHECK (target <> ''),
	side		text CHECK (side IN ('BUY', 'SELL')),
	symbol		text,
	exchange	text,
	qty		integer CHECK (qty IS NULL OR qty > 0),
	unit		text NOT NULL DEFAULT 'lots'
			CHECK (unit IN ('lots', 'units')),
	product		text CHECK (product IN ('CNC', 'NRML', 'MIS', 'MTF')),
	order_type	text CHECK (order_type IN ('MARKET', 'LIMIT', 'SL', 'SL-M')),
	price		numeric(18,4) CHECK (price IS NULL OR price >= 0),
	trigger_price	numeric(18,4)
			CHECK (trigger_price IS NULL OR trigger_price >= 0),
	policy		text NOT NULL DEFAULT 'fixed'
			CHECK (policy IN ('fixed', 'multiplier', 'equal',
			    'capital', 'ratio')),
	mode		text NOT NULL DEFAULT 'async'
			CHECK (mode IN ('async', 'sync')),
	on_fail		text NOT NULL DEFAULT 'best-effort'
			CHECK (on_fail IN ('best-effort', 'retry', 'all-or-none')),
	state		text NOT NULL DEFAULT 'PENDING'
			CHECK (state IN ('PENDING', 'DENIED', 'RUNNING',
			    'COMPLETED', 'PARTIAL', 'FAILED', 'CANCELLED',
			    'REVERSED')),
	message		text,
	t_intent	timestamptz NOT NULL DEFAULT now(),
	t_rms		timestamptz,
	t_first_send	timestamptz,
	t_last_send	timestamptz,
	t_last_ack	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT fanouts_order_needs_side_symbol_qty
	    CHECK (intent <> 'order' OR (side IS NOT NULL AND
	    symbol IS NOT NULL AND qty IS NOT NULL))
);

CREATE INDEX fanouts_created ON fanouts (created_at);
CREATE INDEX fanouts_open ON fanouts (state)
	WHERE state IN ('PENDING', 'RUNNING');

-- One order per account and slice.  client_tag is deterministic and is
-- written before the order is sent, so an unclear outcome can be looked up
-- at the broker by tag.  fanout_id is NULL for orders found at the broker
-- that phalanx did not place.
CREATE TABLE orders (
	id		bigserial PRIMARY KEY,
	fanout_id	bigint REFERENCES fanouts (id) ON DELETE RESTRICT,
	account_id	bigint NOT NULL REFERENCES accounts (id)
			ON DELETE RESTRICT,
	slice		integer NOT NULL DEFAULT 0 CHECK (slice >= 0),
	client_tag	text NOT NULL UNIQUE
			CHECK (client_tag ~ '^[A-Za-z0-9_.:-]{1,20}$'),
	broker_order_id	text,
	state		text NOT NULL DEFAULT 'NEW'
			CHECK (state IN ('NEW', 'DENIED', 'SUBMITTED', 'OPEN',
			    'TRIGGER_PENDING', 'PARTIALLY_FILLED', 'FILLED',
			    'PENDING_CANCEL', 'CANCELLED', 'REJECTED',
			    'EXPIRED', 'UNKNOWN')),
	side		text NOT NULL CHECK (side IN ('BUY', 'SELL')),
	symbol		text NOT NULL CHECK (symbol <> ''),
	exchange	text NOT NULL CHECK (exchange ~ '^[A-Z]+$'),
	product		text NOT NULL
			CHECK (product IN ('CNC', 'NRML', 'MIS', 'MTF')),
	order_type	text NOT NULL
			CHECK (order_type IN ('MARKET', 'LIMIT', 'SL', 'SL-M')),
	variety		text NOT NULL DEFAULT 'regular'
			CHECK (variety IN ('regular', 'amo', 'co', 'iceberg',
			    'auction')),
	validity	text NOT NULL DEFAULT 'DAY'
			CHECK (validity IN ('DAY', 'IOC', 'TTL')),
	qty		integer NOT NULL CHECK (qty > 0),
	filled_qty	integer NOT NULL DEFAULT 0 CHECK (filled_qty >= 0),
	price		numeric(18,4) CHECK (price IS NULL OR price >= 0),
	trigger_price	numeric(18,4)
			CHECK (trigger_price IS NULL OR trigger_price >= 0),
	avg_price	numeric(18,4) NOT NULL DEFAULT 0 CHECK (avg_price >= 0),
	message		text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT orders_limit_needs_price
	    CHECK (order_type NOT IN ('LIMIT', 'SL') OR price IS NOT NULL),
	CONSTRAINT orders_stop_needs_trigger
	    CHECK (order_type NOT IN ('SL', 'SL-M') OR trigger_price IS NOT NULL)
);

CREATE INDEX orders_fanout ON orders (fanout_id);
CREATE INDEX orders_account ON orders (account_id, created_at);
CREATE UNIQUE INDEX orders_broker_id ON orders (account_id, broker_order_id)
	WHERE broker_order_id IS NOT NULL;
CREATE INDEX orders_working ON orders (account_id, state)
	WHERE state IN ('NEW', 'SUBMITTED', 'OPEN', 'TRIGGER_PENDING',
	    'PARTIALLY_FILLED', 'PENDING_CANCEL', 'UNKNOWN');

-- Every lifecycle transition of an order.  Time-series: ts leads the key
-- (a hypertable needs it in every unique index) and a BRIN index serves
-- range scans.  broker_status is the broker's own word ("TRIGGER PENDING",
-- "AMO REQ RECEIVED", ...); mono_us is the writer's monotonic clock, so
-- latencies can be recomputed exactly.
CREATE TABLE order_events (
	ts		timestamptz NOT NULL DEFAULT now(),
	id		bigint GENERATED BY DEFAULT AS IDENTITY,
	order_id	bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	state		text NOT NULL
			CHECK (state IN ('NEW', 'DENIED', 'SUBMITTED', 'OPEN',
			    'TRIGGER_PENDING', 'PARTIALLY_FILLED', 'FILLED',
			    'PENDING_CANCEL', 'CANCELLED', 'REJECTED',
			    'EXPIRED', 'UNKNOWN')),
	broker_status	text,
	filled_qty	integer CHECK (filled_qty IS NULL OR filled_qty >= 0),
	message		text,
	latency_us	bigint CHECK (latency_us IS NULL OR latency_us >= 0),
	mono_us		bigint,
	PRIMARY KEY (ts, id)
);

CREATE INDEX order_events_ts ON order_events USING brin (ts);
CREATE INDEX order_events_order ON order_events (order_id, ts);

-- Executions.  A trade arrives by postback and again by polling: the
-- unique key makes the second write a no-op (ON CONFLICT DO NOTHING).
CREATE TABLE fills (
	id		bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	order_id	bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	account_id	bigint NOT NULL REFERENCES accounts (id)
			ON DELETE RESTRICT,
	trade_id	text NOT NULL CHECK (trade_id <> ''),
	exchange_order_id text,
	exchange	text NOT NULL CHECK (exchange ~ '^[A-Z]+$'),
	symbol		text NOT NULL CHECK (symbol <> ''),
	product		text NOT NULL
			CHECK (product IN ('CNC', 'NRML', 'MIS', 'MTF')),
	side		text NOT NULL CHECK (side IN ('BUY', 'SELL')),
	qty		integer NOT NULL CHECK (qty > 0),
	price		numeric(18,4) NOT NULL CHECK (price >= 0),
	fill_ts		timestamptz NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (account_id, exchange, trade_id)
);

CREATE INDEX fills_order ON fills (order_id);
CREATE INDEX fills_account_ts ON fills (account_id, fill_ts);

-- Net position per account and contract; qty is signed (short < 0).
-- PnL is in rupees.
CREATE TABLE positions (
	account_id	bigint NOT NULL REFERENCES accounts (id)
			ON DELETE CASCADE,
	exchange	text NOT NULL CHECK (exchange ~ '^[A-Z]+$'),
	symbol		text NOT NULL CHECK (symbol <> ''),
	product		text NOT NULL
			CHECK (product IN ('CNC', 'NRML', 'MIS', 'MTF')),
	qty		integer NOT NULL DEFAULT 0,
	avg_price	numeric(18,4) NOT NULL DEFAULT 0 CHECK (avg_price >= 0),
	last_price	numeric(18,4) CHECK (last_price IS NULL OR last_price >= 0),
	realised_pnl	numeric(18,2) NOT NULL DEFAULT 0,
	unrealised_pnl	numeric(18,2) NOT NULL DEFAULT 0,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (account_id, exchange, symbol, product)
);

CREATE INDEX positions_open ON positions (account_id) WHERE qty <> 0;
