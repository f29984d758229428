//! `hugmood seed`: demo users with friendships, mood entries and hugs, fast enough for
//! load tests (20,000 users in seconds: the shared demo password is hashed once, rows
//! go in by the hundred or in one transaction), optionally writing
//! `<user id> <access token>` per user to a file.

use anyhow::{bail, Context};
use chrono::{DateTime, Duration, Utc};
use hugmood_actors::auth::{password, JwtKeys};
use hugmood_actors::domain::hug::{Hug, HugStatus, HugType};
use hugmood_actors::domain::mood::{Mood, MoodEntry};
use hugmood_actors::domain::time::now;
use hugmood_actors::domain::user::NewUser;
use hugmood_actors::domain::validation;
use hugmood_actors::store::Store;
use std::collections::HashSet;
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
    pub moods: usize,
    pub hugs: usize,
}

/// Friend pairs of a ring of `n` users where each befriends the next `k`.
fn ring_pairs(ids: &[Uuid], k: u32) -> Vec<(Uuid, Uuid)> {
    let n = ids.len();
    let k = (k as usize).min(n.saturating_sub(1));
    (0..n)
        .flat_map(|i| (1..=k).map(move |step| (ids[i], ids[(i + step) % n])))
        .collect()
}

/// Friend pairs of a star: the first user befriends the next `n` (capped at the
/// others there are), minus pairs that `existing` has already in either order, so a
/// friendship is neither inserted nor counted twice.
fn star_pairs(ids: &[Uuid], n: u32, existing: &[(Uuid, Uuid)]) -> Vec<(Uuid, Uuid)> {
    let Some((&hub, rest)) = ids.split_first() else {
        return Vec::new();
    };
    let known: HashSet<(Uuid, Uuid)> = existing
        .iter()
        .filter(|(a, b)| *a == hub || *b == hub)
        .map(|&(a, b)| if a == hub { (a, b) } else { (b, a) })
        .collect();
    rest.iter()
        .take(n as usize)
        .map(|&friend| (hub, friend))
        .filter(|pair| !known.contains(pair))
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
    let mut pairs = ring_pairs(&ids, args.friends);
    let star = star_pairs(&ids, args.star_friends, &pairs);
    pairs.extend(star);
    store
        .insert_friendships(&pairs, at)
        .await
        .context("inserting friendships")?;
    let moods = demo_moods(&ids, args.moods, at);
    store
        .insert_moods(&moods)
        .await
        .context("inserting mood entries")?;
    let hugs = demo_hugs(&ids, args.hugs, at);
    store.insert_hugs(&hugs).await.context("inserting hugs")?;
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
        moods: moods.len(),
        hugs: hugs.len(),
    })
}

/// `per_user` entries per user, one a day back from `at`, cycling through the moods.
fn demo_moods(ids: &[Uuid], per_user: u32, at: DateTime<Utc>) -> Vec<MoodEntry> {
    let mut entries = Vec::with_capacity(ids.len() * per_user as usize);
    for (i, user) in ids.iter().enumerate() {
        for day in 0..per_user as usize {
            let mood = Mood::ALL[(i + day) % Mood::ALL.len()];
            let (valence, arousal) = mood.default_affect();
            let created = at - Duration::days(day as i64) - Duration::minutes((i % 600) as i64);
            entries.push(MoodEntry {
                id: Uuid::new_v4(),
                user_id: *user,
                mood,
                intensity: (1 + (i + day) % 10) as u8,
                valence,
                arousal,
                note: None,
                is_public: day == 0,
                tags: vec![DEMO_TAGS[(i + day) % DEMO_TAGS.len()].to_owned()],
                created_at: created,
                updated_at: created,
            });
        }
    }
    entries
}

/// `per_user` hugs from each user to the next one in the ring (a friend), already seen.
fn demo_hugs(ids: &[Uuid], per_user: u32, at: DateTime<Utc>) -> Vec<Hug> {
    if ids.len() < 2 {
        return Vec::new();
    }
    let mut hugs = Vec::with_capacity(ids.len() * per_user as usize);
    for (i, sender) in ids.iter().enumerate() {
        for n in 0..per_user as usize {
            hugs.push(Hug {
                id: Uuid::new_v4(),
                sender_id: *sender,
                recipient_id: ids[(i + 1) % ids.len()],
                hug_type: HugType::ALL[(i + n) % HugType::ALL.len()],
                message: Some("Thinking of you!".into()),
                sent_at: at - Duration::hours((n + 1) as i64),
                status: HugStatus::Seen,
            });
        }
    }
    hugs
}

const DEMO_TAGS: [&str; 5] = ["work", "family", "exercise", "sleep", "friends"];

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

    #[test]
    fn star_befriends_the_first_user_with_the_next_n_once() {
        let ids: Vec<Uuid> = (0..6).map(|_| Uuid::new_v4()).collect();
        let star = star_pairs(&ids, 4, &[]);
        assert_eq!(star.len(), 4);
        assert!(star.iter().all(|&(a, _)| a == ids[0]));
        assert_eq!(star.last(), Some(&(ids[0], ids[4])));
        // The ring of 2 already has 0–1, 0–2 (forwards) and 4–0, 5–0 (wrapping).
        let ring = ring_pairs(&ids, 2);
        let star = star_pairs(&ids, 5, &ring);
        assert_eq!(star, vec![(ids[0], ids[3])]);
        assert_eq!(star_pairs(&ids, 100, &[]).len(), 5, "capped at the others");
        assert!(star_pairs(&ids[..1], 3, &[]).is_empty());
        assert!(star_pairs(&[], 3, &[]).is_empty());
    }

    #[test]
    fn demo_data_counts() {
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
        let at = now();
        let moods = demo_moods(&ids, 3, at);
        assert_eq!(moods.len(), 15);
        assert!(moods.iter().all(|m| m.created_at <= at));
        let hugs = demo_hugs(&ids, 2, at);
        assert_eq!(hugs.len(), 10);
        assert!(hugs.iter().all(|h| h.sender_id != h.recipient_id));
        assert!(demo_hugs(&ids[..1], 2, at).is_empty());
    }
}
