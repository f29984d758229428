-- The event log stored in the order it is written.
--
-- As a WITHOUT ROWID table keyed by (user_id, id), every appended event landed inside
-- its user's stretch of the table: at high rates most inserts wrote a page of their
-- own somewhere in the middle of the file (and often split it). As a rowid table the
-- rows append at its end, where one page takes many events from many users, and only
-- the small (user_id, id) index entry lands at a random place.

CREATE TABLE events_by_append (
    seq        INTEGER PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id         INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    -- the event's `data`, JSON
    data       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

INSERT INTO events_by_append (user_id, id, kind, data, created_at)
    SELECT user_id, id, kind, data, created_at FROM events ORDER BY created_at, user_id, id;

DROP TABLE events;
ALTER TABLE events_by_append RENAME TO events;

CREATE UNIQUE INDEX events_user_id ON events (user_id, id);
CREATE INDEX events_created ON events (created_at);
