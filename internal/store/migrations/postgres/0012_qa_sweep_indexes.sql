-- The minute's sweep for reminders and overdue notices reads the open
-- items by deadline and the notices already made for them. Without these
-- it scanned every item ever received (a fifth of a second on a city's
-- five years) and looked up each notice on its own, once a minute.
CREATE INDEX qa_items_open_due ON qa_items(reply_due) WHERE status IN ('received', 'studying', 'referred');
CREATE INDEX qa_notifications_item ON qa_notifications(item_id);
