-- Sessions that end everywhere, and refresh rotation without races.
--
-- One row per refresh-token family (session). Rotation and revocation of a family
-- both lock its row first, so a revocation cannot miss a token a concurrent rotation
-- is inserting, and a rotation cannot follow a revocation.
CREATE TABLE token_families (
    id         BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX token_families_user ON token_families (user_id);
INSERT INTO token_families (id, user_id, created_at, revoked_at)
    SELECT family_id, user_id, MIN(created_at), MAX(revoked_at)
    FROM refresh_tokens GROUP BY family_id, user_id;

-- A spent token names its successor and keeps the successor's secret sealed with a key
-- only the spent token's holder can derive: a second use within the grace window (two
-- tabs refreshing at once) answers the same successor.
ALTER TABLE refresh_tokens ADD COLUMN successor_id BLOB;
ALTER TABLE refresh_tokens ADD COLUMN successor_sealed TEXT;

-- The session a stream ticket was minted in, so its stream ends with the session.
ALTER TABLE stream_tickets ADD COLUMN family_id BLOB;

-- Every end of a session (family_id) or of an account (family_id NULL), which every
-- node re-reads to converge when it missed the bus message. No foreign key: an
-- account's end outlives the account. Rows are pruned after the longest access-token
-- lifetime.
CREATE TABLE session_revocations (
    user_id    BLOB NOT NULL,
    family_id  BLOB,
    revoked_at TEXT NOT NULL
);
CREATE INDEX session_revocations_at ON session_revocations (revoked_at);
