-- Every change of a catalog item (loaded with the default catalog,
-- created, edited, archived, restored) is a leaf of the transparency log:
-- compliance is judged against the catalog, so a quiet change of a
-- cadence must show. Each row here is the item as that change left it,
-- the content its leaf hashes. Rows are never changed or deleted. Items
-- made before this migration get a 'baseline' version at the next start.
ALTER TABLE disclosure_items ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE disclosure_item_versions (
	id BIGSERIAL PRIMARY KEY,
	item_id BIGINT NOT NULL REFERENCES disclosure_items(id),
	district_id BIGINT NOT NULL REFERENCES org_units(id),
	community_id BIGINT NOT NULL DEFAULT 0,
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
	department_id BIGINT NOT NULL DEFAULT 0,
	channels TEXT NOT NULL DEFAULT '',
	audience TEXT NOT NULL,
	mode TEXT NOT NULL,
	archived INTEGER NOT NULL DEFAULT 0,
	changed_by BIGINT NOT NULL DEFAULT 0,
	changer_name TEXT NOT NULL DEFAULT '',
	changed_at TIMESTAMPTZ NOT NULL,
	content_sha256 TEXT NOT NULL,
	leaf_index BIGINT NOT NULL,
	UNIQUE (item_id, version)
);
CREATE INDEX disclosure_item_versions_scope ON disclosure_item_versions(district_id, community_id, changed_at);

CREATE FUNCTION disclosure_item_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'disclosure_item_versions is append-only';
END
$$;
CREATE TRIGGER disclosure_item_versions_guard BEFORE UPDATE OR DELETE ON disclosure_item_versions
	FOR EACH ROW EXECUTE FUNCTION disclosure_item_versions_guard();
