-- The inbox serves every feature now (the 提问栏, complaints, the finance
-- review), so its tables and indexes lose the qa_ prefix.
ALTER TABLE qa_notifications RENAME TO notices;
ALTER TABLE qa_mail_prefs RENAME TO mail_prefs;
ALTER INDEX qa_notifications_user RENAME TO notices_user;
ALTER INDEX qa_notifications_dedup RENAME TO notices_dedup;
ALTER INDEX qa_notifications_item RENAME TO notices_item;
