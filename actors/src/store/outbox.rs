//! Writing a change's outbox inside its transaction: its events, its notifications
//! (each with its `notification` event), and the fan-out of one event to the friends
//! allowed to see it — ids allocated for every recipient in one statement, each copy
//! linked to the entry it copies (see `retraction.rs`).

/// Bumps the event counter of every friend of `$1` who may see an entry (public when
/// `$2`), not blocked either way, and returns each one's new id.
pub(crate) const FANOUT_NEXT_IDS: &str = "UPDATE users SET last_event_id = last_event_id + 1 \
    WHERE id IN (SELECT f.friend_id FROM friendships f JOIN users a ON a.id = f.user_id \
        WHERE f.user_id = $1 AND ($2 OR a.mood_visibility <> 'private') \
        AND NOT EXISTS (SELECT 1 FROM blocks b \
            WHERE (b.blocker_id = f.user_id AND b.blocked_id = f.friend_id) \
               OR (b.blocker_id = f.friend_id AND b.blocked_id = f.user_id))) \
    RETURNING id, last_event_id";

/// The author of a fan-out and the friends [`FANOUT_NEXT_IDS`] may allocate ids for,
/// locked in id order first (PostgreSQL; see `locks.rs`). The author's row is in the
/// set so that a change of their privacy (which updates that row) or their account's
/// deletion and a fan-out of theirs queue on each other (see `retraction.rs`). The
/// lock is `NO KEY UPDATE`, the one the id allocation takes anyway: unlike `FOR
/// UPDATE` it does not wait for the key-share lock that inserting a row referencing a
/// user takes, which other writers take outside the id order (a hug batch's rows
/// reference their senders), so a fan-out holding lower rows never waits on them.
pub(crate) const FANOUT_LOCK: &str = "SELECT id FROM users \
    WHERE id = $1 OR id IN (SELECT f.friend_id FROM friendships f WHERE f.user_id = $1) \
    ORDER BY id FOR NO KEY UPDATE";

/// Recipients per multi-row insert of fan-out events (7 values each).
pub(crate) const FANOUT_CHUNK: usize = 1_000;

/// Values bound per fan-out event: user, id, kind, data, time, author, entry.
pub(crate) const FANOUT_VALUES: usize = 7;

/// The head of a fan-out insert, before its values.
pub(crate) const FANOUT_INSERT_HEAD: &str =
    "INSERT INTO events (user_id, id, kind, data, created_at, author_id, entry_id)";

macro_rules! impl_outbox_writes {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Writes `outbox` inside `tx` and returns the events it appended, in order:
            /// its own events, then each notification's event, then the fan-out. A
            /// fan-out's earlier copies that it retracts are retracted before anything
            /// is appended; the change took [`Self::lock_outbox_users`] first.
            async fn write_outbox(
                tx: &mut sqlx::Transaction<'_, $db>,
                outbox: &$crate::domain::outbox::Outbox,
            ) -> $crate::error::EngineResult<Vec<$crate::domain::event::Event>> {
                if let Some(fanout) = &outbox.fanout {
                    Self::retract_earlier(tx, fanout).await?;
                }
                let mut written = Vec::new();
                for event in &outbox.events {
                    written.extend(Self::append_event(tx, event).await?);
                }
                for notification in &outbox.notifications {
                    Self::insert_notification_query(notification)
                        .execute(&mut **tx)
                        .await?;
                    written.extend(Self::append_event(tx, &notification.to_event()).await?);
                }
                if let Some(fanout) = &outbox.fanout {
                    written.extend(Self::fan_out(tx, fanout).await?);
                }
                Ok(written)
            }

            /// Locks the users of `outbox`'s fan-out, if it has one, before the change
            /// writes anything: a write that references the author (a foreign key takes
            /// a share lock on their row) would otherwise hold that row outside the id
            /// order every other writer locks in, and deadlock with a hug batch.
            async fn lock_outbox_users(
                tx: &mut sqlx::Transaction<'_, $db>,
                outbox: &$crate::domain::outbox::Outbox,
            ) -> $crate::error::EngineResult<()> {
                match &outbox.fanout {
                    Some(fanout) => Self::lock_fanout(tx, fanout.author).await,
                    None => Ok(()),
                }
            }

            /// Locks a fan-out's users, author included (PostgreSQL only; see `FANOUT_LOCK`).
            async fn lock_fanout(
                tx: &mut sqlx::Transaction<'_, $db>,
                author: uuid::Uuid,
            ) -> $crate::error::EngineResult<()> {
                if $crate::store::locks::takes_row_locks::<$db>() {
                    sqlx::query($crate::store::outbox::FANOUT_LOCK)
                        .bind(author)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }

            /// Ends a change of one row: when `changed` is not 1 nothing is written (the
            /// transaction rolls back) and the answer is `None`; otherwise the outbox is
            /// written, the transaction committed, and the appended events returned.
            async fn commit_with_outbox(
                mut tx: sqlx::Transaction<'_, $db>,
                changed: u64,
                outbox: &$crate::domain::outbox::Outbox,
            ) -> $crate::error::EngineResult<Option<Vec<$crate::domain::event::Event>>> {
                if changed != 1 {
                    return Ok(None);
                }
                let appended = Self::write_outbox(&mut tx, outbox).await?;
                tx.commit().await?;
                Ok(Some(appended))
            }

            async fn fan_out(
                tx: &mut sqlx::Transaction<'_, $db>,
                fanout: &$crate::domain::outbox::FriendFanout,
            ) -> $crate::error::EngineResult<Vec<$crate::domain::event::Event>> {
                let recipients: Vec<(uuid::Uuid, i64)> =
                    sqlx::query_as($crate::store::outbox::FANOUT_NEXT_IDS)
                        .bind(fanout.author)
                        .bind(fanout.public)
                        .fetch_all(&mut **tx)
                        .await?;
                use $crate::store::markers::{values_sql, Markers};
                use $crate::store::outbox as ob;
                let data = fanout.data.to_string();
                for chunk in recipients.chunks(ob::FANOUT_CHUNK) {
                    let sql = values_sql(
                        Markers::of::<$db>(),
                        ob::FANOUT_INSERT_HEAD,
                        chunk.len(),
                        ob::FANOUT_VALUES,
                    );
                    let mut query = sqlx::query(&sql);
                    for (user, id) in chunk {
                        query = query
                            .bind(*user)
                            .bind(*id)
                            .bind(fanout.kind.as_str())
                            .bind(data.as_str())
                            .bind(fanout.created_at)
                            .bind(fanout.author)
                            .bind(fanout.entry);
                    }
                    query.execute(&mut **tx).await?;
                }
                Ok(recipients
                    .into_iter()
                    .map(|(user_id, id)| $crate::domain::event::Event {
                        user_id,
                        id,
                        kind: fanout.kind,
                        data: data.clone(),
                        created_at: fanout.created_at,
                    })
                    .collect())
            }
        }
    };
}
pub(crate) use impl_outbox_writes;
