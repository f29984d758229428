//! The GraphQL API at `/graphql` over real HTTP: sign-up and sign-in, moods, analytics,
//! streaks, friends, permission and validation errors, auth, limits and GraphiQL.

mod common;

use common::{
    assert_error, close, detail_fields, fails, gql, ok, read_reply, str_field, TestHub, TestUser,
};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const GRAPHQL: &str = "/graphql";

const CREATE: &str = "mutation($input: MoodEntryInput!) {
    createMoodEntry(input: $input) {
        id userId mood intensity valence arousal note isPublic tags createdAt updatedAt
    }
}";

const UPDATE: &str = "mutation($id: ID!, $input: MoodEntryInput!) {
    updateMoodEntry(id: $id, input: $input) { id mood intensity valence arousal note isPublic tags }
}";

const ENTRY: &str = "query($id: ID!) { moodEntry(id: $id) { id mood note user { id username } } }";

const DELETE: &str = "mutation($id: ID!) { deleteMoodEntry(id: $id) }";

/// Creates an entry for `user` and returns its id.
async fn create(hub: &TestHub, user: &TestUser, input: Value) -> String {
    let data = ok(hub, user.token(), CREATE, json!({"input": input})).await;
    str_field(&data["createMoodEntry"], "id")
}

#[tokio::test]
async fn register_login_and_me() {
    let hub = TestHub::start().await;
    let username = common::unique_name("gql");
    let email = format!("{}@example.test", username.to_lowercase());
    let register = "mutation($input: RegisterInput!) {
        register(input: $input) {
            user { id username displayName email isAnonymous online }
            accessToken refreshToken expiresIn
        }
    }";
    let input = json!({"username": username, "email": email, "password": common::PASSWORD, "displayName": "G Q L"});
    let data = ok(&hub, None, register, json!({"input": input})).await;
    let payload = &data["register"];
    assert_eq!(payload["user"]["username"], json!(username));
    assert_eq!(payload["user"]["displayName"], json!("G Q L"));
    assert_eq!(payload["user"]["email"], json!(email));
    assert_eq!(payload["user"]["isAnonymous"], json!(false));
    assert_eq!(
        payload["expiresIn"],
        json!(hub.config.access_token_ttl_secs)
    );
    assert!(!str_field(payload, "refreshToken").is_empty());
    let id = str_field(&payload["user"], "id");

    let taken = fails(
        &hub,
        None,
        register,
        json!({"input": input}),
        "username_taken",
    )
    .await;
    assert_eq!(taken["data"]["register"], Value::Null, "{taken}");

    let login = "mutation($input: LoginInput!) { login(input: $input) { user { id username } accessToken } }";
    let wrong = json!({"input": {"login": username, "password": "not-the-password"}});
    fails(&hub, None, login, wrong, "invalid_credentials").await;
    let data = ok(
        &hub,
        None,
        login,
        json!({"input": {"login": email, "password": common::PASSWORD}}),
    )
    .await;
    assert_eq!(data["login"]["user"]["id"], json!(id));
    let token = str_field(&data["login"], "accessToken");

    let me = "{ me { id username email displayName } }";
    let data = ok(&hub, Some(&token), me, Value::Null).await;
    assert_eq!(
        data["me"],
        json!({"id": id, "username": username, "email": email, "displayName": "G Q L"})
    );

    // The same token works for REST, and a REST token for GraphQL.
    let (status, rest_me) = hub.get("/api/v1/users/me", Some(&token)).await;
    assert_eq!(
        (status, str_field(&rest_me, "id")),
        (StatusCode::OK, id.clone())
    );
    let rest_user = hub.register("gqlrest").await;
    let data = ok(&hub, rest_user.token(), "{ me { id } }", Value::Null).await;
    assert_eq!(data["me"]["id"], json!(rest_user.id));

    let invalid = json!({"input": {"username": "x", "email": "nope", "password": "short"}});
    let body = fails(&hub, None, register, invalid, "validation_failed").await;
    assert_eq!(detail_fields(&body), ["email", "password", "username"]);
    hub.stop().await;
}

