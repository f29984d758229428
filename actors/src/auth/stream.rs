//! Access to the stream and events routes for clients that cannot send headers
//! (EventSource): a one-time ticket for the URL, and an HttpOnly cookie that carries the
//! browser's own reconnections (which reuse the spent ticket's URL). Both belong to the
//! session they were issued in, so the streams they open end with it.

use std::sync::Arc;
use uuid::Uuid;

use super::{jwt::JwtKeys, refresh};
use crate::domain::time::now;
use crate::error::{EngineError, EngineResult};
use crate::store::Store;

/// How long a ticket may wait before its first (and only) use.
pub const TICKET_TTL_SECS: u64 = 60;

/// What `POST /sse/ticket` hands out.
#[derive(Debug, Clone)]
pub struct StreamPass {
    pub ticket: String,
    pub ticket_expires_in: u64,
    pub cookie: String,
    pub cookie_max_age: u64,
}

pub struct StreamAccess {
    store: Arc<dyn Store>,
    keys: JwtKeys,
    cookie_ttl_secs: u64,
}

impl StreamAccess {
    pub fn new(store: Arc<dyn Store>, keys: JwtKeys, cookie_ttl_secs: u64) -> Self {
        Self {
            store,
            keys,
            cookie_ttl_secs,
        }
    }

    /// A new ticket and cookie for `user`, in the session `fam` of their access token.
    pub async fn issue(&self, user: Uuid, fam: Option<Uuid>) -> EngineResult<StreamPass> {
        let at = now();
        let ticket = refresh::generate();
        let expires_at = at + chrono::Duration::seconds(TICKET_TTL_SECS as i64);
        self.store
            .insert_stream_ticket(&refresh::digest(&ticket), user, fam, expires_at)
            .await?;
        let cookie = self
            .keys
            .issue_stream(user, fam, at, self.cookie_ttl_secs)?;
        Ok(StreamPass {
            ticket,
            ticket_expires_in: TICKET_TTL_SECS,
            cookie,
            cookie_max_age: self.cookie_ttl_secs,
        })
    }

    /// Spends a ticket: its user and session; `None` when it is unknown, spent or
    /// expired.
    pub async fn redeem_ticket(&self, ticket: &str) -> EngineResult<Option<(Uuid, Option<Uuid>)>> {
        self.store
            .redeem_stream_ticket(&refresh::digest(ticket), now())
            .await
    }

    /// The user and session of a valid cookie whose session is still open.
    pub async fn verify_cookie(&self, cookie: &str) -> EngineResult<(Uuid, Option<Uuid>)> {
        let claims = self.keys.verify_stream(cookie)?;
        let revoked = match claims.fam {
            Some(fam) => self.store.token_family_revoked(fam).await?,
            None => false,
        };
        if revoked || !self.store.user_exists(claims.sub).await? {
            return Err(EngineError::unauthorized(
                "invalid_stream_cookie",
                "the stream cookie is no longer valid",
            ));
        }
        Ok((claims.sub, claims.fam))
    }
}
