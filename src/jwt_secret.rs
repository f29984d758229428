//! Which JWT secrets the hub accepts. The development secret of
//! `config/default.toml` is printed in this repository, so anyone could mint a token
//! with it: it is accepted only where nobody else can reach the hub (a loopback
//! `bind`) and the store is a local SQLite file. Any other secret must be long enough
//! not to be guessed. A refusal says why, and where the secret comes from.

use anyhow::bail;
use std::net::SocketAddr;

use crate::config::Config;

/// The development JWT secret of `config/default.toml`; accepted only on a loopback
/// `bind` with an SQLite store.
pub const DEV_JWT_SECRET: &str = "hugmood-dev-secret-change-me";

/// Shortest JWT secret accepted other than the development one.
const MIN_SECRET_BYTES: usize = 32;

impl Config {
    /// Refuses the development secret outside a loopback SQLite hub, and any other
    /// secret shorter than [`MIN_SECRET_BYTES`].
    pub fn validate_jwt_secret(&self) -> anyhow::Result<()> {
        if self.jwt_secret == DEV_JWT_SECRET {
            let mut reasons = Vec::new();
            let loopback = self
                .bind
                .parse::<SocketAddr>()
                .is_ok_and(|addr| addr.ip().is_loopback());
            if !loopback {
                reasons.push(format!("bind {} is not a loopback address", self.bind));
            }
            if !self.database_url.starts_with("sqlite:") {
                reasons.push(
                    "database_url is PostgreSQL, not an SQLite file (cluster mode)".to_owned(),
                );
            }
            if self.redis_url.is_some() {
                reasons.push("redis_url is set (cluster mode)".to_owned());
            }
            if !reasons.is_empty() {
                bail!(
                    "refusing to start with the development JWT secret: {}; set \
                     HUGMOOD_JWT_SECRET, or jwt_secret_file to a file holding it, to a \
                     secret of at least {MIN_SECRET_BYTES} bytes, e.g. `openssl rand -hex 32`",
                    reasons.join(", ")
                );
            }
            return Ok(());
        }
        if self.jwt_secret.len() < MIN_SECRET_BYTES {
            let source = match &self.jwt_secret_file {
                Some(path) => format!("in jwt_secret_file {}", path.display()),
                None => "(HUGMOOD_JWT_SECRET, or a file named by jwt_secret_file)".to_owned(),
            };
            let mode = match crate::deployment::cluster_reason(self) {
                Some(reason) => format!(" (cluster mode: {reason})"),
                None => String::new(),
            };
            bail!(
                "the JWT secret {source} must be at least {MIN_SECRET_BYTES} bytes, it has \
                 {}{mode}; make one with `openssl rand -hex 32`",
                self.jwt_secret.len()
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::env;
    use crate::config::Config;

    #[test]
    fn the_dev_secret_only_on_loopback_with_sqlite() {
        let public = Config::from_layers(None, env(&[("HUGMOOD_BIND", "0.0.0.0:8080")]));
        let text = format!("{:#}", public.err().expect("refused"));
        assert!(
            text.contains("HUGMOOD_JWT_SECRET") && text.contains("0.0.0.0:8080"),
            "{text}"
        );
        let v6 = Config::from_layers(None, env(&[("HUGMOOD_BIND", "[::1]:8080")]));
        assert!(v6.is_ok(), "IPv6 loopback is loopback");
        let postgres = env(&[
            ("HUGMOOD_DATABASE_URL", "postgres://db/hugmood"),
            ("HUGMOOD_BIND", "127.0.0.1:8080"),
        ]);
        let text = format!(
            "{:#}",
            Config::from_layers(None, postgres).err().expect("refused")
        );
        assert!(text.contains("not an SQLite file"), "{text}");
        let short = env(&[
            ("HUGMOOD_BIND", "0.0.0.0:8080"),
            ("HUGMOOD_JWT_SECRET", "thirty-one-bytes-is-one-too-few"),
        ]);
        assert_eq!("thirty-one-bytes-is-one-too-few".len(), 31);
        let text = format!(
            "{:#}",
            Config::from_layers(None, short).err().expect("refused")
        );
        assert!(text.contains("at least 32 bytes"), "{text}");
        let long = env(&[
            ("HUGMOOD_BIND", "0.0.0.0:8080"),
            ("HUGMOOD_JWT_SECRET", "thirty-two-bytes-is-just-enough!"),
        ]);
        assert!(Config::from_layers(None, long).is_ok());
    }
}
