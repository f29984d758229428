//! Writing a batch of hugs in one transaction: all of them together, in a handful of
//! multi-row statements, or — when that fails — one by one, each in its own savepoint,
//! so that one failing hug fails alone.
//!
//! Why together: the writer's statements run one after another on the database's one
//! write connection, and every statement is a round trip to it. Written one by one, a
//! hug costs eight of them (savepoint, hug, two event ids, two events, notification,
//! release), and those round trips, not the database, capped how many hugs a node
//! could take. Together, a batch costs the same six statements whatever its size: its
//! idempotency claims (only for hugs that carry a key), one `UPDATE … RETURNING` that
//! allocates every recipient's event ids at once, and one insert each for the hugs,
//! the notifications and the events.
//!
//! The ids come out exactly as one by one would give them: recipients in
//! [`lock_order`](super::hugs::lock_order), each recipient's hugs in queue order, and
//! per hug its `hug_received` then its notification's `notification` event. A hug that
//! cannot be written (its sender or recipient deleted since its checks) fails the
//! statement it is in; the attempt's transaction is then rolled back and the batch is
//! written again one by one, which finds that hug and fails only it. (The attempt has
//! no savepoint of its own: SQLite copies every page a savepoint touches to a
//! sub-journal first, which doubled what a batch wrote.) The same fallback catches
//! what is rare or impossible from the hug writer: a batch too large for the
//! databases' limits on bound values (the writer's batches are at most 64 hugs, 640
//! values per statement), or, on PostgreSQL, a deadlock between two nodes' batches
//! (the `UPDATE` of the id counters visits the recipients' rows through the primary
//! key, in the same order as `lock_order`, so one is not expected).

use std::collections::BTreeMap;
use uuid::Uuid;

use crate::domain::event::{Event, NewEvent};
use crate::error::{EngineError, EngineResult};
use crate::store::hugs::HugWrite;
use crate::store::markers::Markers;

/// Values bound per row of each multi-row insert.
pub(crate) const HUG_VALUES: usize = 7;
pub(crate) const NOTIFICATION_VALUES: usize = 7;
pub(crate) const EVENT_VALUES: usize = 5;

/// Allocates event ids for `recipients` users at once: parameters are pairs (user id,
/// how many ids), then the user ids again; each row returned is a user with the last
/// id now allocated.
pub(crate) fn next_ids_sql(markers: Markers, recipients: usize) -> String {
    let mut sql = String::from("UPDATE users SET last_event_id = last_event_id + CASE id");
    for i in 0..recipients {
        sql.push_str(" WHEN ");
        markers.push(&mut sql, 2 * i + 1);
        sql.push_str(" THEN ");
        markers.push(&mut sql, 2 * i + 2);
    }
    sql.push_str(" END WHERE id IN (");
    markers.list(&mut sql, 2 * recipients + 1, recipients);
    sql.push_str(") RETURNING id, last_event_id");
    sql
}

/// The hugs of a batch written together (in lock order) and the events each appends.
pub(crate) struct BatchRows<'w> {
    writes: Vec<&'w HugWrite>,
    /// Per write, its notification's `notification` event (its `hug_received` event is
    /// the write's own).
    notification_events: Vec<NewEvent>,
}

impl<'w> BatchRows<'w> {
    pub fn new(writes: Vec<&'w HugWrite>) -> Self {
        let notification_events = writes.iter().map(|w| w.notification.to_event()).collect();
        Self {
            writes,
            notification_events,
        }
    }

    pub fn writes(&self) -> &[&'w HugWrite] {
        &self.writes
    }

    /// Per write, its events in log order: `hug_received`, then `notification`.
    fn events(&self) -> impl Iterator<Item = [&NewEvent; 2]> {
        self.writes
            .iter()
            .zip(&self.notification_events)
            .map(|(write, note)| [&write.event, note])
    }

