-- The durable per-user event log and hugs.

-- The last event id allocated to each user; bumped in the transaction that appends.
ALTER TABLE users ADD COLUMN last_event_id BIGINT NOT NULL DEFAULT 0;

CREATE TABLE events (
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id         BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    -- the event's `data`, JSON
    data       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, id)
);
CREATE INDEX events_created ON events (created_at);

CREATE TABLE hugs (
    id           UUID PRIMARY KEY,
    sender_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hug_type     TEXT NOT NULL,
    message      TEXT,
    sent_at      TIMESTAMPTZ NOT NULL,
    status       TEXT NOT NULL,
    seen_at      TIMESTAMPTZ
);
CREATE INDEX hugs_recipient ON hugs (recipient_id, sent_at);
CREATE INDEX hugs_sender ON hugs (sender_id, sent_at);
