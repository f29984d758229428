//! Sessions in the store: rotation and revocation of one family are exclusive, the
//! record of ended sessions every node re-reads, and stream tickets carrying their
//! session.

use chrono::Duration;
use hugmood_actors::auth::Revocation;
use hugmood_actors::domain::time::now;
use hugmood_actors::store::Store;
use std::sync::Arc;
use uuid::Uuid;

use super::{token, user};

/// Rounds of a rotation racing a revocation of the same family.
const RACES: usize = 40;

pub async fn a_revocation_never_misses_a_concurrent_rotation(store: Arc<dyn Store>) {
    let id = user(&store, "racer").await;
    for round in 0..RACES {
        let family = Uuid::new_v4();
        let first = token(id, family);
        store.insert_refresh_token(&first).await.expect("insert");
        let next = token(id, family);
        let (rotated, revoked) = tokio::join!(
            store.rotate_refresh_token(first.id, &next, "sealed", now()),
            store.revoke_token_family(family, now()),
        );
        let rotated = rotated.expect("rotate");
        assert!(
            revoked.expect("revoke"),
            "round {round}: the family was live"
        );
        let stored = store
            .refresh_token_by_hash(&next.token_hash)
            .await
            .expect("read");
        match stored {
            Some(stored) => {
                assert!(rotated, "round {round}: stored only by a rotation");
                assert!(
                    stored.revoked_at.is_some(),
                    "round {round}: the rotated token was left live after the revocation"
                );
            }
            None => assert!(!rotated, "round {round}: a rotation stores its token"),
        }
        let after = token(id, family);
        assert!(
            !store
                .rotate_refresh_token(next.id, &after, "sealed", now())
                .await
                .expect("rotate"),
            "round {round}: nothing of a revoked family rotates"
        );
    }
}

pub async fn ended_sessions_are_recorded_for_every_node(store: Arc<dyn Store>) {
    let id = user(&store, "leaver").await;
    let before = now() - Duration::seconds(1);
    let family = Uuid::new_v4();
    store
        .insert_refresh_token(&token(id, family))
        .await
        .expect("insert");
    assert!(store
        .revocations_since(before)
        .await
        .expect("read")
        .is_empty());
    store
        .revoke_token_family(family, now())
        .await
        .expect("revoke");
    store.record_account_end(id, now()).await.expect("record");
    let mut found = store.revocations_since(before).await.expect("read");
    found.sort_by_key(|r| r.family.is_none());
    assert_eq!(
        found,
        vec![
            Revocation {
                user: id,
                family: Some(family)
            },
            Revocation {
                user: id,
                family: None
            },
        ]
    );
    assert!(store.delete_user(id).await.expect("delete"));
    assert_eq!(
        store.revocations_since(before).await.expect("read").len(),
        2,
        "an account's end outlives the account"
    );
    assert!(store
        .revocations_since(now() + Duration::seconds(1))
        .await
        .expect("read")
        .is_empty());
    assert_eq!(
        store
            .prune_revocations(now() + Duration::seconds(1))
            .await
            .expect("prune"),
        2
    );
    assert!(store
        .revocations_since(before)
        .await
        .expect("read")
        .is_empty());
}

pub async fn stream_tickets_carry_their_session(store: Arc<dyn Store>) {
    let id = user(&store, "viewer").await;
    let family = Uuid::new_v4();
    let later = now() + Duration::seconds(60);
    store
        .insert_stream_ticket("t-session", id, Some(family), later)
        .await
        .expect("insert");
    store
        .insert_stream_ticket("t-none", id, None, later)
        .await
        .expect("insert");
    assert_eq!(
        store
            .redeem_stream_ticket("t-session", now())
            .await
            .expect("redeem"),
        Some((id, Some(family)))
    );
    assert_eq!(
        store
            .redeem_stream_ticket("t-none", now())
            .await
            .expect("redeem"),
        Some((id, None))
    );
    assert_eq!(
        store
            .redeem_stream_ticket("t-none", now())
            .await
            .expect("redeem"),
        None,
        "spent once"
    );
}

pub async fn expired_refresh_tokens_are_pruned(store: Arc<dyn Store>) {
    let id = user(&store, "pruned").await;
    let family = Uuid::new_v4();
    let expired = token(id, family);
    let expired = hugmood_actors::domain::session::RefreshTokenRecord {
        created_at: now() - Duration::days(31),
        expires_at: now() - Duration::days(1),
        ..expired
    };
    let live = token(id, family);
    store.insert_refresh_token(&expired).await.expect("insert");
    store.insert_refresh_token(&live).await.expect("insert");
    assert_eq!(store.prune_refresh_tokens(now()).await.expect("prune"), 1);
    assert!(store
        .refresh_token_by_id(expired.id)
        .await
        .expect("read")
        .is_none());
    assert!(store
        .refresh_token_by_id(live.id)
        .await
        .expect("read")
        .is_some());
}
