-- A polling client's ETag counts the tombstones of its user's log (a retraction changes
-- what the log answers without a new id); find them without reading the log's rows.
CREATE INDEX events_retracted ON events (user_id) WHERE retracted;
