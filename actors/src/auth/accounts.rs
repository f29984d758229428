//! Account operations: register, log in, anonymous sign-up, refresh with rotation and
//! reuse detection, log out, delete the account — and the check of access tokens,
//! which refuses those of ended sessions.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

use super::jwt::{AccessClaims, JwtKeys};
use super::known_accounts::KnownAccounts;
use super::password::{self, HashSlots};
use super::refresh;
use super::revocations::{Revocation, Revocations};
use crate::domain::account::Registration;
use crate::domain::session::RefreshTokenRecord;
use crate::domain::time::now;
use crate::domain::user::{NewUser, User};
use crate::error::{EngineError, EngineResult};
use crate::limits::{RateLimits, Rule};
use crate::store::Store;

/// Token lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct AuthSettings {
    pub access_ttl_secs: u64,
    pub refresh_ttl_secs: u64,
    /// How long after a rotation a second use of the spent token answers the same
    /// successor (two tabs refreshing at once) instead of counting as a reuse.
    pub refresh_grace_secs: u64,
    /// Password hashes (sign-up, login) that may run at once.
    pub hash_slots: usize,
}

/// What a successful sign-in hands the client.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub access_token: String,
    pub refresh_token: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
}

pub struct Accounts {
    store: Arc<dyn Store>,
    keys: JwtKeys,
    settings: AuthSettings,
    revocations: Revocations,
    /// Accounts read to exist lately, so most requests skip that read.
    known: KnownAccounts,
    limits: RateLimits,
    hashing: HashSlots,
    /// Verified against when the login names no user, so an unknown user costs as
    /// much time as a wrong password and the two cannot be told apart.
    dummy_hash: String,
}

/// How long a sign-in refused by a rate limit waits before its 429: a guesser that
/// retries at once on each connection sends one request a second per connection, not
/// thousands, so a flood of refusals cannot take the cores from everyone else.
const REFUSAL_DELAY: Duration = Duration::from_secs(1);

fn invalid_credentials() -> EngineError {
    EngineError::unauthorized("invalid_credentials", "wrong login or password")
}

fn invalid_refresh() -> EngineError {
    EngineError::unauthorized("invalid_refresh_token", "the refresh token is not valid")
}

/// The answer to a token whose session was ended (logout, reuse, account deletion).
pub fn session_ended() -> EngineError {
    EngineError::unauthorized("session_ended", "this session has ended; sign in again")
}

impl Accounts {
    pub fn new(
        store: Arc<dyn Store>,
        keys: JwtKeys,
        settings: AuthSettings,
        revocations: Revocations,
        limits: RateLimits,
    ) -> EngineResult<Self> {
        let dummy_hash = password::hash_blocking(&refresh::generate())?;
        Ok(Self {
            store,
            keys,
            hashing: HashSlots::new(settings.hash_slots),
            settings,
            revocations,
            known: KnownAccounts::default(),
            limits,
            dummy_hash,
        })
    }

    pub fn keys(&self) -> &JwtKeys {
        &self.keys
    }

    /// The sessions ended recently (consulted without a database read).
    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// Whether `user`'s account still exists: ended accounts first (no read), then the
    /// accounts this node read to exist lately (see `KnownAccounts`), then the store.
    pub async fn account_exists(&self, user: Uuid) -> EngineResult<bool> {
        if self.revocations.account_ended(user) {
            return Ok(false);
        }
        if self.known.contains(user) {
            return Ok(true);
        }
        let exists = self.store.user_exists(user).await?;
        if exists {
            self.known.note(user);
        }
        Ok(exists)
    }

    /// Checks an access token: signature, expiry, and that its session (or account)
    /// has not ended. No database read.
    pub fn verify_access(&self, token: &str) -> EngineResult<AccessClaims> {
        let claims = self.keys.verify(token)?;
        if self.revocations.account_ended(claims.sub) {
            return Err(EngineError::unauthorized(
                "invalid_token",
                "the account of this token no longer exists",
            ));
        }
        if self.revocations.is_revoked(claims.sub, claims.fam) {
            return Err(session_ended());
        }
        Ok(claims)
    }

    pub fn settings(&self) -> AuthSettings {
        self.settings
    }

