//! HS256 access tokens carrying `sub` (user id), `exp`, `iat` and `jti`.

use chrono::{DateTime, Utc};
use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{EngineError, EngineResult};

/// Clock skew tolerated when checking `exp`.
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub sub: Uuid,
    pub exp: i64,
    pub iat: i64,
    pub jti: Uuid,
    /// The refresh-token family (session) the token was issued in, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<Uuid>,
}

/// Claims of the stream cookie: like an access token, but only for the stream and
/// events routes (its audience), and tied to the session it came from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StreamClaims {
    pub sub: Uuid,
    pub exp: i64,
    pub iat: i64,
    pub aud: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<Uuid>,
}

/// The audience of stream cookies; access tokens carry none, so neither passes for the other.
pub const STREAM_AUDIENCE: &str = "hugmood_stream";

/// Signing and verification keys derived from the configured secret.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    stream_validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(..)")
    }
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        let mut stream_validation = validation.clone();
        stream_validation.set_audience(&[STREAM_AUDIENCE]);
        stream_validation.set_required_spec_claims(&["exp", "sub", "iat", "aud"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            stream_validation,
        }
    }

    /// Signs an access token for `user` valid for `ttl_secs` from `now`, outside any
    /// session (load-test and CLI tokens).
    pub fn issue(&self, user: Uuid, now: DateTime<Utc>, ttl_secs: u64) -> EngineResult<String> {
        self.issue_in_session(user, None, now, ttl_secs)
    }

    /// Signs an access token that belongs to the session (token family) `fam`.
    pub fn issue_in_session(
        &self,
        user: Uuid,
        fam: Option<Uuid>,
        now: DateTime<Utc>,
        ttl_secs: u64,
    ) -> EngineResult<String> {
        let iat = now.timestamp();
        let claims = AccessClaims {
            sub: user,
            iat,
            exp: iat + ttl_secs as i64,
            jti: Uuid::new_v4(),
            fam,
        };
        self.sign(&claims)
    }

    /// Signs a stream cookie for `user` in session `fam`.
    pub fn issue_stream(
        &self,
        user: Uuid,
        fam: Option<Uuid>,
        now: DateTime<Utc>,
        ttl_secs: u64,
    ) -> EngineResult<String> {
        let iat = now.timestamp();
        let claims = StreamClaims {
            sub: user,
            iat,
            exp: iat + ttl_secs as i64,
            aud: STREAM_AUDIENCE.into(),
            fam,
        };
        self.sign(&claims)
    }

    fn sign(&self, claims: &impl Serialize) -> EngineResult<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| EngineError::Internal(format!("token signing failed: {e}")))
    }

    /// Checks a stream cookie's signature, audience and expiry.
    pub fn verify_stream(&self, token: &str) -> EngineResult<StreamClaims> {
        jsonwebtoken::decode::<StreamClaims>(token, &self.decoding, &self.stream_validation)
            .map(|data| data.claims)
            .map_err(|_| {
                EngineError::unauthorized("invalid_stream_cookie", "the stream cookie is not valid")
            })
    }

    /// Checks signature, algorithm and expiry. Any other algorithm (including `none`)
    /// is refused.
    pub fn verify(&self, token: &str) -> EngineResult<AccessClaims> {
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => {
                    EngineError::unauthorized("token_expired", "the access token has expired")
                }
                _ => EngineError::unauthorized("invalid_token", "the access token is not valid"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::now;

    fn code(err: EngineError) -> &'static str {
        match err {
            EngineError::Unauthorized { code, .. } => code,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn round_trip() {
        let keys = JwtKeys::new(b"secret");
        let user = Uuid::new_v4();
        let token = keys.issue(user, now(), 60).expect("issue");
        let claims = keys.verify(&token).expect("verify");
        assert_eq!(claims.sub, user);
        assert_eq!(claims.exp - claims.iat, 60);
    }

    #[test]
    fn refuses_other_secret_expired_and_garbage() {
        let keys = JwtKeys::new(b"secret");
        let token = JwtKeys::new(b"other")
            .issue(Uuid::new_v4(), now(), 60)
            .expect("issue");
        assert_eq!(
            code(keys.verify(&token).expect_err("refused")),
            "invalid_token"
        );
        let old = now() - chrono::Duration::hours(2);
        let expired = keys.issue(Uuid::new_v4(), old, 60).expect("issue");
        assert_eq!(
            code(keys.verify(&expired).expect_err("refused")),
            "token_expired"
        );
        assert_eq!(
            code(keys.verify("garbage").expect_err("refused")),
            "invalid_token"
        );
    }

    #[test]
    fn stream_cookies_and_access_tokens_do_not_pass_for_each_other() {
        let keys = JwtKeys::new(b"secret");
        let (user, fam) = (Uuid::new_v4(), Some(Uuid::new_v4()));
        let cookie = keys.issue_stream(user, fam, now(), 60).expect("issue");
        assert_eq!(keys.verify_stream(&cookie).expect("cookie").fam, fam);
        assert!(keys.verify(&cookie).is_err(), "a cookie is no access token");
        let access = keys.issue_in_session(user, fam, now(), 60).expect("issue");
        assert_eq!(keys.verify(&access).expect("access").fam, fam);
        assert!(
            keys.verify_stream(&access).is_err(),
            "an access token is no cookie"
        );
    }
}
