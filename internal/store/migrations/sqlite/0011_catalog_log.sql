-- Every change of a catalog item (loaded with the default catalog,
-- created, edited, archived, restored) is a leaf of the transparency log:
-- compliance is judged against the catalog, so a quiet change of a
-- cadence must show. Each row here is the item as that change left it,
-- the content its leaf hashes. Rows are never changed or deleted. Items
-- made before this migration get a 'baseline' version at the next start.
ALTER TABLE disclosure_items ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE disclosure_item_versions (
	id INTEGER PRIMARY KEY,
	item_id INTEGER NOT NULL REFERENCES disclosure_items(id),
	district_id INTEGER NOT NULL REFERENCES org_units(id),
	community_id INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL,
	action TEXT NOT NULL CHECK (action IN ('load', 'baseline', 'create', 'edit', 'archive', 'restore')),
	section TEXT NOT NULL,
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	elements TEXT NOT NULL DEFAULT '',
	basis TEXT NOT NULL DEFAULT '',
	cadence TEXT NOT NULL,
	event_days INTEGER NOT NULL DEFAULT 0,
	publisher TEXT NOT NULL,
	department_id INTEGER NOT NULL DEFAULT 0,
	channels TEXT NOT NULL DEFAULT '',
	audience TEXT NOT NULL,
	mode TEXT NOT NULL,
	archived INTEGER NOT NULL DEFAULT 0,
	changed_by INTEGER NOT NULL DEFAULT 0,
	changer_name TEXT NOT NULL DEFAULT '',
	changed_at TIMESTAMP NOT NULL,
	content_sha256 TEXT NOT NULL,
	leaf_index INTEGER NOT NULL,
	UNIQUE (item_id, version)
);
CREATE INDEX disclosure_item_versions_scope ON disclosure_item_versions(district_id, community_id, changed_at);

CREATE TRIGGER disclosure_item_versions_no_delete BEFORE DELETE ON disclosure_item_versions
BEGIN SELECT RAISE(ABORT, 'disclosure_item_versions is append-only'); END;
CREATE TRIGGER disclosure_item_versions_no_update BEFORE UPDATE ON disclosure_item_versions
BEGIN SELECT RAISE(ABORT, 'disclosure_item_versions is append-only'); END;
