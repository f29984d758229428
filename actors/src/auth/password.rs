//! Argon2id password hashing. Hashing is CPU-heavy, so it runs on the blocking pool
//! and never stalls the async workers, a bounded number of hashes at a time.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

use crate::error::{EngineError, EngineResult};

/// Hashes `password` into a PHC string on this thread (seeding; the API goes through
/// [`HashSlots::hash`]).
pub fn hash_blocking(password: &str) -> EngineResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| EngineError::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The password hashes that may run at once. Each argon2 hash takes about 19 MiB and
/// a core for tens of milliseconds, so a flood of logins waits here, briefly, instead
/// of taking memory and every core; past the wait it answers busy (503).
#[derive(Clone)]
pub struct HashSlots {
    slots: Arc<Semaphore>,
}

/// Longest wait for a free slot.
const SLOT_WAIT: Duration = Duration::from_secs(5);

impl HashSlots {
    pub fn new(slots: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(slots.max(1))),
        }
    }

    /// Hashes `password` into a PHC string (algorithm, parameters, salt and hash).
    pub async fn hash(&self, password: String) -> EngineResult<String> {
        self.run(move || hash_blocking(&password)).await?
    }

    /// Whether `password` matches the PHC string `hash`.
    pub async fn verify(&self, password: String, hash: String) -> EngineResult<bool> {
        self.run(move || verify_blocking(&password, &hash)).await
    }

    /// Runs `work` on the blocking pool once a slot is free. The slot is held by the
    /// work itself, so a caller that gives up frees nothing early: at most `slots`
    /// hashes run, whatever the callers do.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> EngineResult<T> {
        let slot = tokio::time::timeout(SLOT_WAIT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| EngineError::Busy("every password-hashing slot stayed taken".into()))?
            .map_err(|_| EngineError::Internal("password-hashing slots closed".into()))?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work()
        })
        .await
        .map_err(|e| EngineError::Internal(format!("hashing task failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::HashSlots;

    #[tokio::test]
    async fn hash_then_verify() {
        let slots = HashSlots::new(1);
        let hash = slots.hash("correct horse".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(slots
            .verify("correct horse".into(), hash.clone())
            .await
            .expect("verify"));
        assert!(!slots
            .verify("wrong horse".into(), hash)
            .await
            .expect("verify"));
        assert!(!slots
            .verify("x".into(), "not a hash".into())
            .await
            .expect("verify"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_hashes_run_at_once_than_there_are_slots() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let slots = HashSlots::new(2);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs = (0..8).map(|_| {
            let (slots, running, most) = (slots.clone(), running.clone(), most.clone());
            tokio::spawn(async move {
                slots
                    .run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(30));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
            })
        });
        for job in futures::future::join_all(jobs).await {
            job.expect("job").expect("ran");
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }
}
