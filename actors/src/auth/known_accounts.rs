//! Accounts this node has lately read to exist, so that an authenticated request need
//! not read the store to know its token's account is still there. Sound because a
//! deleted account is ended in [`Revocations`](super::Revocations) on every node — at
//! once where it was deleted, within a store poll elsewhere, and at start-up for the
//! whole token lifetime — and every token is checked against that first. This cache
//! only ever says "exists": an account it has not seen lately is read from the store.

use dashmap::DashMap;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long a read that found the account is trusted.
const TRUST: Duration = Duration::from_secs(60);
/// Most accounts remembered (about 60 bytes each).
const CAPACITY: usize = 200_000;

#[derive(Default)]
pub struct KnownAccounts {
    seen: DashMap<Uuid, Instant>,
}

impl KnownAccounts {
    /// Whether `user` was read to exist within the trust period.
    pub fn contains(&self, user: Uuid) -> bool {
        self.seen.get(&user).is_some_and(|at| at.elapsed() < TRUST)
    }

    /// Notes that the store has just shown `user` to exist. Past the capacity, stale
    /// entries go first, and everything if none is stale (the next reads refill it).
    pub fn note(&self, user: Uuid) {
        if self.seen.len() >= CAPACITY {
            self.seen.retain(|_, at| at.elapsed() < TRUST);
            if self.seen.len() >= CAPACITY {
                self.seen.clear();
            }
        }
        self.seen.insert(user, Instant::now());
    }

    /// Forgets `user` (their account is being deleted here).
    pub fn forget(&self, user: Uuid) {
        self.seen.remove(&user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_noted_accounts_are_known_and_forgetting_drops_them() {
        let known = KnownAccounts::default();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(!known.contains(a));
        known.note(a);
        assert!(known.contains(a));
        assert!(!known.contains(b));
        known.forget(a);
        assert!(!known.contains(a));
    }

    #[test]
    fn a_stale_entry_is_not_trusted() {
        let known = KnownAccounts::default();
        let a = Uuid::new_v4();
        known
            .seen
            .insert(a, Instant::now() - TRUST - Duration::from_secs(1));
        assert!(!known.contains(a));
    }
}
