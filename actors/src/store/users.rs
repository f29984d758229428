//! Storage of users, their profiles and privacy settings. Making one's moods private
//! and deleting one's account retract one's copied moods from friends' logs (see
//! `retraction.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::page::{PageRequest, Paged};
use crate::domain::user::{NewUser, Privacy, ProfileUpdate, User};
use crate::error::EngineResult;

#[async_trait]
pub trait UserStore {
    /// Inserts a user; a taken username or email is `Conflict` with code
    /// `username_taken` / `email_taken`.
    async fn insert_user(&self, user: &NewUser) -> EngineResult<User>;
    /// Inserts many users in one transaction (demo data and load-test seeding).
    async fn insert_users(&self, users: &[NewUser]) -> EngineResult<()>;
    async fn user_by_id(&self, id: Uuid) -> EngineResult<Option<User>>;
    /// Finds a user by username or email, both case-insensitive.
    async fn user_by_login(&self, login: &str) -> EngineResult<Option<User>>;
    async fn user_exists(&self, id: Uuid) -> EngineResult<bool>;
    /// The users among `ids` that exist and have not blocked `viewer`, in no particular
    /// order; for batch loaders, so a list of N items costs one query, not N.
    async fn users_by_ids(&self, ids: &[Uuid], viewer: Uuid) -> EngineResult<Vec<User>>;
    /// Applies the fields the update carries; `None` when the user does not exist.
    async fn update_profile(&self, id: Uuid, update: &ProfileUpdate) -> EngineResult<Option<User>>;
    /// Stores the settings; with moods private, the copies of the user's entries that
    /// are not public are retracted from friends' logs in the same transaction.
    async fn set_privacy(&self, id: Uuid, privacy: &Privacy) -> EngineResult<bool>;
    async fn touch_user(&self, id: Uuid, at: DateTime<Utc>) -> EngineResult<()>;
    /// Deletes the user and, through cascading keys, everything they own; the copies of
    /// their entries in other users' logs are retracted first, a chunk at a time, and
    /// what is left of them with the deletion.
    async fn delete_user(&self, id: Uuid) -> EngineResult<bool>;
    /// Registered users whose username or display name contains `query`, leaving out
    /// those who blocked `viewer`.
    async fn search_users(
        &self,
        viewer: Uuid,
        query: &str,
        page: PageRequest,
    ) -> EngineResult<Paged<User>>;
}

pub(crate) const SEARCH_FILTER: &str = "FROM users \
    WHERE (lower(users.username) LIKE $2 ESCAPE '\\' OR users.display_name_key LIKE $2 ESCAPE '\\') \
      AND users.is_anonymous = false \
      AND NOT EXISTS (SELECT 1 FROM blocks WHERE blocks.blocker_id = users.id AND blocks.blocked_id = $1)";

/// Ids per `users_by_ids` query, well below SQLite's limit on bound parameters.
pub(crate) const IDS_CHUNK: usize = 500;

/// `users_by_ids` for `n` ids: `$1` is the viewer, `$2…` the ids (an `IN` list, which
/// both databases accept, unlike PostgreSQL's `= ANY($1)`).
pub(crate) fn users_by_ids_sql(n: usize) -> String {
    let placeholders: Vec<String> = (2..n + 2).map(|i| format!("${i}")).collect();
    format!(
        concat!(
            "SELECT ",
            crate::store::rows::user_columns!(),
            " FROM users WHERE users.id IN ({}) \
              AND NOT EXISTS (SELECT 1 FROM blocks WHERE blocks.blocker_id = users.id AND blocks.blocked_id = $1)"
        ),
        placeholders.join(", ")
    )
}

/// Rows per multi-row INSERT when seeding (8 binds each stays below SQLite's limit).
pub(crate) const INSERT_CHUNK: usize = 500;

/// Whether the user exists.
pub(crate) const USER_EXISTS: &str = "SELECT id FROM users WHERE id = $1";

