-- Community finances (internal/finance, docs/finance.md). Money is an
-- integer number of 分; dates are 'YYYY-MM-DD' text in Asia/Shanghai;
-- periods are integers YYYYMM. Nothing here is updated in place once
-- published, and entries are never edited or deleted: a correction is a
-- reversing entry (红字冲销) that names the original.

-- Rules per district (DOMAIN.md: thresholds live in one table, not in code).
CREATE TABLE fin_rules (
	district_id BIGINT PRIMARY KEY REFERENCES org_units(id),
	expense_threshold BIGINT NOT NULL,
	close_due_day BIGINT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	updated_by BIGINT NOT NULL DEFAULT 0
);

-- The category tree (科目) of a district, seeded from the defaults.
CREATE TABLE fin_categories (
	id BIGSERIAL PRIMARY KEY,
	district_id BIGINT NOT NULL REFERENCES org_units(id),
	parent_id BIGINT REFERENCES fin_categories(id),
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	direction TEXT NOT NULL CHECK (direction IN ('income', 'expense')),
	position BIGINT NOT NULL DEFAULT 0,
	archived BIGINT NOT NULL DEFAULT 0,
	UNIQUE (district_id, code),
	UNIQUE (district_id, name)
);

-- A community's books: the first month they cover.
CREATE TABLE fin_books (
	community_id BIGINT PRIMARY KEY REFERENCES org_units(id),
	start_period BIGINT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE fin_accounts (
	id BIGSERIAL PRIMARY KEY,
	community_id BIGINT NOT NULL REFERENCES org_units(id),
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('cash', 'bank', 'earmarked')),
	opening BIGINT NOT NULL DEFAULT 0 CHECK (opening >= 0),
	position BIGINT NOT NULL DEFAULT 0,
	created_at TIMESTAMPTZ NOT NULL,
	UNIQUE (community_id, name)
);

-- The last voucher number given per community and year; the row is
-- updated inside the transaction that posts the entry, so numbers have no
-- gaps (a rolled-back post gives its number back).
CREATE TABLE fin_voucher_seq (
	community_id BIGINT NOT NULL,
	year BIGINT NOT NULL,
	last_no BIGINT NOT NULL,
	PRIMARY KEY (community_id, year)
);

CREATE TABLE fin_entries (
	id BIGSERIAL PRIMARY KEY,
	community_id BIGINT NOT NULL REFERENCES org_units(id),
	account_id BIGINT NOT NULL REFERENCES fin_accounts(id),
	year BIGINT NOT NULL,
	voucher_no BIGINT NOT NULL,
	entry_date TEXT NOT NULL,
	period BIGINT NOT NULL,
	direction TEXT NOT NULL CHECK (direction IN ('income', 'expense')),
	category_id BIGINT NOT NULL REFERENCES fin_categories(id),
	amount BIGINT NOT NULL,
	summary TEXT NOT NULL,
	counterparty TEXT NOT NULL DEFAULT '',
	source_ref TEXT NOT NULL DEFAULT '',
	decision TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	reverses_id BIGINT REFERENCES fin_entries(id),
	entered_by BIGINT NOT NULL,
	entered_by_name TEXT NOT NULL DEFAULT '',
	entered_at TIMESTAMPTZ NOT NULL,
	leaf_index BIGINT,
	UNIQUE (community_id, year, voucher_no)
);
CREATE INDEX fin_entries_period ON fin_entries(community_id, period, entry_date, voucher_no);
CREATE INDEX fin_entries_account ON fin_entries(community_id, account_id, entry_date);
CREATE UNIQUE INDEX fin_entries_reversal ON fin_entries(reverses_id) WHERE reverses_id IS NOT NULL;

-- Receipts: files are content-addressed by SHA-256 in the data directory.
CREATE TABLE fin_attachments (
	id BIGSERIAL PRIMARY KEY,
	community_id BIGINT NOT NULL REFERENCES org_units(id),
	entry_id BIGINT NOT NULL REFERENCES fin_entries(id),
	sha256 TEXT NOT NULL,
	name TEXT NOT NULL,
	mime TEXT NOT NULL,
	size BIGINT NOT NULL,
	cleared BIGINT NOT NULL DEFAULT 0,
	cleared_by BIGINT,
	cleared_at TIMESTAMPTZ,
	added_by BIGINT NOT NULL,
	added_at TIMESTAMPTZ NOT NULL,
	UNIQUE (entry_id, sha256)
);
CREATE INDEX fin_attachments_community ON fin_attachments(community_id, entry_id);

