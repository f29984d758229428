//! The cluster-wide half of presence: each user's seats are a sorted set in Redis,
//! one member per connection (`<node>:<seat>:<s|l>`), scored with the time it expires.
//! Times come from the Redis server's clock (`TIME` inside the scripts), so nodes'
//! clocks may disagree without effect. Admission is one script: drop expired
//! members, count the user's seats (streams and long-polls alike), add the seat if
//! under the cap. Releases are
//! queued and sent in pipelines; if one is lost, the seat expires after the TTL.

use redis::Script;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::redis_link::RedisLink;
use crate::user::Transport;

/// Seat releases waiting at most; beyond, they are left to expire.
const RELEASE_QUEUE: usize = 65_536;
/// Most commands in one pipeline.
const PIPELINE: usize = 500;

/// The server's time in milliseconds, for the scripts below.
const NOW: &str = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)";

/// KEYS[1] the user's seats; ARGV: member, ttl ms, cap.
/// Returns 1 when the seat was taken, 0 when the cap refused it.
const ADMIT: &str = r"
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
";

/// KEYS[1] the user's seats; ARGV: ttl ms, then the members to keep alive.
const REFRESH: &str = r"
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + ttl, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
";

/// KEYS[1] the user's seats. Returns how many are not expired.
const COUNT: &str = r"
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
";

fn script(body: &str) -> Script {
    Script::new(&format!("{NOW}\n{body}"))
}

pub(super) struct RedisSeats {
    link: RedisLink,
    ttl: Duration,
    admit: Arc<Script>,
    refresh: Arc<Script>,
    count: Arc<Script>,
    /// Seats given back: the user and the member to remove.
    releases: mpsc::Sender<(Uuid, String)>,
    pending_releases: std::sync::Mutex<Option<mpsc::Receiver<(Uuid, String)>>>,
}

fn key(user: Uuid) -> String {
    RedisLink::key(format_args!("seats:{user}"))
}

fn member(node: Uuid, seat: u64, transport: Transport) -> String {
    let kind = match transport {
        Transport::Sse => 's',
        Transport::LongPoll => 'l',
    };
    format!("{node}:{seat}:{kind}")
}

impl RedisSeats {
    pub fn new(link: RedisLink, ttl: Duration) -> Self {
        let (releases, pending) = mpsc::channel(RELEASE_QUEUE);
        Self {
            link,
            ttl,
            admit: Arc::new(script(ADMIT)),
            refresh: Arc::new(script(REFRESH)),
            count: Arc::new(script(COUNT)),
            releases,
            pending_releases: std::sync::Mutex::new(Some(pending)),
        }
    }

    fn ttl_ms(&self) -> u64 {
        self.ttl.as_millis() as u64
    }

    pub async fn admit(
        &self,
        user: Uuid,
        seat: u64,
        transport: Transport,
        cap: usize,
    ) -> redis::RedisResult<bool> {
        let mut conn = self.link.commands();
        let mut call = self.admit.key(key(user));
        call.arg(member(self.link.node(), seat, transport))
            .arg(self.ttl_ms())
            .arg(cap);
        let taken: i64 = self.link.run(call.invoke_async(&mut conn)).await?;
        Ok(taken == 1)
    }

    pub fn release(&self, user: Uuid, seat: u64, transport: Transport) {
        let _ = self
            .releases
            .try_send((user, member(self.link.node(), seat, transport)));
    }

    pub async fn connected(&self, users: &[Uuid]) -> redis::RedisResult<HashSet<Uuid>> {
        let mut found = HashSet::new();
        for chunk in users.chunks(PIPELINE) {
            // Loading is cheap and idempotent, and a restarted Redis has forgotten it.
            let mut pipe = redis::pipe();
            pipe.load_script(&self.count).ignore();
            for user in chunk {
                pipe.invoke_script(&self.count.key(key(*user)));
            }
            let mut conn = self.link.commands();
            let counts: Vec<i64> = self.link.run(pipe.query_async(&mut conn)).await?;
            found.extend(
                chunk
                    .iter()
                    .zip(counts)
                    .filter(|(_, n)| *n > 0)
                    .map(|(u, _)| *u),
            );
        }
        Ok(found)
    }

    /// Starts the task that keeps this node's seats alive every third of the TTL
    /// (putting them back after a Redis restart) and sends queued releases.
    pub fn start_refresher<F>(&self, seats: F, shutdown: CancellationToken)
    where
        F: Fn() -> Vec<(Uuid, Vec<(u64, Transport)>)> + Send + 'static,
    {
        let Some(mut releases) = self.pending_releases.lock().ok().and_then(|mut p| p.take())
        else {
            return;
        };
        let (link, refresh, ttl_ms) = (self.link.clone(), self.refresh.clone(), self.ttl_ms());
        let mut ticker = tokio::time::interval(self.ttl / 3);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(PIPELINE);
            loop {
                tokio::select! {
                    _ = ticker.tick() => {
                        let node = link.node();
                        for chunk in seats().chunks(PIPELINE) {
                            let mut pipe = redis::pipe();
                            pipe.load_script(&refresh).ignore();
                            for (user, held) in chunk {
                                let mut call = refresh.key(key(*user));
                                call.arg(ttl_ms);
                                for (seat, transport) in held {
                                    call.arg(member(node, *seat, *transport));
                                }
                                pipe.invoke_script(&call).ignore();
                            }
                            let mut conn = link.commands();
                            if let Err(err) = link.run(pipe.query_async::<()>(&mut conn)).await {
                                tracing::debug!(error = %err, "cannot refresh seats in Redis");
                                break;
                            }
                        }
                    }
                    got = releases.recv_many(&mut batch, PIPELINE) => {
                        if got == 0 {
                            return;
                        }
                        let mut pipe = redis::pipe();
                        for (user, member) in batch.drain(..) {
                            pipe.cmd("ZREM").arg(key(user)).arg(member).ignore();
                        }
                        let mut conn = link.commands();
                        if let Err(err) = link.run(pipe.query_async::<()>(&mut conn)).await {
                            tracing::debug!(error = %err, "cannot release seats in Redis; they expire by themselves");
                        }
                    }
                    () = shutdown.cancelled() => return,
                }
            }
        });
    }
}
