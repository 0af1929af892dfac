-- Org units: districts, streets, communities and departments in one tree.
-- Nothing is deleted: archived_at marks an archived unit.
CREATE TABLE org_units (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('district', 'street', 'community', 'department')),
	parent_id INTEGER REFERENCES org_units(id),
	district_id INTEGER REFERENCES org_units(id),
	name TEXT NOT NULL,
	slug TEXT NOT NULL,
	gb_code TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	board_location TEXT NOT NULL DEFAULT '',
	position INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	archived_at TIMESTAMP,
	UNIQUE (kind, slug)
);
CREATE INDEX org_units_parent ON org_units(parent_id);
CREATE INDEX org_units_district ON org_units(district_id);
-- Names are unique among the live children of one parent (districts: among
-- live districts); an archived unit frees its name but keeps its slug, so an
-- old link never leads to a different unit.
CREATE UNIQUE INDEX org_units_sibling_name ON org_units(COALESCE(parent_id, 0), name) WHERE archived_at IS NULL;

-- Every rename or archive of an org unit, so history is kept.
CREATE TABLE org_unit_history (
	id INTEGER PRIMARY KEY,
	unit_id INTEGER NOT NULL REFERENCES org_units(id),
	change TEXT NOT NULL,
	old_value TEXT NOT NULL DEFAULT '',
	new_value TEXT NOT NULL DEFAULT '',
	changed_by INTEGER,
	changed_at TIMESTAMP NOT NULL
);
CREATE INDEX org_unit_history_unit ON org_unit_history(unit_id);
