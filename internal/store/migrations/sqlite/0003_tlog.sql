-- The transparency log (see internal/tlog and docs/log.md).
--
-- One row per leaf; idx is the leaf index, 0, 1, 2… with no gaps. The
-- appending INSERT computes idx as MAX(idx) + 1 itself: SQLite has one
-- writer at a time, so that is a total order. entry holds the exact bytes
-- that are hashed (for features: the canonical JSON envelope); the other
-- columns repeat envelope fields so leaves can be found by object and by
-- community without parsing JSON.
CREATE TABLE tlog_leaves (
	idx INTEGER PRIMARY KEY,
	entry BLOB NOT NULL,
	kind TEXT NOT NULL DEFAULT '',
	community_id INTEGER NOT NULL DEFAULT 0,
	object TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tlog_leaves_object ON tlog_leaves(kind, object, version);
CREATE INDEX tlog_leaves_community ON tlog_leaves(community_id, idx);

-- Leaves are never changed or removed. This stops mistakes, not a
-- determined administrator: that is what checkpoints and fsck are for.
CREATE TRIGGER tlog_leaves_no_update BEFORE UPDATE ON tlog_leaves
BEGIN SELECT RAISE(ABORT, 'tlog_leaves is append-only'); END;
CREATE TRIGGER tlog_leaves_no_delete BEFORE DELETE ON tlog_leaves
BEGIN SELECT RAISE(ABORT, 'tlog_leaves is append-only'); END;

-- The RFC 6962 stored hashes of golang.org/x/mod/sumdb/tlog, by stored
-- hash index. Derived from tlog_leaves by the log's integrator.
CREATE TABLE tlog_hashes (
	idx INTEGER PRIMARY KEY,
	hash BLOB NOT NULL
);

-- Every signed checkpoint, by tree size. note is the full signed note.
CREATE TABLE tlog_checkpoints (
	size INTEGER PRIMARY KEY,
	root BLOB NOT NULL,
	note TEXT NOT NULL,
	signed_at TIMESTAMP NOT NULL
);
