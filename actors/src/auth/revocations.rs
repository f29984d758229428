//! Sessions that really end. Access tokens are self-contained JWTs, so ending a session
//! (logout, refresh-token reuse, account deletion) must reach every node: each node
//! keeps the recently ended sessions in memory, consulted on every request without a
//! database read, and cancels the open streams and long-polls of exactly those
//! sessions. An end is recorded in the store (`session_revocations`) by whoever ends
//! it, applied here at once, announced to the other nodes over the bus, and re-read
//! from the store every [`POLL_EVERY`] — so a lost bus message or a restarted node
//! still converges within a second.
//!
//! An entry is kept for the longest access-token lifetime (plus leeway): by then every
//! token of that session has expired on its own. Tokens without a session (the CLI's
//! `hugmood token`) end only with their account.

use dashmap::DashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::bus::announce_revocation;
use crate::domain::time::now;
use crate::redis_link::RedisLink;
use crate::store::Store;

/// How often the store is re-read for ends this node may not have heard of.
pub const POLL_EVERY: Duration = Duration::from_millis(250);
/// How far back each re-read looks: covers clock skew between nodes and a slow commit.
const POLL_WINDOW: chrono::Duration = chrono::Duration::seconds(10);
/// How often expired entries (and old rows of the store) are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// One ended session, or (with no `family`) every session of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    pub user: Uuid,
    /// The refresh-token family (the session); `None`: the whole account.
    pub family: Option<Uuid>,
}

/// A stream or long-poll waiting to be told its session ended.
struct OpenWatch {
    id: u64,
    family: Option<Uuid>,
    ended: CancellationToken,
}

struct Inner {
    /// Ended sessions, with when this node learnt of them.
    families: DashMap<Uuid, Instant>,
    /// Deleted accounts.
    accounts: DashMap<Uuid, Instant>,
    /// Open streams and long-polls by user.
    open: DashMap<Uuid, Vec<OpenWatch>>,
    next: AtomicU64,
    /// How long an entry is kept.
    memory: Duration,
    /// Cluster mode: where other nodes are told of an end.
    redis: Option<RedisLink>,
}

/// The node's registry of ended sessions; cheap to clone.
#[derive(Clone)]
pub struct Revocations {
    inner: Arc<Inner>,
}

/// Held by a stream or long-poll for as long as it runs.
pub struct SessionWatch {
    inner: Arc<Inner>,
    user: Uuid,
    id: u64,
    ended: CancellationToken,
}

impl SessionWatch {
    /// Completes once the session (or the account) has ended.
    pub async fn ended(&self) {
        self.ended.cancelled().await;
    }

    pub fn is_ended(&self) -> bool {
        self.ended.is_cancelled()
    }
}

impl Drop for SessionWatch {
    fn drop(&mut self) {
        if let Some(mut watches) = self.inner.open.get_mut(&self.user) {
            watches.retain(|w| w.id != self.id);
        }
        self.inner.open.remove_if(&self.user, |_, w| w.is_empty());
    }
}

impl Revocations {
    /// An empty registry whose entries live `memory` (at least the access-token
    /// lifetime plus the verification leeway); with `redis`, ends are announced to
    /// the other nodes.
    pub fn new(memory: Duration, redis: Option<RedisLink>) -> Self {
        Self {
            inner: Arc::new(Inner {
                families: DashMap::new(),
                accounts: DashMap::new(),
                open: DashMap::new(),
                next: AtomicU64::new(1),
                memory,
                redis,
            }),
        }
    }

    /// Ends a session (or an account) that the store has recorded as ended: here at
    /// once, and on the other nodes as soon as they hear the announcement (or re-read
    /// the store, if they miss it).
    pub fn end(&self, revocation: Revocation) {
        self.apply(revocation);
        if let Some(link) = self.inner.redis.clone() {
            tokio::spawn(async move { announce_revocation(&link, revocation).await });
        }
    }

    /// Whether a token of `user` in session `family` must be refused.
    pub fn is_revoked(&self, user: Uuid, family: Option<Uuid>) -> bool {
        self.account_ended(user) || family.is_some_and(|f| self.inner.families.contains_key(&f))
    }

    /// Whether `user`'s account was deleted.
    pub fn account_ended(&self, user: Uuid) -> bool {
        self.inner.accounts.contains_key(&user)
    }

    /// Records an end on this node and cancels the streams and long-polls it ends.
    pub fn apply(&self, revocation: Revocation) {
        let learnt = Instant::now();
        match revocation.family {
            Some(family) => {
                if self.inner.families.insert(family, learnt).is_some() {
                    return;
                }
            }
            None => {
                if self
                    .inner
                    .accounts
                    .insert(revocation.user, learnt)
                    .is_some()
                {
                    return;
                }
            }
        }
        if let Some(watches) = self.inner.open.get(&revocation.user) {
            for watch in watches
                .iter()
                .filter(|w| revocation.family.is_none() || w.family == revocation.family)
            {
                watch.ended.cancel();
            }
        }
    }

