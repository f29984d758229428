-- Saved hugs ("hug jar"): named collections of hugs their owner received.

CREATE TABLE collections (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX collections_user ON collections (user_id, created_at);

CREATE TABLE collection_hugs (
    collection_id UUID NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    hug_id        UUID NOT NULL REFERENCES hugs (id) ON DELETE CASCADE,
    added_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (collection_id, hug_id)
);
CREATE INDEX collection_hugs_hug ON collection_hugs (hug_id);
