//! GraphQL's `limit`/`offset` on every list field: any offset from 0 answers exactly
//! the slice from it (offsets that are not a multiple of the limit too), and a
//! negative offset or a limit outside 1–100 is `validation_failed` naming it.

mod common;

use common::{detail_fields, fails, ids, ok, str_field, TestHub, TestUser};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Items in each hand-made list.
const ITEMS: usize = 25;
const LIMIT: usize = 10;

/// A list field, its query with `$limit`/`$offset`, and the token to ask with.
struct ListField<'a> {
    name: &'static str,
    query: String,
    user: &'a TestUser,
    /// Every id of the list in the order the hub must answer, known from how it was
    /// made or read from the REST list.
    expected: Vec<String>,
}

fn list_query(field: &str) -> String {
    format!(
        "query($limit: Int, $offset: Int) {{ {field}(limit: $limit, offset: $offset) {{ id }} }}"
    )
}

/// The ids a list field answers for `limit`/`offset`.
async fn slice(hub: &TestHub, field: &ListField<'_>, limit: usize, offset: usize) -> Vec<String> {
    let data = ok(
        hub,
        field.user.token(),
        &field.query,
        json!({"limit": limit, "offset": offset}),
    )
    .await;
    ids(&data[field.name])
}

/// POSTs `body` to `path` as `user`, which must create something; answers its id.
async fn created(hub: &TestHub, user: &TestUser, path: &str, body: Value) -> String {
    let (status, made) = hub.post_json(path, user.token(), body).await;
    assert_eq!(status, StatusCode::CREATED, "{path}: {made}");
    str_field(&made, "id")
}

/// Reads the ids of a REST list (`key` holds the items) as `user`.
async fn rest_ids(hub: &TestHub, user: &TestUser, path: &str, key: &str) -> Vec<String> {
    let (status, body) = hub.get(path, user.token()).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    ids(&body[key])
}

/// Newest first: the reverse of creation order.
fn newest_first(mut made: Vec<String>) -> Vec<String> {
    made.reverse();
    made
}

#[tokio::test]
async fn every_list_answers_the_slice_of_any_offset() {
    let hub = TestHub::start().await;
    let alice = hub.register("pagealice").await;
    let bob = hub.register("pagebob").await;
    let dana = hub.register("pagedana").await;
    let askers = hub.register_many("pageasker", ITEMS).await;

    let mut moods = Vec::new();
    let mut hugs = Vec::new();
    for i in 0..ITEMS {
        let mood = json!({"mood": "calm", "intensity": i % 10 + 1});
        moods.push(created(&hub, &alice, "/api/v1/moods", mood).await);
        let hug = json!({"recipientId": alice.id, "hugType": "warm"});
        hugs.push(created(&hub, &bob, "/api/v1/hugs", hug).await);
    }
    // The same 25 people ask Dana to be friends (she leaves them pending) and become
    // Bob's friends.
    let mut requests = Vec::new();
    for asker in &askers {
        let body = json!({"userId": dana.id});
        requests.push(created(&hub, asker, "/api/v1/friends/requests", body).await);
        hub.befriend(asker, &bob).await;
    }

    let fields = [
        ListField {
            name: "moodEntries",
            query: list_query("moodEntries"),
            user: &alice,
            expected: newest_first(moods),
        },
        ListField {
            name: "hugsReceived",
            query: list_query("hugsReceived"),
            user: &alice,
            expected: newest_first(hugs.clone()),
        },
        ListField {
            name: "hugsSent",
            query: list_query("hugsSent"),
            user: &bob,
            expected: newest_first(hugs),
        },
        ListField {
            name: "notifications",
            query: list_query("notifications"),
            user: &alice,
            expected: rest_ids(
                &hub,
                &alice,
                "/api/v1/notifications?per_page=50",
                "notifications",
            )
            .await,
        },
        ListField {
            name: "friends",
            query: list_query("friends"),
            user: &bob,
            expected: rest_ids(&hub, &bob, "/api/v1/friends?per_page=100", "items").await,
        },
        ListField {
            name: "friendRequests",
            query: list_query("friendRequests"),
            user: &dana,
            expected: newest_first(requests),
        },
    ];
    for field in &fields {
        assert_eq!(
            field.expected.len(),
            ITEMS,
            "{}: the hand-made list",
            field.name
        );
        for offset in [0, 5, 7, 20, 24, 25, 40] {
            let want: Vec<String> = field
                .expected
                .iter()
                .skip(offset)
                .take(LIMIT)
                .cloned()
                .collect();
            assert_eq!(
                slice(&hub, field, LIMIT, offset).await,
                want,
                "{} with limit {LIMIT}, offset {offset}",
                field.name
            );
        }
        assert_eq!(
            slice(&hub, field, 1, 13).await,
            field.expected[13..14],
            "{}: one item from an odd offset",
            field.name
        );
        assert_eq!(
            slice(&hub, field, 100, 3).await,
            field.expected[3..],
            "{}: the largest limit",
            field.name
        );
    }
    hub.stop().await;
}

#[tokio::test]
async fn bad_limits_and_offsets_are_named() {
    let hub = TestHub::start().await;
    let user = hub.register("pagebad").await;
    for field in [
        "moodEntries",
        "hugsReceived",
        "hugsSent",
        "notifications",
        "friends",
        "friendRequests",
    ] {
        let query = list_query(field);
        for (limit, offset, named) in [
            (10, -1, &["offset"][..]),
            (0, 0, &["limit"][..]),
            (101, 0, &["limit"][..]),
            (-5, 0, &["limit"][..]),
            (0, -3, &["limit", "offset"][..]),
        ] {
            let body = fails(
                &hub,
                user.token(),
                &query,
                json!({"limit": limit, "offset": offset}),
                "validation_failed",
            )
            .await;
            assert_eq!(
                detail_fields(&body),
                named,
                "{field} limit {limit} offset {offset}: {body}"
            );
            assert_eq!(body["data"][field], Value::Null, "{field}: {body}");
        }
        // Limits 1 and 100 are in range; an empty list answers an empty page.
        for limit in [1, 100] {
            let data = ok(
                &hub,
                user.token(),
                &query,
                json!({"limit": limit, "offset": 3}),
            )
            .await;
            assert_eq!(data[field], json!([]), "{field} limit {limit}");
        }
    }
    hub.stop().await;
}