    /// A watch on session `family` of `user`; already ended if the session is.
    pub fn watch(&self, user: Uuid, family: Option<Uuid>) -> SessionWatch {
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        let ended = CancellationToken::new();
        self.inner.open.entry(user).or_default().push(OpenWatch {
            id,
            family,
            ended: ended.clone(),
        });
        // Checked after registering: an end applied in between is not missed.
        if self.is_revoked(user, family) {
            ended.cancel();
        }
        SessionWatch {
            inner: self.inner.clone(),
            user,
            id,
            ended,
        }
    }

    /// Drops entries older than the memory.
    fn sweep(&self) {
        let memory = self.inner.memory;
        self.inner.families.retain(|_, at| at.elapsed() < memory);
        self.inner.accounts.retain(|_, at| at.elapsed() < memory);
    }

    /// The memory as a span of time (at most a year, so date arithmetic stays in range).
    fn memory(&self) -> chrono::Duration {
        let year = chrono::Duration::days(365);
        chrono::Duration::from_std(self.inner.memory).map_or(year, |m| m.min(year))
    }

    /// Applies the ends the store recorded after `since`; whether it could be read.
    async fn read_store(&self, store: &dyn Store, since: chrono::DateTime<chrono::Utc>) -> bool {
        match store.revocations_since(since).await {
            Ok(found) => {
                for revocation in found {
                    self.apply(revocation);
                }
                true
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot read ended sessions");
                false
            }
        }
    }

    /// Loads the ends of the last `memory` (so a node that starts knows the sessions
    /// ended while it was away), then follows the store in the background until
    /// `shutdown`.
    pub async fn start(&self, store: Arc<dyn Store>, shutdown: CancellationToken) {
        let mut since = now() - self.memory();
        let started = now();
        if self.read_store(store.as_ref(), since).await {
            since = started - POLL_WINDOW;
        }
        tokio::spawn(self.clone().follow_store(store, since, shutdown));
    }

    /// Re-reads the recent ends every [`POLL_EVERY`]; failed reads are retried on the
    /// next round from the same point.
    async fn follow_store(
        self,
        store: Arc<dyn Store>,
        mut since: chrono::DateTime<chrono::Utc>,
        shutdown: CancellationToken,
    ) {
        let mut ticker = tokio::time::interval(POLL_EVERY);
        let mut last_sweep = Instant::now();
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                () = shutdown.cancelled() => return,
            }
            let started = now();
            if self.read_store(store.as_ref(), since).await {
                since = started - POLL_WINDOW;
            }
            if last_sweep.elapsed() >= SWEEP_EVERY {
                last_sweep = Instant::now();
                self.sweep();
                if let Err(err) = store.prune_revocations(started - self.memory()).await {
                    tracing::warn!(error = %err, "cannot prune ended sessions");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_end_cancels_exactly_its_sessions_watches() {
        let revocations = Revocations::new(Duration::from_secs(60), None);
        let (user, other) = (Uuid::new_v4(), Uuid::new_v4());
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let watch_a = revocations.watch(user, Some(a));
        let watch_b = revocations.watch(user, Some(b));
        let watch_none = revocations.watch(user, None);
        let watch_other = revocations.watch(other, Some(a));
        revocations.apply(Revocation {
            user,
            family: Some(a),
        });
        assert!(watch_a.is_ended());
        assert!(!watch_b.is_ended() && !watch_none.is_ended() && !watch_other.is_ended());
        assert!(revocations.is_revoked(user, Some(a)));
        assert!(!revocations.is_revoked(user, Some(b)));
        assert!(!revocations.is_revoked(user, None));
        assert!(
            revocations.watch(user, Some(a)).is_ended(),
            "late watches end at once"
        );

        revocations.apply(Revocation { user, family: None });
        assert!(watch_b.is_ended() && watch_none.is_ended());
        assert!(!watch_other.is_ended());
        assert!(revocations.is_revoked(user, None));
    }

    #[test]
    fn dropped_watches_leave_nothing_behind() {
        let revocations = Revocations::new(Duration::from_secs(60), None);
        let user = Uuid::new_v4();
        drop(revocations.watch(user, None));
        assert!(revocations.inner.open.is_empty());
    }

    #[test]
    fn entries_expire_after_the_memory() {
        let revocations = Revocations::new(Duration::ZERO, None);
        let (user, family) = (Uuid::new_v4(), Uuid::new_v4());
        revocations.apply(Revocation {
            user,
            family: Some(family),
        });
        revocations.sweep();
        assert!(!revocations.is_revoked(user, Some(family)));
    }
}
