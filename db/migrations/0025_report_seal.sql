-- Reports and group curves.
--
-- exports.report_sha256: the seal of each report, the SHA-256 of its
-- header lines (which name the data's own SHA-256), so a record names
-- the header a report went out with, not only its data.  NULL for the
-- reports written before it.

ALTER TABLE exports ADD COLUMN report_sha256 text
	CHECK (report_sha256 ~ '^[0-9a-f]{64}$');
