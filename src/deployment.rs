//! What a configuration runs as, in words: the mode (embedded or cluster, and what
//! made it a cluster), the store (an SQLite file, or PostgreSQL's host:port/database)
//! and the bus (in-process, or Redis's host:port). The start-up line (`hub listening`
//! with `addr`, `mode`, `store` and `bus`) and the errors about the database or the
//! JWT secret say it this way, never with a password.

use std::path::PathBuf;

use crate::config::Config;

/// PostgreSQL's port when a URL names none.
const POSTGRES_PORT: u16 = 5432;
/// Redis's port when a URL names none.
const REDIS_PORT: u16 = 6379;

/// The file an `sqlite:` URL names (`None` for an in-memory database).
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    let rest = database_url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || database_url.contains("mode=memory") {
        return None;
    }
    Some(PathBuf::from(path))
}

/// `host:port` of a URL, with `default_port` when it names none.
fn host_port(url: &url::Url, default_port: u16) -> String {
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .unwrap_or("localhost");
    format!("{host}:{}", url.port().unwrap_or(default_port))
}

/// The store of `database_url`: `SQLite file <path>`, `SQLite in memory`, or
/// `PostgreSQL <host>:<port>/<database>`.
pub fn store(database_url: &str) -> String {
    if database_url.starts_with("sqlite:") {
        return match sqlite_file(database_url) {
            Some(path) => format!("SQLite file {}", path.display()),
            None => "SQLite in memory".to_owned(),
        };
    }
    match url::Url::parse(database_url) {
        Ok(url) => {
            let database = url.path().trim_start_matches('/');
            format!("PostgreSQL {}/{database}", host_port(&url, POSTGRES_PORT))
        }
        Err(_) => "PostgreSQL (an unreadable URL)".to_owned(),
    }
}

/// `host:port` of a PostgreSQL `database_url`, for errors about reaching it.
pub fn postgres_address(database_url: &str) -> Option<String> {
    let url = url::Url::parse(database_url).ok()?;
    matches!(url.scheme(), "postgres" | "postgresql").then(|| host_port(&url, POSTGRES_PORT))
}

/// The bus of `redis_url`: `in-process` or `Redis <host>:<port>`.
pub fn bus(redis_url: Option<&str>) -> String {
    match redis_url.map(url::Url::parse) {
        None => "in-process".to_owned(),
        Some(Ok(url)) => format!("Redis {}", host_port(&url, REDIS_PORT)),
        Some(Err(_)) => "Redis (an unreadable URL)".to_owned(),
    }
}

/// What makes `config` a cluster node, or `None` for an embedded one.
pub fn cluster_reason(config: &Config) -> Option<String> {
    let mut reasons = Vec::new();
    if config.redis_url.is_some() {
        reasons.push("redis_url is set");
    }
    if !config.database_url.starts_with("sqlite:") {
        reasons.push("database_url is PostgreSQL");
    }
    (!reasons.is_empty()).then(|| reasons.join(" and "))
}

/// `embedded`, or `cluster (redis_url is set and database_url is PostgreSQL)`.
pub fn mode(config: &Config) -> String {
    match cluster_reason(config) {
        None => "embedded".to_owned(),
        Some(reason) => format!("cluster ({reason})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            store("sqlite://data/hugmood.db"),
            "SQLite file data/hugmood.db"
        );
        assert_eq!(store("sqlite:x.db?mode=rwc"), "SQLite file x.db");
        assert_eq!(store("sqlite:///tmp/a.db"), "SQLite file /tmp/a.db");
        assert_eq!(store("sqlite::memory:"), "SQLite in memory");
        assert_eq!(sqlite_file("sqlite://x.db"), Some(PathBuf::from("x.db")));
        assert_eq!(sqlite_file("sqlite:file.db?mode=memory"), None);
    }

    #[test]
    fn postgres_and_redis_lose_their_passwords() {
        let pg = "postgres://hugmood:s3cret@db.internal:6543/hub?sslmode=require";
        assert_eq!(store(pg), "PostgreSQL db.internal:6543/hub");
        assert_eq!(store("postgresql://u@db/hub"), "PostgreSQL db:5432/hub");
        assert_eq!(postgres_address(pg).as_deref(), Some("db.internal:6543"));
        assert_eq!(postgres_address("sqlite://x.db"), None);
        assert_eq!(bus(None), "in-process");
        assert_eq!(bus(Some("redis://:pw@cache:6380/0")), "Redis cache:6380");
        assert_eq!(bus(Some("rediss://cache")), "Redis cache:6379");
        assert!(!store(pg).contains("s3cret"));
    }

    #[test]
    fn the_mode_says_what_made_it_a_cluster() {
        let mut config = Config::defaults();
        assert_eq!(mode(&config), "embedded");
        config.redis_url = Some("redis://cache:6379".into());
        assert_eq!(mode(&config), "cluster (redis_url is set)");
        config.database_url = "postgres://u:pw@db:5432/hub".into();
        assert_eq!(
            mode(&config),
            "cluster (redis_url is set and database_url is PostgreSQL)"
        );
    }
}
