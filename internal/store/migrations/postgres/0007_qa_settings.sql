-- Settings of the 提问栏 that a district admin keeps (internal/qa/settings.go).

-- Official calendar rows a district admin added: a newly announced year,
-- or a correction. They are laid over the rows compiled into Mingbai, a
-- later row for the same date winning. day is the Shanghai date,
-- YYYY-MM-DD.
CREATE TABLE qa_calendar_days (
	id BIGSERIAL PRIMARY KEY,
	district_id BIGINT NOT NULL REFERENCES org_units(id),
	day TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
	name TEXT NOT NULL,
	created_by BIGINT REFERENCES users(id),
	created_at TIMESTAMPTZ NOT NULL,
	UNIQUE (district_id, day)
);

-- Every change of a district's qa settings: who, when, what was before and
-- what after. subject is a rule's column name, or calendar.
CREATE TABLE qa_settings_log (
	id BIGSERIAL PRIMARY KEY,
	district_id BIGINT NOT NULL REFERENCES org_units(id),
	subject TEXT NOT NULL,
	old_value TEXT NOT NULL,
	new_value TEXT NOT NULL,
	changed_by BIGINT REFERENCES users(id),
	changed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX qa_settings_log_district ON qa_settings_log(district_id, id);
