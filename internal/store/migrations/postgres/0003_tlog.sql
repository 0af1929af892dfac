-- The transparency log (see internal/tlog and docs/log.md).
--
-- One row per leaf; idx is the leaf index, 0, 1, 2… with no gaps. The
-- appending INSERT computes idx as MAX(idx) + 1; on PostgreSQL concurrent
-- transactions could compute the same value, so the trigger below takes a
-- transaction-level lock first and computes idx again with a fresh
-- snapshot, which sees every leaf committed before the lock was granted.
-- The lock is held to commit, so leaves commit in index order.
CREATE TABLE tlog_leaves (
	idx BIGINT PRIMARY KEY,
	entry BYTEA NOT NULL,
	kind TEXT NOT NULL DEFAULT '',
	community_id BIGINT NOT NULL DEFAULT 0,
	object TEXT NOT NULL DEFAULT '',
	version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tlog_leaves_object ON tlog_leaves(kind, object, version);
CREATE INDEX tlog_leaves_community ON tlog_leaves(community_id, idx);

CREATE FUNCTION tlog_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(7336254);
	SELECT COALESCE(MAX(idx), -1) + 1 INTO NEW.idx FROM tlog_leaves;
	RETURN NEW;
END
$$;
CREATE TRIGGER tlog_leaves_sequence BEFORE INSERT ON tlog_leaves
	FOR EACH ROW EXECUTE FUNCTION tlog_sequence();

-- Leaves are never changed or removed. This stops mistakes, not a
-- determined administrator: that is what checkpoints and fsck are for.
CREATE FUNCTION tlog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'tlog_leaves is append-only';
END
$$;
CREATE TRIGGER tlog_leaves_append_only BEFORE UPDATE OR DELETE ON tlog_leaves
	FOR EACH ROW EXECUTE FUNCTION tlog_append_only();

-- The RFC 6962 stored hashes of golang.org/x/mod/sumdb/tlog, by stored
-- hash index. Derived from tlog_leaves by the log's integrator.
CREATE TABLE tlog_hashes (
	idx BIGINT PRIMARY KEY,
	hash BYTEA NOT NULL
);

-- Every signed checkpoint, by tree size. note is the full signed note.
CREATE TABLE tlog_checkpoints (
	size BIGINT PRIMARY KEY,
	root BYTEA NOT NULL,
	note TEXT NOT NULL,
	signed_at TIMESTAMPTZ NOT NULL
);
