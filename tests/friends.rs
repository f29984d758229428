//! Friend requests and friendships over real HTTP.

mod common;

use common::{
    answer_request, assert_error, assert_invalid_fields, assert_names_field, ids, pending_ids,
    request_ok, send_request, str_field, TestHub, TestUser,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

const REQUESTS: &str = "/api/v1/friends/requests";

#[tokio::test]
async fn sending_a_request_creates_a_pending_one() {
    let hub = TestHub::start().await;
    let [a, b] = <[TestUser; 2]>::try_from(hub.register_many("req", 2).await).expect("two users");
    let (status, body) = send_request(&hub, &a, &b).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut keys: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["createdAt", "from", "id", "status", "to"], "{body}");
    assert_eq!(
        (&body["from"], &body["to"], &body["status"]),
        (&json!(a.id), &json!(b.id), &json!("pending"))
    );
    uuid::Uuid::parse_str(&str_field(&body, "id")).expect("request id is a UUID");
    chrono::DateTime::parse_from_rfc3339(&str_field(&body, "createdAt"))
        .expect("RFC 3339 createdAt");
    let id = str_field(&body, "id");

    assert_eq!(pending_ids(&hub, &a, "outgoing").await, vec![id.clone()]);
    assert_eq!(pending_ids(&hub, &b, "incoming").await, vec![id.clone()]);
    assert!(pending_ids(&hub, &a, "incoming").await.is_empty());
    assert!(pending_ids(&hub, &b, "outgoing").await.is_empty());
    let (status, default) = hub.get(REQUESTS, b.token()).await;
    assert_eq!(status, StatusCode::OK, "{default}");
    assert_eq!(ids(&default["items"]), vec![id], "incoming is the default");
    assert_eq!(
        default["items"][0], body,
        "the listing shows the same request"
    );
    for key in ["total", "pages", "page", "perPage"] {
        assert!(default[key].is_number(), "{key} missing: {default}");
    }
}

