-- Every account belongs to one district, its home: the district it was
-- created in by an administrator or registered in. A district admin lists,
-- reads and changes only the accounts of the districts it administers.
-- Back-filled from the community registered in, else from the account's
-- oldest live role, else (a deployment with one district) that district.
ALTER TABLE users ADD COLUMN district_id INTEGER REFERENCES org_units(id);
UPDATE users SET district_id = (SELECT u.district_id FROM org_units u WHERE u.id = users.community_id)
	WHERE community_id IS NOT NULL;
UPDATE users SET district_id = (
		SELECT CASE WHEN u.kind = 'district' THEN u.id ELSE u.district_id END
		FROM role_grants g JOIN org_units u ON u.id = g.unit_id
		WHERE g.user_id = users.id AND g.revoked_at IS NULL ORDER BY g.id LIMIT 1)
	WHERE district_id IS NULL;
UPDATE users SET district_id = (SELECT MIN(id) FROM org_units WHERE kind = 'district')
	WHERE district_id IS NULL AND (SELECT COUNT(*) FROM org_units WHERE kind = 'district') = 1;
CREATE INDEX users_district ON users(district_id, id);

-- A burst of failed logins on one account from one address: opened at the
-- fifth failure of the pair within the throttling window, extended while
-- failures go on. Kept for 30 days so district admins see attacks on their
-- accounts after the failures themselves are purged. user_id is NULL for a
-- login that matches no account.
CREATE TABLE login_bursts (
	id INTEGER PRIMARY KEY,
	account_key TEXT NOT NULL,
	user_id INTEGER REFERENCES users(id),
	ip TEXT NOT NULL DEFAULT '',
	failures INTEGER NOT NULL,
	first_at TIMESTAMP NOT NULL,
	last_at TIMESTAMP NOT NULL
);
CREATE INDEX login_bursts_pair ON login_bursts(account_key, ip, last_at);
CREATE INDEX login_bursts_last ON login_bursts(last_at);

-- Registrations submitted, per address, for throttling POST /register.
CREATE TABLE register_attempts (
	id INTEGER PRIMARY KEY,
	ip TEXT NOT NULL,
	at TIMESTAMP NOT NULL
);
CREATE INDEX register_attempts_ip ON register_attempts(ip, at);

-- Random keys shared by every app node (the CSRF tokens' MAC key), made on
-- first use.
CREATE TABLE site_keys (
	name TEXT NOT NULL PRIMARY KEY,
	secret BLOB NOT NULL
);

-- Accounts and addresses are no longer locked: failures are throttled per
-- account and address together, counted from login_failures by the pair.
DROP TABLE login_locks;
CREATE INDEX login_failures_pair ON login_failures(account_key, ip, failed_at);
