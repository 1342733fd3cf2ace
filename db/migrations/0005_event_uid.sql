-- A lifecycle event replayed from the local journal may already be in the
-- table (its batch committed but the acknowledgement was lost with the
-- connection).  uid, given by the writer when the event is made, lets the
-- replay insert ON CONFLICT DO NOTHING.  Nullable: other writers need none.
-- ts is in the key, as every unique index of a hypertable needs.

ALTER TABLE order_events ADD COLUMN uid uuid;
ALTER TABLE order_events ADD CONSTRAINT order_events_uid UNIQUE (uid, ts);
