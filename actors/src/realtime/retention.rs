//! Prunes each user's event log by age and by count, and what expires — stream
//! tickets, refresh tokens, idempotency claims older than their 24 hours —
//! periodically.

use chrono::Duration as ChronoDuration;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

use super::RealtimeSettings;
use crate::domain::idempotency::KEY_LIFETIME;
use crate::domain::time::now;
use crate::observe;
use crate::store::Store;

pub(super) fn start(
    store: Arc<dyn Store>,
    settings: Arc<RealtimeSettings>,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(settings.prune_every);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                () = shutdown.cancelled() => return,
            }
            let started = Instant::now();
            let age =
                ChronoDuration::from_std(settings.retention_age).unwrap_or(ChronoDuration::days(7));
            match store
                .prune_events(now() - age, settings.retention_per_user)
                .await
            {
                Ok(0) => {}
                Ok(n) => {
                    metrics::counter!(observe::EVENTS_PRUNED).increment(n);
                    tracing::debug!(pruned = n, "event log pruned");
                }
                Err(err) => tracing::warn!(error = %err, "event pruning failed"),
            }
            if let Err(err) = store.prune_stream_tickets(now()).await {
                tracing::warn!(error = %err, "stream ticket pruning failed");
            }
            if let Err(err) = store.prune_refresh_tokens(now()).await {
                tracing::warn!(error = %err, "refresh token pruning failed");
            }
            if let Err(err) = store.prune_idempotency_keys(now() - KEY_LIFETIME).await {
                tracing::warn!(error = %err, "idempotency key pruning failed");
            }
            metrics::histogram!(observe::PRUNE_SECONDS).record(started.elapsed().as_secs_f64());
        }
    });
}
