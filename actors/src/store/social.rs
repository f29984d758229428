//! Storage of friend requests, friendships, blocks, and the notifications they cause.
//! Ending a friendship (unfriend, block) retracts the copies of each one's moods from
//! the other's log in the same transaction (see `retraction.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::event::Event;
use crate::domain::outbox::Outbox;
use crate::domain::page::{PageRequest, Paged};
use crate::domain::social::{Direction, FriendRequest, RequestStatus};
use crate::domain::user::User;
use crate::error::EngineResult;

/// How two users stand towards each other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Relation {
    pub a_blocks_b: bool,
    pub b_blocks_a: bool,
    pub friends: bool,
}

#[async_trait]
pub trait SocialStore {
    /// How `a` and `b` stand: blocks either way and friendship.
    async fn relation(&self, a: Uuid, b: Uuid) -> EngineResult<Relation>;
    /// Stores a pending request with its outbox (the target's event and notification)
    /// and returns the appended events. A pending request between the two already
    /// (either way) is `Conflict` `request_pending`.
    async fn insert_friend_request(
        &self,
        request: &FriendRequest,
        outbox: &Outbox,
    ) -> EngineResult<Vec<Event>>;
    async fn friend_request(&self, id: Uuid) -> EngineResult<Option<FriendRequest>>;
    /// Pending requests to (incoming) or from (outgoing) `user`, newest first.
    async fn list_friend_requests(
        &self,
        user: Uuid,
        direction: Direction,
        page: PageRequest,
    ) -> EngineResult<Paged<FriendRequest>>;
    /// Moves a pending request to `status` (making the two friends when accepted) and
    /// writes the outbox, in one transaction; returns the appended events. `None` (and
    /// nothing written) if it was not pending.
    async fn respond_friend_request(
        &self,
        id: Uuid,
        status: RequestStatus,
        at: DateTime<Utc>,
        outbox: &Outbox,
    ) -> EngineResult<Option<Vec<Event>>>;
    async fn list_friends(&self, user: Uuid, page: PageRequest) -> EngineResult<Paged<User>>;
    /// Ends a friendship both ways, retracting each one's copied moods from the other's
    /// log; `false` (and nothing changed) if they were not friends.
    async fn remove_friendship(&self, a: Uuid, b: Uuid) -> EngineResult<bool>;
    /// Makes each pair friends (both ways) in one transaction; existing ones are kept.
    async fn insert_friendships(
        &self,
        pairs: &[(Uuid, Uuid)],
        at: DateTime<Utc>,
    ) -> EngineResult<()>;
    /// Blocks, ending any friendship (retracting copied moods both ways, as unfriending
    /// does) and declining pending requests between the two.
    async fn insert_block(
        &self,
        blocker: Uuid,
        blocked: Uuid,
        at: DateTime<Utc>,
    ) -> EngineResult<()>;
    /// Unread notifications of `user`.
    async fn unread_notifications(&self, user: Uuid) -> EngineResult<u64>;
    /// `false` if there was no such block.
    async fn delete_block(&self, blocker: Uuid, blocked: Uuid) -> EngineResult<bool>;
}

pub(crate) const RELATION: &str = "SELECT \
    EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $1 AND blocked_id = $2), \
    EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $2 AND blocked_id = $1), \
    EXISTS (SELECT 1 FROM friendships WHERE user_id = $1 AND friend_id = $2)";

/// The columns a new notification binds, in order (`is_read` starts false).
pub(crate) const NOTIFICATION_VALUES: &str = "id, user_id, kind, title, body, data, created_at";

pub(crate) const INSERT_NOTIFICATION: &str = "INSERT INTO notifications \
    (id, user_id, kind, title, body, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

pub(crate) const DELETE_FRIENDSHIP: &str =
    "DELETE FROM friendships WHERE (user_id = $1 AND friend_id = $2) OR (user_id = $2 AND friend_id = $1)";

pub(crate) const INSERT_FRIENDSHIP: &str =
    "INSERT INTO friendships (user_id, friend_id, created_at) VALUES ($1, $2, $3), ($2, $1, $3) ON CONFLICT DO NOTHING";

/// Pairs per multi-row insert of friendships (two values each, and the time).
pub(crate) const FRIENDSHIPS_CHUNK: usize = 1_000;

