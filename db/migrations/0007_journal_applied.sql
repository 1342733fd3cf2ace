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
