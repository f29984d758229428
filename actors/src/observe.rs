//! The engine's metric names (the spec's list, then what an SRE asks next: the hug
//! writer, the event log's pruning, the embedded store's WAL, bus reconnects) and their
//! registration, so every series exists from start-up with a zero value and dashboards
//! and alerts never see a gap.

use crate::domain::event::EventKind;

pub const SSE_CONNECTIONS: &str = "hugmood_sse_connections";
pub const LONGPOLL_WAITING: &str = "hugmood_longpoll_waiting";
pub const USER_ACTORS: &str = "hugmood_user_actors";
pub const EVENTS_PUBLISHED: &str = "hugmood_events_published_total";
pub const EVENTS_DELIVERED: &str = "hugmood_events_delivered_total";
pub const EVENT_DELIVERY_SECONDS: &str = "hugmood_event_delivery_seconds";
pub const ACTOR_RESTARTS: &str = "hugmood_actor_restarts_total";
pub const BUS_MESSAGES: &str = "hugmood_bus_messages_total";
pub const BUS_CONNECTED: &str = "hugmood_bus_connected";
pub const DB_POOL_CONNECTIONS: &str = "hugmood_db_pool_connections";
pub const PRESENCE_ONLINE: &str = "hugmood_presence_online";
pub const BUS_LOST: &str = "hugmood_bus_connections_lost_total";
pub const READY: &str = "hugmood_ready";
pub const HUG_BATCH_SIZE: &str = "hugmood_hug_batch_size";
pub const HUG_WRITER_QUEUE: &str = "hugmood_hug_writer_queue";
pub const EVENTS_PRUNED: &str = "hugmood_events_pruned_total";
pub const PRUNE_SECONDS: &str = "hugmood_prune_duration_seconds";
pub const SQLITE_WAL_BYTES: &str = "hugmood_sqlite_wal_bytes";
pub const SQLITE_WAL_RESTART_PAUSE: &str = "hugmood_sqlite_wal_restart_pause_seconds";

/// Histograms of durations (seconds), whose buckets the exporter sets: half a
/// millisecond to ten seconds.
pub const SECONDS_HISTOGRAMS: [&str; 3] = [
    EVENT_DELIVERY_SECONDS,
    PRUNE_SECONDS,
    SQLITE_WAL_RESTART_PAUSE,
];
/// Buckets of `HUG_BATCH_SIZE`: hugs per committed batch, up to the writer's maximum.
pub const HUG_BATCH_BUCKETS: [f64; 7] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// The actors whose restarts are counted.
pub const ACTOR_KINDS: [&str; 3] = ["user", "hug", "directory"];

/// Describes the engine's metrics and sets every known series to zero.
pub fn register() {
    metrics::describe_gauge!(SSE_CONNECTIONS, "Open SSE streams on this node");
    metrics::describe_gauge!(LONGPOLL_WAITING, "Long-poll requests waiting for an event");
    metrics::describe_gauge!(USER_ACTORS, "Live UserActors on this node");
    metrics::describe_counter!(
        EVENTS_PUBLISHED,
        "Events appended to user logs and published"
    );
    metrics::describe_counter!(EVENTS_DELIVERED, "Events written to a client, by transport");
    metrics::describe_histogram!(
        EVENT_DELIVERY_SECONDS,
        "Seconds from event commit to a stream write"
    );
    metrics::describe_counter!(ACTOR_RESTARTS, "Actors restarted by their supervisor");
    metrics::describe_counter!(BUS_MESSAGES, "Bus messages by direction");
    metrics::describe_gauge!(BUS_CONNECTED, "1 when the event bus is connected");
    metrics::describe_gauge!(DB_POOL_CONNECTIONS, "Database pool connections by state");
    metrics::describe_gauge!(
        PRESENCE_ONLINE,
        "Users holding a stream or long-poll on this node"
    );
    metrics::describe_counter!(
        BUS_LOST,
        "Times the bus connection was lost (cluster mode; each loss is followed by reconnects)"
    );
    metrics::describe_gauge!(
        READY,
        "1 when the database (and Redis, in cluster mode) answered the last readiness check"
    );
    metrics::describe_histogram!(
        HUG_BATCH_SIZE,
        "Hugs per batch the hug writer took to commit"
    );
    metrics::describe_gauge!(
        HUG_WRITER_QUEUE,
        "Hugs waiting for the hug writer after its latest batch"
    );
    metrics::describe_counter!(EVENTS_PRUNED, "Events removed from user logs by retention");
    metrics::describe_histogram!(
        PRUNE_SECONDS,
        "Seconds a pruning pass (events, tickets, tokens, idempotency keys) took"
    );
    metrics::describe_gauge!(
        SQLITE_WAL_BYTES,
        "Bytes of the SQLite write-ahead log in use (embedded store)"
    );
    metrics::describe_histogram!(
        SQLITE_WAL_RESTART_PAUSE,
        "Seconds the SQLite writer paused while the WAL was started over"
    );
    metrics::gauge!(PRESENCE_ONLINE).set(0.0);
    metrics::gauge!(SSE_CONNECTIONS).set(0.0);
    metrics::gauge!(LONGPOLL_WAITING).set(0.0);
    metrics::gauge!(USER_ACTORS).set(0.0);
    for kind in EventKind::ALL {
        metrics::counter!(EVENTS_PUBLISHED, "type" => kind.as_str()).absolute(0);
    }
    for transport in ["sse", "longpoll"] {
        metrics::counter!(EVENTS_DELIVERED, "transport" => transport).absolute(0);
    }
    for actor in ACTOR_KINDS {
        metrics::counter!(ACTOR_RESTARTS, "actor" => actor).absolute(0);
    }
    for direction in ["in", "out"] {
        metrics::counter!(BUS_MESSAGES, "direction" => direction).absolute(0);
    }
    for state in ["idle", "active"] {
        metrics::gauge!(DB_POOL_CONNECTIONS, "state" => state).set(0.0);
    }
    metrics::counter!(BUS_LOST).absolute(0);
    metrics::gauge!(READY).set(0.0);
    metrics::gauge!(HUG_WRITER_QUEUE).set(0.0);
    metrics::counter!(EVENTS_PRUNED).absolute(0);
    metrics::gauge!(SQLITE_WAL_BYTES).set(0.0);
    for histogram in SECONDS_HISTOGRAMS {
        let _ = metrics::histogram!(histogram);
    }
    let _ = metrics::histogram!(HUG_BATCH_SIZE);
}
