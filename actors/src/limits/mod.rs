//! Rate limits: a bucket of `count` tokens refilled over a period, per key (a sender,
//! a client address, a login name). In embedded mode the buckets live in this
//! process; in cluster mode every node draws from one bucket in Redis, falling back
//! to its own while Redis does not answer.

mod cluster;
mod local;
mod rules;

pub use cluster::ClusterRate;
pub use rules::{RateLimits, RateSettings, Rule};

use std::time::Duration;

/// `count` tokens per `per`, the bucket full at first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}

impl Rate {
    pub const fn per_minute(count: u32) -> Self {
        Self {
            count,
            per: Duration::from_secs(60),
        }
    }

    pub const fn per_hour(count: u32) -> Self {
        Self {
            count,
            per: Duration::from_secs(3600),
        }
    }

    /// The time one token takes to come back.
    fn interval(self) -> Duration {
        (self.per / self.count.max(1)).max(Duration::from_micros(1))
    }
}

/// Whole seconds to wait for `wait`, at least 1 (the `Retry-After` of a 429).
fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}
