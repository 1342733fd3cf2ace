-- The user's "tag TEXT" of a buy or sell.  Kite's order tag field already
-- carries phalanx's client tag (the idempotency key every reconciliation
-- matches on), so the user's label stays here, with the fan-out, and is
-- shown by fanouts and fanout show; it is never sent to the broker.  The
-- pattern is the command language's (src/cmd/cmd_int.h CMD_ORDER_TAG_RULE).
ALTER TABLE fanouts ADD COLUMN tag text
	CHECK (tag IS NULL OR tag ~ '^[A-Za-z0-9][A-Za-z0-9 _.:/-]{0,19}$');
