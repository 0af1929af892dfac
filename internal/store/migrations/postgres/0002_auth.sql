-- Accounts. An account logs in by username or phone (at least one is set);
-- both are unique when present (NULL when absent, so many accounts may
-- lack one). A resident who registers is pending until a cadre of
-- community_id verifies or rejects the registration.
CREATE TABLE users (
	id BIGSERIAL PRIMARY KEY,
	username TEXT UNIQUE,
	phone TEXT UNIQUE,
	name TEXT NOT NULL DEFAULT '',
	building_unit TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('active', 'pending', 'rejected', 'disabled')),
	community_id BIGINT REFERENCES org_units(id),
	reject_reason TEXT NOT NULL DEFAULT '',
	reviewed_by BIGINT REFERENCES users(id),
	reviewed_at TIMESTAMPTZ,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	password_changed_at TIMESTAMPTZ NOT NULL,
	last_login_at TIMESTAMPTZ,
	CHECK (username IS NOT NULL OR phone IS NOT NULL)
);
CREATE INDEX users_community_status ON users(community_id, status);

-- Roles on org units. A revoked grant keeps its row (revoked_at set), so
-- who held which role when stays answerable; at most one live grant per
-- user, role and unit.
CREATE TABLE role_grants (
	id BIGSERIAL PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users(id),
	role TEXT NOT NULL CHECK (role IN ('resident', 'cadre', 'supervisor', 'party_secretary', 'clerk', 'street_officer', 'district_admin')),
	unit_id BIGINT NOT NULL REFERENCES org_units(id),
	granted_by BIGINT REFERENCES users(id),
	granted_at TIMESTAMPTZ NOT NULL,
	revoked_by BIGINT REFERENCES users(id),
	revoked_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX role_grants_live ON role_grants(user_id, role, unit_id) WHERE revoked_at IS NULL;
CREATE INDEX role_grants_unit ON role_grants(unit_id, role);

-- Sessions live in the database so any number of app nodes can serve them.
-- Only the SHA-256 of the token is stored; id is a short public handle
-- (a prefix of that hash) for pages that list or end sessions.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL REFERENCES users(id),
	ip TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	last_seen_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Failed logins, for throttling per account and per address. account_key
-- names the account ("user:42") or, for a login that matches no account,
-- the login as typed, so unknown logins are throttled the same way.
CREATE TABLE login_failures (
	id BIGSERIAL PRIMARY KEY,
	account_key TEXT NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_account ON login_failures(account_key, failed_at);
CREATE INDEX login_failures_ip ON login_failures(ip, failed_at);

-- A lock on an account key ("user:42", "login:…") or an address ("ip:…").
CREATE TABLE login_locks (
	lock_key TEXT PRIMARY KEY,
	locked_until TIMESTAMPTZ NOT NULL
);
