-- 提问栏/回音栏, 意见箱 and 举报投诉 (internal/qa).

-- Deadlines and limits per district (DOMAIN.md defaults when no row).
CREATE TABLE qa_rules (
	district_id INTEGER PRIMARY KEY REFERENCES org_units(id),
	ack_workdays INTEGER NOT NULL,
	reply_workdays INTEGER NOT NULL,
	max_extension_workdays INTEGER NOT NULL,
	reopen_days INTEGER NOT NULL,
	ip_per_hour INTEGER NOT NULL,
	account_per_day INTEGER NOT NULL,
	updated_by INTEGER REFERENCES users(id),
	updated_at TIMESTAMP NOT NULL
);

-- A question or suggestion to a community. contact, user_id and ip are
-- private: no public page shows them. code is the tracking code (查询码).
CREATE TABLE qa_items (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	street_id INTEGER NOT NULL REFERENCES org_units(id),
	district_id INTEGER NOT NULL REFERENCES org_units(id),
	kind TEXT NOT NULL CHECK (kind IN ('question', 'suggestion')),
	code TEXT NOT NULL UNIQUE,
	category TEXT NOT NULL,
	body TEXT NOT NULL,
	body_hash TEXT NOT NULL,
	nickname TEXT NOT NULL DEFAULT '',
	contact TEXT NOT NULL DEFAULT '',
	channel TEXT NOT NULL CHECK (channel IN ('online', 'paper', 'hotline', 'in_person')),
	user_id INTEGER REFERENCES users(id),
	recorded_by INTEGER REFERENCES users(id),
	ip TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('received', 'studying', 'referred', 'replied', 'confirmed', 'merged')),
	received_at TIMESTAMP NOT NULL,
	ack_due TIMESTAMP NOT NULL,
	acknowledged_at TIMESTAMP,
	reply_due TIMESTAMP NOT NULL,
	due_provisional BOOLEAN NOT NULL DEFAULT FALSE,
	extended BOOLEAN NOT NULL DEFAULT FALSE,
	replied_at TIMESTAMP,
	outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'adopted', 'partly', 'not_adopted', 'referred')),
	referred_to INTEGER REFERENCES org_units(id),
	reopened BOOLEAN NOT NULL DEFAULT FALSE,
	confirmed_at TIMESTAMP,
	hidden BOOLEAN NOT NULL DEFAULT FALSE,
	merged_into INTEGER REFERENCES qa_items(id),
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX qa_items_community ON qa_items(community_id, received_at);
CREATE INDEX qa_items_due ON qa_items(community_id, status, reply_due);
CREATE INDEX qa_items_street ON qa_items(street_id, status, reply_due);
CREATE INDEX qa_items_referred ON qa_items(referred_to, status);
CREATE INDEX qa_items_dup ON qa_items(community_id, body_hash, received_at);

-- Photos of an item, kept in the database so app nodes hold no files.
CREATE TABLE qa_photos (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	item_id INTEGER NOT NULL REFERENCES qa_items(id),
	position INTEGER NOT NULL,
	mime TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	data BLOB NOT NULL,
	UNIQUE (item_id, position)
);

-- The timeline of an item: every step, public or not (see qa.Event).
-- leaf_index is the transparency-log leaf of a public fact.
CREATE TABLE qa_events (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	item_id INTEGER NOT NULL REFERENCES qa_items(id),
	kind TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL DEFAULT '',
	unit_id INTEGER REFERENCES org_units(id),
	target_id INTEGER REFERENCES org_units(id),
	actor_id INTEGER REFERENCES users(id),
	due TIMESTAMP,
	leaf_index INTEGER,
	outcome_leaf INTEGER,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX qa_events_item ON qa_events(item_id, id);
CREATE INDEX qa_events_community ON qa_events(community_id, kind, created_at);

-- Answer templates of a community's cadres.
CREATE TABLE qa_templates (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	created_by INTEGER REFERENCES users(id),
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX qa_templates_community ON qa_templates(community_id);

-- Complaints about a community's committee (举报投诉). Addressed to the
-- community's supervision committee and its street; never shown to the
-- community's cadres. name, contact and user_id are the complainant's
-- identity, shown only to handler_id.
CREATE TABLE qa_complaints (
	id INTEGER PRIMARY KEY,
	community_id INTEGER NOT NULL REFERENCES org_units(id),
	street_id INTEGER NOT NULL REFERENCES org_units(id),
	district_id INTEGER NOT NULL REFERENCES org_units(id),
	code TEXT NOT NULL UNIQUE,
	category TEXT NOT NULL,
	body TEXT NOT NULL,
	body_hash TEXT NOT NULL,
	anonymous BOOLEAN NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	contact TEXT NOT NULL DEFAULT '',
	user_id INTEGER REFERENCES users(id),
	ip TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('received', 'handling', 'concluded')),
	handler_id INTEGER REFERENCES users(id),
	outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'substantiated', 'partly', 'unsubstantiated')),
	conclusion TEXT NOT NULL DEFAULT '',
	received_at TIMESTAMP NOT NULL,
	taken_at TIMESTAMP,
	concluded_at TIMESTAMP
);
CREATE INDEX qa_complaints_street ON qa_complaints(street_id, status, received_at);
CREATE INDEX qa_complaints_community ON qa_complaints(community_id, received_at);

-- Submissions per address or account, for the rate limits; rows older
-- than a day are purged.
CREATE TABLE qa_throttle (
	id INTEGER PRIMARY KEY,
	throttle_key TEXT NOT NULL,
	at TIMESTAMP NOT NULL
);
CREATE INDEX qa_throttle_key ON qa_throttle(throttle_key, at);

-- In-app notifications of accounts. community_id is 0 for none.
CREATE TABLE qa_notifications (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	community_id INTEGER NOT NULL,
	item_id INTEGER REFERENCES qa_items(id),
	kind TEXT NOT NULL,
	text TEXT NOT NULL,
	link TEXT NOT NULL DEFAULT '',
	dedup TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	read_at TIMESTAMP,
	emailed_at TIMESTAMP
);
CREATE INDEX qa_notifications_user ON qa_notifications(user_id, id);
CREATE UNIQUE INDEX qa_notifications_dedup ON qa_notifications(user_id, dedup) WHERE dedup <> '';

-- How each account wants notifications by email.
CREATE TABLE qa_mail_prefs (
	user_id INTEGER PRIMARY KEY REFERENCES users(id),
	email TEXT NOT NULL,
	mode TEXT NOT NULL CHECK (mode IN ('none', 'instant', 'daily')),
	last_digest_at TIMESTAMP
);