#[tokio::test]
async fn fields_need_a_token_and_a_bad_token_is_401() {
    let hub = TestHub::start().await;
    let body = fails(&hub, None, "{ me { id } }", Value::Null, "unauthorized").await;
    assert_eq!(body["data"], json!({"me": null}));
    assert_eq!(body["errors"][0]["path"], json!(["me"]));
    let body = fails(
        &hub,
        None,
        DELETE,
        json!({"id": uuid::Uuid::new_v4()}),
        "unauthorized",
    )
    .await;
    assert_eq!(body["data"], json!({"deleteMoodEntry": false}));

    for token in ["garbage", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"] {
        let (status, body) = hub
            .post_json(GRAPHQL, Some(token), json!({"query": "{ me { id } }"}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_error(&body, "invalid_token");
        // Even fields open to anonymous callers: a bad token is never anonymous.
        let register = json!({"query": "mutation { login(input: {login: \"a\", password: \"b\"}) { accessToken } }"});
        let (status, body) = hub.post_json(GRAPHQL, Some(token), register).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (status, body) = hub
        .get("/graphql?query=%7Bme%7Bid%7D%7D", Some("garbage"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "invalid_token");

    // A deleted account's token is refused too.
    let gone = hub.register("gqlgone").await;
    let (status, _) = hub.delete("/api/v1/users/me", gone.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = hub
        .post_json(GRAPHQL, gone.token(), json!({"query": "{ me { id } }"}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error(&body, "invalid_token");
    hub.stop().await;
}

#[tokio::test]
async fn mood_entries_are_created_patched_and_deleted() {
    let hub = TestHub::start().await;
    let user = hub.register("gqlmood").await;
    let input =
        json!({"mood": "Happy", "intensity": 7, "note": "sunny", "tags": ["work", " Walk "]});
    let data = ok(&hub, user.token(), CREATE, json!({"input": input})).await;
    let entry = &data["createMoodEntry"];
    assert_eq!(entry["userId"], json!(user.id));
    assert_eq!(
        (&entry["mood"], &entry["intensity"]),
        (&json!("happy"), &json!(7))
    );
    assert!(
        close(&entry["valence"], 0.8) && close(&entry["arousal"], 0.6),
        "{entry}"
    );
    assert_eq!(
        (&entry["note"], &entry["isPublic"]),
        (&json!("sunny"), &json!(false))
    );
    assert_eq!(entry["tags"], json!(["work", "Walk"]));
    let created_at = str_field(entry, "createdAt");
    assert!(created_at.ends_with('Z'), "UTC like REST: {created_at}");
    chrono::DateTime::parse_from_rfc3339(&created_at).expect("RFC 3339 createdAt");
    let id = str_field(entry, "id");

    // Only the fields given change.
    let data = ok(
        &hub,
        user.token(),
        UPDATE,
        json!({"id": id, "input": {"intensity": 3}}),
    )
    .await;
    let updated = &data["updateMoodEntry"];
    assert_eq!(
        (&updated["mood"], &updated["intensity"], &updated["note"]),
        (&json!("happy"), &json!(3), &json!("sunny"))
    );
    assert!(close(&updated["valence"], 0.8), "{updated}");
    assert_eq!(updated["tags"], json!(["work", "Walk"]));
    // A new mood brings its own valence and arousal; `note: null` clears the note.
    let input = json!({"mood": "sad", "note": null, "isPublic": true});
    let data = ok(
        &hub,
        user.token(),
        UPDATE,
        json!({"id": id, "input": input}),
    )
    .await;
    let updated = &data["updateMoodEntry"];
    assert_eq!(
        (&updated["mood"], &updated["intensity"]),
        (&json!("sad"), &json!(3))
    );
    assert!(
        close(&updated["valence"], 0.2) && close(&updated["arousal"], 0.3),
        "{updated}"
    );
    assert_eq!(
        (&updated["note"], &updated["isPublic"]),
        (&Value::Null, &json!(true))
    );

    let data = ok(&hub, user.token(), ENTRY, json!({"id": id})).await;
    assert_eq!(data["moodEntry"]["mood"], json!("sad"));
    assert_eq!(
        data["moodEntry"]["user"],
        json!({"id": user.id, "username": user.username})
    );
    let (status, rest) = hub.get(&format!("/api/v1/moods/{id}"), user.token()).await;
    assert_eq!(
        (status, &rest["intensity"], &rest["isPublic"]),
        (StatusCode::OK, &json!(3), &json!(true))
    );

    let data = ok(&hub, user.token(), DELETE, json!({"id": id})).await;
    assert_eq!(data["deleteMoodEntry"], json!(true));
    let gone = fails(&hub, user.token(), ENTRY, json!({"id": id}), "not_found").await;
    assert_eq!(gone["data"]["moodEntry"], Value::Null);
    let again = fails(&hub, user.token(), DELETE, json!({"id": id}), "not_found").await;
    assert_eq!(again["data"]["deleteMoodEntry"], json!(false));
    assert_eq!(again["errors"][0]["path"], json!(["deleteMoodEntry"]));
    hub.stop().await;
}

#[tokio::test]
async fn invalid_input_names_each_field() {
    let hub = TestHub::start().await;
    let user = hub.register("gqlinvalid").await;
    let body = fails(
        &hub,
        user.token(),
        CREATE,
        json!({"input": {"note": "no mood"}}),
        "validation_failed",
    )
    .await;
    assert_eq!(body["data"]["createMoodEntry"], Value::Null);
    assert_eq!(detail_fields(&body), ["intensity", "mood"]);
    assert_eq!(
        body["errors"][0]["extensions"]["details"]["mood"],
        json!("is required")
    );
    let input = json!({"mood": "joyful", "intensity": 11, "valence": 1.5, "tags": [""]});
    let body = fails(
        &hub,
        user.token(),
        CREATE,
        json!({"input": input}),
        "validation_failed",
    )
    .await;
    assert_eq!(
        detail_fields(&body),
        ["intensity", "mood", "tags", "valence"]
    );

    let id = create(&hub, &user, json!({"mood": "calm", "intensity": 4})).await;
    let body = fails(
        &hub,
        user.token(),
        UPDATE,
        json!({"id": id, "input": {"arousal": -0.5}}),
        "validation_failed",
    )
    .await;
    assert_eq!(detail_fields(&body), ["arousal"]);
    let body = fails(
        &hub,
        user.token(),
        ENTRY,
        json!({"id": "not-a-uuid"}),
        "validation_failed",
    )
    .await;
    assert_eq!(detail_fields(&body), ["id"]);

    let analytics = "query($range: String) { moodAnalytics(timeRange: $range) { totalEntries } }";
    let body = fails(
        &hub,
        user.token(),
        analytics,
        json!({"range": "fortnight"}),
        "validation_failed",
    )
    .await;
    assert_eq!(detail_fields(&body), ["timeRange"]);
    assert_eq!(body["data"]["moodAnalytics"], Value::Null);

    let list =
        "query($limit: Int, $offset: Int) { moodEntries(limit: $limit, offset: $offset) { id } }";
    let body = fails(
        &hub,
        user.token(),
        list,
        json!({"limit": -1, "offset": -2}),
        "validation_failed",
    )
    .await;
    assert_eq!(detail_fields(&body), ["limit", "offset"]);
    hub.stop().await;
}

#[tokio::test]
async fn mood_entries_list_newest_first_with_their_users() {
    let hub = TestHub::start().await;
    let (owner, viewer) = (
        hub.register("gqlowner").await,
        hub.register("gqlviewer").await,
    );
    let moods = ["happy", "sad", "calm", "angry", "bored"];
    let mut ids = Vec::new();
    for (i, mood) in moods.iter().enumerate() {
        ids.push(
            create(
                &hub,
                &owner,
                json!({"mood": mood, "intensity": i + 1, "isPublic": i % 2 == 0}),
            )
            .await,
        );
    }
    let list = "query($user: ID, $limit: Int, $offset: Int) {
        moodEntries(userId: $user, limit: $limit, offset: $offset) { id mood intensity user { id username } }
    }";
    let data = ok(&hub, owner.token(), list, json!({"limit": 2})).await;
    let entries = data["moodEntries"].as_array().expect("a list");
    let got: Vec<&Value> = entries.iter().map(|e| &e["mood"]).collect();
    assert_eq!(
        got,
        [&json!("bored"), &json!("angry")],
        "newest first: {data}"
    );
    for entry in entries {
        assert_eq!(
            entry["user"],
            json!({"id": owner.id, "username": owner.username})
        );
    }
    let data = ok(&hub, owner.token(), list, json!({"limit": 2, "offset": 4})).await;
    assert_eq!(
        data["moodEntries"],
        json!([{"id": ids[0], "mood": "happy", "intensity": 1,
        "user": {"id": owner.id, "username": owner.username}}])
    );
    let data = ok(&hub, owner.token(), list, json!({})).await;
    let all: Vec<String> = data["moodEntries"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| str_field(e, "id"))
        .collect();
    assert_eq!(
        all,
        ids.iter().rev().cloned().collect::<Vec<_>>(),
        "default limit 10 holds all five"
    );

    // A stranger sees only the public entries (moods 0, 2 and 4), each with its author.
    let data = ok(&hub, viewer.token(), list, json!({"user": owner.id})).await;
    let seen: Vec<(String, String)> = data["moodEntries"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| (str_field(e, "mood"), str_field(&e["user"], "username")))
        .collect();
    let want: Vec<(String, String)> = ["bored", "calm", "happy"]
        .iter()
        .map(|m| (m.to_string(), owner.username.clone()))
        .collect();
    assert_eq!(seen, want);
    let body = fails(
        &hub,
        viewer.token(),
        list,
        json!({"user": uuid::Uuid::new_v4()}),
        "not_found",
    )
    .await;
    assert_eq!(body["data"]["moodEntries"], Value::Null);
    hub.stop().await;
}

#[tokio::test]
async fn analytics_and_streak_reflect_the_entries() {
    let hub = TestHub::start().await;
    let user = hub.register("gqlstats").await;
    let empty = ok(&hub, user.token(), "{ moodAnalytics { totalEntries dominantMood moodTrend averageMood } moodStreak { current longest lastEntryDate } }", Value::Null).await;
    assert_eq!(
        empty["moodAnalytics"],
        json!({"totalEntries": 0, "dominantMood": null, "moodTrend": "STABLE", "averageMood": 0.0})
    );
    assert_eq!(
        empty["moodStreak"],
        json!({"current": 0, "longest": 0, "lastEntryDate": null})
    );

    create(
        &hub,
        &user,
        json!({"mood": "happy", "intensity": 5, "valence": 0.9}),
    )
    .await;
    create(
        &hub,
        &user,
        json!({"mood": "sad", "intensity": 5, "valence": 0.3}),
    )
    .await;
    create(
        &hub,
        &user,
        json!({"mood": "happy", "intensity": 5, "valence": 0.6}),
    )
    .await;
    let query = "query($range: String) {
        moodAnalytics(timeRange: $range) {
            userId timeRange totalEntries averageMood dominantMood moodVariability moodTrend insights
            moodFrequency { mood count percentage }
            moodByDayOfWeek { day averageMood entries }
            moodByTimeOfDay { hour averageMood entries }
            correlations { kind factor coefficient }
        }
        moodStreak { current longest lastEntryDate }
    }";
    let data = ok(&hub, user.token(), query, json!({"range": "week"})).await;
    let a = &data["moodAnalytics"];
    assert_eq!(
        (&a["userId"], &a["timeRange"], &a["totalEntries"]),
        (&json!(user.id), &json!("week"), &json!(3))
    );
    assert!(close(&a["averageMood"], 0.6), "{a}");
    assert!(
        close(&a["moodVariability"], 0.3),
        "sample sd of 0.9, 0.3, 0.6: {a}"
    );
    assert_eq!(
        (&a["dominantMood"], &a["moodTrend"]),
        (&json!("happy"), &json!("DECLINING"))
    );
    let frequency = a["moodFrequency"].as_array().expect("list");
    assert_eq!(frequency.len(), 2, "{a}");
    assert_eq!(
        (&frequency[0]["mood"], &frequency[0]["count"]),
        (&json!("happy"), &json!(2))
    );
    assert!(close(&frequency[0]["percentage"], 2.0 / 3.0), "{a}");
    assert_eq!(
        (&frequency[1]["mood"], &frequency[1]["count"]),
        (&json!("sad"), &json!(1))
    );
    let days = a["moodByDayOfWeek"].as_array().expect("list");
    assert_eq!(days.len(), 7);
    assert_eq!(days[0]["day"], json!("Monday"));
    assert_eq!(
        days.iter()
            .map(|d| d["entries"].as_u64().unwrap_or(0))
            .sum::<u64>(),
        3
    );
    let hours = a["moodByTimeOfDay"].as_array().expect("list");
    assert_eq!(hours.len(), 24);
    assert_eq!(
        hours
            .iter()
            .map(|h| h["entries"].as_u64().unwrap_or(0))
            .sum::<u64>(),
        3
    );
    assert_eq!(a["correlations"], json!([]), "fewer than 10 entries");
    // The same figures as REST.
    let (status, rest) = hub
        .get("/api/v1/moods/analytics?time_range=week", user.token())
        .await;
    assert_eq!(status, StatusCode::OK, "{rest}");
    assert_eq!(
        (&rest["averageMood"], &rest["moodTrend"], &rest["insights"]),
        (&a["averageMood"], &a["moodTrend"], &a["insights"])
    );

    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(
        data["moodStreak"],
        json!({"current": 1, "longest": 1, "lastEntryDate": today})
    );
    hub.stop().await;
}

#[tokio::test]
async fn friend_requests_and_friends() {
    let hub = TestHub::start().await;
    let users = hub.register_many("gqlfriend", 3).await;
    let (a, b, c) = (&users[0], &users[1], &users[2]);
    let send = "mutation($user: ID!) { sendFriendRequest(userId: $user) { id from to status createdAt fromUser { username } toUser { username } } }";
    let data = ok(&hub, a.token(), send, json!({"user": b.id})).await;
    let request = &data["sendFriendRequest"];
    assert_eq!(
        (&request["from"], &request["to"], &request["status"]),
        (&json!(a.id), &json!(b.id), &json!("pending"))
    );
    assert_eq!(
        (
            &request["fromUser"]["username"],
            &request["toUser"]["username"]
        ),
        (&json!(a.username), &json!(b.username))
    );
    let from_a = str_field(request, "id");
    let data = ok(&hub, c.token(), send, json!({"user": b.id})).await;
    let from_c = str_field(&data["sendFriendRequest"], "id");
    fails(
        &hub,
        a.token(),
        send,
        json!({"user": b.id}),
        "request_pending",
    )
    .await;

    // Both requesters' users load in one batch.
    let incoming = "{ friendRequests { id fromUser { id username email } } }";
    let data = ok(&hub, b.token(), incoming, Value::Null).await;
    assert_eq!(
        data["friendRequests"],
        json!([
            {"id": from_c, "fromUser": {"id": c.id, "username": c.username, "email": null}},
            {"id": from_a, "fromUser": {"id": a.id, "username": a.username, "email": null}},
        ])
    );

    let respond = "mutation($id: ID!, $accept: Boolean!) { respondFriendRequest(id: $id, accept: $accept) { id status } }";
    fails(
        &hub,
        a.token(),
        respond,
        json!({"id": from_a, "accept": true}),
        "not_recipient",
    )
    .await;
    let data = ok(
        &hub,
        b.token(),
        respond,
        json!({"id": from_a, "accept": true}),
    )
    .await;
    assert_eq!(
        data["respondFriendRequest"],
        json!({"id": from_a, "status": "accepted"})
    );
    let data = ok(
        &hub,
        b.token(),
        respond,
        json!({"id": from_c, "accept": false}),
    )
    .await;
    assert_eq!(data["respondFriendRequest"]["status"], json!("declined"));
    fails(
        &hub,
        b.token(),
        respond,
        json!({"id": from_c, "accept": true}),
        "request_not_pending",
    )
    .await;

    let friends = "{ friends { id username email } }";
    let data = ok(&hub, a.token(), friends, Value::Null).await;
    assert_eq!(
        data["friends"],
        json!([{"id": b.id, "username": b.username, "email": null}])
    );
    let data = ok(&hub, b.token(), friends, Value::Null).await;
    assert_eq!(
        data["friends"],
        json!([{"id": a.id, "username": a.username, "email": null}])
    );
    let data = ok(&hub, c.token(), friends, Value::Null).await;
    assert_eq!(data["friends"], json!([]));
    hub.stop().await;
}

#[tokio::test]
async fn permission_failures_are_null_with_the_engine_code() {
    let hub = TestHub::start().await;
    let (owner, other) = (
        hub.register("gqlperm").await,
        hub.register("gqlother").await,
    );
    let private = create(&hub, &owner, json!({"mood": "anxious", "intensity": 6})).await;
    let public = create(
        &hub,
        &owner,
        json!({"mood": "content", "intensity": 6, "isPublic": true}),
    )
    .await;

    let body = fails(
        &hub,
        other.token(),
        ENTRY,
        json!({"id": private}),
        "not_found",
    )
    .await;
    assert_eq!(body["data"], json!({"moodEntry": null}));
    assert_eq!(body["errors"][0]["path"], json!(["moodEntry"]));
    let data = ok(&hub, other.token(), ENTRY, json!({"id": public})).await;
    assert_eq!(data["moodEntry"]["user"]["username"], json!(owner.username));

    let body = fails(
        &hub,
        other.token(),
        UPDATE,
        json!({"id": public, "input": {"intensity": 1}}),
        "not_owner",
    )
    .await;
    assert_eq!(body["data"], json!({"updateMoodEntry": null}));
    fails(
        &hub,
        other.token(),
        UPDATE,
        json!({"id": private, "input": {"intensity": 1}}),
        "not_found",
    )
    .await;
    let body = fails(
        &hub,
        other.token(),
        DELETE,
        json!({"id": public}),
        "not_owner",
    )
    .await;
    assert_eq!(body["data"], json!({"deleteMoodEntry": false}));
    let data = ok(&hub, owner.token(), ENTRY, json!({"id": public})).await;
    assert_eq!(data["moodEntry"]["mood"], json!("content"), "unchanged");

    // Other users' profiles carry no email; a user who blocked the caller is not found.
    let profile = "query($id: ID!) { user(id: $id) { id username email } }";
    let data = ok(&hub, other.token(), profile, json!({"id": owner.id})).await;
    assert_eq!(
        data["user"],
        json!({"id": owner.id, "username": owner.username, "email": null})
    );
    let (status, body) = hub
        .post_empty(&format!("/api/v1/blocks/{}", other.id), owner.token())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let body = fails(
        &hub,
        other.token(),
        profile,
        json!({"id": owner.id}),
        "not_found",
    )
    .await;
    assert_eq!(body["data"], json!({"user": null}));
    fails(
        &hub,
        other.token(),
        ENTRY,
        json!({"id": public}),
        "not_found",
    )
    .await;
    // Several failing fields in one operation each report their own error.
    let both = "query($a: ID!, $b: ID!) { a: moodEntry(id: $a) { id } b: user(id: $b) { id } me { username } }";
    let body = gql(
        &hub,
        other.token(),
        both,
        json!({"a": private, "b": owner.id}),
    )
    .await;
    assert_eq!(
        body["data"],
        json!({"a": null, "b": null, "me": {"username": other.username}})
    );
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(2), "{body}");
    hub.stop().await;
}

/// `{ __schema { types { fields { type { ofType { … name } } } } } }`, `of_types` deep.
fn deep_introspection(of_types: usize) -> String {
    let mut inner = String::from("name");
    for _ in 0..of_types {
        inner = format!("ofType {{ {inner} }}");
    }
    format!("{{ __schema {{ types {{ fields {{ type {{ {inner} }} }} }} }} }}")
}

/// The introspection query GraphiQL sends (graphql-js `getIntrospectionQuery`, with the
/// nine-deep `ofType` chain of its newest versions).
const INTROSPECTION: &str = "query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name }
  } } } } } } } }
}";