    /// Each recipient once, with how many event ids it needs.
    pub fn id_requests(&self) -> Vec<(Uuid, i64)> {
        let mut needed: BTreeMap<Uuid, i64> = BTreeMap::new();
        for event in self.events().flatten() {
            *needed.entry(event.user_id).or_default() += 1;
        }
        needed.into_iter().collect()
    }

    /// Numbers every event from the ids allocated (each recipient's last id after the
    /// allocation): per write, its events with their ids. An error when a recipient got
    /// no ids (the user is gone), which sends the batch down the one-by-one path.
    pub fn number(&self, allocated: &[(Uuid, i64)]) -> EngineResult<Vec<Vec<Event>>> {
        let last: BTreeMap<Uuid, i64> = allocated.iter().copied().collect();
        let mut next: BTreeMap<Uuid, i64> = BTreeMap::new();
        for (user, count) in self.id_requests() {
            let last = last.get(&user).ok_or(EngineError::NotFound("user"))?;
            next.insert(user, last - count + 1);
        }
        Ok(self
            .events()
            .map(|pair| {
                pair.into_iter()
                    .map(|event| {
                        let id = next
                            .get_mut(&event.user_id)
                            .expect("every recipient numbered");
                        let numbered = Event {
                            user_id: event.user_id,
                            id: *id,
                            kind: event.kind,
                            data: event.data.to_string(),
                            created_at: event.created_at,
                        };
                        *id += 1;
                        numbered
                    })
                    .collect()
            })
            .collect())
    }
}

