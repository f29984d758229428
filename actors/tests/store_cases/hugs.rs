//! Store cases for sending hugs: the one-query checks and the group commit.

use chrono::Duration;
use hugmood_actors::domain::event::{EventKind, NewEvent};
use hugmood_actors::domain::hug::{Hug, HugStatus, HugType};
use hugmood_actors::domain::idempotency::{IdempotencyClaim, StoredAnswer};
use hugmood_actors::domain::social::NewNotification;
use hugmood_actors::domain::time::now;
use hugmood_actors::domain::user::{AllowHugsFrom, Privacy};
use hugmood_actors::store::{Claimed, HugWrite, HugWritten, Relation, Store};
use hugmood_actors::EngineError;
use std::sync::Arc;
use uuid::Uuid;

use super::user;

pub(super) fn hug_write(sender: Uuid, recipient: Uuid, key: Option<&str>) -> HugWrite {
    let at = now();
    let hug = Hug {
        id: Uuid::new_v4(),
        sender_id: sender,
        recipient_id: recipient,
        hug_type: HugType::Warm,
        message: None,
        sent_at: at,
        status: HugStatus::Sent,
    };
    let data = serde_json::to_value(&hug).expect("hug JSON");
    HugWrite {
        notification: NewNotification {
            id: Uuid::new_v4(),
            user_id: recipient,
            kind: "hug_received",
            title: "t".into(),
            body: "b".into(),
            data: serde_json::json!({ "hugId": hug.id }),
            created_at: at,
        },
        event: NewEvent {
            user_id: recipient,
            kind: EventKind::HugReceived,
            data: data.clone(),
            created_at: at,
        },
        claim: key.map(|key| IdempotencyClaim {
            user_id: sender,
            scope: "hugs",
            key: key.into(),
            request_hash: format!("hash-{}", hug.id),
            response: data.to_string(),
            created_at: at,
        }),
        hug,
    }
}

/// The id of the `hug_received` event a written outcome carries; its inbox item's
/// `notification` event must follow it at once.
fn event_id(outcome: &HugWritten) -> i64 {
    match outcome {
        Ok(Claimed::Written(events)) => match events.as_slice() {
            [hug, note] => {
                assert_eq!(
                    (hug.kind, note.kind, note.id),
                    (EventKind::HugReceived, EventKind::Notification, hug.id + 1),
                    "{events:?}"
                );
                hug.id
            }
            other => panic!("expected hug_received and notification, got {other:?}"),
        },
        other => panic!("expected a written hug with its events, got {other:?}"),
    }
}

