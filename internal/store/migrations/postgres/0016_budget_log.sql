-- A budget amount the public sees is a leaf (kind fin_budget, one object per
-- fin_budgets row, a new version each time its amount changes). fin_budgets
-- gains an id to name the object; fin_budget_versions keeps each version's
-- content, the one its leaf hashes, and is never changed. fsck compares each
-- live amount with its newest version.
-- The id becomes the primary key and the old key a unique constraint, as
-- SQLite's rebuilt table has them.
ALTER TABLE fin_budgets ADD COLUMN id BIGSERIAL;
ALTER TABLE fin_budgets DROP CONSTRAINT fin_budgets_pkey;
ALTER TABLE fin_budgets ADD PRIMARY KEY (id);
ALTER TABLE fin_budgets ADD UNIQUE (community_id, year, category_id);

CREATE TABLE fin_budget_versions (
	id BIGSERIAL PRIMARY KEY,
	community_id BIGINT NOT NULL REFERENCES org_units(id),
	budget_id BIGINT NOT NULL REFERENCES fin_budgets(id),
	version INTEGER NOT NULL,
	year INTEGER NOT NULL,
	category_id BIGINT NOT NULL,
	amount BIGINT NOT NULL,
	set_by_name TEXT NOT NULL,
	set_at TIMESTAMPTZ NOT NULL,
	leaf_index BIGINT NOT NULL UNIQUE,
	UNIQUE (budget_id, version)
);
