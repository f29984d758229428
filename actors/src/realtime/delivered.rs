//! Marks hugs `delivered` once a UserActor has pushed them to a live stream, in batches,
//! off the delivery path.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::domain::event::{Event, EventKind};
use crate::store::Store;

/// Hug ids waiting to be marked; beyond this, marks are dropped (status is advisory).
const QUEUE: usize = 65_536;
/// Most ids written in one statement.
const BATCH: usize = 500;
/// How long ids gather before a write.
const GATHER: Duration = Duration::from_millis(50);

/// Where delivered hugs are noted; cheap to clone.
#[derive(Clone)]
pub struct DeliveryMarks(mpsc::Sender<Uuid>);

impl DeliveryMarks {
    /// Notes that `event` reached a client: a `hug_received` marks its hug delivered.
    pub fn note(&self, event: &Event) {
        if event.kind != EventKind::HugReceived {
            return;
        }
        #[derive(serde::Deserialize)]
        struct HugRef {
            id: Uuid,
        }
        if let Ok(hug) = serde_json::from_str::<HugRef>(&event.data) {
            let _ = self.0.try_send(hug.id);
        }
    }
}

pub(super) fn start(store: Arc<dyn Store>, shutdown: CancellationToken) -> DeliveryMarks {
    let (tx, mut rx) = mpsc::channel::<Uuid>(QUEUE);
    tokio::spawn(async move {
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            tokio::select! {
                got = rx.recv_many(&mut batch, BATCH) => {
                    if got == 0 {
                        return;
                    }
                }
                () = shutdown.cancelled() => return,
            }
            tokio::time::sleep(GATHER).await;
            while batch.len() < BATCH {
                match rx.try_recv() {
                    Ok(id) => batch.push(id),
                    Err(_) => break,
                }
            }
            if let Err(err) = store.mark_hugs_delivered(&batch).await {
                tracing::warn!(error = %err, count = batch.len(), "cannot mark hugs delivered");
            }
            batch.clear();
        }
    });
    DeliveryMarks(tx)
}
