-- A budget amount the public sees is a leaf (kind fin_budget, one object per
-- fin_budgets row, a new version each time its amount changes). fin_budgets
-- gains an id to name the object; fin_budget_versions keeps each version's
-- content, the one its leaf hashes, and is never changed. fsck compares each
-- live amount with its newest version. SQLite cannot add a primary key in
-- place, so the table is rebuilt with the same rows.
CREATE TABLE fin_budgets_new (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	year INTEGER NOT NULL,
	category_id INTEGER NOT NULL REFERENCES fin_categories(id),
	amount INTEGER NOT NULL CHECK (amount >= 0),
	set_by INTEGER NOT NULL,
	set_at TIMESTAMP NOT NULL,
	UNIQUE (community_id, year, category_id)
);
INSERT INTO fin_budgets_new (community_id, year, category_id, amount, set_by, set_at)
	SELECT community_id, year, category_id, amount, set_by, set_at FROM fin_budgets ORDER BY community_id, year, category_id;
DROP TABLE fin_budgets;
ALTER TABLE fin_budgets_new RENAME TO fin_budgets;

CREATE TABLE fin_budget_versions (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	budget_id INTEGER NOT NULL REFERENCES fin_budgets(id),
	version INTEGER NOT NULL,
	year INTEGER NOT NULL,
	category_id INTEGER NOT NULL,
	amount INTEGER NOT NULL,
	set_by_name TEXT NOT NULL,
	set_at TIMESTAMP NOT NULL,
	leaf_index INTEGER NOT NULL UNIQUE,
	UNIQUE (budget_id, version)
);
