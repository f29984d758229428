//! Who holds a stream or long-poll, and the per-user cap on them (streams and waiting
//! long-polls count alike). Every connection a
//! node serves takes a `Seat` for as long as it lasts. A node always knows its own
//! seats; in cluster mode each seat is also an entry of the user's set in Redis, which
//! the node refreshes while the seat lasts, so the cap counts every node's streams and
//! a killed node's seats expire by themselves after the TTL.
//!
//! While Redis does not answer, a node falls back to what it knows itself: the cap
//! counts its own streams and presence its own connections (logged once per outage),
//! so streams keep opening; the refresher puts the seats back once Redis is there.

mod redis_seats;

use dashmap::DashMap;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::observe;
use crate::redis_link::RedisLink;
use crate::user::Transport;
use redis_seats::RedisSeats;

/// The user already holds as many streams and long-polls as allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyStreams;

#[derive(Debug, Clone, Copy)]
struct SeatInfo {
    id: u64,
    transport: Transport,
}

struct Inner {
    /// This node's seats by user.
    local: DashMap<Uuid, Vec<SeatInfo>>,
    redis: Option<RedisSeats>,
    max_streams: usize,
    next: AtomicU64,
    /// Set while Redis is failing, so the fallback is logged once per outage.
    degraded: AtomicBool,
}

/// The node's presence registry; cheap to clone.
#[derive(Clone)]
pub struct Presence {
    inner: Arc<Inner>,
}

/// One held connection; dropping it gives the seat back.
pub struct Seat {
    inner: Arc<Inner>,
    user: Uuid,
    id: u64,
    transport: Transport,
}

impl Presence {
    /// The registry of one node: with `redis`, cluster-wide with seats that expire
    /// after `ttl` unless refreshed.
    pub fn start(
        max_streams: usize,
        redis: Option<RedisLink>,
        ttl: Duration,
        shutdown: CancellationToken,
    ) -> Self {
        let presence = Self {
            inner: Arc::new(Inner {
                local: DashMap::new(),
                redis: redis.map(|link| RedisSeats::new(link, ttl)),
                max_streams,
                next: AtomicU64::new(1),
                degraded: AtomicBool::new(false),
            }),
        };
        if let Some(seats) = &presence.inner.redis {
            let inner = presence.inner.clone();
            seats.start_refresher(
                move || {
                    inner
                        .local
                        .iter()
                        .map(|e| {
                            (
                                *e.key(),
                                e.value().iter().map(|s| (s.id, s.transport)).collect(),
                            )
                        })
                        .collect()
                },
                shutdown,
            );
        }
        presence
    }

    /// Takes a seat for a connection of `user` over `transport`; seats beyond the cap
    /// (streams and long-polls, on every node together) are refused.
    pub async fn admit(&self, user: Uuid, transport: Transport) -> Result<Seat, TooManyStreams> {
        let inner = &self.inner;
        let id = inner.next.fetch_add(1, Ordering::Relaxed);
        let cap = inner.max_streams;
        let decided_by_redis = match &inner.redis {
            Some(seats) => match seats.admit(user, id, transport, cap).await {
                Ok(admitted) => {
                    self.recovered();
                    Some(admitted)
                }
                Err(err) => {
                    self.degrade(&err);
                    None
                }
            },
            None => None,
        };
        let mut seats = inner.local.entry(user).or_default();
        let admitted = decided_by_redis.unwrap_or(seats.len() < cap);
        if !admitted {
            let empty = seats.is_empty();
            drop(seats);
            if empty {
                inner.local.remove_if(&user, |_, s| s.is_empty());
            }
            return Err(TooManyStreams);
        }
        if seats.is_empty() {
            metrics::gauge!(observe::PRESENCE_ONLINE).increment(1.0);
        }
        seats.push(SeatInfo { id, transport });
        Ok(Seat {
            inner: inner.clone(),
            user,
            id,
            transport,
        })
    }

    /// Which of `users` hold a stream or long-poll on any node now (regardless of
    /// their `showOnline` choice: the caller applies it).
    pub async fn connected(&self, users: &[Uuid]) -> HashSet<Uuid> {
        if let Some(seats) = &self.inner.redis {
            match seats.connected(users).await {
                Ok(found) => {
                    self.recovered();
                    return found;
                }
                Err(err) => self.degrade(&err),
            }
        }
        users
            .iter()
            .copied()
            .filter(|u| self.inner.local.contains_key(u))
            .collect()
    }

    /// Whether `user` holds a stream or long-poll on any node now.
    pub async fn is_connected(&self, user: Uuid) -> bool {
        !self.connected(&[user]).await.is_empty()
    }

    fn degrade(&self, err: &redis::RedisError) {
        if !self.inner.degraded.swap(true, Ordering::AcqRel) {
            tracing::warn!(error = %err, "Redis does not answer: stream caps and presence count this node only until it is back");
        }
    }

    fn recovered(&self) {
        if self.inner.degraded.swap(false, Ordering::AcqRel) {
            tracing::info!("Redis answers again: stream caps and presence are cluster-wide");
        }
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        let mut last = false;
        if let Some(mut seats) = self.inner.local.get_mut(&self.user) {
            seats.retain(|s| s.id != self.id);
            last = seats.is_empty();
        }
        if last
            && self
                .inner
                .local
                .remove_if(&self.user, |_, s| s.is_empty())
                .is_some()
        {
            metrics::gauge!(observe::PRESENCE_ONLINE).decrement(1.0);
        }
        if let Some(seats) = &self.inner.redis {
            seats.release(self.user, self.id, self.transport);
        }
    }
}
