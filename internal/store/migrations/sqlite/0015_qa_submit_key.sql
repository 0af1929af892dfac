-- A question, suggestion or complaint form carries a random key made when
-- the form was shown (qa.NewSubmitKey); the item keeps the key's SHA-256.
-- Sending the same form again (a retry after the server went down just as
-- it committed) finds the first submission by its key and returns its
-- tracking code instead of storing a second one or refusing it as a
-- duplicate. NULL for items recorded before this column and for clients
-- that send no key. Private: no page, feed, export or API shows it.
ALTER TABLE qa_items ADD COLUMN submit_key TEXT;
CREATE UNIQUE INDEX qa_items_submit_key ON qa_items(community_id, submit_key) WHERE submit_key IS NOT NULL;
ALTER TABLE qa_complaints ADD COLUMN submit_key TEXT;
CREATE UNIQUE INDEX qa_complaints_submit_key ON qa_complaints(community_id, submit_key) WHERE submit_key IS NOT NULL;
