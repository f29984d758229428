//! Typed configuration, in layers: the built-in `config/default.toml`, then an optional
//! file given with `--config`, then `HUGMOOD_*` environment variables. Unknown keys in
//! a file are errors (a typo must not silently keep a default); the whole result is
//! validated before anything starts.

use anyhow::{bail, Context};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hugmood_actors::limits::RateSettings;
use hugmood_actors::realtime::RealtimeSettings;
use toml::{Table, Value};

use crate::config_source::Sources;

/// The defaults, built into the binary so it runs from any directory.
pub const DEFAULTS: &str = include_str!("../config/default.toml");

/// Prefix of the environment variables that override settings.
pub const ENV_PREFIX: &str = "HUGMOOD_";

/// Keys that have no default value and so are absent from `DEFAULTS`.
const OPTIONAL_KEYS: &[&str] = &["redis_url", "jwt_secret_file"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub bind: String,
    pub database_url: String,
    pub redis_url: Option<String>,
    pub jwt_secret: String,
    /// A file holding the JWT secret; wins over `jwt_secret` when set.
    pub jwt_secret_file: Option<PathBuf>,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    /// Seconds a spent refresh token still answers its successor (two tabs at once).
    pub refresh_grace_secs: u64,
    pub heartbeat_secs: u64,
    pub hug_rate_per_minute: u32,
    /// Logins and refreshes per minute, per client address and per login name.
    pub login_rate_per_minute: u32,
    /// Registrations and anonymous accounts per hour, per client address.
    pub register_rate_per_hour: u32,
    /// Mood entries per minute, per user.
    pub mood_rate_per_minute: u32,
    /// Friend requests per hour, per user.
    pub friend_request_rate_per_hour: u32,
    /// Password hashes running at once; 0: one per two cores.
    pub password_hash_slots: usize,
    /// Proxies whose forwarding headers are believed (addresses or networks).
    pub trusted_proxies: Vec<String>,
    /// Mark the stream cookie `Secure` on every answer.
    pub cookie_secure: bool,
    /// Web origins allowed to call the hub with credentials (CORS); empty: none.
    pub cors_origins: Vec<String>,
    pub log_format: LogFormat,
    pub body_limit_bytes: usize,
    pub db_max_connections: u32,
    /// Embedded store: MiB of WAL after which it is started over.
    pub sqlite_wal_restart_mib: u64,
    pub shutdown_grace_secs: u64,
    pub max_streams_per_user: usize,
    pub stream_buffer: usize,
    pub sse_retry_ms: u64,
    pub user_idle_secs: u64,
    pub event_retention_days: u64,
    pub event_retention_per_user: i64,
    pub hug_shards: usize,
    pub mood_shards: usize,
    pub social_shards: usize,
    /// Calls waiting for one domain-actor shard at most; one more answers 503.
    pub actor_queue_limit: usize,
    pub event_prune_secs: u64,
    pub stream_cookie_ttl_secs: u64,
    /// Cluster mode: seconds a node's streams keep counting (presence, stream cap)
    /// without a refresh, i.e. how soon a killed node's users go offline.
    pub presence_ttl_secs: u64,
    /// Open connections per node; one more is refused at once.
    pub max_connections: usize,
    /// Seconds a keep-alive connection may sit idle before it is closed.
    pub idle_timeout_secs: u64,
    /// Seconds a request head may take from its first byte.
    pub head_timeout_secs: u64,
    /// Seconds a socket write may make no progress before the connection ends.
    pub write_timeout_secs: u64,
}

/// A loaded configuration and the warnings met on the way (logged once logging is up).
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<String>,
}

impl Config {
    /// The built-in defaults alone: embedded mode on `127.0.0.1:8080`.
    pub fn defaults() -> Self {
        let table: Table = DEFAULTS.parse().expect("config/default.toml is valid TOML");
        Table::try_into(table).expect("config/default.toml matches Config")
    }

