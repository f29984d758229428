//! Argon2id password hashing. Hashing is CPU-heavy, so it runs on the blocking pool
//! and never stalls the async workers.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::error::{EngineError, EngineResult};

/// Hashes `password` into a PHC string (algorithm, parameters, salt and hash).
pub async fn hash(password: String) -> EngineResult<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| EngineError::Internal(format!("hashing task failed: {e}")))?
}

/// The blocking form of [`hash`], for batch jobs such as seeding.
pub fn hash_blocking(password: &str) -> EngineResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| EngineError::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub async fn verify(password: String, hash: String) -> EngineResult<bool> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|e| EngineError::Internal(format!("verification task failed: {e}")))
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hash_then_verify() {
        let hash = super::hash("correct horse".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(super::verify("correct horse".into(), hash.clone())
            .await
            .expect("verify"));
        assert!(!super::verify("wrong horse".into(), hash)
            .await
            .expect("verify"));
        assert!(!super::verify("x".into(), "not a hash".into())
            .await
            .expect("verify"));
    }
}
