//! The hub's rate limits other than hugs (which have their own buckets in the hug
//! shards): sign-in and sign-up per client address and per login name or account,
//! mood entries and friend requests per user. Each rule is one family of buckets,
//! in this process or, in cluster mode, in Redis for every node together.

use std::fmt::Display;
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::cluster::ClusterRate;
use super::local::LocalRate;
use super::Rate;
use crate::error::{EngineError, EngineResult};
use crate::redis_link::RedisLink;

/// How often keys whose buckets are full again are forgotten.
const FORGET_EVERY: Duration = Duration::from_secs(60);

/// One family of buckets: what is counted, and by what key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Login attempts per client address.
    LoginByAddress,
    /// Login attempts per login name (username or email, as typed).
    LoginByName,
    /// Token refreshes per client address.
    RefreshByAddress,
    /// Token refreshes per account.
    RefreshByAccount,
    /// Registrations and anonymous accounts per client address.
    SignUpByAddress,
    /// Mood entries created per user.
    MoodsByUser,
    /// Friend requests sent per user.
    FriendRequestsByUser,
}

impl Rule {
    const ALL: [Rule; 7] = [
        Rule::LoginByAddress,
        Rule::LoginByName,
        Rule::RefreshByAddress,
        Rule::RefreshByAccount,
        Rule::SignUpByAddress,
        Rule::MoodsByUser,
        Rule::FriendRequestsByUser,
    ];

    /// The rule's name in Redis keys.
    fn name(self) -> &'static str {
        match self {
            Rule::LoginByAddress => "login-address",
            Rule::LoginByName => "login-name",
            Rule::RefreshByAddress => "refresh-address",
            Rule::RefreshByAccount => "refresh-account",
            Rule::SignUpByAddress => "sign-up-address",
            Rule::MoodsByUser => "moods",
            Rule::FriendRequestsByUser => "friend-requests",
        }
    }

    fn rate(self, settings: &RateSettings) -> Rate {
        match self {
            Rule::LoginByAddress
            | Rule::LoginByName
            | Rule::RefreshByAddress
            | Rule::RefreshByAccount => Rate::per_minute(settings.login_per_minute),
            Rule::SignUpByAddress => Rate::per_hour(settings.register_per_hour),
            Rule::MoodsByUser => Rate::per_minute(settings.mood_per_minute),
            Rule::FriendRequestsByUser => Rate::per_hour(settings.friend_request_per_hour),
        }
    }
}

/// The configured rates (each at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateSettings {
    /// Logins and refreshes per minute, per client address and per login name.
    pub login_per_minute: u32,
    /// Registrations and anonymous accounts per hour, per client address.
    pub register_per_hour: u32,
    /// Mood entries per minute, per user.
    pub mood_per_minute: u32,
    /// Friend requests per hour, per user.
    pub friend_request_per_hour: u32,
}

impl Default for RateSettings {
    fn default() -> Self {
        Self {
            login_per_minute: 10,
            register_per_hour: 30,
            mood_per_minute: 30,
            friend_request_per_hour: 100,
        }
    }
}

struct Family {
    rate: Rate,
    local: LocalRate,
    cluster: Option<ClusterRate>,
}

/// Every rule's buckets; cheap to clone.
#[derive(Clone)]
pub struct RateLimits {
    families: Arc<Vec<Family>>,
}

impl RateLimits {
    /// The buckets of `settings`, cluster-wide through `redis` when given. Needs a
    /// Tokio runtime: a task forgets full buckets while the limits are in use.
    pub fn start(settings: &RateSettings, redis: Option<&RedisLink>) -> Self {
        let families = Rule::ALL
            .iter()
            .map(|&rule| {
                let rate = rule.rate(settings);
                Family {
                    rate,
                    local: LocalRate::new(rate),
                    cluster: redis.map(|link| ClusterRate::new(link.clone(), rule.name())),
                }
            })
            .collect();
        let limits = Self {
            families: Arc::new(families),
        };
        forget_full_buckets(Arc::downgrade(&limits.families));
        limits
    }

    /// Takes one token of `key`'s bucket under `rule`, or answers `RateLimited` with
    /// the seconds until one is back.
    pub async fn take(&self, rule: Rule, key: impl Display) -> EngineResult<()> {
        // `ALL` lists the rules in declaration order, so a rule's number is its index.
        let family = &self.families[rule as usize];
        let key = key.to_string();
        let taken = match &family.cluster {
            Some(cluster) => match cluster.take(&key, family.rate).await {
                Ok(taken) => taken,
                Err(err) => {
                    tracing::debug!(error = %err, rule = rule.name(), "Redis does not answer: rate limited per node");
                    family.local.take(key)
                }
            },
            None => family.local.take(key),
        };
        taken.map_err(|retry_after_secs| EngineError::RateLimited { retry_after_secs })
    }
}

/// Forgets full buckets every minute, for as long as the limits exist.
fn forget_full_buckets(families: Weak<Vec<Family>>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(FORGET_EVERY);
        every.tick().await;
        loop {
            every.tick().await;
            let Some(families) = families.upgrade() else {
                return;
            };
            for family in families.iter() {
                family.local.forget_full();
            }
        }
    });
}
