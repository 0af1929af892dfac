-- Finance, second part (internal/finance, docs/finance.md): yearly budgets
-- per category, and redactions of receipt images.

-- A community's yearly budget, one amount (分) per leaf category. Entering
-- a category again replaces its amount; who set it and when is kept.
CREATE TABLE fin_budgets (
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	year INTEGER NOT NULL,
	category_id INTEGER NOT NULL REFERENCES fin_categories(id),
	amount INTEGER NOT NULL CHECK (amount >= 0),
	set_by INTEGER NOT NULL,
	set_at TIMESTAMP NOT NULL,
	PRIMARY KEY (community_id, year, category_id)
);

-- Each redaction of a receipt image: the black boxes drawn (JSON list of
-- [x, y, w, h] in pixels of the original), why, and the resulting file,
-- stored content-addressed beside the original. The newest redaction is
-- what the public sees; the original stays for the community's cadres
-- and supervisors.
CREATE TABLE fin_redactions (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	attachment_id INTEGER NOT NULL REFERENCES fin_attachments(id),
	boxes TEXT NOT NULL,
	reason TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	mime TEXT NOT NULL,
	size INTEGER NOT NULL,
	redacted_by INTEGER NOT NULL,
	redacted_by_name TEXT NOT NULL DEFAULT '',
	redacted_at TIMESTAMP NOT NULL
);
CREATE INDEX fin_redactions_attachment ON fin_redactions(community_id, attachment_id, id);

-- The list of a community's months reads every column of fin_periods but
-- the statement itself. SQLite keeps that statement (tens of kilobytes of
-- JSON) inside the row, before the columns the list needs, so without
-- this covering index each listed month read its whole statement from
-- overflow pages: the slow part of every finance page. (PostgreSQL keeps
-- large text out of line, so it needs no such index.)
CREATE INDEX fin_periods_list ON fin_periods(community_id, period, id, status, income, expense, closed_at, published_at, leaf_index, statement_sha256);