macro_rules! impl_user_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::users::UserStore for $store {
            async fn insert_user(
                &self,
                user: &$crate::domain::user::NewUser,
            ) -> $crate::error::EngineResult<$crate::domain::user::User> {
                let inserted = sqlx::query_as::<_, $crate::store::rows::UserRow>(concat!(
                    "INSERT INTO users (id, username, email, password_hash, display_name, is_anonymous, \
                     joined_at, last_active, display_name_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING ",
                    $crate::store::rows::user_columns!()
                ))
                .bind(user.id)
                .bind(&user.username)
                .bind(&user.email)
                .bind(&user.password_hash)
                .bind(&user.display_name)
                .bind(user.is_anonymous)
                .bind(user.now)
                .bind($crate::domain::user::fold_case(&user.display_name))
                .fetch_one(self.writer())
                .await;
                match inserted {
                    Ok(row) => row.try_into(),
                    Err(err) => {
                        let err = $crate::error::EngineError::from(err);
                        if !matches!(err, $crate::error::EngineError::Conflict { .. }) {
                            return Err(err);
                        }
                        Err(if self.user_by_login(&user.username).await?.is_some() {
                            $crate::error::EngineError::username_taken()
                        } else {
                            $crate::error::EngineError::email_taken()
                        })
                    }
                }
            }

            async fn insert_users(
                &self,
                users: &[$crate::domain::user::NewUser],
            ) -> $crate::error::EngineResult<()> {
                let mut tx = self.writer().begin().await?;
                for chunk in users.chunks($crate::store::users::INSERT_CHUNK) {
                    let mut sql = String::from(
                        "INSERT INTO users (id, username, email, password_hash, display_name, \
                         is_anonymous, joined_at, last_active, display_name_key) VALUES ",
                    );
                    for i in 0..chunk.len() {
                        let b = i * 8;
                        if i > 0 {
                            sql.push_str(", ");
                        }
                        sql.push_str(&format!(
                            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                            b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 7, b + 8
                        ));
                    }
                    let mut query = sqlx::query(&sql);
                    for user in chunk {
                        query = query
                            .bind(user.id)
                            .bind(&user.username)
                            .bind(&user.email)
                            .bind(&user.password_hash)
                            .bind(&user.display_name)
                            .bind(user.is_anonymous)
                            .bind(user.now)
                            .bind($crate::domain::user::fold_case(&user.display_name));
                    }
                    query.execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn user_by_id(
                &self,
                id: uuid::Uuid,
            ) -> $crate::error::EngineResult<Option<$crate::domain::user::User>> {
                sqlx::query_as::<_, $crate::store::rows::UserRow>(concat!(
                    "SELECT ",
                    $crate::store::rows::user_columns!(),
                    " FROM users WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(self.reader())
                .await?
                .map(TryInto::try_into)
                .transpose()
            }

            async fn user_by_login(
                &self,
                login: &str,
            ) -> $crate::error::EngineResult<Option<$crate::domain::user::User>> {
                sqlx::query_as::<_, $crate::store::rows::UserRow>(concat!(
                    "SELECT ",
                    $crate::store::rows::user_columns!(),
                    " FROM users WHERE lower(username) = lower($1) OR lower(email) = lower($1) \
                      ORDER BY lower(username) = lower($1) DESC LIMIT 1"
                ))
                .bind(login)
                .fetch_optional(self.reader())
                .await?
                .map(TryInto::try_into)
                .transpose()
            }

            async fn user_exists(&self, id: uuid::Uuid) -> $crate::error::EngineResult<bool> {
                if let Some(found) = self.direct_reads().and_then(|d| d.user_exists(id)) {
                    return Ok(found);
                }
                let found: Option<(uuid::Uuid,)> = sqlx::query_as($crate::store::users::USER_EXISTS)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                Ok(found.is_some())
            }

            async fn users_by_ids(
                &self,
                ids: &[uuid::Uuid],
                viewer: uuid::Uuid,
            ) -> $crate::error::EngineResult<Vec<$crate::domain::user::User>> {
                let mut users = Vec::with_capacity(ids.len());
                for chunk in ids.chunks($crate::store::users::IDS_CHUNK) {
                    let sql = $crate::store::users::users_by_ids_sql(chunk.len());
                    let mut query = sqlx::query_as::<_, $crate::store::rows::UserRow>(&sql).bind(viewer);
                    for id in chunk {
                        query = query.bind(*id);
                    }
                    users.extend($crate::store::rows::users(query.fetch_all(self.reader()).await?)?);
                }
                Ok(users)
            }

            async fn update_profile(
                &self,
                id: uuid::Uuid,
                update: &$crate::domain::user::ProfileUpdate,
            ) -> $crate::error::EngineResult<Option<$crate::domain::user::User>> {
                // Each field is set only when the update carries it, in one statement, so
                // concurrent updates of different fields never undo each other.
                sqlx::query_as::<_, $crate::store::rows::UserRow>(concat!(
                    "UPDATE users SET \
                       display_name = CASE WHEN $2 THEN $3 ELSE display_name END, \
                       display_name_key = CASE WHEN $2 THEN $10 ELSE display_name_key END, \
                       bio = CASE WHEN $4 THEN $5 ELSE bio END, \
                       profile_image = CASE WHEN $6 THEN $7 ELSE profile_image END, \
                       status = CASE WHEN $8 THEN $9 ELSE status END \
                     WHERE id = $1 RETURNING ",
                    $crate::store::rows::user_columns!()
                ))
                .bind(id)
                .bind(update.display_name.is_some())
                .bind(update.display_name.as_deref().map(str::trim))
                .bind(update.bio.is_some())
                .bind(update.bio.clone().flatten())
                .bind(update.profile_image.is_some())
                .bind(update.profile_image.clone().flatten())
                .bind(update.status.is_some())
                .bind(update.status.clone().flatten())
                .bind(update.display_name.as_deref().map(|n| $crate::domain::user::fold_case(n.trim())))
                .fetch_optional(self.writer())
                .await?
                .map(TryInto::try_into)
                .transpose()
            }

            async fn set_privacy(
                &self,
                id: uuid::Uuid,
                privacy: &$crate::domain::user::Privacy,
            ) -> $crate::error::EngineResult<bool> {
                // The update locks the user's row, as each of their fan-outs does first
                // (PostgreSQL): one that read the old setting commits before the
                // retraction below reads.
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query(
                    "UPDATE users SET mood_visibility = $2, allow_hugs_from = $3, show_online = $4 WHERE id = $1",
                )
                .bind(id)
                .bind(privacy.mood_visibility.as_str())
                .bind(privacy.allow_hugs_from.as_str())
                .bind(privacy.show_online)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                if privacy.mood_visibility == $crate::domain::user::MoodVisibility::Private {
                    Self::retract_not_public(&mut tx, id).await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn touch_user(
                &self,
                id: uuid::Uuid,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::error::EngineResult<()> {
                sqlx::query("UPDATE users SET last_active = $2 WHERE id = $1 AND last_active < $2")
                    .bind(id)
                    .bind(at)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn delete_user(&self, id: uuid::Uuid) -> $crate::error::EngineResult<bool> {
                self.retract_authored_in_chunks(id).await?;
                let mut tx = self.writer().begin().await?;
                Self::retract_authored(&mut tx, id).await?;
                let done = sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn search_users(
                &self,
                viewer: uuid::Uuid,
                query: &str,
                page: $crate::domain::page::PageRequest,
            ) -> $crate::error::EngineResult<$crate::domain::page::Paged<$crate::domain::user::User>> {
                let pattern = $crate::store::like_pattern(query);
                let count_sql = format!("SELECT COUNT(*) {}", $crate::store::users::SEARCH_FILTER);
                let (total,): (i64,) =
                    sqlx::query_as(&count_sql).bind(viewer).bind(&pattern).fetch_one(self.reader()).await?;
                let list_sql = format!(
                    concat!("SELECT ", $crate::store::rows::user_columns!(), " {} ORDER BY lower(users.username) LIMIT $3 OFFSET $4"),
                    $crate::store::users::SEARCH_FILTER
                );
                let rows = sqlx::query_as::<_, $crate::store::rows::UserRow>(&list_sql)
                    .bind(viewer)
                    .bind(&pattern)
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
        }
    };
}
pub(crate) use impl_user_store;
