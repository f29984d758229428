//! `hugmood seed`: demo users with friendships, mood entries and hugs, fast enough for
//! load tests (20,000 users in seconds: the shared demo password is hashed once, rows
//! go in by the hundred or in one transaction), optionally writing
//! `<user id> <access token>` per user to a file.
//!
//! Friendships and all but each user's latest mood entry are history (as if from
//! before). The latest entries and the hugs are written as the engine writes a user's
//! own, outbox included, so a seeded user who logs in finds unread notifications
//! (hugs) and an event log (friends' moods, hugs): the rows are composed by
//! the engine's own functions and committed through the store's writes of entries and
//! hug batches.
//!
//! First the users go in by batches of about a twentieth, each batch with the
//! friendships whose users are all in by then and the batch's token lines; then the
//! activity, in transactions of a few thousand entries and batches of hugs. The caller
//! is told after each, to show progress.

mod activity;
mod friends;

use anyhow::{bail, Context};
use hugmood_actors::auth::{password, JwtKeys};
use hugmood_actors::domain::time::now;
use hugmood_actors::domain::user::NewUser;
use hugmood_actors::domain::validation;
use hugmood_actors::store::{Claimed, Store};
use std::io::Write;
use std::sync::Arc;
use uuid::Uuid;

use crate::cli::SeedArgs;

/// Password of every seeded user.
pub const DEMO_PASSWORD: &str = "hugmood-demo";

/// Mood entries per transaction: few commits, none holding the writer for long.
const MOOD_CHUNK: usize = 2_000;

/// Hugs per batch. The hub's writer commits at most 64 at once so that the first
/// sender does not wait long for the last; seeding has no sender waiting, and fewer
/// commits are faster. Not much more: the batch's id allocation is one `CASE` over
/// its recipients, evaluated for each of them (1,000 made seeding slower). Each hug
/// binds at most 10 values in one statement, far below the databases' limits.
const HUG_BATCH: usize = 256;

/// What a seed run created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub users: u32,
    pub friendships: usize,
    pub moods: usize,
    pub hugs: usize,
    /// Inbox items (one per hug).
    pub notifications: usize,
    /// Events appended to users' logs (every notification is one too).
    pub events: usize,
}

/// How far a seed run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// This many more users are in, with their friendships among the users so far.
    Users(u64),
    /// Every user is in; this many mood entries and hugs follow.
    ActivityPlanned(u64),
    /// This many more mood entries or hugs are in.
    Activity(u64),
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

/// Seeds the users of `args`, telling `progress` how far it is after each batch.
pub async fn seed(
    store: Arc<dyn Store>,
    keys: &JwtKeys,
    args: &SeedArgs,
    token_ttl: u64,
    progress: &mut dyn FnMut(Step),
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
    let mut pairs = friends::ring_pairs(ids.len(), args.friends);
    let star = friends::star_pairs(ids.len(), args.star_friends, &pairs);
    pairs.extend(star);
    let recipients = friends::hug_recipients(ids.len(), &pairs);
    let mut report = SeedReport {
        users: args.users,
        friendships: pairs.len(),
        moods: 0,
        hugs: 0,
        notifications: 0,
        events: 0,
    };
    let mut friendships = Waiting::new(
        pairs
            .into_iter()
            .map(|(a, b)| (a.max(b), (ids[a], ids[b])))
            .collect(),
    );
    let size = batch_size(users.len());
    for (batch, chunk) in users.chunks(size).enumerate() {
        let start = batch * size;
        let inserted = start + chunk.len();
        store.insert_users(chunk).await.context("inserting users")?;
        store
            .insert_friendships(&friendships.ready(inserted), at)
            .await
            .context("inserting friendships")?;
        if let Some(out) = &mut tokens {
            for id in &ids[start..inserted] {
                writeln!(out, "{id} {}", keys.issue(*id, at, token_ttl)?)?;
            }
        }
        progress(Step::Users(chunk.len() as u64));
    }
    if let Some(mut out) = tokens {
        out.flush()?;
    }

    let moods = activity::moods(&ids, args.moods, at);
    let names: Vec<String> = users.into_iter().map(|u| u.display_name).collect();
    let hugs = activity::hugs(&ids, &names, &recipients, args.hugs, at)?;
    let planned = moods.history.len() + moods.latest.len() + hugs.len();
    progress(Step::ActivityPlanned(planned as u64));
    for chunk in moods.history.chunks(MOOD_CHUNK) {
        store
            .insert_moods(chunk)
            .await
            .context("inserting mood entries")?;
        report.moods += chunk.len();
        progress(Step::Activity(chunk.len() as u64));
    }
    for chunk in moods.latest.chunks(MOOD_CHUNK) {
        report.events += store
            .insert_moods_with_outboxes(chunk)
            .await
            .context("inserting mood entries")?;
        report.moods += chunk.len();
        report.notifications += chunk
            .iter()
            .map(|(_, o)| o.notifications.len())
            .sum::<usize>();
        progress(Step::Activity(chunk.len() as u64));
    }
    for batch in hugs.chunks(HUG_BATCH) {
        for outcome in store
            .insert_hug_batch(batch)
            .await
            .context("inserting hugs")?
        {
            match outcome.context("inserting a hug")? {
                Claimed::Written(events) => report.events += events.len(),
                Claimed::Replay(_) => bail!("a seeded hug carries no idempotency key"),
            }
        }
        report.hugs += batch.len();
        report.notifications += batch.len();
        progress(Step::Activity(batch.len() as u64));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