#[tokio::test]
async fn bad_requests_are_refused() {
    let hub = TestHub::start().await;
    let a = hub.register("bad").await;
    let (status, body) = hub
        .post_json(REQUESTS, a.token(), json!({"userId": a.id}))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "befriending oneself: {body}"
    );
    assert_invalid_fields(&body, &["userId"]);
    let (status, body) = hub.post_json(REQUESTS, a.token(), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_invalid_fields(&body, &["userId"]);
    for bad in [json!("not-a-uuid"), json!(42), json!(null)] {
        let (status, body) = hub
            .post_json(REQUESTS, a.token(), json!({"userId": bad}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_names_field(&body, "userId");
    }
    let (status, body) = hub
        .post_json(REQUESTS, a.token(), json!({"userId": uuid::Uuid::new_v4()}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "not_found");
    let (status, body) = hub
        .post_json(REQUESTS, None, json!({"userId": uuid::Uuid::new_v4()}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "unauthorized");
}

#[tokio::test]
async fn duplicate_requests_and_friends_are_conflicts() {
    let hub = TestHub::start().await;
    let [a, b, c] =
        <[TestUser; 3]>::try_from(hub.register_many("dup", 3).await).expect("three users");
    request_ok(&hub, &a, &b).await;
    for (from, to) in [(&a, &b), (&b, &a)] {
        let (status, body) = send_request(&hub, from, to).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_error(&body, "request_pending");
    }
    hub.befriend(&a, &c).await;
    for (from, to) in [(&a, &c), (&c, &a)] {
        let (status, body) = send_request(&hub, from, to).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_error(&body, "already_friends");
    }
}

#[tokio::test]
async fn accepting_makes_friends_once() {
    let hub = TestHub::start().await;
    let [a, b] = <[TestUser; 2]>::try_from(hub.register_many("acc", 2).await).expect("two users");
    let id = request_ok(&hub, &a, &b).await;
    let (status, body) = answer_request(&hub, &b, &id, "accept").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (&body["id"], &body["status"], &body["from"], &body["to"]),
        (&json!(id), &json!("accepted"), &json!(a.id), &json!(b.id))
    );

    assert_eq!(hub.friend_ids(&a).await, vec![b.id.clone()]);
    assert_eq!(hub.friend_ids(&b).await, vec![a.id.clone()]);
    assert!(
        pending_ids(&hub, &a, "outgoing").await.is_empty(),
        "no longer pending"
    );
    assert!(pending_ids(&hub, &b, "incoming").await.is_empty());
    let (_, friends) = hub.get("/api/v1/friends", a.token()).await;
    let friend = &friends["items"][0];
    assert_eq!(friend["username"], b.username);
    assert!(
        friend.get("email").is_none(),
        "friends are public profiles: {friend}"
    );
    assert_eq!(
        (&friends["total"], &friends["page"], &friends["perPage"]),
        (&json!(1), &json!(1), &json!(20))
    );

    for verb in ["accept", "decline"] {
        let (status, body) = answer_request(&hub, &b, &id, verb).await;
        assert_eq!(status, StatusCode::CONFLICT, "{verb}: {body}");
        assert_error(&body, "request_not_pending");
    }
}

#[tokio::test]
async fn declining_leaves_them_strangers_who_may_ask_again() {
    let hub = TestHub::start().await;
    let [a, b] = <[TestUser; 2]>::try_from(hub.register_many("dec", 2).await).expect("two users");
    let id = request_ok(&hub, &a, &b).await;
    let (status, body) = answer_request(&hub, &b, &id, "decline").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "declined");
    assert!(hub.friend_ids(&a).await.is_empty());
    assert!(hub.friend_ids(&b).await.is_empty());
    assert!(pending_ids(&hub, &b, "incoming").await.is_empty());
    let (status, body) = answer_request(&hub, &b, &id, "accept").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_error(&body, "request_not_pending");
    let again = request_ok(&hub, &a, &b).await;
    assert_ne!(again, id);
    let reverse = {
        let (status, body) = answer_request(&hub, &b, &again, "decline").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        request_ok(&hub, &b, &a).await
    };
    assert_eq!(pending_ids(&hub, &a, "incoming").await, vec![reverse]);
}

#[tokio::test]
async fn only_the_recipient_may_answer() {
    let hub = TestHub::start().await;
    let [a, b, c] =
        <[TestUser; 3]>::try_from(hub.register_many("ans", 3).await).expect("three users");
    let id = request_ok(&hub, &a, &b).await;
    for verb in ["accept", "decline"] {
        let (status, body) = answer_request(&hub, &a, &id, verb).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "requester {verb}: {body}");
        assert_error(&body, "not_recipient");
        let (status, body) = answer_request(&hub, &c, &id, verb).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "third user {verb}: {body}");
        assert_error(&body, "not_found");
    }
    let (status, body) =
        answer_request(&hub, &b, &uuid::Uuid::new_v4().to_string(), "accept").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "not_found");
    let (status, body) = answer_request(&hub, &b, "not-a-uuid", "accept").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "validation_failed");
    assert_eq!(
        pending_ids(&hub, &b, "incoming").await,
        vec![id],
        "still pending after refused answers"
    );
}

