//! Store cases for the event log's retention.

use chrono::Duration;
use hugmood_actors::domain::time::now;
use hugmood_actors::store::{HugWrite, Store};
use std::sync::Arc;
use uuid::Uuid;

use super::hugs::hug_write;
use super::user;

/// `count` hugs from `sender` to `recipient`, two events each, written `days_ago`.
async fn hugs(store: &Arc<dyn Store>, sender: Uuid, recipient: Uuid, count: usize, days_ago: i64) {
    let at = now() - Duration::days(days_ago);
    let writes: Vec<HugWrite> = (0..count)
        .map(|_| {
            let mut write = hug_write(sender, recipient, None);
            write.event.created_at = at;
            write.notification.created_at = at;
            write
        })
        .collect();
    for outcome in store.insert_hug_batch(&writes).await.expect("batch") {
        outcome.expect("written");
    }
}

async fn ids(store: &Arc<dyn Store>, user: Uuid) -> Vec<i64> {
    let log = store.events_after(user, 0, 1000).await.expect("log");
    log.into_iter().map(|e| e.id).collect()
}

pub async fn event_logs_are_pruned_by_age_and_by_count(store: Arc<dyn Store>) {
    let sender = user(&store, "pr_sender").await;
    let (old, long, short) = (
        user(&store, "pr_old").await,
        user(&store, "pr_long").await,
        user(&store, "pr_short").await,
    );
    hugs(&store, sender, old, 5, 10).await;
    hugs(&store, sender, long, 6, 0).await;
    hugs(&store, sender, short, 1, 0).await;

    let pruned = store
        .prune_events(now() - Duration::days(7), 4)
        .await
        .expect("prune");
    assert_eq!(
        pruned,
        10 + 8,
        "all of the old log, all but 4 of the long one"
    );
    assert_eq!(ids(&store, old).await, Vec::<i64>::new());
    assert_eq!(ids(&store, long).await, vec![9, 10, 11, 12]);
    assert_eq!(ids(&store, short).await, vec![1, 2]);
    let bounds = store.event_bounds(old).await.expect("bounds");
    assert_eq!(
        (bounds.oldest, bounds.last),
        (None, 10),
        "ids are never reused"
    );
    let bounds = store.event_bounds(long).await.expect("bounds");
    assert_eq!((bounds.oldest, bounds.last), (Some(9), 12));

    assert_eq!(
        store
            .prune_events(now() - Duration::days(7), 4)
            .await
            .expect("again"),
        0,
        "nothing left to prune"
    );
}

pub async fn the_log_version_follows_appends_pruning_and_the_inbox(store: Arc<dyn Store>) {
    let sender = user(&store, "lv_sender").await;
    let reader = user(&store, "lv_reader").await;
    let version = |user| {
        let store = store.clone();
        async move {
            store
                .log_version(user)
                .await
                .expect("version")
                .expect("the user exists")
        }
    };
    let empty = version(reader).await;
    assert_eq!(
        (
            empty.bounds.last,
            empty.bounds.oldest,
            empty.retracted,
            empty.notifications
        ),
        (0, None, 0, 0)
    );
    assert_eq!(empty.newest_notification, None);
    hugs(&store, sender, reader, 3, 0).await;
    let written = version(reader).await;
    assert_eq!((written.bounds.last, written.bounds.oldest), (6, Some(1)));
    assert_eq!((written.retracted, written.notifications), (0, 3));
    let newest = written.newest_notification.expect("a newest notification");
    assert!((now() - newest).num_seconds().abs() < 60, "{newest}");
    store
        .prune_events(now() - Duration::days(7), 2)
        .await
        .expect("prune");
    let pruned = version(reader).await;
    assert_eq!((pruned.bounds.last, pruned.bounds.oldest), (6, Some(5)));
    let unknown = store.log_version(Uuid::new_v4()).await.expect("version");
    assert_eq!(unknown, None, "an unknown user has no version");
}

/// SQLite only: a database written before migration 0007 (the event log keyed by user)
/// keeps every event, in order, and its page size, and goes on appending after it.
pub async fn an_sqlite_event_log_survives_the_append_order_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let before = crate::migrations_before("sqlite", "0007");
    let url = format!("sqlite://{}/old.db", dir.path().display());
    let (ann, bob) = (Uuid::new_v4(), Uuid::new_v4());
    {
        let options = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&url)
            .expect("url")
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options)
            .await
            .expect("old db");
        sqlx::migrate::Migrator::new(before.path())
            .await
            .expect("migrations up to 0006")
            .run(&pool)
            .await
            .expect("migrate to 0006");
        let at = now();
        for (user, name) in [(ann, "ann"), (bob, "bob")] {
            sqlx::query(
                "INSERT INTO users (id, username, display_name, joined_at, last_active, last_event_id) \
                 VALUES ($1, $2, $2, $3, $3, 3)",
            )
            .bind(user)
            .bind(name)
            .bind(at)
            .execute(&pool)
            .await
            .expect("user");
        }
        // Interleaved, as a live log is written.
        for id in 1..=3_i64 {
            for user in [bob, ann] {
                sqlx::query("INSERT INTO events (user_id, id, kind, data, created_at) VALUES ($1, $2, 'hug_seen', $3, $4)")
                    .bind(user)
                    .bind(id)
                    .bind(format!("{{\"n\":{id}}}"))
                    .bind(at)
                    .execute(&pool)
                    .await
                    .expect("event");
            }
        }
        pool.close().await;
    }

    let store = crate::migrated(&url).await;
    for user in [ann, bob] {
        let log = store.events_after(user, 0, 10).await.expect("log");
        let kept: Vec<(i64, String)> = log.iter().map(|e| (e.id, e.data.clone())).collect();
        assert_eq!(
            kept,
            (1..=3_i64)
                .map(|id| (id, format!("{{\"n\":{id}}}")))
                .collect::<Vec<_>>()
        );
        assert!(log.iter().all(|e| e.user_id == user));
    }
    let written = store
        .insert_hug_batch(&[hug_write(ann, bob, None)])
        .await
        .expect("batch");
    assert!(written[0].is_ok());
    assert_eq!(ids(&store, bob).await, vec![1, 2, 3, 4, 5]);
    assert_eq!(ids(&store, ann).await, vec![1, 2, 3]);
    store.close().await;

    assert_eq!(
        crate::sqlite_pragma::<i64>(&url, "PRAGMA page_size").await,
        4096,
        "an existing file keeps its page size"
    );
    let schema: String =
        crate::sqlite_pragma(&url, "SELECT sql FROM sqlite_schema WHERE name = 'events'").await;
    assert!(!schema.contains("WITHOUT ROWID"), "{schema}");
}
