//! The realtime engine of one node: the user directory, the bus, the publisher that
//! follows every commit, and the background jobs (marking hugs delivered, pruning the
//! event log, the heartbeat and shutdown pulse every stream listens to, the registry
//! of ended sessions).

mod delivered;
mod pulse;
mod retention;

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::auth::revocations::Revocations;
use crate::bus::{Bus, LocalBus, RedisBus};
use crate::domain::event::Event;
use crate::error::EngineResult;
use crate::limits::{RateLimits, RateSettings};
use crate::observe;
use crate::presence::Presence;
use crate::redis_link::RedisLink;
use crate::store::Store;
use crate::user::{Directory, RosterChanges};
pub use delivered::DeliveryMarks;
pub use pulse::Pulse;

/// Tuning of the realtime engine.
#[derive(Debug, Clone)]
pub struct RealtimeSettings {
    /// Open SSE streams allowed per user on one node.
    pub max_streams_per_user: usize,
    /// Events buffered per SSE stream before a slow reader is told to reconnect.
    pub stream_buffer: usize,
    /// Events buffered per waiting long-poll request.
    pub longpoll_buffer: usize,
    /// How long a UserActor without subscribers lives on.
    pub user_idle: Duration,
    pub heartbeat: Duration,
    /// Events older than this are pruned.
    pub retention_age: Duration,
    /// Events kept per user at most.
    pub retention_per_user: i64,
    /// How often pruning runs.
    pub prune_every: Duration,
    /// Cluster mode: how long a node's seats (streams, long-polls) count after its
    /// last refresh, i.e. how soon a killed node's users go offline.
    pub presence_ttl: Duration,
    /// Number of HugActor shards.
    pub hug_shards: usize,
    /// Hugs one sender may send per minute.
    pub hug_rate_per_minute: u32,
    /// The other rate limits (sign-in, sign-up, moods, friend requests).
    pub rates: RateSettings,
    /// How long an ended session is remembered: the longest access-token lifetime
    /// plus the leeway of its expiry check.
    pub session_memory: Duration,
    /// Calls waiting for one domain-actor shard at most; one more is refused as busy.
    pub actor_queue_limit: usize,
}

impl Default for RealtimeSettings {
    fn default() -> Self {
        Self {
            max_streams_per_user: 10,
            stream_buffer: 256,
            longpoll_buffer: 64,
            user_idle: Duration::from_secs(30),
            heartbeat: Duration::from_secs(15),
            retention_age: Duration::from_secs(7 * 24 * 3600),
            retention_per_user: 10_000,
            prune_every: Duration::from_secs(60),
            presence_ttl: Duration::from_secs(30),
            hug_shards: 8,
            actor_queue_limit: 256,
            hug_rate_per_minute: 30,
            rates: RateSettings::default(),
            session_memory: Duration::from_secs(15 * 60 + 60),
        }
    }
}

/// The running engine; cheap to clone.
#[derive(Clone)]
pub struct Realtime {
    pub directory: Directory,
    delivered: DeliveryMarks,
    bus: Arc<dyn Bus>,
    /// Redis, in cluster mode.
    redis: Option<RedisLink>,
    presence: Presence,
    revocations: Revocations,
    limits: RateLimits,
    pulse: watch::Receiver<Pulse>,
    shutdown: CancellationToken,
    settings: Arc<RealtimeSettings>,
}

impl Realtime {
    /// Starts the engine: with the Redis bus when `redis` is given (cluster mode),
    /// else with the in-process bus.
    pub async fn start(
        store: Arc<dyn Store>,
        settings: RealtimeSettings,
        redis: Option<RedisLink>,
    ) -> EngineResult<Self> {
        let settings = Arc::new(settings);
        let shutdown = CancellationToken::new();
        let delivered = delivered::start(store.clone(), shutdown.clone());
        let (roster, roster_feed) = match redis {
            Some(_) => {
                let (changes, feed) = RosterChanges::channel();
                (changes, Some(feed))
            }
            None => (RosterChanges::default(), None),
        };
        let presence = Presence::start(
            settings.max_streams_per_user,
            redis.clone(),
            settings.presence_ttl,
            shutdown.clone(),
        );
        let directory = Directory::start(
            store.clone(),
            settings.clone(),
            delivered.clone(),
            roster,
            presence.clone(),
        )
        .await?;
        let revocations = Revocations::new(settings.session_memory, redis.clone());
        revocations.start(store.clone(), shutdown.clone()).await;
        let bus: Arc<dyn Bus> = match (&redis, roster_feed) {
            (Some(link), Some(feed)) => Arc::new(RedisBus::start(
                link.clone(),
                directory.clone(),
                feed,
                revocations.clone(),
                shutdown.clone(),
            )),
            _ => Arc::new(LocalBus::new(directory.clone())),
        };
        let limits = RateLimits::start(&settings.rates, redis.as_ref());
        let pulse = pulse::start(settings.heartbeat, shutdown.clone());
        retention::start(store, settings.clone(), shutdown.clone());
        Ok(Self {
            directory,
            delivered,
            bus,
            redis,
            presence,
            revocations,
            limits,
            pulse,
            shutdown,
            settings,
        })
    }

    /// Announces committed events (call after the transaction commits).
    pub async fn publish(&self, events: impl IntoIterator<Item = Event>) {
        for event in events {
            metrics::counter!(observe::EVENTS_PUBLISHED, "type" => event.kind.as_str())
                .increment(1);
            self.bus.publish(Arc::new(event));
        }
    }

    /// Notes that a stored event was sent to a client (a hug becomes `delivered`).
    pub fn note_delivered(&self, event: &Event) {
        self.delivered.note(event);
    }

    /// Heartbeats and the shutdown notice, for streams to select on.
    pub fn pulse(&self) -> watch::Receiver<Pulse> {
        self.pulse.clone()
    }

    pub fn settings(&self) -> &RealtimeSettings {
        &self.settings
    }

    pub fn bus_connected(&self) -> bool {
        self.bus.is_connected()
    }

    /// Whether the bus can carry events between nodes: always in embedded mode; in
    /// cluster mode when Redis answers and the subscriber is listening.
    pub async fn bus_ready(&self) -> bool {
        match &self.redis {
            None => true,
            Some(link) => self.bus.is_connected() && link.ping().await,
        }
    }

    /// Who holds a stream or long-poll, on any node.
    pub fn presence(&self) -> &Presence {
        &self.presence
    }

    /// The sessions ended recently, and the watches of open streams on them.
    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// The rate limits other than hugs'.
    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    /// The node's Redis link, in cluster mode.
    pub fn redis(&self) -> Option<&RedisLink> {
        self.redis.as_ref()
    }

    /// Tells every stream to reconnect elsewhere and stops the background jobs. The
    /// actors stay until [`Realtime::stop`], so streams end by the notice, not by error.
    pub fn shutdown(&self) {
        self.shutdown.cancel();
    }

    /// Stops the actors (after the server has drained).
    pub fn stop(&self) {
        self.shutdown.cancel();
        self.directory.stop();
    }
}
