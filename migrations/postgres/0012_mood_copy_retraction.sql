-- Retraction of copied moods: a `mood_update` copies an entry into friends' logs, and
-- the copy is taken back when the entry stops being visible to its reader.
--
-- A fan-out event records whose entry it copies (`author_id`, `entry_id`), indexed only
-- where set, so each cause of retraction finds the copies by an index probe. A
-- retracted event stays as a tombstone: its content is erased and no read answers it,
-- but its id keeps its place, so a resume across it is not taken for a pruned log.

ALTER TABLE events ADD COLUMN author_id UUID;
ALTER TABLE events ADD COLUMN entry_id UUID;
ALTER TABLE events ADD COLUMN retracted BOOLEAN NOT NULL DEFAULT false;

-- Copies written before: their data names the entry and its author.
UPDATE events SET
    author_id = (data::jsonb ->> 'userId')::uuid,
    entry_id = (data::jsonb ->> 'id')::uuid
WHERE kind = 'mood_update';

-- Copies no longer visible to their reader are retracted now: the reader is no longer
-- the author's friend (unfriended, blocked, either account gone), or the entry is
-- gone (its `deleted` notice stays), or it is not public while the author's moods are
-- private.
UPDATE events SET retracted = true, data = '{}', author_id = NULL, entry_id = NULL
WHERE kind = 'mood_update' AND (
    author_id IS NULL OR entry_id IS NULL
    OR NOT EXISTS (SELECT 1 FROM friendships f
        WHERE f.user_id = events.author_id AND f.friend_id = events.user_id)
    OR EXISTS (SELECT 1 FROM blocks b
        WHERE (b.blocker_id = events.author_id AND b.blocked_id = events.user_id)
           OR (b.blocker_id = events.user_id AND b.blocked_id = events.author_id))
    OR (data::jsonb ->> 'action' <> 'deleted'
        AND NOT EXISTS (SELECT 1 FROM mood_entries m WHERE m.id = events.entry_id))
    OR EXISTS (SELECT 1 FROM mood_entries m JOIN users a ON a.id = m.user_id
        WHERE m.id = events.entry_id AND m.is_public = false AND a.mood_visibility = 'private')
);

CREATE INDEX events_entry ON events (entry_id) WHERE entry_id IS NOT NULL;
CREATE INDEX events_author ON events (author_id, user_id) WHERE author_id IS NOT NULL;
