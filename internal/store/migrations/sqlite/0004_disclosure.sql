-- The board: the disclosure catalog (公开目录), disclosures, their published
-- versions, attachments and the search index. See internal/disclosure.

-- Catalog items. community_id is 0 for an item of the district's catalog
-- (every community of the district must publish it) and the community's id
-- for an item a community added for itself.
CREATE TABLE disclosure_items (
	id INTEGER PRIMARY KEY,
	district_id INTEGER NOT NULL REFERENCES org_units(id),
	community_id INTEGER NOT NULL DEFAULT 0,
	section TEXT NOT NULL CHECK (section IN ('party', 'government', 'affairs', 'finance')),
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	elements TEXT NOT NULL DEFAULT '',
	basis TEXT NOT NULL DEFAULT '',
	cadence TEXT NOT NULL CHECK (cadence IN ('monthly', 'quarterly', 'halfyearly', 'yearly', 'event', 'standing')),
	event_days INTEGER NOT NULL DEFAULT 0,
	publisher TEXT NOT NULL CHECK (publisher IN ('cadre', 'party_secretary', 'clerk')),
	department_id INTEGER REFERENCES org_units(id),
	channels TEXT NOT NULL DEFAULT '',
	audience TEXT NOT NULL CHECK (audience IN ('public', 'specific')),
	mode TEXT NOT NULL CHECK (mode IN ('proactive', 'on_request')),
	position INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	archived_at TIMESTAMP,
	UNIQUE (district_id, community_id, code)
);
CREATE INDEX disclosure_items_scope ON disclosure_items(district_id, community_id, section, position);

-- A district whose default catalog has been loaded, so an admin who
-- archives a default item does not see it come back.
CREATE TABLE disclosure_catalogs (
	district_id INTEGER PRIMARY KEY REFERENCES org_units(id),
	loaded_at TIMESTAMP NOT NULL,
	-- version counts every change of the district's catalog or of a
	-- community's own items, so public pages know when to change.
	version INTEGER NOT NULL DEFAULT 0
);

-- Drafts are a cadre's unpublished work: the only rows here that are
-- edited and deleted. Publishing turns a draft into version 1.
CREATE TABLE disclosure_drafts (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	item_id INTEGER NOT NULL REFERENCES disclosure_items(id),
	title TEXT NOT NULL,
	period TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	valid_from TEXT NOT NULL DEFAULT '',
	valid_to TEXT NOT NULL DEFAULT '',
	created_by INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX disclosure_drafts_community ON disclosure_drafts(community_id, updated_at);

CREATE TABLE disclosure_draft_files (
	id INTEGER PRIMARY KEY,
	draft_id INTEGER NOT NULL REFERENCES disclosure_drafts(id) ON DELETE CASCADE,
	community_id INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size INTEGER NOT NULL
);
CREATE INDEX disclosure_draft_files_draft ON disclosure_draft_files(draft_id);

-- A disclosure is one matter on the board; its content lives in versions.
-- The head columns (state, version, title, period, published_at) repeat
-- the newest version so the board needs one row per disclosure.
CREATE TABLE disclosures (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	item_id INTEGER NOT NULL REFERENCES disclosure_items(id),
	state TEXT NOT NULL CHECK (state IN ('published', 'withdrawn')),
	version INTEGER NOT NULL,
	title TEXT NOT NULL,
	period TEXT NOT NULL DEFAULT '',
	first_published_at TIMESTAMP NOT NULL,
	published_at TIMESTAMP NOT NULL
);
CREATE INDEX disclosures_item ON disclosures(community_id, item_id, first_published_at);
CREATE INDEX disclosures_recent ON disclosures(community_id, published_at);

-- Published versions. Never deleted; only the redaction columns and, on
-- redaction, body and title may change (the content hash and leaf stay).
CREATE TABLE disclosure_versions (
	id INTEGER PRIMARY KEY,
	disclosure_id INTEGER NOT NULL REFERENCES disclosures(id),
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	version INTEGER NOT NULL,
	action TEXT NOT NULL CHECK (action IN ('publish', 'correct', 'withdraw')),
	item_id INTEGER NOT NULL REFERENCES disclosure_items(id),
	title TEXT NOT NULL,
	period TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	valid_from TEXT NOT NULL DEFAULT '',
	valid_to TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	published_by INTEGER NOT NULL,
	publisher_name TEXT NOT NULL DEFAULT '',
	published_at TIMESTAMP NOT NULL,
	content_sha256 TEXT NOT NULL,
	leaf_index INTEGER NOT NULL,
	redacted_at TIMESTAMP,
	redacted_by INTEGER,
	redaction_what TEXT NOT NULL DEFAULT '',
	redaction_why TEXT NOT NULL DEFAULT '',
	UNIQUE (disclosure_id, version)
);
CREATE INDEX disclosure_versions_community ON disclosure_versions(community_id, published_at);
CREATE INDEX disclosure_versions_redacted ON disclosure_versions(community_id, redacted_at);

CREATE TRIGGER disclosure_versions_no_delete BEFORE DELETE ON disclosure_versions
BEGIN SELECT RAISE(ABORT, 'disclosure_versions is append-only'); END;
CREATE TRIGGER disclosure_versions_keep_hash BEFORE UPDATE ON disclosure_versions
WHEN NEW.content_sha256 <> OLD.content_sha256 OR NEW.leaf_index <> OLD.leaf_index
  OR NEW.version <> OLD.version OR NEW.disclosure_id <> OLD.disclosure_id OR NEW.published_at <> OLD.published_at
BEGIN SELECT RAISE(ABORT, 'a published version keeps its hash and leaf'); END;

CREATE TABLE disclosure_version_files (
	id INTEGER PRIMARY KEY,
	version_id INTEGER NOT NULL REFERENCES disclosure_versions(id),
	community_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	redacted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX disclosure_version_files_version ON disclosure_version_files(version_id, position);
CREATE INDEX disclosure_version_files_hash ON disclosure_version_files(community_id, sha256);

-- Search: one row per disclosure, the space-separated tokens of its
-- newest version (internal/zh), indexed by FTS5.
CREATE TABLE disclosure_search (
	disclosure_id INTEGER PRIMARY KEY REFERENCES disclosures(id),
	community_id INTEGER NOT NULL,
	district_id INTEGER NOT NULL,
	tokens TEXT NOT NULL
);
CREATE VIRTUAL TABLE disclosure_fts USING fts5(tokens, content='disclosure_search', content_rowid='disclosure_id', tokenize='unicode61 remove_diacritics 0');
CREATE TRIGGER disclosure_search_ai AFTER INSERT ON disclosure_search BEGIN
	INSERT INTO disclosure_fts(rowid, tokens) VALUES (new.disclosure_id, new.tokens);
END;
CREATE TRIGGER disclosure_search_ad AFTER DELETE ON disclosure_search BEGIN
	INSERT INTO disclosure_fts(disclosure_fts, rowid, tokens) VALUES ('delete', old.disclosure_id, old.tokens);
END;
CREATE TRIGGER disclosure_search_au AFTER UPDATE ON disclosure_search BEGIN
	INSERT INTO disclosure_fts(disclosure_fts, rowid, tokens) VALUES ('delete', old.disclosure_id, old.tokens);
	INSERT INTO disclosure_fts(rowid, tokens) VALUES (new.disclosure_id, new.tokens);
END;
