-- Broker postbacks already judged, so that a repeat is dropped after a
-- restart as well as before.  One row per distinct update of an order:
-- update_key is the hex SHA-256 of the fields that make one update differ
-- from another (status, quantities, prices, exchange update time), so a
-- replay with an edited field is a new key and is judged on its own.
-- checksum is the body's (it covers only order id and order time, so it
-- is not the key).  verdict says what became of it:
--   recorded    moved the order forward, as an order event
--   unchanged   said what the order already said
--   foreign     not an order phalanx placed
--   stale       an earlier state the broker's order book did pass through
--   suspicious  contradicted both the record and the broker's book
--   corrected   contradicted the record; the broker's book won
-- source is the sender's address, for the suspicious ones above all.
CREATE TABLE postbacks_seen (
	account_id	bigint NOT NULL REFERENCES accounts (id)
			ON DELETE CASCADE,
	broker_order_id	text NOT NULL CHECK (broker_order_id <> ''),
	status		text NOT NULL,
	filled_qty	bigint NOT NULL CHECK (filled_qty >= 0),
	update_key	text NOT NULL CHECK (update_key ~ '^[0-9a-f]{64}$'),
	checksum	text NOT NULL,
	verdict		text NOT NULL
			CHECK (verdict IN ('recorded', 'unchanged', 'foreign',
			    'stale', 'suspicious', 'corrected')),
	source		text,
	seen_at		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (account_id, broker_order_id, status, filled_qty,
	    update_key)
);

CREATE INDEX postbacks_seen_at ON postbacks_seen USING brin (seen_at);
CREATE INDEX postbacks_suspicious ON postbacks_seen (seen_at)
	WHERE verdict = 'suspicious';
