-- Community finances (internal/finance, docs/finance.md). Money is an
-- integer number of 分; dates are 'YYYY-MM-DD' text in Asia/Shanghai;
-- periods are integers YYYYMM. Nothing here is updated in place once
-- published, and entries are never edited or deleted: a correction is a
-- reversing entry (红字冲销) that names the original.

-- Rules per district (DOMAIN.md: thresholds live in one table, not in code).
CREATE TABLE fin_rules (
	district_id INTEGER PRIMARY KEY REFERENCES org_units(id),
	expense_threshold INTEGER NOT NULL,
	close_due_day INTEGER NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by INTEGER NOT NULL DEFAULT 0
);

-- The category tree (科目) of a district, seeded from the defaults.
CREATE TABLE fin_categories (
	id INTEGER PRIMARY KEY,
	district_id INTEGER NOT NULL REFERENCES org_units(id),
	parent_id INTEGER REFERENCES fin_categories(id),
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	direction TEXT NOT NULL CHECK (direction IN ('income', 'expense')),
	position INTEGER NOT NULL DEFAULT 0,
	archived INTEGER NOT NULL DEFAULT 0,
	UNIQUE (district_id, code),
	UNIQUE (district_id, name)
);

-- A community's books: the first month they cover.
CREATE TABLE fin_books (
	community_id INTEGER PRIMARY KEY REFERENCES org_units(id),
	start_period INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE fin_accounts (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('cash', 'bank', 'earmarked')),
	opening INTEGER NOT NULL DEFAULT 0 CHECK (opening >= 0),
	position INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL,
	UNIQUE (community_id, name)
);

-- The last voucher number given per community and year; the row is
-- updated inside the transaction that posts the entry, so numbers have no
-- gaps (a rolled-back post gives its number back).
CREATE TABLE fin_voucher_seq (
	community_id INTEGER NOT NULL,
	year INTEGER NOT NULL,
	last_no INTEGER NOT NULL,
	PRIMARY KEY (community_id, year)
);

CREATE TABLE fin_entries (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	account_id INTEGER NOT NULL REFERENCES fin_accounts(id),
	year INTEGER NOT NULL,
	voucher_no INTEGER NOT NULL,
	entry_date TEXT NOT NULL,
	period INTEGER NOT NULL,
	direction TEXT NOT NULL CHECK (direction IN ('income', 'expense')),
	category_id INTEGER NOT NULL REFERENCES fin_categories(id),
	amount INTEGER NOT NULL,
	summary TEXT NOT NULL,
	counterparty TEXT NOT NULL DEFAULT '',
	source_ref TEXT NOT NULL DEFAULT '',
	decision TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	reverses_id INTEGER REFERENCES fin_entries(id),
	entered_by INTEGER NOT NULL,
	entered_by_name TEXT NOT NULL DEFAULT '',
	entered_at TIMESTAMP NOT NULL,
	leaf_index INTEGER,
	UNIQUE (community_id, year, voucher_no)
);
CREATE INDEX fin_entries_period ON fin_entries(community_id, period, entry_date, voucher_no);
CREATE INDEX fin_entries_account ON fin_entries(community_id, account_id, entry_date);
CREATE UNIQUE INDEX fin_entries_reversal ON fin_entries(reverses_id) WHERE reverses_id IS NOT NULL;

-- Receipts: files are content-addressed by SHA-256 in the data directory.
CREATE TABLE fin_attachments (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	entry_id INTEGER NOT NULL REFERENCES fin_entries(id),
	sha256 TEXT NOT NULL,
	name TEXT NOT NULL,
	mime TEXT NOT NULL,
	size INTEGER NOT NULL,
	cleared INTEGER NOT NULL DEFAULT 0,
	cleared_by INTEGER,
	cleared_at TIMESTAMP,
	added_by INTEGER NOT NULL,
	added_at TIMESTAMP NOT NULL,
	UNIQUE (entry_id, sha256)
);
CREATE INDEX fin_attachments_community ON fin_attachments(community_id, entry_id);

-- Monthly periods once closed: status closed → returned ⇄ closed → published.
CREATE TABLE fin_periods (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	period INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('closed', 'returned', 'published')),
	statement TEXT NOT NULL,
	statement_sha256 TEXT NOT NULL,
	income INTEGER NOT NULL DEFAULT 0,
	expense INTEGER NOT NULL DEFAULT 0,
	closed_at TIMESTAMP NOT NULL,
	closed_by INTEGER NOT NULL,
	published_at TIMESTAMP,
	published_by INTEGER,
	leaf_index INTEGER,
	UNIQUE (community_id, period)
);
CREATE INDEX fin_periods_status ON fin_periods(status, period);

-- The review conversation of a period.
CREATE TABLE fin_period_notes (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	period_id INTEGER NOT NULL REFERENCES fin_periods(id),
	kind TEXT NOT NULL CHECK (kind IN ('close', 'return', 'answer', 'approve')),
	body TEXT NOT NULL DEFAULT '',
	author_id INTEGER NOT NULL,
	author_name TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX fin_period_notes_period ON fin_period_notes(period_id, id);

-- Special disclosures, public with their period's statement.
CREATE TABLE fin_subsidies (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	period INTEGER NOT NULL,
	person TEXT NOT NULL,
	post TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL CHECK (kind IN ('subsidy', 'bonus')),
	amount INTEGER NOT NULL CHECK (amount > 0),
	basis TEXT NOT NULL,
	entered_by INTEGER NOT NULL,
	entered_at TIMESTAMP NOT NULL
);
CREATE INDEX fin_subsidies_period ON fin_subsidies(community_id, period);

CREATE TABLE fin_donations (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	period INTEGER NOT NULL,
	received_on TEXT NOT NULL,
	donor TEXT NOT NULL DEFAULT '',
	item TEXT NOT NULL,
	unit TEXT NOT NULL DEFAULT '',
	quantity INTEGER NOT NULL CHECK (quantity >= 0),
	value INTEGER NOT NULL CHECK (value >= 0),
	note TEXT NOT NULL DEFAULT '',
	entered_by INTEGER NOT NULL,
	entered_at TIMESTAMP NOT NULL
);
CREATE INDEX fin_donations_period ON fin_donations(community_id, period);

CREATE TABLE fin_distributions (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	donation_id INTEGER NOT NULL REFERENCES fin_donations(id),
	period INTEGER NOT NULL,
	distributed_on TEXT NOT NULL,
	household TEXT NOT NULL,
	quantity INTEGER NOT NULL CHECK (quantity >= 0),
	value INTEGER NOT NULL CHECK (value >= 0),
	entered_by INTEGER NOT NULL,
	entered_at TIMESTAMP NOT NULL
);
CREATE INDEX fin_distributions_donation ON fin_distributions(community_id, donation_id, distributed_on);

CREATE TABLE fin_fees (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	period INTEGER NOT NULL,
	fee_type TEXT NOT NULL,
	payers INTEGER NOT NULL CHECK (payers >= 0),
	amount INTEGER NOT NULL CHECK (amount >= 0),
	note TEXT NOT NULL DEFAULT '',
	entered_by INTEGER NOT NULL,
	entered_at TIMESTAMP NOT NULL
);
CREATE INDEX fin_fees_period ON fin_fees(community_id, period);
