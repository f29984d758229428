//! The `hugmood` hub: wires configuration, storage, the engine and the HTTP API
//! together. `run(config, listener)` starts a whole hub and hands back a handle, so
//! tests drive the real server on an ephemeral port.

pub mod cli;
pub mod config;
mod config_source;
pub mod deployment;
pub mod jwt_secret;
pub mod memory;
pub mod progress;
pub mod seed;
pub mod telemetry;

use anyhow::Context;
use hugmood_actors::auth::{Accounts, AuthSettings, JwtKeys, Revocations, StreamAccess};
use hugmood_actors::hug::Hugs;
use hugmood_actors::limits::RateLimits;
use hugmood_actors::mood::Moods;
use hugmood_actors::realtime::Realtime;
use hugmood_actors::redis_link::RedisLink;
use hugmood_actors::social::Social;
use hugmood_actors::store::{self, Store, StoreOptions};
use hugmood_actors::EngineError;
use hugmood_api::state::Engine;
use hugmood_api::{ApiSettings, AppState};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use config::Config;

/// A running hub.
pub struct Hub {
    addr: SocketAddr,
    shutdown: CancellationToken,
    server: JoinHandle<std::io::Result<()>>,
    grace: Duration,
    realtime: Realtime,
    hugs: Hugs,
    moods: Moods,
    social: Social,
    store: Arc<dyn Store>,
}

impl Hub {
    /// The address the hub listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The node's realtime engine (its directory of user actors, for inspection).
    pub fn realtime(&self) -> &Realtime {
        &self.realtime
    }

    /// The node's store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The node's hug service (its supervised shards, for inspection).
    pub fn hugs(&self) -> &Hugs {
        &self.hugs
    }

    /// Cancelling this token starts a graceful shutdown.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Stops accepting, lets in-flight requests finish within the grace period, and
    /// returns once the server has stopped.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.wait().await
    }

    /// Waits until the server stops (after the shutdown token is cancelled).
    pub async fn wait(mut self) -> anyhow::Result<()> {
        let result = self.drain().await;
        self.hugs.stop();
        self.moods.stop();
        self.social.stop();
        self.realtime.stop();
        self.store.close().await;
        result
    }

    async fn drain(&mut self) -> anyhow::Result<()> {
        tokio::select! {
            joined = &mut self.server => return Ok(joined.context("server task failed")??),
            () = self.shutdown.cancelled() => {}
        }
        match tokio::time::timeout(self.grace, &mut self.server).await {
            Ok(joined) => Ok(joined.context("server task failed")??),
            Err(_) => {
                tracing::warn!(
                    grace_secs = self.grace.as_secs(),
                    "requests still running after the grace period; stopping"
                );
                self.server.abort();
                Ok(())
            }
        }
    }
}

/// What opening the store may do to a database file that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMissing {
    /// Create it (`serve`, `migrate`, `seed`).
    Create,
    /// Refuse, naming the file: a command that only reads must not leave an empty
    /// database behind a typo.
    Refuse,
}

/// An open store and how many migrations opening it applied.
pub struct Opened {
    pub store: Arc<dyn Store>,
    pub migrations_applied: usize,
}

/// Opens the configured store and applies pending migrations. Errors name the store
/// (its file, or PostgreSQL's host:port), never the password.
pub async fn open_store(config: &Config, if_missing: IfMissing) -> anyhow::Result<Opened> {
    let url = &config.database_url;
    if if_missing == IfMissing::Refuse {
        if let Some(file) = deployment::sqlite_file(url).filter(|f| !f.exists()) {
            anyhow::bail!(
                "there is no database file {} (database_url = {url}); create it with \
                 `hugmood migrate` or `hugmood seed`, or point database_url at an existing one",
                file.display()
            );
        }
    }
    let options = StoreOptions {
        max_connections: config.db_max_connections,
        wal_restart_bytes: config.sqlite_wal_restart_mib.saturating_mul(1 << 20),
    };
    let store = store::connect(url, &options)
        .await
        .map_err(|err| store_error(url, "open", err))?;
    let migrations_applied = store
        .migrate()
        .await
        .map_err(|err| store_error(url, "migrate", err))?;
    Ok(Opened {
        store,
        migrations_applied,
    })
}

