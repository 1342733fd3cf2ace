-- An all-or-none rollback that could not confirm every account flat at
-- the broker ends ROLLBACK_INCOMPLETE, never REVERSED: the fan-out's
-- report names what is left open (account, symbol, quantity).
-- INTERRUPTED is 0009_reconcile.sql's, kept when the list is replaced.
ALTER TABLE fanouts DROP CONSTRAINT fanouts_state_check;
ALTER TABLE fanouts ADD CONSTRAINT fanouts_state_check
	CHECK (state IN ('PENDING', 'DENIED', 'RUNNING', 'COMPLETED',
	    'PARTIAL', 'FAILED', 'CANCELLED', 'REVERSED',
	    'ROLLBACK_INCOMPLETE', 'INTERRUPTED'));
