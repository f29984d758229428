-- The durable per-user event log and hugs.

-- The last event id allocated to each user; bumped in the transaction that appends.
ALTER TABLE users ADD COLUMN last_event_id INTEGER NOT NULL DEFAULT 0;

CREATE TABLE events (
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id         INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    -- the event's `data`, JSON
    data       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, id)
) WITHOUT ROWID;
CREATE INDEX events_created ON events (created_at);

CREATE TABLE hugs (
    id           BLOB PRIMARY KEY NOT NULL,
    sender_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hug_type     TEXT NOT NULL,
    message      TEXT,
    sent_at      TEXT NOT NULL,
    status       TEXT NOT NULL,
    seen_at      TEXT
);
CREATE INDEX hugs_recipient ON hugs (recipient_id, sent_at);
CREATE INDEX hugs_sender ON hugs (sender_id, sent_at);
