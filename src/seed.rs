//! `hugmood seed`: demo users with friendships, fast enough for load tests (20,000
//! users in seconds: the shared demo password is hashed once, rows go in by the
//! hundred), optionally writing `<user id> <access token>` per user to a file.

use anyhow::{bail, Context};
use hugmood_actors::auth::{password, JwtKeys};
use hugmood_actors::domain::time::now;
use hugmood_actors::domain::user::NewUser;
use hugmood_actors::domain::validation;
use hugmood_actors::store::Store;
use std::io::Write;
use std::sync::Arc;
use uuid::Uuid;

use crate::cli::SeedArgs;

/// Password of every seeded user.
pub const DEMO_PASSWORD: &str = "hugmood-demo";

/// What a seed run created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub users: u32,
    pub friendships: usize,
}

/// Friend pairs of a ring of `n` users where each befriends the next `k`.
fn ring_pairs(ids: &[Uuid], k: u32) -> Vec<(Uuid, Uuid)> {
    let n = ids.len();
    let k = (k as usize).min(n.saturating_sub(1));
    (0..n)
        .flat_map(|i| (1..=k).map(move |step| (ids[i], ids[(i + step) % n])))
        .collect()
}

pub async fn seed(
    store: Arc<dyn Store>,
    keys: &JwtKeys,
    args: &SeedArgs,
    token_ttl: u64,
) -> anyhow::Result<SeedReport> {
    let first = format!("{}_{}", args.prefix, 1);
    let last = format!("{}_{}", args.prefix, args.users);
    for name in [&first, &last] {
        validation::username(name)
            .map_err(|e| anyhow::anyhow!("usernames like {name:?} {e}; choose another --prefix"))?;
    }
    if store.user_by_login(&first).await?.is_some() {
        bail!("users named {first:?}… exist already; choose another --prefix");
    }
    let hash = tokio::task::spawn_blocking(|| password::hash_blocking(DEMO_PASSWORD)).await??;
    let at = now();
    let users: Vec<NewUser> = (1..=args.users)
        .map(|i| {
            let username = format!("{}_{i}", args.prefix);
            NewUser {
                id: Uuid::new_v4(),
                email: Some(format!("{username}@hugmood.test")),
                display_name: format!("Demo {i}"),
                username,
                password_hash: Some(hash.clone()),
                is_anonymous: false,
                now: at,
            }
        })
        .collect();
    store
        .insert_users(&users)
        .await
        .context("inserting users")?;
    let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    let pairs = ring_pairs(&ids, args.friends);
    store
        .insert_friendships(&pairs, at)
        .await
        .context("inserting friendships")?;
    if let Some(path) = &args.tokens_out {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        for id in &ids {
            writeln!(out, "{id} {}", keys.issue(*id, at, token_ttl)?)?;
        }
        out.flush()?;
    }
    Ok(SeedReport {
        users: args.users,
        friendships: pairs.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_wraps_and_caps_k() {
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
        let pairs = ring_pairs(&ids, 2);
        assert_eq!(pairs.len(), 8);
        assert!(pairs.contains(&(ids[3], ids[0])));
        assert_eq!(ring_pairs(&ids[..2], 5).len(), 2);
        assert!(ring_pairs(&ids[..1], 3).is_empty());
    }
}
