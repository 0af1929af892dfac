-- A redaction is a leaf of its own (kind disclosure_redaction): who, when,
-- why, which spans of the title and body were masked and the hash of the
-- content after masking. Each row here is one such leaf's record, the
-- content its leaf hashes; rows are never changed or deleted. A version
-- names its newest redaction leaf in redaction_leaf, so fsck can tell a
-- redaction from a quiet SQL edit of redacted_at or the text.
ALTER TABLE disclosure_versions ADD COLUMN redaction_leaf BIGINT;

CREATE TABLE disclosure_redactions (
	id BIGSERIAL PRIMARY KEY,
	community_id BIGINT NOT NULL,
	disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
	version INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	leaf_index BIGINT NOT NULL UNIQUE,
	redacts BIGINT NOT NULL,
	previous BIGINT,
	original_sha256 TEXT NOT NULL,
	redacted_sha256 TEXT NOT NULL,
	fields TEXT NOT NULL,
	files TEXT NOT NULL,
	redacted_by BIGINT NOT NULL,
	redacted_by_name TEXT NOT NULL,
	redacted_at TIMESTAMPTZ NOT NULL,
	what TEXT NOT NULL,
	why TEXT NOT NULL,
	UNIQUE (disclosure_id, seq)
);
CREATE INDEX disclosure_redactions_version ON disclosure_redactions(community_id, disclosure_id, version);
