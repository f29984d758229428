-- Mood entries, and the idempotency keys that make retried creates safe.

CREATE TABLE mood_entries (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mood       TEXT NOT NULL,
    intensity  BIGINT NOT NULL,
    valence    DOUBLE PRECISION NOT NULL,
    arousal    DOUBLE PRECISION NOT NULL,
    note       TEXT,
    is_public  BOOLEAN NOT NULL DEFAULT false,
    -- JSON array of strings
    tags       TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX mood_entries_user_time ON mood_entries (user_id, created_at);

-- One row per (user, scope, key): the first answer, replayed to retries for 24 hours.
CREATE TABLE idempotency_keys (
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
