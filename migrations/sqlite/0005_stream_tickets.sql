-- One-time tickets for EventSource clients (which cannot send headers). A ticket is
-- deleted when redeemed; expired ones are pruned.
CREATE TABLE stream_tickets (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
);
CREATE INDEX stream_tickets_expires ON stream_tickets (expires_at);