/// Inserts `pairs` friendships both ways at the time `$1`, each pair binding two ids.
pub(crate) fn insert_friendships_sql(pairs: usize) -> String {
    let rows: Vec<String> = (0..pairs)
        .map(|i| {
            let (a, b) = (2 * i + 2, 2 * i + 3);
            format!("(${a}, ${b}, $1), (${b}, ${a}, $1)")
        })
        .collect();
    format!(
        "INSERT INTO friendships (user_id, friend_id, created_at) VALUES {} ON CONFLICT DO NOTHING",
        rows.join(", ")
    )
}

/// The column a request listing filters on.
pub(crate) fn request_owner_column(direction: Direction) -> &'static str {
    match direction {
        Direction::Incoming => "to_user",
        Direction::Outgoing => "from_user",
    }
}

macro_rules! impl_social_store {
    ($store:ty, $db:ty) => {
        impl $store {
            fn insert_notification_query<'q>(
                n: &'q $crate::domain::social::NewNotification,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>> {
                Self::bind_notification(sqlx::query($crate::store::social::INSERT_NOTIFICATION), n)
            }

            /// Binds `n`'s values in `NOTIFICATION_VALUES` order.
            fn bind_notification<'q>(
                query: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>,
                n: &'q $crate::domain::social::NewNotification,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>> {
                query
                    .bind(n.id)
                    .bind(n.user_id)
                    .bind(n.kind)
                    .bind(&n.title)
                    .bind(&n.body)
                    .bind(n.data.to_string())
                    .bind(n.created_at)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::social::SocialStore for $store {
            async fn relation(
                &self,
                a: uuid::Uuid,
                b: uuid::Uuid,
            ) -> $crate::error::EngineResult<$crate::store::social::Relation> {
                let (a_blocks_b, b_blocks_a, friends): (bool, bool, bool) =
                    sqlx::query_as($crate::store::social::RELATION).bind(a).bind(b).fetch_one(self.reader()).await?;
                Ok($crate::store::social::Relation { a_blocks_b, b_blocks_a, friends })
            }

            async fn insert_friend_request(
                &self,
                request: &$crate::domain::social::FriendRequest,
                outbox: &$crate::domain::outbox::Outbox,
            ) -> $crate::error::EngineResult<Vec<$crate::domain::event::Event>> {
                let (low, high) = $crate::domain::social::pair_key(request.from, request.to);
                let mut tx = self.writer().begin().await?;
                let inserted = sqlx::query(
                    "INSERT INTO friend_requests (id, from_user, to_user, user_low, user_high, status, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(request.id)
                .bind(request.from)
                .bind(request.to)
                .bind(low)
                .bind(high)
                .bind(request.status.as_str())
                .bind(request.created_at)
                .execute(&mut *tx)
                .await;
                if let Err(err) = inserted {
                    return Err(match $crate::error::EngineError::from(err) {
                        $crate::error::EngineError::Conflict { .. } => $crate::error::EngineError::conflict(
                            "request_pending",
                            "a friend request between you is already pending",
                        ),
                        other => other,
                    });
                }
                let appended = Self::write_outbox(&mut tx, outbox).await?;
                tx.commit().await?;
                Ok(appended)
            }

            async fn friend_request(
                &self,
                id: uuid::Uuid,
            ) -> $crate::error::EngineResult<Option<$crate::domain::social::FriendRequest>> {
                let sql = format!("SELECT {} FROM friend_requests WHERE id = $1", $crate::store::rows::FRIEND_REQUEST_COLUMNS);
                sqlx::query_as::<_, $crate::store::rows::FriendRequestRow>(&sql)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?
                    .map(TryInto::try_into)
                    .transpose()
            }

            async fn list_friend_requests(
                &self,
                user: uuid::Uuid,
                direction: $crate::domain::social::Direction,
                page: $crate::domain::page::PageRequest,
            ) -> $crate::error::EngineResult<$crate::domain::page::Paged<$crate::domain::social::FriendRequest>> {
                let column = $crate::store::social::request_owner_column(direction);
                let filter = format!("FROM friend_requests WHERE {column} = $1 AND status = 'pending'");
                let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {filter}"))
                    .bind(user)
                    .fetch_one(self.reader())
                    .await?;
                let sql = format!(
                    "SELECT {} {filter} ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
                    $crate::store::rows::FRIEND_REQUEST_COLUMNS
                );
                let rows = sqlx::query_as::<_, $crate::store::rows::FriendRequestRow>(&sql)
                    .bind(user)
                    .bind(page.limit())
                    .bind(page.offset())
                    .fetch_all(self.reader())
                    .await?;
                Ok($crate::domain::page::Paged {
                    items: rows.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?,
                    total: total.max(0) as u64,
                    request: page,
                })
            }

            async fn respond_friend_request(
                &self,
                id: uuid::Uuid,
                status: $crate::domain::social::RequestStatus,
                at: chrono::DateTime<chrono::Utc>,
                outbox: &$crate::domain::outbox::Outbox,
            ) -> $crate::error::EngineResult<Option<Vec<$crate::domain::event::Event>>> {
                let mut tx = self.writer().begin().await?;
                let pair: Option<(uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
                    "UPDATE friend_requests SET status = $2, responded_at = $3 \
                     WHERE id = $1 AND status = 'pending' RETURNING from_user, to_user",
                )
                .bind(id)
                .bind(status.as_str())
                .bind(at)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((from, to)) = pair else {
                    return Ok(None);
                };
                if status == $crate::domain::social::RequestStatus::Accepted {
                    sqlx::query($crate::store::social::INSERT_FRIENDSHIP)
                        .bind(from)
                        .bind(to)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
                let appended = Self::write_outbox(&mut tx, outbox).await?;
                tx.commit().await?;
                Ok(Some(appended))
            }

            async fn list_friends(
                &self,
                user: uuid::Uuid,
                page: $crate::domain::page::PageRequest,
            ) -> $crate::error::EngineResult<$crate::domain::page::Paged<$crate::domain::user::User>> {
                let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM friendships WHERE user_id = $1")
                    .bind(user)
                    .fetch_one(self.reader())
                    .await?;
                let rows = sqlx::query_as::<_, $crate::store::rows::UserRow>(concat!(
                    "SELECT ",
                    $crate::store::rows::user_columns!(),
                    " FROM friendships JOIN users ON users.id = friendships.friend_id \
                      WHERE friendships.user_id = $1 ORDER BY lower(users.username) LIMIT $2 OFFSET $3"
                ))
                .bind(user)
                .bind(page.limit())
                .bind(page.offset())
                .fetch_all(self.reader())
                .await?;
                Ok($crate::domain::page::Paged {
                    items: $crate::store::rows::users(rows)?,
                    total: total.max(0) as u64,
                    request: page,
                })
            }

            async fn insert_friendships(
                &self,
                pairs: &[(uuid::Uuid, uuid::Uuid)],
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<()> {
                let mut tx = self.writer().begin().await?;
                for chunk in pairs.chunks($crate::store::social::FRIENDSHIPS_CHUNK) {
                    let sql = $crate::store::social::insert_friendships_sql(chunk.len());
                    let mut query = sqlx::query(&sql).bind(at);
                    for (a, b) in chunk {
                        query = query.bind(a).bind(b);
                    }
                    query.execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn remove_friendship(&self, a: uuid::Uuid, b: uuid::Uuid) -> $crate::error::EngineResult<bool> {
                let mut tx = self.writer().begin().await?;
                Self::lock_pair(&mut tx, a, b).await?;
                let done = sqlx::query($crate::store::social::DELETE_FRIENDSHIP)
                    .bind(a)
                    .bind(b)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                Self::retract_between(&mut tx, a, b).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn insert_block(
                &self,
                blocker: uuid::Uuid,
                blocked: uuid::Uuid,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<()> {
                let mut tx = self.writer().begin().await?;
                Self::lock_pair(&mut tx, blocker, blocked).await?;
                sqlx::query(
                    "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(blocker)
                .bind(blocked)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                sqlx::query($crate::store::social::DELETE_FRIENDSHIP)
                .bind(blocker)
                .bind(blocked)
                .execute(&mut *tx)
                .await?;
                let (low, high) = $crate::domain::social::pair_key(blocker, blocked);
                sqlx::query(
                    "UPDATE friend_requests SET status = 'declined', responded_at = $3 \
                     WHERE user_low = $1 AND user_high = $2 AND status = 'pending'",
                )
                .bind(low)
                .bind(high)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                Self::retract_between(&mut tx, blocker, blocked).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn unread_notifications(&self, user: uuid::Uuid) -> $crate::error::EngineResult<u64> {
                let (count,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND is_read = false")
                        .bind(user)
                        .fetch_one(self.reader())
                        .await?;
                Ok(count.max(0) as u64)
            }

            async fn delete_block(&self, blocker: uuid::Uuid, blocked: uuid::Uuid) -> $crate::error::EngineResult<bool> {
                let done = sqlx::query("DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2")
                    .bind(blocker)
                    .bind(blocked)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}
pub(crate) use impl_social_store;