pub async fn hug_batches_commit_together_with_gapless_event_ids(store: Arc<dyn Store>) {
    let (ann, bob) = (user(&store, "hb_ann").await, user(&store, "hb_bob").await);
    let (rita, ron) = (user(&store, "hb_rita").await, user(&store, "hb_ron").await);
    let first = store
        .insert_hug_batch(&[hug_write(ann, rita, Some("k1"))])
        .await
        .expect("first batch");
    assert_eq!(event_id(&first[0]), 1);

    let gone = Uuid::new_v4();
    let replay = hug_write(ann, ron, Some("k1"));
    let batch = vec![
        hug_write(bob, rita, None),
        hug_write(ann, ron, Some("k2")),
        // A recipient that does not exist: fails alone, inside its savepoint.
        hug_write(ann, gone, None),
        // The key of the first batch: replays its answer and writes nothing.
        replay.clone(),
        hug_write(bob, rita, Some("k3")),
        // The same new key twice in one batch: the second replays the first.
        hug_write(bob, ron, Some("k4")),
        hug_write(bob, ron, Some("k4")),
    ];
    let outcomes = store.insert_hug_batch(&batch).await.expect("batch");
    assert_eq!(outcomes.len(), batch.len(), "one outcome per write");
    assert_eq!(
        event_id(&outcomes[0]),
        3,
        "rita's ids go on from the first batch"
    );
    assert_eq!(event_id(&outcomes[1]), 1);
    assert!(
        matches!(outcomes[2], Err(EngineError::NotFound("user"))),
        "{:?}",
        outcomes[2]
    );
    let first_answer = stored_answer(&store, ann).await;
    match &outcomes[3] {
        Ok(Claimed::Replay(answer)) => assert_eq!(answer, &first_answer),
        other => panic!("expected a replay, got {other:?}"),
    }
    assert_eq!(event_id(&outcomes[4]), 5, "no gap after the failed write");
    assert_eq!(event_id(&outcomes[5]), 3);
    assert!(
        matches!(outcomes[6], Ok(Claimed::Replay(_))),
        "{:?}",
        outcomes[6]
    );

    let ids = |events: Vec<hugmood_actors::domain::event::Event>| {
        events.into_iter().map(|e| e.id).collect::<Vec<_>>()
    };
    let rita_log = store.events_after(rita, 0, 100).await.expect("rita's log");
    assert_eq!(ids(rita_log), (1..=6).collect::<Vec<_>>());
    let ron_log = store.events_after(ron, 0, 100).await.expect("ron's log");
    assert_eq!(ids(ron_log), (1..=4).collect::<Vec<_>>());
    assert_eq!(store.event_bounds(rita).await.expect("bounds").last, 6);
    assert_eq!(store.event_bounds(ron).await.expect("bounds").last, 4);
    assert_eq!(store.unread_notifications(rita).await.expect("unread"), 3);
    assert_eq!(store.unread_notifications(ron).await.expect("unread"), 2);
    for (write, stored) in batch
        .iter()
        .zip([true, true, false, false, true, true, false])
    {
        assert_eq!(
            store.hug_by_id(write.hug.id).await.expect("read").is_some(),
            stored,
            "hug to {} stored: {stored}",
            write.hug.recipient_id
        );
    }
}

/// A batch with nothing to fail is written together (a few multi-row statements):
/// its outcomes, ids, rows and stored events are what one by one would give.
pub async fn a_full_hug_batch_is_written_together(store: Arc<dyn Store>) {
    let senders = [user(&store, "hw_s1").await, user(&store, "hw_s2").await];
    let mut recipients = Vec::new();
    for name in ["hw_r1", "hw_r2", "hw_r3", "hw_r4", "hw_r5"] {
        recipients.push(user(&store, name).await);
    }
    // 64 writes (a whole batch), recipients interleaved; every 8th carries a key,
    // and write 9 repeats write 1's key: of the two, the one written second (writes go
    // by recipient) replays the claim the other made in the same batch.
    let mut batch: Vec<HugWrite> = (0..64)
        .map(|i| {
            let key = (i % 8 == 1).then(|| format!("full-{i}"));
            hug_write(senders[i % 2], recipients[i % 5], key.as_deref())
        })
        .collect();
    batch[9].claim = batch[1].claim.clone();
    let outcomes = store.insert_hug_batch(&batch).await.expect("batch");
    assert_eq!(outcomes.len(), batch.len(), "one outcome per write");

    let mut next: std::collections::HashMap<Uuid, i64> = Default::default();
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by_key(|&i| batch[i].hug.recipient_id);
    let position = |write: usize| order.iter().position(|&i| i == write);
    let replayed = if position(1) < position(9) { 9 } else { 1 };
    for i in order.clone() {
        if i == replayed {
            assert!(
                matches!(outcomes[i], Ok(Claimed::Replay(_))),
                "{:?}",
                outcomes[i]
            );
            continue;
        }
        let expected = next.entry(batch[i].hug.recipient_id).or_insert(1);
        assert_eq!(event_id(&outcomes[i]), *expected, "write {i}");
        *expected += 2;
        if let Ok(Claimed::Written(events)) = &outcomes[i] {
            let data: serde_json::Value = serde_json::from_str(&events[0].data).expect("JSON");
            assert_eq!(data["id"], serde_json::json!(batch[i].hug.id));
            assert_eq!(events[0].user_id, batch[i].hug.recipient_id);
        }
        assert!(store
            .hug_by_id(batch[i].hug.id)
            .await
            .expect("read")
            .is_some());
    }
    assert!(store
        .hug_by_id(batch[replayed].hug.id)
        .await
        .expect("read")
        .is_none());
    for (n, recipient) in recipients.iter().enumerate() {
        let hugs = batch
            .iter()
            .enumerate()
            .filter(|(i, w)| *i != replayed && w.hug.recipient_id == *recipient)
            .count() as i64;
        let log = store.events_after(*recipient, 0, 1000).await.expect("log");
        let ids: Vec<i64> = log.iter().map(|e| e.id).collect();
        assert_eq!(ids, (1..=2 * hugs).collect::<Vec<_>>(), "recipient {n}");
        let returned: Vec<String> = order_of(&outcomes, *recipient);
        let stored: Vec<String> = log.iter().map(|e| e.data.clone()).collect();
        assert_eq!(stored, returned, "the stored events are the ones answered");
        assert_eq!(
            store
                .unread_notifications(*recipient)
                .await
                .expect("unread"),
            hugs as u64
        );
    }
}

