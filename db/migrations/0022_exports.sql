-- One row per report `export` produced: what, for which period and
-- target, how many rows, the SHA-256 of its data and where it went.  A
-- compliance officer holding a file finds its record by report id.

CREATE TABLE exports (
	id		text PRIMARY KEY CHECK (id ~ '^RPT-[0-9]{8}-[0-9a-f]{8}$'),
	kind		text NOT NULL
			CHECK (kind IN ('trades', 'orders', 'events', 'pnl',
			    'incidents', 'audit', 'sla')),
	format		text NOT NULL CHECK (format IN ('csv', 'pdf')),
	period_from	date NOT NULL,
	period_to	date NOT NULL CHECK (period_to >= period_from),
	target		text NOT NULL,
	rows		bigint NOT NULL CHECK (rows >= 0),
	sha256		text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	destination	text NOT NULL,
	os_user		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX exports_created ON exports (created_at);