    /// Takes a token of `key`'s bucket under `rule`; a refusal is answered only after
    /// `REFUSAL_DELAY` (the caller's request may end sooner; nothing is held meanwhile
    /// but the request's own task).
    async fn take(&self, rule: Rule, key: impl std::fmt::Display) -> EngineResult<()> {
        let taken = self.limits.take(rule, key).await;
        if matches!(taken, Err(EngineError::RateLimited { .. })) {
            tokio::time::sleep(REFUSAL_DELAY).await;
        }
        taken
    }

    /// Creates an account for a request from `client`.
    pub async fn register(
        &self,
        client: IpAddr,
        registration: Registration,
    ) -> EngineResult<Session> {
        self.take(Rule::SignUpByAddress, client).await?;
        // Cheap checks first, so a taken name does not cost a password hash.
        if self
            .store
            .user_by_login(&registration.username)
            .await?
            .is_some()
        {
            return Err(EngineError::username_taken());
        }
        if self
            .store
            .user_by_login(&registration.email)
            .await?
            .is_some()
        {
            return Err(EngineError::email_taken());
        }
        let password_hash = self.hashing.hash(registration.password).await?;
        let user = self
            .store
            .insert_user(&NewUser {
                id: Uuid::new_v4(),
                display_name: registration
                    .display_name
                    .unwrap_or_else(|| registration.username.clone()),
                username: registration.username,
                email: Some(registration.email),
                password_hash: Some(password_hash),
                is_anonymous: false,
                now: now(),
            })
            .await?;
        self.start_session(user, Uuid::new_v4()).await
    }

    /// Signs in a request from `client`. Attempts are limited per client address and
    /// per login name, before any password is hashed.
    pub async fn login(
        &self,
        client: IpAddr,
        login: &str,
        password: &str,
    ) -> EngineResult<Session> {
        let login = login.trim();
        self.take(Rule::LoginByAddress, client).await?;
        self.take(Rule::LoginByName, login.to_lowercase()).await?;
        let user = self.store.user_by_login(login).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let matches = self
            .hashing
            .verify(
                password.to_owned(),
                hash.clone().unwrap_or_else(|| self.dummy_hash.clone()),
            )
            .await?;
        match user {
            Some(user) if matches && hash.is_some() => {
                self.start_session(user, Uuid::new_v4()).await
            }
            _ => Err(invalid_credentials()),
        }
    }

    /// Creates an anonymous account for a request from `client` (counted with
    /// registrations).
    pub async fn anonymous(&self, client: IpAddr) -> EngineResult<Session> {
        self.take(Rule::SignUpByAddress, client).await?;
        let id = Uuid::new_v4();
        let user = self
            .store
            .insert_user(&NewUser {
                id,
                username: format!("anon_{}", &id.simple().to_string()[..16]),
                email: None,
                password_hash: None,
                display_name: "Anonymous".into(),
                is_anonymous: true,
                now: now(),
            })
            .await?;
        self.start_session(user, Uuid::new_v4()).await
    }

    /// Spends `token` and returns a new pair. Presenting a token that was already
    /// spent (or revoked) revokes its whole family — whoever holds the newer tokens
    /// must sign in again — except within `refresh_grace_secs` of its rotation,
    /// when it answers the same successor again (two tabs that refreshed at once).
    /// Refreshes are limited per client address and per account.
    pub async fn refresh(&self, client: IpAddr, token: &str) -> EngineResult<Session> {
        self.take(Rule::RefreshByAddress, client).await?;
        let at = now();
        let digest = refresh::digest(token);
        let mut record = self
            .store
            .refresh_token_by_hash(&digest)
            .await?
            .ok_or_else(invalid_refresh)?;
        self.take(Rule::RefreshByAccount, record.user_id).await?;
        if record.spent_at.is_none() && record.revoked_at.is_none() {
            if record.expires_at <= at {
                return Err(invalid_refresh());
            }
            let user = self
                .store
                .user_by_id(record.user_id)
                .await?
                .ok_or_else(invalid_refresh)?;
            let (secret, next) = self.new_refresh_token(user.id, record.family_id);
            let sealed = refresh::seal(&secret, token);
            if self
                .store
                .rotate_refresh_token(record.id, &next, &sealed, at)
                .await?
            {
                self.store.touch_user(user.id, at).await?;
                return self.session(user, record.family_id, secret);
            }
            // Spent or revoked between our read and our write: look again.
            record = self
                .store
                .refresh_token_by_hash(&digest)
                .await?
                .ok_or_else(invalid_refresh)?;
        }
        if let Some((user, secret)) = self.successor_in_grace(&record, token, at).await? {
            return self.session(user, record.family_id, secret);
        }
        self.end_family(record.user_id, record.family_id, at)
            .await?;
        Err(invalid_refresh())
    }

