-- Accounts, sessions, friendships, blocks and the notification inbox.
-- Ids are UUID blobs; times are RFC 3339 text in UTC (microsecond precision).

CREATE TABLE users (
    id              BLOB PRIMARY KEY NOT NULL,
    username        TEXT NOT NULL,
    email           TEXT,
    password_hash   TEXT,
    display_name    TEXT NOT NULL,
    profile_image   TEXT,
    bio             TEXT,
    status          TEXT,
    is_anonymous    INTEGER NOT NULL DEFAULT 0,
    joined_at       TEXT NOT NULL,
    last_active     TEXT NOT NULL,
    mood_visibility TEXT NOT NULL DEFAULT 'friends',
    allow_hugs_from TEXT NOT NULL DEFAULT 'everyone',
    show_online     INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE refresh_tokens (
    id         BLOB PRIMARY KEY NOT NULL,
    family_id  BLOB NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    spent_at   TEXT,
    revoked_at TEXT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE friend_requests (
    id           BLOB PRIMARY KEY NOT NULL,
    from_user    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_user      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_low     BLOB NOT NULL,
    user_high    BLOB NOT NULL,
    status       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    responded_at TEXT
);
CREATE UNIQUE INDEX friend_requests_one_pending ON friend_requests (user_low, user_high) WHERE status = 'pending';
CREATE INDEX friend_requests_to ON friend_requests (to_user, status, created_at);
CREATE INDEX friend_requests_from ON friend_requests (from_user, status, created_at);

CREATE TABLE friendships (
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    friend_id  BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, friend_id)
);
CREATE INDEX friendships_friend ON friendships (friend_id);

CREATE TABLE blocks (
    blocker_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

CREATE TABLE notifications (
    id         BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    data       TEXT NOT NULL,
    is_read    INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
