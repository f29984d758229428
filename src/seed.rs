//! `hugmood seed`: demo users with friendships, mood entries and hugs, fast enough for
//! load tests (20,000 users in seconds: the shared demo password is hashed once, rows
//! go in by the hundred or in one transaction), optionally writing
//! `<user id> <access token>` per user to a file.
//!
//! Users go in by batches of about a twentieth, each batch with the friendships,
//! moods and hugs whose users are all in by then and the batch's token lines, so the
//! caller can show progress after each.

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

/// Friend pairs (by user index) of a ring of `n` users where each befriends the next `k`.
fn ring_pairs(n: usize, k: u32) -> Vec<(usize, usize)> {
    let k = (k as usize).min(n.saturating_sub(1));
    (0..n)
        .flat_map(|i| (1..=k).map(move |step| (i, (i + step) % n)))
        .collect()
}

/// Friend pairs of a star among `users` users: the first befriends the next `n`
/// (capped at the others there are), minus pairs that `existing` has already in
/// either order, so a friendship is neither inserted nor counted twice.
fn star_pairs(users: usize, n: u32, existing: &[(usize, usize)]) -> Vec<(usize, usize)> {
    if users == 0 {
        return Vec::new();
    }
    let known: HashSet<usize> = existing
        .iter()
        .filter_map(|&(a, b)| match (a, b) {
            (0, other) | (other, 0) => Some(other),
            _ => None,
        })
        .collect();
    (1..users)
        .take(n as usize)
        .filter(|friend| !known.contains(friend))
        .map(|friend| (0, friend))
        .collect()
}

/// Rows waiting for their users: each row is tagged with the highest index of a user
/// it refers to, and is handed out once the users up to that one are in.
struct Waiting<T> {
    rows: std::iter::Peekable<std::vec::IntoIter<(usize, T)>>,
}

impl<T> Waiting<T> {
    fn new(mut rows: Vec<(usize, T)>) -> Self {
        rows.sort_by_key(|(last_user, _)| *last_user);
        Self {
            rows: rows.into_iter().peekable(),
        }
    }

    /// The rows whose users are all among the first `inserted`.
    fn ready(&mut self, inserted: usize) -> Vec<T> {
        std::iter::from_fn(|| self.rows.next_if(|(last, _)| *last < inserted))
            .map(|(_, row)| row)
            .collect()
    }
}

/// Users per batch: about a twentieth of them, at most 2,000.
fn batch_size(users: usize) -> usize {
    users.div_ceil(20).clamp(1, 2000)
}

/// Seeds the users of `args`; `progress` is told how many more users are in (with
/// their rows among the users in so far) after each batch.
pub async fn seed(
    store: Arc<dyn Store>,
    keys: &JwtKeys,
    args: &SeedArgs,
    token_ttl: u64,
    progress: &mut dyn FnMut(u64),
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
    let mut tokens = match &args.tokens_out {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => None,
    };
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
    let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    let mut pairs = ring_pairs(ids.len(), args.friends);
    let star = star_pairs(ids.len(), args.star_friends, &pairs);
    pairs.extend(star);
    let mut report = SeedReport {
        users: args.users,
        friendships: pairs.len(),
        moods: 0,
        hugs: 0,
    };
    let mut friendships = Waiting::new(
        pairs
            .into_iter()
            .map(|(a, b)| (a.max(b), (ids[a], ids[b])))
            .collect(),
    );
    let moods = demo_moods(&ids, args.moods, at);
    report.moods = moods.len();
    let mut moods = Waiting::new(moods);
    let hugs = demo_hugs(&ids, args.hugs, at);
    report.hugs = hugs.len();
    let mut hugs = Waiting::new(hugs);
    let size = batch_size(users.len());
    for (batch, chunk) in users.chunks(size).enumerate() {
        let start = batch * size;
        let inserted = start + chunk.len();
        store.insert_users(chunk).await.context("inserting users")?;
        store
            .insert_friendships(&friendships.ready(inserted), at)
            .await
            .context("inserting friendships")?;
        store
            .insert_moods(&moods.ready(inserted))
            .await
            .context("inserting mood entries")?;
        store
            .insert_hugs(&hugs.ready(inserted))
            .await
            .context("inserting hugs")?;
        if let Some(out) = &mut tokens {
            for id in &ids[start..inserted] {
                writeln!(out, "{id} {}", keys.issue(*id, at, token_ttl)?)?;
            }
        }
        progress(chunk.len() as u64);
    }
    if let Some(mut out) = tokens {
        out.flush()?;
    }
    Ok(report)
}