/// `err` of the store at `url`, said in words: which host:port could not be reached,
/// or which database could not be opened or migrated.
fn store_error(url: &str, action: &str, err: EngineError) -> anyhow::Error {
    let store = deployment::store(url);
    match (&err, deployment::postgres_address(url)) {
        (EngineError::Unavailable(_), Some(address)) => anyhow::Error::new(err).context(format!(
            "cannot reach PostgreSQL at {address} (database_url, store {store}): is it \
             running, and does it accept connections there?"
        )),
        _ => anyhow::Error::new(err).context(format!("cannot {action} the database ({store})")),
    }
}

/// The keys access tokens of `config` are signed with.
pub fn jwt_keys(config: &Config) -> JwtKeys {
    JwtKeys::new(config.jwt_secret.as_bytes())
}

/// The account service for `config`, over `store`, ending sessions through
/// `revocations` and counting sign-ins against `limits`.
pub fn accounts(
    config: &Config,
    store: Arc<dyn Store>,
    revocations: Revocations,
    limits: RateLimits,
) -> anyhow::Result<Accounts> {
    let settings = AuthSettings {
        access_ttl_secs: config.access_token_ttl_secs,
        refresh_ttl_secs: config.refresh_token_ttl_secs,
        refresh_grace_secs: config.refresh_grace_secs,
        hash_slots: config.hash_slots(),
    };
    Ok(Accounts::new(
        store,
        jwt_keys(config),
        settings,
        revocations,
        limits,
    )?)
}

/// Starts a hub serving on `listener`: opens and migrates the database, builds the
/// engine and the API, and returns once the server accepts connections.
pub async fn run(config: Config, listener: TcpListener) -> anyhow::Result<Hub> {
    config.validate()?;
    hugmood_api::metrics::install();
    let store = open_store(&config, IfMissing::Create).await?.store;
    let redis = match &config.redis_url {
        Some(url) => Some(RedisLink::open(url)?),
        None => None,
    };
    let realtime = Realtime::start(store.clone(), config.realtime_settings(), redis).await?;
    let accounts = Arc::new(accounts(
        &config,
        store.clone(),
        realtime.revocations().clone(),
        realtime.limits().clone(),
    )?);
    let hugs = Hugs::start(store.clone(), realtime.clone()).await?;
    let moods = Moods::start(store.clone(), realtime.clone(), config.mood_shards).await?;
    let social = Social::start(store.clone(), realtime.clone(), config.social_shards).await?;
    let stream_access = Arc::new(StreamAccess::new(
        store.clone(),
        accounts.keys().clone(),
        config.stream_cookie_ttl_secs,
    ));
    let engine = Engine {
        store: store.clone(),
        accounts,
        stream_access,
        realtime: realtime.clone(),
        hugs: hugs.clone(),
        moods: moods.clone(),
        social: social.clone(),
    };
    let settings = ApiSettings {
        body_limit_bytes: config.body_limit_bytes,
        sse_retry_ms: config.sse_retry_ms,
        trusted_proxies: config.trusted_proxies()?,
        cookie_secure: config.cookie_secure,
        cors_origins: config.cors_origins()?,
    };
    let state = AppState::new(engine, settings);
    let addr = listener.local_addr()?;
    let shutdown = CancellationToken::new();
    let limits = config.connection_limits();
    let server = tokio::spawn(hugmood_api::serve(
        listener,
        state,
        limits,
        shutdown.clone(),
    ));
    // One token fans out: streams are told to reconnect while the server drains.
    let drain = shutdown.clone();
    let notice = realtime.clone();
    tokio::spawn(async move {
        drain.cancelled().await;
        notice.shutdown();
    });
    // Scripts read the port from the JSON line: `addr` stays the first field.
    tracing::info!(
        %addr,
        mode = %deployment::mode(&config),
        store = %deployment::store(&config.database_url),
        bus = %deployment::bus(config.redis_url.as_deref()),
        "hub listening"
    );
    Ok(Hub {
        addr,
        shutdown,
        server,
        grace: Duration::from_secs(config.shutdown_grace_secs),
        realtime,
        hugs,
        moods,
        social,
        store,
    })
}
