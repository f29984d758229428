//! Account operations: register, log in, anonymous sign-up, refresh with rotation and
//! reuse detection, log out.

use std::sync::Arc;
use uuid::Uuid;

use super::{jwt::JwtKeys, password, refresh};
use crate::domain::account::Registration;
use crate::domain::session::RefreshTokenRecord;
use crate::domain::time::now;
use crate::domain::user::{NewUser, User};
use crate::error::{EngineError, EngineResult};
use crate::store::Store;

/// Token lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct AuthSettings {
    pub access_ttl_secs: u64,
    pub refresh_ttl_secs: u64,
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
    /// Verified against when the login names no user, so an unknown user costs as
    /// much time as a wrong password and the two cannot be told apart.
    dummy_hash: String,
}

fn invalid_credentials() -> EngineError {
    EngineError::unauthorized("invalid_credentials", "wrong login or password")
}

fn invalid_refresh() -> EngineError {
    EngineError::unauthorized("invalid_refresh_token", "the refresh token is not valid")
}

impl Accounts {
    pub fn new(store: Arc<dyn Store>, keys: JwtKeys, settings: AuthSettings) -> EngineResult<Self> {
        let dummy_hash = password::hash_blocking(&refresh::generate())?;
        Ok(Self {
            store,
            keys,
            settings,
            dummy_hash,
        })
    }

    pub fn keys(&self) -> &JwtKeys {
        &self.keys
    }

    pub fn settings(&self) -> AuthSettings {
        self.settings
    }

    pub async fn register(&self, registration: Registration) -> EngineResult<Session> {
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
        let password_hash = password::hash(registration.password).await?;
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

    pub async fn login(&self, login: &str, password: &str) -> EngineResult<Session> {
        let user = self.store.user_by_login(login.trim()).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let matches = password::verify(
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

    pub async fn anonymous(&self) -> EngineResult<Session> {
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
    /// spent (or revoked) revokes its whole family: whoever holds the newer tokens
    /// must sign in again.
    pub async fn refresh(&self, token: &str) -> EngineResult<Session> {
        let at = now();
        let record = self
            .store
            .refresh_token_by_hash(&refresh::digest(token))
            .await?
            .ok_or_else(invalid_refresh)?;
        if record.spent_at.is_some() || record.revoked_at.is_some() {
            self.store.revoke_token_family(record.family_id, at).await?;
            return Err(invalid_refresh());
        }
        if record.expires_at <= at {
            return Err(invalid_refresh());
        }
        let user = self
            .store
            .user_by_id(record.user_id)
            .await?
            .ok_or_else(invalid_refresh)?;
        let (secret, next) = self.new_refresh_token(user.id, record.family_id);
        if !self
            .store
            .rotate_refresh_token(record.id, &next, at)
            .await?
        {
            // Another request spent it between our read and our write: a reuse.
            self.store.revoke_token_family(record.family_id, at).await?;
            return Err(invalid_refresh());
        }
        self.store.touch_user(user.id, at).await?;
        self.session(user, record.family_id, secret)
    }

    /// Revokes the family of `token` if it belongs to `user`; unknown tokens are ignored
    /// so that logging out twice is harmless.
    pub async fn logout(&self, user: Uuid, token: &str) -> EngineResult<()> {
        if let Some(record) = self
            .store
            .refresh_token_by_hash(&refresh::digest(token))
            .await?
        {
            if record.user_id == user {
                self.store
                    .revoke_token_family(record.family_id, now())
                    .await?;
            }
        }
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
