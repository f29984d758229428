//! The node's subscriber connection: connects (retrying with jittered backoff),
//! subscribes to the control channel and to the channel of every user with a
//! UserActor here, then has every actor re-read the store — whatever was published
//! while the node was not listening is in the store. From then on it passes messages
//! to the actors and follows the directory's changes with batched SUBSCRIBE and
//! UNSUBSCRIBE commands. When the connection drops it starts over.

use futures::StreamExt;
use redis::aio::PubSubSink;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::wire;
use crate::auth::revocations::Revocations;
use crate::observe;
use crate::redis_link::{Backoff, RedisLink, CONNECT_TIMEOUT, RESPONSE_TIMEOUT};
use crate::user::{Directory, RosterFeed};

/// Channels named in one SUBSCRIBE or UNSUBSCRIBE.
const CHANNELS_PER_COMMAND: usize = 1_000;
/// How often the idle connection is checked.
const PING_EVERY: std::time::Duration = std::time::Duration::from_secs(3);
/// Directory changes handled in one round.
const CHANGES_PER_ROUND: usize = 4_096;

pub(super) async fn run(
    link: RedisLink,
    directory: Directory,
    mut roster: RosterFeed,
    revocations: Revocations,
    connected: Arc<AtomicBool>,
    shutdown: CancellationToken,
) {
    let mut backoff = Backoff::new();
    let mut first = true;
    loop {
        if !first {
            let delay = backoff.next_delay();
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = shutdown.cancelled() => return,
            }
        }
        first = false;
        let listening = tokio::select! {
            result = listen(&link, &directory, &mut roster, &revocations, &connected, &mut backoff) => result,
            () = shutdown.cancelled() => return,
        };
        if connected.swap(false, Ordering::AcqRel) {
            metrics::gauge!(observe::BUS_CONNECTED).set(0.0);
            metrics::counter!(observe::BUS_LOST).increment(1);
        }
        if let Err(reason) = listening {
            tracing::warn!(error = %reason, "Redis subscriber connection lost; reconnecting");
        }
    }
}

/// One connection's life: returns why it ended.
async fn listen(
    link: &RedisLink,
    directory: &Directory,
    roster: &mut RosterFeed,
    revocations: &Revocations,
    connected: &AtomicBool,
    backoff: &mut Backoff,
) -> Result<(), String> {
    let pubsub = tokio::time::timeout(CONNECT_TIMEOUT, link.client().get_async_pubsub())
        .await
        .map_err(|_| "connect timed out".to_owned())?
        .map_err(|e| e.to_string())?;
    let (mut sink, mut messages) = pubsub.split();
    // Everything in the directory now is subscribed below, so queued changes are moot.
    roster.clear();
    let mut subscribed = HashSet::new();
    command(&mut sink, Command::Subscribe, vec![wire::control_channel()]).await?;
    let users = directory.users();
    subscribe(&mut sink, &users, &mut subscribed).await?;
    connected.store(true, Ordering::Release);
    metrics::gauge!(observe::BUS_CONNECTED).set(1.0);
    backoff.reset();
    tracing::info!(users = users.len(), "Redis bus subscribed");
    directory.resync_all();

    let node = link.node();
    let control = wire::control_channel();
    let mut changes = Vec::with_capacity(CHANGES_PER_ROUND);
    // A connection that dies without a reset (a lost host) shows only when asked.
    let mut liveness = tokio::time::interval(PING_EVERY);
    liveness.tick().await;
    loop {
        tokio::select! {
            _ = liveness.tick() => {
                // In subscribe mode Redis answers PING with ["pong", ""], not "PONG".
                tokio::time::timeout(RESPONSE_TIMEOUT, sink.ping::<redis::Value>())
                    .await
                    .map_err(|_| "PING timed out".to_owned())?
                    .map_err(|e| format!("PING failed: {e}"))?;
            }
            message = messages.next() => {
                let Some(message) = message else {
                    return Err("the connection closed".into());
                };
                metrics::counter!(observe::BUS_MESSAGES, "direction" => "in").increment(1);
                let channel = message.get_channel_name();
                let payload = message.get_payload_bytes();
                if channel == control {
                    on_control(directory, revocations, payload);
                } else {
                    deliver(directory, node, channel, payload);
                }
            }
            got = roster.recv_many(&mut changes, CHANGES_PER_ROUND) => {
                if got == 0 {
                    return Ok(());
                }
                follow(&mut sink, directory, roster, &mut changes, &mut subscribed).await?;
            }
        }
    }
}

