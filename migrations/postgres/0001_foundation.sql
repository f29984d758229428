-- Accounts, sessions, friendships, blocks and the notification inbox.
-- Ids are UUIDs; times are timestamptz.

CREATE TABLE users (
    id              UUID PRIMARY KEY,
    username        TEXT NOT NULL,
    email           TEXT,
    password_hash   TEXT,
    display_name    TEXT NOT NULL,
    profile_image   TEXT,
    bio             TEXT,
    status          TEXT,
    is_anonymous    BOOLEAN NOT NULL DEFAULT false,
    joined_at       TIMESTAMPTZ NOT NULL,
    last_active     TIMESTAMPTZ NOT NULL,
    mood_visibility TEXT NOT NULL DEFAULT 'friends',
    allow_hugs_from TEXT NOT NULL DEFAULT 'everyone',
    show_online     BOOLEAN NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE refresh_tokens (
    id         UUID PRIMARY KEY,
    family_id  UUID NOT NULL,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    spent_at   TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE friend_requests (
    id           UUID PRIMARY KEY,
    from_user    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_user      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_low     UUID NOT NULL,
    user_high    UUID NOT NULL,
    status       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    responded_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX friend_requests_one_pending ON friend_requests (user_low, user_high) WHERE status = 'pending';
CREATE INDEX friend_requests_to ON friend_requests (to_user, status, created_at);
CREATE INDEX friend_requests_from ON friend_requests (from_user, status, created_at);

CREATE TABLE friendships (
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    friend_id  UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, friend_id)
);
CREATE INDEX friendships_friend ON friendships (friend_id);

CREATE TABLE blocks (
    blocker_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

CREATE TABLE notifications (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    data       TEXT NOT NULL,
    is_read    BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
