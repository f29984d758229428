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
