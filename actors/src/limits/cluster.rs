//! Cluster-wide rate limits: the same rule as the in-process buckets (a bucket of
//! `count` tokens refilled over its period, full at first), kept in Redis as one GCRA
//! "theoretical arrival time" per key, so every node draws from one bucket. One script
//! does the check and the update, on the Redis server's clock.
//!
//! Callers fall back to their in-process bucket when Redis does not answer (the
//! limit is then per node until it is back), so hugs keep flowing through an outage.

use redis::Script;
use std::sync::Arc;

use super::Rate;
use crate::redis_link::RedisLink;

/// KEYS[1] the bucket; ARGV: the interval between tokens (µs), the bucket's span
/// (rate × interval, µs). Answers 0 when a token was taken, else the µs to wait.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]
local interval = tonumber(ARGV[1])
local span = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local after = tat + interval
if after - now > span then return after - now - span end
redis.call('SET', KEYS[1], after, 'PX', math.ceil((after - now) / 1000) + 1)
return 0
";

/// A named family of cluster-wide buckets (e.g. hugs per sender); cheap to clone.
#[derive(Clone)]
pub struct ClusterRate {
    link: RedisLink,
    name: &'static str,
    script: Arc<Script>,
}

impl ClusterRate {
    pub fn new(link: RedisLink, name: &'static str) -> Self {
        Self {
            link,
            name,
            script: Arc::new(Script::new(GCRA)),
        }
    }

    /// Takes one of `key`'s tokens under `rate`: `Ok(Ok(()))`, or `Ok(Err(seconds))`
    /// to wait; `Err` when Redis does not answer.
    pub async fn take(
        &self,
        key: impl std::fmt::Display,
        rate: Rate,
    ) -> redis::RedisResult<Result<(), u64>> {
        let count = u64::from(rate.count.max(1));
        let interval_us = (rate.per.as_micros() as u64 / count).max(1);
        let span_us = interval_us * count;
        let mut conn = self.link.commands();
        let mut call = self
            .script
            .key(RedisLink::key(format_args!("rate:{}:{key}", self.name)));
        call.arg(interval_us).arg(span_us);
        let wait_us: i64 = self.link.run(call.invoke_async(&mut conn)).await?;
        Ok(if wait_us <= 0 {
            Ok(())
        } else {
            Err((wait_us as u64).div_ceil(1_000_000).max(1))
        })
    }
}
