//! Group commit of hugs: one writer task takes every hug waiting (up to
//! [`MAX_BATCH`]) and commits them in one transaction, then publishes their events in
//! commit order and answers each sender.
//!
//! Why: SQLite has one writer, so one transaction per hug makes the commit the ceiling
//! of the whole node; sharing a commit among the hugs that queued behind the previous
//! one lets throughput follow the load instead. No hug waits for a batch to fill: the
//! writer commits whatever is queued the moment it is free, so at low load a batch is
//! one hug. Every sender is answered only after its batch committed (durable before
//! acknowledged), and one hug's failure is its own (a savepoint per hug, see
//! [`HugStore::insert_hug_batch`](crate::store::HugStore::insert_hug_batch)).

use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

use crate::error::{EngineError, EngineResult};
use crate::observe;
use crate::realtime::Realtime;
use crate::store::{Claimed, HugWrite, Store};

/// Most hugs committed in one transaction: large enough to share a commit among a
/// burst, small enough that the first of them does not wait long for the last.
pub const MAX_BATCH: usize = 64;

/// What a sender learns of its hug: written (and its event published), or nothing
/// written because the idempotency key already holds an answer.
pub(super) type WriteAnswer = EngineResult<Claimed<()>>;

struct Pending {
    write: HugWrite,
    reply: oneshot::Sender<WriteAnswer>,
}

/// The queue into the writer task; cheap to clone. The task ends when every clone is
/// dropped, after committing what was queued.
#[derive(Clone)]
pub(super) struct HugWriter {
    queue: mpsc::Sender<Pending>,
}

impl HugWriter {
    /// Starts the writer task with a queue of `capacity` hugs. A full queue makes
    /// senders wait for room (backpressure), it never drops a hug.
    pub fn start(store: Arc<dyn Store>, realtime: Realtime, capacity: usize) -> Self {
        let (queue, waiting) = mpsc::channel(capacity.max(1));
        tokio::spawn(run(store, realtime, waiting));
        Self { queue }
    }

    /// Queues `write` and waits until its batch has committed and its event has been
    /// published.
    pub async fn write(&self, write: HugWrite) -> WriteAnswer {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending { write, reply })
            .await
            .map_err(|_| EngineError::Internal("the hug writer has stopped".into()))?;
        answer.await.map_err(|_| {
            EngineError::Internal("the hug writer failed before answering this hug".into())
        })?
    }
}

async fn run(store: Arc<dyn Store>, realtime: Realtime, mut waiting: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while waiting.recv_many(&mut batch, MAX_BATCH).await > 0 {
        metrics::histogram!(observe::HUG_BATCH_SIZE).record(batch.len() as f64);
        metrics::gauge!(observe::HUG_WRITER_QUEUE).set(waiting.len() as f64);
        let (writes, replies): (Vec<HugWrite>, Vec<oneshot::Sender<WriteAnswer>>) =
            batch.drain(..).map(|p| (p.write, p.reply)).unzip();
        if let Batch::Unavailable(why) = commit(&store, &realtime, writes, replies).await {
            // Hugs that queued while the batch waited for the database would each
            // wait as long again, one batch after the other: past the request
            // timeout under load. The database was unreachable a moment ago, so
            // they get the same answer now and their senders may retry.
            let mut queued = 0;
            while let Ok(pending) = waiting.try_recv() {
                let _ = pending
                    .reply
                    .send(Err(EngineError::Unavailable(why.clone())));
                queued += 1;
            }
            if queued > 0 {
                tracing::warn!(queued, "queued hugs refused: the database is unavailable");
            }
        }
    }
}

/// How a batch went, as far as the next one cares.
enum Batch {
    Done,
    /// Not committed because the database could not be reached (the log text).
    Unavailable(String),
}

/// Commits one batch, publishes its events in commit order, then answers every sender.
async fn commit(
    store: &Arc<dyn Store>,
    realtime: &Realtime,
    writes: Vec<HugWrite>,
    replies: Vec<oneshot::Sender<WriteAnswer>>,
) -> Batch {
    let count = writes.len();
    let started = std::time::Instant::now();
    // Its own task, so a panic in the store fails this batch (its senders get an
    // error) instead of ending the writer.
    let store = store.clone();
    let outcomes = match tokio::spawn(async move { store.insert_hug_batch(&writes).await }).await {
        Ok(Ok(outcomes)) if outcomes.len() == count => outcomes,
        Ok(Ok(outcomes)) => {
            tracing::error!(
                expected = count,
                got = outcomes.len(),
                "hug batch answered the wrong number of outcomes"
            );
            fail_all(replies, || {
                EngineError::Storage("the store answered the wrong number of outcomes".into())
            });
            return Batch::Done;
        }
        Ok(Err(EngineError::Unavailable(why))) => {
            tracing::warn!(error = %why, count, "hug batch not committed: database unavailable");
            fail_all(replies, || EngineError::Unavailable(why.clone()));
            return Batch::Unavailable(why);
        }
        Ok(Err(err)) => {
            tracing::warn!(error = %err, count, "hug batch not committed");
            let why = format!("hug batch not committed: {err}");
            fail_all(replies, || EngineError::Storage(why.clone()));
            return Batch::Done;
        }
        Err(panicked) => {
            tracing::error!(error = %panicked, count, "the hug writer panicked on a batch");
            metrics::counter!(observe::ACTOR_RESTARTS, "actor" => "hug").increment(1);
            fail_all(replies, || {
                EngineError::Storage("the hug writer panicked".into())
            });
            return Batch::Done;
        }
    };
    tracing::debug!(count, elapsed = ?started.elapsed(), "hug batch committed");
    let mut answers = Vec::with_capacity(count);
    let mut events = Vec::with_capacity(count);
    for outcome in outcomes {
        answers.push(match outcome {
            Ok(Claimed::Written(event)) => {
                events.extend(event);
                Ok(Claimed::Written(()))
            }
            Ok(Claimed::Replay(answer)) => Ok(Claimed::Replay(answer)),
            Err(err) => Err(err),
        });
    }
    realtime.publish(events).await;
    for (reply, answer) in replies.into_iter().zip(answers) {
        // A sender that gave up waiting is no reason to stop.
        let _ = reply.send(answer);
    }
    Batch::Done
}

/// Answers every sender of a failed batch with the same error (`EngineError` is not
/// `Clone`, so each gets its own from `error`).
fn fail_all(replies: Vec<oneshot::Sender<WriteAnswer>>, error: impl Fn() -> EngineError) {
    for reply in replies {
        let _ = reply.send(Err(error()));
    }
}
