-- A redaction is a leaf of its own (kind disclosure_redaction): who, when,
-- why, which spans of the title and body were masked and the hash of the
-- content after masking. Each row here is one such leaf's record, the
-- content its leaf hashes; rows are never changed or deleted. A version
-- names its newest redaction leaf in redaction_leaf, so fsck can tell a
-- redaction from a quiet SQL edit of redacted_at or the text.
ALTER TABLE disclosure_versions ADD COLUMN redaction_leaf INTEGER;

CREATE TABLE disclosure_redactions (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL,
	disclosure_id INTEGER NOT NULL REFERENCES disclosures(id),
	version INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	leaf_index INTEGER NOT NULL UNIQUE,
	redacts INTEGER NOT NULL,
	previous INTEGER,
	original_sha256 TEXT NOT NULL,
	redacted_sha256 TEXT NOT NULL,
	fields TEXT NOT NULL,
	files TEXT NOT NULL,
	redacted_by INTEGER NOT NULL,
	redacted_by_name TEXT NOT NULL,
	redacted_at TIMESTAMP NOT NULL,
	what TEXT NOT NULL,
	why TEXT NOT NULL,
	UNIQUE (disclosure_id, seq)
);
CREATE INDEX disclosure_redactions_version ON disclosure_redactions(community_id, disclosure_id, version);
