//! Retraction of copied moods. A `mood_update` copies an entry into friends' logs; when
//! the entry stops being visible to a reader — it is deleted, or made not public while
//! the author's moods are private, the author changes `moodVisibility` to private, the
//! two stop being friends (unfriend, block), or the author's account is deleted — the
//! copy is taken back, in the transaction of that change.
//!
//! A fan-out event records the entry it copies and its author (`entry_id`,
//! `author_id`, indexed where set), so every cause finds its copies by index probes.
//! A retracted event becomes a tombstone: its content is erased, its links cleared
//! (it leaves both indexes), and no read answers it; its id keeps its place in the
//! log, so a resume after it, or across it, still tells a retraction from a pruned
//! log (see `api/src/feed.rs`). Tombstones are pruned with the rest of the log.
//!
//! On PostgreSQL, a change that retracts first locks a user row that the fan-out it
//! must not race locks too (in ascending id order, `locks.rs`): a fan-out locks its
//! author and the author's friends; an unfriend or block locks both users; a switch to
//! private moods locks the author (its update does) and an account's deletion too. So
//! a fan-out that read the old state commits before the retraction reads, or one that
//! comes after reads the new state.

/// `UPDATE events` making the matched events tombstones, then `WHERE <condition>`.
macro_rules! retract_where {
    ($condition:literal) => {
        concat!(
            "UPDATE events SET retracted = true, data = '{}', author_id = NULL, entry_id = NULL WHERE ",
            $condition
        )
    };
}

/// Every copy of entry `$1`.
pub(crate) const RETRACT_ENTRY: &str = retract_where!("entry_id = $1");

/// Every copy of entry `$1` when its author `$2` keeps moods private.
pub(crate) const RETRACT_ENTRY_IF_PRIVATE: &str = retract_where!(
    "entry_id = $1 AND EXISTS (SELECT 1 FROM users WHERE id = $2 AND mood_visibility = 'private')"
);

/// The copies of `$1`'s entries in `$2`'s log.
pub(crate) const RETRACT_AUTHOR_IN_LOG: &str = retract_where!("author_id = $1 AND user_id = $2");

/// The copies of `$1`'s entries that are not public.
pub(crate) const RETRACT_NOT_PUBLIC: &str = retract_where!(
    "entry_id IN (SELECT id FROM mood_entries WHERE user_id = $1 AND is_public = false)"
);

/// Up to `$2` copies of `$1`'s entries, in any log.
pub(crate) const RETRACT_AUTHOR_CHUNK: &str = retract_where!(
    "(user_id, id) IN (SELECT user_id, id FROM events WHERE author_id = $1 LIMIT $2)"
);

/// Every copy of `$1`'s entries, in any log.
pub(crate) const RETRACT_AUTHOR: &str = retract_where!("author_id = $1");

/// Locks the rows of users `$1` and `$2` in id order, as a fan-out locks them
/// (PostgreSQL; see `outbox.rs`, `FANOUT_LOCK`).
pub(crate) const PAIR_LOCK: &str =
    "SELECT id FROM users WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE";

/// Copies retracted per statement before an account is deleted, so a prolific author
/// with many friends never holds the writer for long.
pub(crate) const RETRACT_CHUNK: i64 = 5_000;

macro_rules! impl_retraction {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Retracts the earlier copies of the fan-out's entry that it asks for.
            /// Call with [`Self::lock_outbox_users`] held.
            async fn retract_earlier(
                tx: &mut sqlx::Transaction<'_, $db>,
                fanout: &$crate::domain::outbox::FriendFanout,
            ) -> $crate::error::EngineResult<u64> {
                use $crate::domain::outbox::Retract;
                use $crate::store::retraction as r;
                let query = match fanout.retract {
                    Retract::Nothing => return Ok(0),
                    Retract::Everywhere => sqlx::query(r::RETRACT_ENTRY).bind(fanout.entry),
                    Retract::IfPrivate => sqlx::query(r::RETRACT_ENTRY_IF_PRIVATE)
                        .bind(fanout.entry)
                        .bind(fanout.author),
                };
                Ok(query.execute(&mut **tx).await?.rows_affected())
            }

            /// Locks `a` and `b` (PostgreSQL) before a change that ends their
            /// friendship; [`Self::retract_between`] then follows it.
            async fn lock_pair(
                tx: &mut sqlx::Transaction<'_, $db>,
                a: uuid::Uuid,
                b: uuid::Uuid,
            ) -> $crate::error::EngineResult<()> {
                if $crate::store::locks::takes_row_locks::<$db>() {
                    sqlx::query($crate::store::retraction::PAIR_LOCK)
                        .bind(a)
                        .bind(b)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }

            /// Retracts the copies of each one's entries from the other's log.
            async fn retract_between(
                tx: &mut sqlx::Transaction<'_, $db>,
                a: uuid::Uuid,
                b: uuid::Uuid,
            ) -> $crate::error::EngineResult<u64> {
                let mut retracted = 0;
                for (author, reader) in [(a, b), (b, a)] {
                    retracted += sqlx::query($crate::store::retraction::RETRACT_AUTHOR_IN_LOG)
                        .bind(author)
                        .bind(reader)
                        .execute(&mut **tx)
                        .await?
                        .rows_affected();
                }
                Ok(retracted)
            }

            /// Retracts the copies of `author`'s entries that are not public (their
            /// moods just became private). Call with `author`'s row locked.
            async fn retract_not_public(
                tx: &mut sqlx::Transaction<'_, $db>,
                author: uuid::Uuid,
            ) -> $crate::error::EngineResult<u64> {
                Ok(sqlx::query($crate::store::retraction::RETRACT_NOT_PUBLIC)
                    .bind(author)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected())
            }

            /// Retracts the copies of `author`'s entries from every log, a chunk per
            /// statement, outside any transaction: the account's deletion retracts
            /// what is left (written meanwhile) in its own.
            async fn retract_authored_in_chunks(
                &self,
                author: uuid::Uuid,
            ) -> $crate::error::EngineResult<u64> {
                use $crate::store::retraction as r;
                let mut retracted = 0;
                loop {
                    let done = sqlx::query(r::RETRACT_AUTHOR_CHUNK)
                        .bind(author)
                        .bind(r::RETRACT_CHUNK)
                        .execute(self.writer())
                        .await?
                        .rows_affected();
                    retracted += done;
                    if done < r::RETRACT_CHUNK as u64 {
                        return Ok(retracted);
                    }
                }
            }

            /// Retracts every remaining copy of `author`'s entries, with `author`'s
            /// row locked (PostgreSQL) so no fan-out of theirs commits after it.
            async fn retract_authored(
                tx: &mut sqlx::Transaction<'_, $db>,
                author: uuid::Uuid,
            ) -> $crate::error::EngineResult<u64> {
                if $crate::store::locks::takes_row_locks::<$db>() {
                    $crate::store::locks::lock_users(tx, &[author]).await?;
                }
                Ok(sqlx::query($crate::store::retraction::RETRACT_AUTHOR)
                    .bind(author)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected())
            }
        }
    };
}
pub(crate) use impl_retraction;

#[cfg(test)]
mod tests {
    #[test]
    fn a_retraction_erases_and_unlinks() {
        assert_eq!(
            super::RETRACT_ENTRY,
            "UPDATE events SET retracted = true, data = '{}', author_id = NULL, entry_id = NULL \
             WHERE entry_id = $1"
        );
    }
}
