//! Token helpers: reading and forging JWTs, checking sign-in answers and 401s.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::Value;

use super::{assert_error, read_reply, Reply, TestHub};

/// The claims of a JWT, read without checking the signature.
pub fn jwt_claims(token: &str) -> Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWT: {token}");
    let payload = URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url payload");
    serde_json::from_slice(&payload).expect("JSON claims")
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Signs `claims` as an HS256 JWT with `secret`.
pub fn sign_jwt(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign a token")
}

/// Checks the `{user, accessToken, refreshToken, expiresIn}` shape of a sign-in.
pub fn assert_session(body: &Value, username: &str) {
    assert_eq!(body["user"]["username"], username, "{body}");
    assert!(
        body["accessToken"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3),
        "{body}"
    );
    assert!(
        body["refreshToken"].as_str().is_some_and(|t| t.len() >= 32),
        "{body}"
    );
    assert_eq!(body["expiresIn"], 900, "{body}");
    let user = body["user"].as_object().expect("user object");
    for secret in ["password", "passwordHash", "password_hash"] {
        assert!(!user.contains_key(secret), "{secret} leaked: {body}");
    }
}

/// Sends GET /users/me with a raw `Authorization` header (or none).
pub async fn me_with(hub: &TestHub, authorization: Option<&str>) -> Reply {
    let mut request = hub.client.get(hub.url("/api/v1/users/me"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    read_reply(request.send().await.expect("request")).await
}

/// Checks a 401 with `code` and the `WWW-Authenticate: Bearer` header.
pub fn assert_401(reply: &Reply, code: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert_error(&reply.body, code);
    assert_eq!(
        reply
            .headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer"),
        "401 without WWW-Authenticate"
    );
}