macro_rules! impl_hug_batch_writes {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Writes `writes` in one transaction: together when possible, else (after
            /// rolling the attempt back) one by one. One outcome per write, in the order
            /// given; `Err` only when nothing of the batch was written.
            async fn write_hug_batch(
                &self,
                writes: &[$crate::store::hugs::HugWrite],
            ) -> $crate::error::EngineResult<Vec<$crate::store::hugs::HugWritten>> {
                use sqlx::Acquire as _;
                let order = $crate::store::hugs::lock_order(writes);
                let mut tx = self.writer().begin().await?;
                match Self::write_hugs_together(&mut tx, writes, &order).await {
                    Ok(outcomes) => {
                        tx.commit().await?;
                        return Ok(outcomes);
                    }
                    Err(err) => {
                        tracing::debug!(error = %err, count = writes.len(), "writing the hugs one by one");
                        tx.rollback().await?;
                    }
                }
                let mut tx = self.writer().begin().await?;
                let mut outcomes: Vec<Option<$crate::store::hugs::HugWritten>> =
                    writes.iter().map(|_| None).collect();
                for index in order {
                    let mut item = tx.begin().await?;
                    let outcome = Self::write_hug(&mut item, &writes[index]).await;
                    if outcome.is_ok() {
                        item.commit().await?;
                    } else {
                        item.rollback().await?;
                    }
                    outcomes[index] = Some(outcome);
                }
                tx.commit().await?;
                Ok(outcomes.into_iter().flatten().collect())
            }

            /// Every write of the batch in a few multi-row statements; any error fails
            /// them all (the caller rolls back and goes one by one).
            async fn write_hugs_together(
                tx: &mut sqlx::Transaction<'_, $db>,
                writes: &[$crate::store::hugs::HugWrite],
                order: &[usize],
            ) -> $crate::error::EngineResult<Vec<$crate::store::hugs::HugWritten>> {
                use $crate::store::hug_batch as batch;
                use $crate::store::hugs::Claimed;
                let mut outcomes: Vec<Option<$crate::store::hugs::HugWritten>> =
                    writes.iter().map(|_| None).collect();
                let mut fresh = Vec::with_capacity(order.len());
                for &index in order {
                    if let Some(claim) = &writes[index].claim {
                        if let Some(answer) = Self::claim_idempotency_key(tx, claim).await? {
                            outcomes[index] = Some(Ok(Claimed::Replay(answer)));
                            continue;
                        }
                    }
                    fresh.push(index);
                }
                if !fresh.is_empty() {
                    let together = batch::BatchRows::new(fresh.iter().map(|&i| &writes[i]).collect());
                    let requests = together.id_requests();
                    if $crate::store::locks::takes_row_locks::<$db>() {
                        let users: Vec<uuid::Uuid> = requests.iter().map(|(u, _)| *u).collect();
                        $crate::store::locks::lock_users(tx, &users).await?;
                    }
                    let markers = $crate::store::markers::Markers::of::<$db>();
                    let sql = batch::next_ids_sql(markers, requests.len());
                    let mut query = sqlx::query_as::<_, (uuid::Uuid, i64)>(&sql);
                    for (user, count) in &requests {
                        query = query.bind(*user).bind(*count);
                    }
                    for (user, _) in &requests {
                        query = query.bind(*user);
                    }
                    let allocated = query.fetch_all(&mut **tx).await?;
                    let numbered = together.number(&allocated)?;
                    Self::insert_together(tx, &together, &numbered).await?;
                    for (index, events) in fresh.into_iter().zip(numbered) {
                        outcomes[index] = Some(Ok(Claimed::Written(events)));
                    }
                }
                Ok(outcomes.into_iter().flatten().collect())
            }

            /// The hugs, notifications and numbered events of `together`, one insert each.
            async fn insert_together(
                tx: &mut sqlx::Transaction<'_, $db>,
                together: &$crate::store::hug_batch::BatchRows<'_>,
                numbered: &[Vec<$crate::domain::event::Event>],
            ) -> $crate::error::EngineResult<()> {
                use $crate::store::hug_batch as batch;
                use $crate::store::markers::{values_sql, Markers};
                let markers = Markers::of::<$db>();
                let writes = together.writes();
                let sql = values_sql(
                    markers,
                    &format!("INSERT INTO hugs ({})", $crate::store::rows::HUG_COLUMNS),
                    writes.len(),
                    batch::HUG_VALUES,
                );
                let mut query = sqlx::query(&sql);
                for write in writes {
                    query = Self::bind_hug(query, &write.hug);
                }
                query.execute(&mut **tx).await?;

                let sql = values_sql(
                    markers,
                    &format!("INSERT INTO notifications ({})", $crate::store::social::NOTIFICATION_VALUES),
                    writes.len(),
                    batch::NOTIFICATION_VALUES,
                );
                let mut query = sqlx::query(&sql);
                for write in writes {
                    query = Self::bind_notification(query, &write.notification);
                }
                query.execute(&mut **tx).await?;

                let events: Vec<&$crate::domain::event::Event> = numbered.iter().flatten().collect();
                let sql = values_sql(
                    markers,
                    $crate::store::events::INSERT_EVENT_HEAD,
                    events.len(),
                    batch::EVENT_VALUES,
                );
                let mut query = sqlx::query(&sql);
                for event in events {
                    query = query
                        .bind(event.user_id)
                        .bind(event.id)
                        .bind(event.kind.as_str())
                        .bind(&event.data)
                        .bind(event.created_at);
                }
                query.execute(&mut **tx).await?;
                Ok(())
            }
        }
    };
}
pub(crate) use impl_hug_batch_writes;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_allocated_per_recipient_in_one_statement() {
        assert_eq!(
            next_ids_sql(Markers::Numbered, 2),
            "UPDATE users SET last_event_id = last_event_id + CASE id WHEN $1 THEN $2 WHEN $3 THEN $4 END \
             WHERE id IN ($5, $6) RETURNING id, last_event_id"
        );
        assert_eq!(
            next_ids_sql(Markers::Anonymous, 2),
            "UPDATE users SET last_event_id = last_event_id + CASE id WHEN ? THEN ? WHEN ? THEN ? END \
             WHERE id IN (?, ?) RETURNING id, last_event_id"
        );
    }
}