-- Monthly periods once closed: status closed → returned ⇄ closed → published.
CREATE TABLE fin_periods (
	id BIGSERIAL PRIMARY KEY,
	community_id BIGINT NOT NULL REFERENCES org_units(id),
	period BIGINT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('closed', 'returned', 'published')),
	statement TEXT NOT NULL,
	statement_sha256 TEXT NOT NULL,
	income BIGINT NOT NULL DEFAULT 0,
	expense BIGINT NOT NULL DEFAULT 0,
	closed_at TIMESTAMPTZ NOT NULL,
	closed_by BIGINT NOT NULL,
	published_at TIMESTAMPTZ,
	published_by BIGINT,
	leaf_index BIGINT,
	UNIQUE (community_id, period)
);
CREATE INDEX fin_periods_status ON fin_periods(status, period);

-- The review conversation of a period.
CREATE TABLE fin_period_notes (
	id BIGSERIAL PRIMARY KEY,
	community_id BIGINT NOT NULL REFERENCES org_units(id),
	period_id BIGINT NOT NULL REFERENCES fin_periods(id),
	kind TEXT NOT NULL CHECK (kind IN ('close', 'return', 'answer', 'approve')),
	body TEXT NOT NULL DEFAULT '',
	author_id BIGINT NOT NULL,
	author_name TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX fin_period_notes_period ON fin_period_notes(period_id, id);

-- Special disclosures, public with their period's statement.
CREATE TABLE fin_subsidies (
	id BIGSERIAL PRIMARY KEY,
	community_id BIGINT NOT NULL REFERENCES org_units(id),
	period BIGINT NOT NULL,
	person TEXT NOT NULL,
	post TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL CHECK (kind IN ('subsidy', 'bonus')),
	amount BIGINT NOT NULL CHECK (amount > 0),
	basis TEXT NOT NULL,
	entered_by BIGINT NOT NULL,
	entered_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX fin_subsidies_period ON fin_subsidies(community_id, period);

CREATE TABLE fin_donations (
	id BIGSERIAL PRIMARY KEY,
	community_id BIGINT NOT NULL REFERENCES org_units(id),
	period BIGINT NOT NULL,
	received_on TEXT NOT NULL,
	donor TEXT NOT NULL DEFAULT '',
	item TEXT NOT NULL,
	unit TEXT NOT NULL DEFAULT '',
	quantity BIGINT NOT NULL CHECK (quantity >= 0),
	value BIGINT NOT NULL CHECK (value >= 0),
	note TEXT NOT NULL DEFAULT '',
	entered_by BIGINT NOT NULL,
	entered_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX fin_donations_period ON fin_donations(community_id, period);

CREATE TABLE fin_distributions (
	id BIGSERIAL PRIMARY KEY,
	community_id BIGINT NOT NULL REFERENCES org_units(id),
	donation_id BIGINT NOT NULL REFERENCES fin_donations(id),
	period BIGINT NOT NULL,
	distributed_on TEXT NOT NULL,
	household TEXT NOT NULL,
	quantity BIGINT NOT NULL CHECK (quantity >= 0),
	value BIGINT NOT NULL CHECK (value >= 0),
	entered_by BIGINT NOT NULL,
	entered_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX fin_distributions_donation ON fin_distributions(community_id, donation_id, distributed_on);

CREATE TABLE fin_fees (
	id BIGSERIAL PRIMARY KEY,
	community_id BIGINT NOT NULL REFERENCES org_units(id),
	period BIGINT NOT NULL,
	fee_type TEXT NOT NULL,
	payers BIGINT NOT NULL CHECK (payers >= 0),
	amount BIGINT NOT NULL CHECK (amount >= 0),
	note TEXT NOT NULL DEFAULT '',
	entered_by BIGINT NOT NULL,
	entered_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX fin_fees_period ON fin_fees(community_id, period);