#[tokio::test]
async fn depth_and_complexity_are_limited() {
    let hub = TestHub::start().await;
    let user = hub.register("gqldeep").await;
    let data = ok(&hub, user.token(), &deep_introspection(3), Value::Null).await;
    assert!(
        data["__schema"]["types"]
            .as_array()
            .is_some_and(|t| !t.is_empty()),
        "{data}"
    );

    // Depth 20: past our limit of 16, within the parser's own recursion limit.
    let body = gql(&hub, user.token(), &deep_introspection(15), Value::Null).await;
    assert!(
        body.get("data").is_none_or(Value::is_null),
        "refused before running: {body}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("too deep"), "{body}");

    // GraphiQL's own schema query stays within the limits, without a token.
    let data = ok(&hub, None, INTROSPECTION, Value::Null).await;
    let types = data["__schema"]["types"].as_array().expect("types");
    assert!(
        types.iter().any(|t| t["name"] == json!("MoodEntryInput")),
        "{data}"
    );

    // A normal nested query is fine; many large pages through aliases are not.
    ok(
        &hub,
        user.token(),
        "{ moodEntries(limit: 100) { id mood note user { id username } } }",
        Value::Null,
    )
    .await;
    let aliases: String = (0..10)
        .map(|i| {
            format!("e{i}: moodEntries(limit: 100) {{ id mood note user {{ id username }} }} ")
        })
        .collect();
    let body = gql(&hub, user.token(), &format!("{{ {aliases} }}"), Value::Null).await;
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("too complex"), "{body}");
    hub.stop().await;
}

