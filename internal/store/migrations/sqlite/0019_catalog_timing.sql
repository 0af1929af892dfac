-- A periodic catalog item is due either after its period ends (statements,
-- results: the default) or at its start (plans, goals). Items already
-- logged keep "after": changing one is an edit, logged like any other.
ALTER TABLE disclosure_items ADD COLUMN timing TEXT NOT NULL DEFAULT 'after' CHECK (timing IN ('after', 'start'));
ALTER TABLE disclosure_item_versions ADD COLUMN timing TEXT NOT NULL DEFAULT 'after' CHECK (timing IN ('after', 'start'));
