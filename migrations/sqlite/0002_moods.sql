-- Mood entries, and the idempotency keys that make retried creates safe.

CREATE TABLE mood_entries (
    id         BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mood       TEXT NOT NULL,
    intensity  INTEGER NOT NULL,
    valence    REAL NOT NULL,
    arousal    REAL NOT NULL,
    note       TEXT,
    is_public  INTEGER NOT NULL DEFAULT 0,
    -- JSON array of strings
    tags       TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX mood_entries_user_time ON mood_entries (user_id, created_at);

-- One row per (user, scope, key): the first answer, replayed to retries for 24 hours.
CREATE TABLE idempotency_keys (
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