#[tokio::test]
async fn get_serves_graphiql_and_read_only_queries() {
    let hub = TestHub::start().await;
    let response = hub
        .client
        .get(hub.url(GRAPHQL))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .expect("GET /graphql");
    let reply = read_reply(response).await;
    assert_eq!(reply.status, StatusCode::OK);
    let content_type = reply
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(
        reply.text.to_lowercase().contains("graphiql"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("/graphql"), "points at the endpoint");

    let user = hub.register("gqlget").await;
    let (status, body) = hub
        .get("/graphql?query=%7Bme%7Busername%7D%7D", user.token())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["me"]["username"], json!(user.username));
    let mutation = "/graphql?query=mutation%7BdeleteMoodEntry(id%3A%220%22)%7D";
    let (status, body) = hub.get(mutation, user.token()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert_error(&body, "method_not_allowed");

    // POST bodies follow the API's rules: JSON only, one operation (no batches).
    let reply = hub
        .send_raw(
            Method::POST,
            GRAPHQL,
            None,
            Some("text/plain"),
            b"{me{id}}".to_vec(),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        reply.text
    );
    assert_error(&reply.body, "unsupported_media_type");
    let (status, body) = hub
        .post_json(GRAPHQL, None, json!([{"query": "{ me { id } }"}]))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "validation_failed");
    // A syntax error is a GraphQL error, not a crash.
    let body = gql(&hub, None, "{ me { ", Value::Null).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    hub.stop().await;
}
