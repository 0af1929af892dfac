-- The inbox serves every feature now (the 提问栏, complaints, the finance
-- review), so its tables lose the qa_ prefix. SQLite cannot rename an
-- index, so the indexes are made again under the new names.
ALTER TABLE qa_notifications RENAME TO notices;
ALTER TABLE qa_mail_prefs RENAME TO mail_prefs;
DROP INDEX qa_notifications_user;
DROP INDEX qa_notifications_dedup;
DROP INDEX qa_notifications_item;
CREATE INDEX notices_user ON notices(user_id, id);
CREATE UNIQUE INDEX notices_dedup ON notices(user_id, dedup) WHERE dedup <> '';
CREATE INDEX notices_item ON notices(item_id);