    /// Defaults, then `file`, then the process environment; every setting is checked
    /// but the JWT secret, which only the commands that sign or check tokens need
    /// ([`Config::validate_jwt_secret`]).
    pub fn load(file: Option<&Path>) -> anyhow::Result<Loaded> {
        let file = match file {
            Some(path) => Some((
                format!("config file {}", path.display()),
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?,
            )),
            None => None,
        };
        let file = file
            .as_ref()
            .map(|(name, text)| (name.as_str(), text.as_str()));
        let (loaded, sources) = Self::merge(file, std::env::vars())?;
        loaded
            .config
            .validate_settings()
            .map_err(|e| sources.explain(e))?;
        Ok(loaded)
    }

    /// Defaults, then the text of an override file, then `HUGMOOD_*` variables of `env`;
    /// all of it checked.
    pub fn from_layers(
        file: Option<&str>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Loaded> {
        let (loaded, sources) = Self::merge(file.map(|text| ("the config file", text)), env)?;
        loaded.config.validate().map_err(|e| sources.explain(e))?;
        Ok(loaded)
    }

    /// The layers merged, with where each setting came from; `file` is its name (for
    /// errors) and its text.
    fn merge(
        file: Option<(&str, &str)>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<(Loaded, Sources)> {
        let mut warnings = Vec::new();
        let mut sources = Sources::default();
        let mut table: Table = DEFAULTS
            .parse()
            .context("built-in defaults are not valid TOML")?;
        if let Some((name, text)) = file {
            let overrides: Table = text
                .parse()
                .with_context(|| format!("{name} is not valid TOML"))?;
            if overrides.contains_key("jwt_secret") {
                warnings.push("jwt_secret is set in a config file; prefer HUGMOOD_JWT_SECRET or jwt_secret_file".into());
            }
            for key in overrides.keys() {
                sources.set(key, name);
            }
            table.extend(overrides);
        }
        for (name, raw) in env {
            let Some(key) = name.strip_prefix(ENV_PREFIX).map(str::to_ascii_lowercase) else {
                continue;
            };
            let value = match table.get(&key) {
                Some(default) => coerce(&name, &raw, default)?,
                None if OPTIONAL_KEYS.contains(&key.as_str()) => Value::String(raw),
                None => {
                    warnings.push(format!("unknown setting {name} ignored"));
                    continue;
                }
            };
            sources.set(&key, &name);
            table.insert(key, value);
        }
        let mut config: Config = Table::try_into(table)
            .context("invalid configuration")
            .map_err(|e| sources.explain(e))?;
        if let Some(path) = &config.jwt_secret_file {
            let secret = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read jwt_secret_file {}", path.display()))?;
            config.jwt_secret = secret.trim().to_owned();
        }
        Ok((Loaded { config, warnings }, sources))
    }

    /// The realtime engine's share of the settings.
    pub fn realtime_settings(&self) -> RealtimeSettings {
        RealtimeSettings {
            max_streams_per_user: self.max_streams_per_user,
            stream_buffer: self.stream_buffer,
            user_idle: Duration::from_secs(self.user_idle_secs),
            heartbeat: Duration::from_secs(self.heartbeat_secs),
            retention_age: Duration::from_secs(self.event_retention_days * 24 * 3600),
            retention_per_user: self.event_retention_per_user,
            hug_shards: self.hug_shards,
            actor_queue_limit: self.actor_queue_limit,
            prune_every: Duration::from_secs(self.event_prune_secs),
            hug_rate_per_minute: self.hug_rate_per_minute,
            rates: RateSettings {
                login_per_minute: self.login_rate_per_minute,
                register_per_hour: self.register_rate_per_hour,
                mood_per_minute: self.mood_rate_per_minute,
                friend_request_per_hour: self.friend_request_rate_per_hour,
            },
            presence_ttl: Duration::from_secs(self.presence_ttl_secs),
            // Access tokens live `access_token_ttl_secs` plus the expiry leeway.
            session_memory: Duration::from_secs(self.access_token_ttl_secs.saturating_add(60)),
            ..RealtimeSettings::default()
        }
    }

    /// Password hashes that may run at once: as configured, or one per two cores.
    pub fn hash_slots(&self) -> usize {
        if self.password_hash_slots > 0 {
            return self.password_hash_slots;
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cores.div_ceil(2)
    }

    /// The proxies of `trusted_proxies`, parsed (validated at load).
    pub fn trusted_proxies(&self) -> anyhow::Result<hugmood_api::extract::TrustedProxies> {
        hugmood_api::extract::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(anyhow::Error::msg)
    }

    /// The origins of `cors_origins`, parsed (validated at load).
    pub fn cors_origins(&self) -> anyhow::Result<hugmood_api::CorsOrigins> {
        hugmood_api::CorsOrigins::parse(&self.cors_origins).map_err(anyhow::Error::msg)
    }

    /// The deadlines and the cap every connection lives under.
    pub fn connection_limits(&self) -> hugmood_api::ConnectionLimits {
        hugmood_api::ConnectionLimits {
            head_timeout: Duration::from_secs(self.head_timeout_secs),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs),
            write_timeout: Duration::from_secs(self.write_timeout_secs),
            max_connections: self.max_connections,
        }
    }

    /// Whether this node runs as part of a cluster (shared database or bus).
    pub fn is_cluster(&self) -> bool {
        self.redis_url.is_some() || !self.database_url.starts_with("sqlite:")
    }

    /// Checks every setting, the JWT secret included.
    pub fn validate(&self) -> anyhow::Result<()> {
        self.validate_settings()?;
        self.validate_jwt_secret()
    }

    /// Checks every setting but the JWT secret.
    pub fn validate_settings(&self) -> anyhow::Result<()> {
        self.bind.parse::<SocketAddr>().with_context(|| {
            format!(
                "bind {:?} is not IP:port (e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080; \
                 a host name is not accepted)",
                self.bind
            )
        })?;
        if !["sqlite:", "postgres:", "postgresql:"]
            .iter()
            .any(|p| self.database_url.starts_with(p))
        {
            bail!("database_url must start with sqlite: or postgres:");
        }
        if let Some(url) = &self.redis_url {
            if !url.starts_with("redis://") && !url.starts_with("rediss://") {
                bail!("redis_url must start with redis:// or rediss://");
            }
        }
        if self.redis_url.is_some() && self.database_url.starts_with("sqlite:") {
            bail!(
                "redis_url is set but database_url is an SQLite file: nodes of a cluster must share \
                 one PostgreSQL database (database_url = postgres://…), since two nodes cannot \
                 share an SQLite file; unset redis_url to run one embedded node"
            );
        }
        if self.refresh_grace_secs > 300 {
            bail!(
                "refresh_grace_secs must be at most 300 (a spent token must not stay usable long)"
            );
        }
        for (key, value) in [
            ("access_token_ttl_secs", self.access_token_ttl_secs),
            ("refresh_token_ttl_secs", self.refresh_token_ttl_secs),
            ("heartbeat_secs", self.heartbeat_secs),
            ("hug_rate_per_minute", u64::from(self.hug_rate_per_minute)),
            (
                "login_rate_per_minute",
                u64::from(self.login_rate_per_minute),
            ),
            (
                "register_rate_per_hour",
                u64::from(self.register_rate_per_hour),
            ),
            ("mood_rate_per_minute", u64::from(self.mood_rate_per_minute)),
            (
                "friend_request_rate_per_hour",
                u64::from(self.friend_request_rate_per_hour),
            ),
            ("db_max_connections", u64::from(self.db_max_connections)),
            ("sqlite_wal_restart_mib", self.sqlite_wal_restart_mib),
            ("max_streams_per_user", self.max_streams_per_user as u64),
            ("stream_buffer", self.stream_buffer as u64),
            ("user_idle_secs", self.user_idle_secs),
            ("event_retention_days", self.event_retention_days),
            (
                "event_retention_per_user",
                self.event_retention_per_user.max(0) as u64,
            ),
            ("hug_shards", self.hug_shards as u64),
            ("mood_shards", self.mood_shards as u64),
            ("social_shards", self.social_shards as u64),
            ("actor_queue_limit", self.actor_queue_limit as u64),
            ("event_prune_secs", self.event_prune_secs),
            ("stream_cookie_ttl_secs", self.stream_cookie_ttl_secs),
            ("max_connections", self.max_connections as u64),
            ("idle_timeout_secs", self.idle_timeout_secs),
            ("head_timeout_secs", self.head_timeout_secs),
            ("write_timeout_secs", self.write_timeout_secs),
        ] {
            if value == 0 {
                bail!("{key} must be greater than 0");
            }
        }
        if !(3..=3600).contains(&self.presence_ttl_secs) {
            bail!("presence_ttl_secs must be between 3 and 3600");
        }
        self.trusted_proxies()?;
        self.cors_origins()?;
        if self.body_limit_bytes < 1024 {
            bail!("body_limit_bytes must be at least 1024");
        }
        Ok(())
    }
}

/// Reads an environment value as the type its key has in the defaults.
fn coerce(name: &str, raw: &str, like: &Value) -> anyhow::Result<Value> {
    Ok(match like {
        Value::Integer(_) => Value::Integer(
            raw.trim()
                .parse()
                .with_context(|| format!("{name} must be a whole number"))?,
        ),
        Value::Boolean(_) => Value::Boolean(
            raw.trim()
                .parse()
                .with_context(|| format!("{name} must be true or false"))?,
        ),
        Value::Float(_) => Value::Float(
            raw.trim()
                .parse()
                .with_context(|| format!("{name} must be a number"))?,
        ),
        // A list: comma-separated values, e.g. HUGMOOD_TRUSTED_PROXIES=10.0.0.0/8,::1.
        Value::Array(_) => Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| Value::String(item.to_owned()))
                .collect(),
        ),
        _ => Value::String(raw.to_owned()),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `pairs` as the environment `from_layers` reads.
    pub(crate) fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_embedded_mode() {
        let config = Config::defaults();
        assert_eq!(config.bind, "127.0.0.1:8080");
        assert!(!config.is_cluster());
        config.validate().expect("defaults are valid");
    }

    #[test]
    fn env_overrides_file_overrides_defaults() {
        let loaded = Config::from_layers(
            Some("bind = \"127.0.0.1:9000\"\nheartbeat_secs = 5"),
            env(&[
                ("HUGMOOD_HEARTBEAT_SECS", "7"),
                ("HUGMOOD_DATABASE_URL", "sqlite://x.db"),
                ("PATH", "/bin"),
            ]),
        )
        .expect("loads");
        assert_eq!(loaded.config.bind, "127.0.0.1:9000");
        assert_eq!(loaded.config.heartbeat_secs, 7);
        assert_eq!(loaded.config.database_url, "sqlite://x.db");
        assert!(loaded.warnings.is_empty());
    }

    #[test]
    fn unknown_file_key_is_an_error_and_unknown_env_a_warning() {
        let err = Config::from_layers(Some("heartbeat_sec = 5"), env(&[]))
            .err()
            .expect("rejected");
        assert!(format!("{err:#}").contains("heartbeat_sec"), "{err:#}");
        let loaded = Config::from_layers(None, env(&[("HUGMOOD_NOPE", "1")])).expect("loads");
        assert_eq!(
            loaded.warnings,
            vec!["unknown setting HUGMOOD_NOPE ignored".to_string()]
        );
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(Config::from_layers(None, env(&[("HUGMOOD_HEARTBEAT_SECS", "soon")])).is_err());
        assert!(Config::from_layers(None, env(&[("HUGMOOD_BIND", "nowhere")])).is_err());
        assert!(Config::from_layers(None, env(&[("HUGMOOD_LOG_FORMAT", "xml")])).is_err());
    }

    #[test]
    fn rate_limits_and_proxies_come_from_the_environment() {
        let loaded = Config::from_layers(
            None,
            env(&[
                ("HUGMOOD_LOGIN_RATE_PER_MINUTE", "4"),
                ("HUGMOOD_TRUSTED_PROXIES", "10.0.0.0/8, ::1"),
                ("HUGMOOD_COOKIE_SECURE", "true"),
            ]),
        )
        .expect("loads");
        let config = loaded.config;
        assert_eq!(config.login_rate_per_minute, 4);
        assert_eq!(config.realtime_settings().rates.login_per_minute, 4);
        assert_eq!(config.trusted_proxies, ["10.0.0.0/8", "::1"]);
        assert!(config.cookie_secure);
        assert!(config.hash_slots() >= 1);
        let err = Config::from_layers(None, env(&[("HUGMOOD_TRUSTED_PROXIES", "10.0.0.0/40")]))
            .err()
            .expect("a bad network is refused");
        assert!(format!("{err:#}").contains("10.0.0.0/40"), "{err:#}");
        let loaded = Config::from_layers(
            None,
            env(&[(
                "HUGMOOD_CORS_ORIGINS",
                "https://app.example.com, http://127.0.0.1:5173",
            )]),
        );
        let origins = loaded.expect("loads").config.cors_origins;
        assert_eq!(
            origins,
            ["https://app.example.com", "http://127.0.0.1:5173"]
        );
        let err = Config::from_layers(None, env(&[("HUGMOOD_CORS_ORIGINS", "*")]))
            .err()
            .expect("a wildcard is refused");
        assert!(
            format!("{err:#}").contains("cors_origins: \"*\""),
            "{err:#}"
        );
        let err = Config::from_layers(None, env(&[("HUGMOOD_MOOD_RATE_PER_MINUTE", "0")]))
            .err()
            .expect("a zero rate is refused");
        assert!(
            format!("{err:#}").contains("mood_rate_per_minute"),
            "{err:#}"
        );
    }

    #[test]
    fn example_files_load() {
        let secret = env(&[(
            "HUGMOOD_JWT_SECRET",
            "a-long-enough-real-secret-of-32-bytes",
        )]);
        for example in [
            include_str!("../config/cluster.example.toml"),
            include_str!("../config/docker.example.toml"),
        ] {
            Config::from_layers(Some(example), secret.clone()).expect("example loads");
        }
    }

    #[test]
    fn cluster_mode_refuses_the_dev_secret() {
        let cluster = [
            ("HUGMOOD_DATABASE_URL", "postgres://db/hugmood"),
            ("HUGMOOD_REDIS_URL", "redis://r:6379"),
        ];
        let err = Config::from_layers(None, env(&cluster))
            .err()
            .expect("refused");
        assert!(format!("{err:#}").contains("JWT"), "{err:#}");
        let sqlite_with_redis = [
            ("HUGMOOD_REDIS_URL", "redis://r:6379"),
            (
                "HUGMOOD_JWT_SECRET",
                "a-long-enough-real-secret-of-32-bytes",
            ),
        ];
        let err = Config::from_layers(None, env(&sqlite_with_redis))
            .err()
            .expect("refused");
        let text = format!("{err:#}");
        assert!(
            text.contains("SQLite") && text.contains("postgres"),
            "{text}"
        );
        let mut with_secret = cluster.to_vec();
        with_secret.push((
            "HUGMOOD_JWT_SECRET",
            "a-long-enough-real-secret-of-32-bytes",
        ));
        assert!(Config::from_layers(None, env(&with_secret))
            .expect("loads")
            .config
            .is_cluster());
    }
}
