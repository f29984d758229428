//! The node's link to Redis in cluster mode: one client, one multiplexed command
//! connection shared by the bus publisher, presence and the cluster-wide limits, and
//! the jittered backoff every reconnect loop uses. Every command has a deadline, so
//! a Redis that stops answering costs a request at most `RESPONSE_TIMEOUT`.

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::time::Duration;
use uuid::Uuid;

use crate::error::{EngineError, EngineResult};

/// Reconnect delays to Redis: from 100 ms to 5 s.
pub type Backoff = crate::backoff::Backoff<100, 5_000>;

/// Longest wait for one command's answer.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_millis(1_000);
/// Longest wait for a new connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(1_000);
/// Prefix of every key and channel the hub uses, so a Redis can be shared.
pub const PREFIX: &str = "hugmood:";

/// Cheap to clone.
#[derive(Clone)]
pub struct RedisLink {
    client: redis::Client,
    commands: ConnectionManager,
    /// This process's id among the cluster's nodes (new at every start).
    node: Uuid,
}

impl RedisLink {
    /// Opens the link without waiting for Redis: a node may start while Redis is down
    /// (it is then not ready, and degrades as described where Redis is used).
    pub fn open(url: &str) -> EngineResult<Self> {
        let client = redis::Client::open(url)
            .map_err(|e| EngineError::Internal(format!("redis_url is not usable: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let commands = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| EngineError::Internal(format!("cannot set up Redis: {e}")))?;
        Ok(Self {
            client,
            commands,
            node: Uuid::new_v4(),
        })
    }

    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    /// The shared command connection (it reconnects by itself).
    pub fn commands(&self) -> ConnectionManager {
        self.commands.clone()
    }

    pub fn node(&self) -> Uuid {
        self.node
    }

    /// Runs work on the shared connection, bounded by `RESPONSE_TIMEOUT` whatever
    /// the connection does.
    pub async fn run<T>(
        &self,
        work: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> redis::RedisResult<T> {
        match tokio::time::timeout(RESPONSE_TIMEOUT, work).await {
            Ok(result) => result,
            Err(_) => Err(redis::RedisError::from((
                redis::ErrorKind::Io,
                "Redis did not answer in time",
            ))),
        }
    }

    /// A round trip, for readiness checks.
    pub async fn ping(&self) -> bool {
        let mut conn = self.commands();
        self.run(redis::cmd("PING").query_async::<String>(&mut conn))
            .await
            .is_ok()
    }

    /// A key or channel name under the hub's prefix.
    pub fn key(parts: std::fmt::Arguments<'_>) -> String {
        format!("{PREFIX}{parts}")
    }
}
