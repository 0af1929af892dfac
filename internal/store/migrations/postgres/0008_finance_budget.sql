-- Finance, second part (internal/finance, docs/finance.md): yearly budgets
-- per category, and redactions of receipt images.

-- A community's yearly budget, one amount (分) per leaf category. Entering
-- a category again replaces its amount; who set it and when is kept.
CREATE TABLE fin_budgets (
	community_id BIGINT NOT NULL REFERENCES org_units(id),
	year INTEGER NOT NULL,
	category_id BIGINT NOT NULL REFERENCES fin_categories(id),
	amount BIGINT NOT NULL CHECK (amount >= 0),
	set_by BIGINT NOT NULL,
	set_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (community_id, year, category_id)
);

-- Each redaction of a receipt image: the black boxes drawn (JSON list of
-- [x, y, w, h] in pixels of the original), why, and the resulting file,
-- stored content-addressed beside the original. The newest redaction is
-- what the public sees; the original stays for the community's cadres
-- and supervisors.
CREATE TABLE fin_redactions (
	id BIGSERIAL PRIMARY KEY,
	community_id BIGINT NOT NULL REFERENCES org_units(id),
	attachment_id BIGINT NOT NULL REFERENCES fin_attachments(id),
	boxes TEXT NOT NULL,
	reason TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	mime TEXT NOT NULL,
	size BIGINT NOT NULL,
	redacted_by BIGINT NOT NULL,
	redacted_by_name TEXT NOT NULL DEFAULT '',
	redacted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX fin_redactions_attachment ON fin_redactions(community_id, attachment_id, id);
