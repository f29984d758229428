//! Refresh-token secrets: 256 random bits, handed to the client once; only their
//! SHA-256 is stored, so a leaked database does not leak live tokens.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token secret, URL-safe.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token secret.
pub fn digest(token: &str) -> String {
    let hash = Sha256::digest(token.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Domain of the key that seals a spent token's successor, so the key is unrelated to
/// the stored digest of the same secret.
const SEAL_DOMAIN: &[u8] = b"hugmood refresh successor v1\0";

/// The one-time pad derived from a spent token's secret.
fn pad(spent: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(SEAL_DOMAIN);
    hasher.update(spent.as_bytes());
    hasher.finalize().into()
}

/// Seals the secret of `successor` so that only a holder of the `spent` token's secret
/// can recover it: a second use of a just-spent token (two tabs refreshing at once)
/// can then be answered with the same successor, while the store keeps no secret in
/// the clear.
///
/// Why this is sound: the spent secret is 256 random bits, so SHA-256 of it under a
/// domain of its own is a key nobody without the secret can compute (the database
/// holds only the secret's plain digest, a different value). Each spent token seals
/// exactly one successor, so the key is used once and XOR with it is a one-time pad.
/// Integrity needs no MAC: an unsealed secret is used only when its digest matches the
/// stored successor's.
pub fn seal(successor: &str, spent: &str) -> String {
    // Our secrets always decode to 32 bytes; anything else seals to nothing usable.
    let mut bytes = URL_SAFE_NO_PAD.decode(successor).unwrap_or_default();
    for (byte, key) in bytes.iter_mut().zip(pad(spent).iter()) {
        *byte ^= key;
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The successor secret sealed by [`seal`], given the spent token's secret; `None` if
/// `sealed` is not one of ours. Check its digest before trusting it.
pub fn unseal(sealed: &str, spent: &str) -> Option<String> {
    let mut bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    if bytes.len() != 32 {
        return None;
    }
    for (byte, key) in bytes.iter_mut().zip(pad(spent).iter()) {
        *byte ^= key;
    }
    Some(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_unique_and_digests_stable() {
        let (a, b) = (super::generate(), super::generate());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(super::digest(&a), super::digest(&a));
        assert_eq!(super::digest(&a).len(), 64);
    }

    #[test]
    fn only_the_spent_secret_unseals_its_successor() {
        let (spent, next) = (super::generate(), super::generate());
        let sealed = super::seal(&next, &spent);
        assert_ne!(sealed, next, "not stored in the clear");
        assert_eq!(
            super::unseal(&sealed, &spent).as_deref(),
            Some(next.as_str())
        );
        let other = super::unseal(&sealed, &super::generate()).expect("decodes");
        assert_ne!(other, next, "another secret recovers something else");
        assert_eq!(super::unseal("not base64!", &spent), None);
    }
}