#[tokio::test]
async fn request_lists_are_newest_first_and_paginated() {
    let hub = TestHub::start().await;
    let target = hub.register("popular").await;
    let askers = hub.register_many("asker", 3).await;
    let mut sent = Vec::new();
    for asker in &askers {
        sent.push(request_ok(&hub, asker, &target).await);
    }
    sent.reverse();
    assert_eq!(
        pending_ids(&hub, &target, "incoming").await,
        sent,
        "newest first"
    );

    let (status, first) = hub
        .get(
            &format!("{REQUESTS}?direction=incoming&per_page=2"),
            target.token(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        (
            &first["total"],
            &first["pages"],
            &first["page"],
            &first["perPage"]
        ),
        (&json!(3), &json!(2), &json!(1), &json!(2))
    );
    assert_eq!(ids(&first["items"]), sent[..2].to_vec());
    let (_, second) = hub
        .get(
            &format!("{REQUESTS}?direction=incoming&per_page=2&page=2"),
            target.token(),
        )
        .await;
    assert_eq!(ids(&second["items"]), sent[2..].to_vec());

    for query in ["direction=sideways", "direction=", "direction=INCOMING"] {
        let (status, body) = hub
            .get(&format!("{REQUESTS}?{query}"), target.token())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_invalid_fields(&body, &["direction"]);
    }
    for (query, field) in [
        ("page=0", "page"),
        ("per_page=0", "per_page"),
        ("page=x", "page"),
    ] {
        let (status, body) = hub
            .get(&format!("{REQUESTS}?{query}"), target.token())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_names_field(&body, field);
    }
}

#[tokio::test]
async fn friend_list_paginates_and_caps_per_page() {
    let hub = TestHub::start().await;
    let hubby = hub.register("hubby").await;
    let friends = hub.register_many("pal", 3).await;
    for friend in &friends {
        hub.befriend(friend, &hubby).await;
    }
    let mut all = hub.friend_ids(&hubby).await;
    all.sort();
    let mut want: Vec<String> = friends.iter().map(|f| f.id.clone()).collect();
    want.sort();
    assert_eq!(all, want);
    let (status, page) = hub
        .get("/api/v1/friends?per_page=2&page=2", hubby.token())
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        (&page["total"], &page["pages"], &page["page"]),
        (&json!(3), &json!(2), &json!(2))
    );
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    let (_, capped) = hub
        .get("/api/v1/friends?per_page=1000", hubby.token())
        .await;
    assert_eq!(capped["perPage"], 100, "{capped}");
    for query in ["page=0", "page=-1", "per_page=0", "per_page=abc"] {
        let (status, body) = hub
            .get(&format!("/api/v1/friends?{query}"), hubby.token())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_error(&body, "validation_failed");
    }
}

#[tokio::test]
async fn unfriending_ends_the_friendship_both_ways() {
    let hub = TestHub::start().await;
    let [a, b, c] =
        <[TestUser; 3]>::try_from(hub.register_many("unf", 3).await).expect("three users");
    hub.befriend(&a, &b).await;
    hub.befriend(&a, &c).await;
    let (status, body) = hub
        .delete(&format!("/api/v1/friends/{}", b.id), a.token())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);
    assert_eq!(
        hub.friend_ids(&a).await,
        vec![c.id.clone()],
        "other friendships stay"
    );
    assert!(hub.friend_ids(&b).await.is_empty());
    let (status, body) = hub
        .delete(&format!("/api/v1/friends/{}", b.id), a.token())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "repeat: {body}");
    assert_error(&body, "not_found");
    let (status, body) = hub
        .delete(&format!("/api/v1/friends/{}", a.id), b.token())
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "from the other side too: {body}"
    );
    // The friend on the other side may end it as well.
    let (status, _) = hub
        .delete(&format!("/api/v1/friends/{}", a.id), c.token())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(hub.friend_ids(&a).await.is_empty());
    let (status, body) = hub.delete("/api/v1/friends/not-a-uuid", a.token()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // After unfriending they may become friends again.
    hub.befriend(&b, &a).await;
    assert_eq!(hub.friend_ids(&a).await, vec![b.id.clone()]);
}

#[tokio::test]
async fn crossing_requests_and_double_answers_do_not_race() {
    let hub = TestHub::start().await;
    let [a, b] = <[TestUser; 2]>::try_from(hub.register_many("cross", 2).await).expect("two users");
    let (one, two) = tokio::join!(send_request(&hub, &a, &b), send_request(&hub, &b, &a));
    let mut statuses = [one.0, two.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{one:?} {two:?}"
    );
    let (winner, recipient) = if one.0 == StatusCode::CREATED {
        (&one.1, &b)
    } else {
        (&two.1, &a)
    };
    let loser = if one.0 == StatusCode::CREATED {
        &two.1
    } else {
        &one.1
    };
    assert_error(loser, "request_pending");

    let id = str_field(winner, "id");
    let (x, y) = tokio::join!(
        answer_request(&hub, recipient, &id, "accept"),
        answer_request(&hub, recipient, &id, "accept")
    );
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{x:?} {y:?}"
    );
    assert_eq!(hub.friend_ids(&a).await, vec![b.id.clone()]);
    assert_eq!(hub.friend_ids(&b).await, vec![a.id.clone()]);
}