    /// The successor of a token spent within the grace window, if it is still live
    /// and its sealed secret opens with `token`.
    async fn successor_in_grace(
        &self,
        record: &RefreshTokenRecord,
        token: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> EngineResult<Option<(User, String)>> {
        let grace = chrono::Duration::seconds(self.settings.refresh_grace_secs.min(300) as i64);
        let (Some(spent_at), None, Some(next_id), Some(sealed)) = (
            record.spent_at,
            record.revoked_at,
            record.successor_id,
            record.successor_sealed.as_deref(),
        ) else {
            return Ok(None);
        };
        // Measured now, not from the start of this request: a concurrent one may
        // have spent the token after we began. A zero window turns the grace off.
        if grace.is_zero() || now() - spent_at > grace {
            return Ok(None);
        }
        let Some(next) = self.store.refresh_token_by_id(next_id).await? else {
            return Ok(None);
        };
        if next.spent_at.is_some() || next.revoked_at.is_some() || next.expires_at <= at {
            return Ok(None);
        }
        let Some(secret) =
            refresh::unseal(sealed, token).filter(|s| refresh::digest(s) == next.token_hash)
        else {
            return Ok(None);
        };
        Ok(self
            .store
            .user_by_id(record.user_id)
            .await?
            .map(|user| (user, secret)))
    }

    /// Ends one session of `user`: revoked in the store, then on every node.
    async fn end_family(
        &self,
        user: Uuid,
        family: Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> EngineResult<()> {
        if self.store.revoke_token_family(family, at).await? {
            self.revocations.end(Revocation {
                user,
                family: Some(family),
            });
        }
        Ok(())
    }

    /// Ends the session of `token` if it belongs to `user`, and the caller's own
    /// session `session` (that of the access token presented); unknown tokens are
    /// ignored so that logging out twice is harmless.
    pub async fn logout(&self, user: Uuid, session: Option<Uuid>, token: &str) -> EngineResult<()> {
        let at = now();
        let family = self
            .store
            .refresh_token_by_hash(&refresh::digest(token))
            .await?
            .filter(|record| record.user_id == user)
            .map(|record| record.family_id);
        if let Some(family) = family {
            self.end_family(user, family, at).await?;
        }
        if let Some(own) = session.filter(|own| Some(*own) != family) {
            self.end_family(user, own, at).await?;
        }
        Ok(())
    }

    /// Deletes `user`'s account and everything it owns, ending all its sessions and
    /// streams on every node. The end is recorded before the deletion, so no node can
    /// miss it.
    pub async fn delete_account(&self, user: Uuid) -> EngineResult<()> {
        self.store.record_account_end(user, now()).await?;
        self.store.delete_user(user).await?;
        self.revocations.end(Revocation { user, family: None });
        self.known.forget(user);
        Ok(())
    }

    async fn start_session(&self, user: User, family_id: Uuid) -> EngineResult<Session> {
        let (secret, record) = self.new_refresh_token(user.id, family_id);
        self.store.insert_refresh_token(&record).await?;
        self.store.touch_user(user.id, record.created_at).await?;
        self.session(user, family_id, secret)
    }

    fn new_refresh_token(&self, user_id: Uuid, family_id: Uuid) -> (String, RefreshTokenRecord) {
        let secret = refresh::generate();
        let created_at = now();
        let record = RefreshTokenRecord {
            id: Uuid::new_v4(),
            family_id,
            user_id,
            token_hash: refresh::digest(&secret),
            created_at,
            expires_at: created_at
                + chrono::Duration::seconds(self.settings.refresh_ttl_secs as i64),
            spent_at: None,
            revoked_at: None,
            successor_id: None,
            successor_sealed: None,
        };
        (secret, record)
    }

    fn session(&self, user: User, family_id: Uuid, refresh_token: String) -> EngineResult<Session> {
        let access_token = self.keys.issue_in_session(
            user.id,
            Some(family_id),
            now(),
            self.settings.access_ttl_secs,
        )?;
        Ok(Session {
            user,
            access_token,
            refresh_token,
            expires_in: self.settings.access_ttl_secs,
        })
    }
}
