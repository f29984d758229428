//! The in-process buckets of one rule: governor's keyed GCRA limiter (a DashMap of
//! one arrival time per key). Keys whose buckets have filled again are forgotten once
//! a minute, so a flood of distinct keys holds memory only while it lasts.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;

use super::Rate;

pub(super) struct LocalRate {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl LocalRate {
    pub fn new(rate: Rate) -> Self {
        let burst = NonZeroU32::new(rate.count).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(rate.interval())
            .expect("a rate's interval is never zero")
            .allow_burst(burst);
        let clock = DefaultClock::default();
        Self {
            limiter: DefaultKeyedRateLimiter::dashmap_with_clock(quota, clock.clone()),
            clock,
        }
    }

    /// Takes one of `key`'s tokens, or answers the seconds until one is back.
    pub fn take(&self, key: String) -> Result<(), u64> {
        self.limiter.check_key(&key).map_err(|not_until| {
            super::retry_after_secs(not_until.wait_time_from(self.clock.now()))
        })
    }

    /// Forgets the keys whose buckets are full again.
    pub fn forget_full(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    #[cfg(test)]
    pub fn keys(&self) -> usize {
        self.limiter.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refuses_past_its_count_and_names_the_wait() {
        let rate = LocalRate::new(Rate::per_minute(2));
        assert_eq!(rate.take("a".into()), Ok(()));
        assert_eq!(rate.take("a".into()), Ok(()));
        let wait = rate.take("a".into()).expect_err("the third is refused");
        assert!((1..=30).contains(&wait), "{wait}");
        assert_eq!(rate.take("b".into()), Ok(()), "another key has its own");
        assert_eq!(rate.keys(), 2);
    }
}
