-- Exchange freeze quantities: the most units one order may carry.  Kite's
-- instrument dump does not publish them; NSE revises them by circular, so
-- they live here as data (edit with SQL), keyed by underlying.  An
-- instrument's own freeze_qty, when set, wins.
CREATE TABLE freeze_limits (
	exchange	text NOT NULL CHECK (exchange ~ '^[A-Z]+$'),
	name		text NOT NULL CHECK (name <> ''),
	freeze_qty	integer NOT NULL CHECK (freeze_qty > 0),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (exchange, name)
);

INSERT INTO freeze_limits (exchange, name, freeze_qty) VALUES
	('NFO', 'NIFTY', 1800),
	('NFO', 'BANKNIFTY', 900),
	('NFO', 'FINNIFTY', 1800),
	('NFO', 'MIDCPNIFTY', 2800),
	('NFO', 'NIFTYNXT50', 600);
