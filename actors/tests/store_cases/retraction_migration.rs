//! Migration 0012 on copies written before it: each old `mood_update` gets the links
//! of its entry (so later changes retract it like a new one), and copies already no
//! longer visible to their reader are retracted by the migration itself — the entry
//! is gone (its `deleted` notice stays), the reader is no longer the author's friend,
//! or the entry is not public while the author's moods are private.

use hugmood_actors::domain::event::EventKind;
use hugmood_actors::domain::time::now;
use hugmood_actors::store::{EventBounds, Store};
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;

use super::retraction::deleted_everywhere;

/// The users and entries of a database written before migration 0012.
pub struct OldCopies {
    /// Shares moods with friends.
    a: Uuid,
    /// Keeps moods private.
    p: Uuid,
    /// A friend of both.
    f: Uuid,
    /// A friend of `a` once, not any more.
    x: Uuid,
    /// `a`'s entry, not public.
    a1: Uuid,
    /// `a`'s entry, deleted.
    a2: Uuid,
    /// `p`'s entry, not public.
    p1: Uuid,
    /// `p`'s entry, public.
    p2: Uuid,
}

/// Writes `$old`'s rows into `$pool`, migrated up to 0011 from `$migrations`.
macro_rules! seed {
    ($old:expr, $pool:expr, $migrations:expr) => {{
        let old = $old;
        sqlx::migrate::Migrator::new($migrations)
            .await
            .expect("migrations before 0012")
            .run($pool)
            .await
            .expect("migrate to 0011");
        let at = now();
        for (id, name, last, visibility) in old.users() {
            sqlx::query(
                "INSERT INTO users (id, username, display_name, joined_at, last_active, \
                 last_event_id, mood_visibility) VALUES ($1, $2, $2, $3, $3, $4, $5)",
            )
            .bind(id)
            .bind(name)
            .bind(at)
            .bind(last)
            .bind(visibility)
            .execute($pool)
            .await
            .expect("user");
        }
        for (user, friend) in [(old.a, old.f), (old.f, old.a), (old.p, old.f), (old.f, old.p)] {
            sqlx::query("INSERT INTO friendships (user_id, friend_id, created_at) VALUES ($1, $2, $3)")
                .bind(user)
                .bind(friend)
                .bind(at)
                .execute($pool)
                .await
                .expect("friendship");
        }
        for (id, author, public) in [(old.a1, old.a, false), (old.p1, old.p, false), (old.p2, old.p, true)] {
            sqlx::query(
                "INSERT INTO mood_entries (id, user_id, mood, intensity, valence, arousal, is_public, \
                 created_at, updated_at) VALUES ($1, $2, 'calm', 5, 0.5, 0.5, $3, $4, $4)",
            )
            .bind(id)
            .bind(author)
            .bind(public)
            .bind(at)
            .execute($pool)
            .await
            .expect("entry");
        }
        for (reader, id, kind, data) in old.events() {
            sqlx::query("INSERT INTO events (user_id, id, kind, data, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(reader)
                .bind(id)
                .bind(kind)
                .bind(data)
                .bind(at)
                .execute($pool)
                .await
                .expect("event");
        }
        old
    }};
}

impl OldCopies {
    fn new() -> Self {
        let id = Uuid::new_v4;
        Self {
            a: id(),
            p: id(),
            f: id(),
            x: id(),
            a1: id(),
            a2: id(),
            p1: id(),
            p2: id(),
        }
    }

    /// (id, username, last event id, mood visibility).
    fn users(&self) -> [(Uuid, &'static str, i64, &'static str); 4] {
        [
            (self.a, "mig_a", 0, "friends"),
            (self.p, "mig_p", 0, "private"),
            (self.f, "mig_f", 6, "friends"),
            (self.x, "mig_x", 1, "friends"),
        ]
    }

    /// (reader, id, kind, data) of every event, as written before 0012.
    fn events(&self) -> Vec<(Uuid, i64, &'static str, String)> {
        let copy = |action: &str, entry: Uuid, author: Uuid| {
            serde_json::json!({"action": action, "id": entry, "userId": author, "note": "old"})
                .to_string()
        };
        let mood = EventKind::MoodUpdate.as_str();
        vec![
            (self.f, 1, mood, copy("created", self.a1, self.a)),
            (self.f, 2, mood, copy("created", self.a2, self.a)),
            (self.f, 3, mood, copy("deleted", self.a2, self.a)),
            (self.f, 4, mood, copy("created", self.p1, self.p)),
            (self.f, 5, mood, copy("created", self.p2, self.p)),
            (self.f, 6, EventKind::HugSeen.as_str(), "{\"n\":6}".into()),
            (self.x, 1, mood, copy("created", self.a1, self.a)),
        ]
    }

    pub async fn seed_sqlite(pool: &sqlx::SqlitePool, migrations: &Path) -> Self {
        seed!(Self::new(), pool, migrations)
    }

    pub async fn seed_postgres(pool: &sqlx::PgPool, migrations: &Path) -> Self {
        seed!(Self::new(), pool, migrations)
    }

    /// Checks `store`, migrated since.
    pub async fn check(&self, store: Arc<dyn Store>) {
        let ids = |user| {
            let store = store.clone();
            async move {
                let log = store.events_after(user, 0, 100).await.expect("log");
                log.iter().map(|e| e.id).collect::<Vec<_>>()
            }
        };
        assert_eq!(
            ids(self.f).await,
            [1, 3, 5, 6],
            "the copies of a deleted entry and of a hidden one went; the rest stayed"
        );
        assert_eq!(
            ids(self.x).await,
            Vec::<i64>::new(),
            "not a friend any more"
        );
        assert_eq!(
            store.event_bounds(self.x).await.expect("bounds"),
            EventBounds {
                oldest: Some(1),
                last: 1
            }
        );

        // The old copies are linked: later changes retract them as they do new ones.
        store
            .delete_mood(self.a1, &deleted_everywhere(self.a1, self.a, false))
            .await
            .expect("delete")
            .expect("it existed");
        assert_eq!(ids(self.f).await, [3, 5, 6, 7]);
        assert!(store
            .remove_friendship(self.p, self.f)
            .await
            .expect("unfriend"));
        assert_eq!(ids(self.f).await, [3, 6, 7]);
    }
}