/// The `data` of every event written for `recipient`, in id order.
fn order_of(outcomes: &[HugWritten], recipient: Uuid) -> Vec<String> {
    let mut events: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            Ok(Claimed::Written(events)) => Some(events.iter()),
            _ => None,
        })
        .flatten()
        .filter(|e| e.user_id == recipient)
        .collect();
    events.sort_by_key(|e| e.id);
    events.into_iter().map(|e| e.data.clone()).collect()
}

/// The answer stored with `ann`'s key `k1`.
async fn stored_answer(store: &Arc<dyn Store>, ann: Uuid) -> StoredAnswer {
    store
        .idempotent_answer(ann, "hugs", "k1", now() - Duration::hours(24))
        .await
        .expect("answer")
        .expect("k1 is claimed")
}

pub async fn hug_parties_are_read_in_one_query(store: Arc<dyn Store>) {
    let (sender, recipient) = (
        user(&store, "hp_sender").await,
        user(&store, "hp_recv").await,
    );
    let parties = store.hug_parties(sender, recipient).await.expect("parties");
    assert_eq!(parties.sender_name.as_deref(), Some("hp_sender display"));
    assert_eq!(parties.recipient_allows, Some(AllowHugsFrom::Everyone));
    assert_eq!(parties.relation, Relation::default());

    let friends_only = Privacy {
        allow_hugs_from: AllowHugsFrom::Friends,
        ..Privacy::default()
    };
    assert!(store
        .set_privacy(recipient, &friends_only)
        .await
        .expect("privacy"));
    store
        .insert_friendships(&[(recipient, sender)], now())
        .await
        .expect("friends");
    let parties = store.hug_parties(sender, recipient).await.expect("parties");
    assert_eq!(parties.recipient_allows, Some(AllowHugsFrom::Friends));
    assert!(parties.relation.friends);

    store
        .insert_block(recipient, sender, now())
        .await
        .expect("block");
    let relation = store
        .hug_parties(sender, recipient)
        .await
        .expect("parties")
        .relation;
    assert!(relation.a_blocks_b, "the recipient blocks the sender");
    assert!(!relation.b_blocks_a);
    assert!(!relation.friends, "a block ends the friendship");
    store
        .delete_block(recipient, sender)
        .await
        .expect("unblock");
    store
        .insert_block(sender, recipient, now())
        .await
        .expect("block back");
    let relation = store
        .hug_parties(sender, recipient)
        .await
        .expect("parties")
        .relation;
    assert!(relation.b_blocks_a && !relation.a_blocks_b);

    let nobody = store
        .hug_parties(Uuid::new_v4(), Uuid::new_v4())
        .await
        .expect("parties of nobody");
    assert_eq!(nobody.sender_name, None);
    assert_eq!(nobody.recipient_allows, None);
}