/// Acts on a message of the control channel.
fn on_control(directory: &Directory, revocations: &Revocations, payload: &[u8]) {
    if payload == wire::RESYNC.as_bytes() {
        directory.resync_all();
    } else if let Some(revocation) = wire::decode_revocation(payload) {
        revocations.apply(revocation);
    }
}

/// Hands one event message to the actors it concerns.
fn deliver(directory: &Directory, node: Uuid, channel: &str, payload: &[u8]) {
    match wire::decode(payload) {
        Some((from, _)) if from == node => {}
        Some((_, event)) => directory.hint(Arc::new(event)),
        None => tracing::debug!(channel, "ignoring a message that is not an event"),
    }
}

/// Brings the subscriptions in line with the directory for the users in `changes`
/// (or for everyone, when changes were lost).
async fn follow(
    sink: &mut PubSubSink,
    directory: &Directory,
    roster: &RosterFeed,
    changes: &mut Vec<Uuid>,
    subscribed: &mut HashSet<Uuid>,
) -> Result<(), String> {
    let candidates: HashSet<Uuid> = if roster.take_overflow() {
        directory
            .users()
            .into_iter()
            .chain(subscribed.iter().copied())
            .collect()
    } else {
        changes.iter().copied().collect()
    };
    changes.clear();
    let (mut join, mut leave) = (Vec::new(), Vec::new());
    for user in candidates {
        match (directory.has(user), subscribed.contains(&user)) {
            (true, false) => join.push(user),
            (false, true) => leave.push(user),
            _ => {}
        }
    }
    subscribe(sink, &join, subscribed).await?;
    // Hints sent before the subscription took effect were not heard here.
    for user in &join {
        directory.resync(*user);
    }
    for chunk in leave.chunks(CHANNELS_PER_COMMAND) {
        command(sink, Command::Unsubscribe, user_channels(chunk)).await?;
        for user in chunk {
            subscribed.remove(user);
        }
    }
    Ok(())
}

async fn subscribe(
    sink: &mut PubSubSink,
    users: &[Uuid],
    subscribed: &mut HashSet<Uuid>,
) -> Result<(), String> {
    for chunk in users.chunks(CHANNELS_PER_COMMAND) {
        command(sink, Command::Subscribe, user_channels(chunk)).await?;
        subscribed.extend(chunk.iter().copied());
    }
    Ok(())
}

fn user_channels(users: &[Uuid]) -> Vec<String> {
    users.iter().map(|u| wire::user_channel(*u)).collect()
}

#[derive(Debug, Clone, Copy)]
enum Command {
    Subscribe,
    Unsubscribe,
}

/// SUBSCRIBE or UNSUBSCRIBE `channels`, waiting for Redis to confirm each.
async fn command(
    sink: &mut PubSubSink,
    command: Command,
    channels: Vec<String>,
) -> Result<(), String> {
    let sent = match command {
        Command::Subscribe => {
            tokio::time::timeout(RESPONSE_TIMEOUT, sink.subscribe(channels)).await
        }
        Command::Unsubscribe => {
            tokio::time::timeout(RESPONSE_TIMEOUT, sink.unsubscribe(channels)).await
        }
    };
    sent.map_err(|_| format!("{command:?} timed out"))?
        .map_err(|e| format!("{command:?} failed: {e}"))
}