/// `per_user` entries per user, one a day back from `at`, cycling through the moods;
/// each with its author's index.
fn demo_moods(ids: &[Uuid], per_user: u32, at: DateTime<Utc>) -> Vec<(usize, MoodEntry)> {
    let mut entries = Vec::with_capacity(ids.len() * per_user as usize);
    for (i, user) in ids.iter().enumerate() {
        for day in 0..per_user as usize {
            let mood = Mood::ALL[(i + day) % Mood::ALL.len()];
            let (valence, arousal) = mood.default_affect();
            let created = at - Duration::days(day as i64) - Duration::minutes((i % 600) as i64);
            entries.push((
                i,
                MoodEntry {
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
                },
            ));
        }
    }
    entries
}

/// `per_user` hugs from each user to the next one in the ring (a friend), already
/// seen; each with the higher index of its sender and recipient.
fn demo_hugs(ids: &[Uuid], per_user: u32, at: DateTime<Utc>) -> Vec<(usize, Hug)> {
    if ids.len() < 2 {
        return Vec::new();
    }
    let mut hugs = Vec::with_capacity(ids.len() * per_user as usize);
    for (i, sender) in ids.iter().enumerate() {
        let recipient = (i + 1) % ids.len();
        for n in 0..per_user as usize {
            hugs.push((
                i.max(recipient),
                Hug {
                    id: Uuid::new_v4(),
                    sender_id: *sender,
                    recipient_id: ids[recipient],
                    hug_type: HugType::ALL[(i + n) % HugType::ALL.len()],
                    message: Some("Thinking of you!".into()),
                    sent_at: at - Duration::hours((n + 1) as i64),
                    status: HugStatus::Seen,
                },
            ));
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
        let pairs = ring_pairs(4, 2);
        assert_eq!(pairs.len(), 8);
        assert!(pairs.contains(&(3, 0)));
        assert_eq!(ring_pairs(2, 5).len(), 2);
        assert!(ring_pairs(1, 3).is_empty());
    }

    #[test]
    fn star_befriends_the_first_user_with_the_next_n_once() {
        let star = star_pairs(6, 4, &[]);
        assert_eq!(star, vec![(0, 1), (0, 2), (0, 3), (0, 4)]);
        // The ring of 2 already has 0–1, 0–2 (forwards) and 4–0, 5–0 (wrapping).
        let ring = ring_pairs(6, 2);
        assert_eq!(star_pairs(6, 5, &ring), vec![(0, 3)]);
        assert_eq!(star_pairs(6, 100, &[]).len(), 5, "capped at the others");
        assert!(star_pairs(1, 3, &[]).is_empty());
        assert!(star_pairs(0, 3, &[]).is_empty());
    }

    #[test]
    fn waiting_rows_come_out_once_their_users_are_in() {
        let mut rows = Waiting::new(vec![(4, "d"), (0, "a"), (2, "c"), (1, "b"), (2, "c2")]);
        assert_eq!(rows.ready(1), ["a"]);
        assert!(rows.ready(1).is_empty(), "handed out once");
        assert_eq!(rows.ready(3), ["b", "c", "c2"]);
        assert_eq!(rows.ready(5), ["d"]);
        assert!(rows.ready(10).is_empty());
    }

    #[test]
    fn batches_are_a_twentieth_capped() {
        assert_eq!(batch_size(0), 1);
        assert_eq!(batch_size(50), 3);
        assert_eq!(batch_size(20_000), 1000);
        assert_eq!(batch_size(1_000_000), 2000);
    }

    #[test]
    fn demo_data_counts_and_waits_for_its_users() {
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
        let at = now();
        let moods = demo_moods(&ids, 3, at);
        assert_eq!(moods.len(), 15);
        assert!(moods
            .iter()
            .all(|(author, m)| m.created_at <= at && m.user_id == ids[*author]));
        let hugs = demo_hugs(&ids, 2, at);
        assert_eq!(hugs.len(), 10);
        assert!(hugs.iter().all(|(last, h)| {
            let sender = ids.iter().position(|id| *id == h.sender_id);
            let recipient = ids.iter().position(|id| *id == h.recipient_id);
            h.sender_id != h.recipient_id && sender.max(recipient) == Some(*last)
        }));
        assert!(demo_hugs(&ids[..1], 2, at).is_empty());
    }
}
