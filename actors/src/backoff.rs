//! Delays between attempts at something that failed (a Redis reconnect, a store read
//! a UserActor must retry): exponential from `FIRST_MS` to `MAX_MS`, each with up to
//! half of it added at random, so many waiters that failed together do not retry in
//! lock step. A success resets it. Sixteen bytes: cheap enough for every UserActor.

use rand::Rng;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff<const FIRST_MS: u64, const MAX_MS: u64> {
    next: Duration,
}

impl<const FIRST_MS: u64, const MAX_MS: u64> Default for Backoff<FIRST_MS, MAX_MS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const FIRST_MS: u64, const MAX_MS: u64> Backoff<FIRST_MS, MAX_MS> {
    const FIRST: Duration = Duration::from_millis(FIRST_MS);
    const MAX: Duration = Duration::from_millis(MAX_MS);

    pub fn new() -> Self {
        Self { next: Self::FIRST }
    }

    /// The delay before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        let jitter_ms = rand::thread_rng().gen_range(0..=base.as_millis() as u64 / 2);
        base + Duration::from_millis(jitter_ms)
    }

    /// After a success: the next failure starts from the first delay again.
    pub fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_its_cap_with_jitter_and_resets() {
        let mut backoff = Backoff::<100, 5_000>::new();
        let first = backoff.next_delay();
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(150));
        let mut last = first;
        for _ in 0..10 {
            last = backoff.next_delay();
        }
        assert!(last >= Duration::from_secs(5) && last <= Duration::from_millis(7_500));
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(150));
    }
}
