//! The seeded users' recent activity — mood entries and hugs — composed as the
//! engine composes a user's own: each user's latest entry with its outbox (friends'
//! `mood_update`), each hug with its notification and events. So a seeded user's inbox and event log read as if the
//! others had used the app. Pure: the rows are written by `seed`.

use chrono::{DateTime, Duration, Utc};
use hugmood_actors::domain::hug::{HugRequest, HugType};
use hugmood_actors::domain::mood::{Mood, MoodEntry};
use hugmood_actors::domain::outbox::Outbox;
use hugmood_actors::domain::row_id::new_row_id;
use hugmood_actors::hug::Hugs;
use hugmood_actors::mood::created_outbox;
use hugmood_actors::store::HugWrite;
use uuid::Uuid;

const DEMO_TAGS: [&str; 5] = ["work", "family", "exercise", "sleep", "friends"];

/// A seed run's mood entries: the older ones, as history, and each user's latest,
/// with its outbox.
pub(super) struct Moods {
    pub history: Vec<MoodEntry>,
    pub latest: Vec<(MoodEntry, Outbox)>,
}

/// `per_user` entries per user, one a day up to `at`; only the latest (today's) is
/// public. Only the latest carries an outbox, friends' `mood_update`, so a friend's
/// log gets one copy per friend, not one per day; the older entries are history, as
/// if written before the friendships. Fanning out every day's entry, or adding the
/// streak notification the API would give the latest, made seeding 20,000 users
/// several times slower (each costs writes in other users' logs or inboxes).
pub(super) fn moods(ids: &[Uuid], per_user: u32, at: DateTime<Utc>) -> Moods {
    let per_user = per_user as usize;
    let mut history = Vec::with_capacity(ids.len() * per_user.saturating_sub(1));
    let mut latest = Vec::with_capacity(ids.len());
    for (i, user) in ids.iter().enumerate() {
        for days_ago in (0..per_user).rev() {
            let mood = Mood::ALL[(i + days_ago) % Mood::ALL.len()];
            let (valence, arousal) = mood.default_affect();
            let created =
                at - Duration::days(days_ago as i64) - Duration::minutes((i % 600) as i64);
            let entry = MoodEntry {
                id: new_row_id(),
                user_id: *user,
                mood,
                intensity: (1 + (i + days_ago) % 10) as u8,
                valence,
                arousal,
                note: None,
                is_public: days_ago == 0,
                tags: vec![DEMO_TAGS[(i + days_ago) % DEMO_TAGS.len()].to_owned()],
                created_at: created,
                updated_at: created,
            };
            if days_ago > 0 {
                history.push(entry);
            } else {
                let outbox = created_outbox(&entry, None);
                latest.push((entry, outbox));
            }
        }
    }
    Moods { history, latest }
}

/// `per_user` hugs from each user to `recipients[i]` (see `friends::hug_recipients`),
/// not yet seen, in the last hours before `at`: all users' first hug, then all their
/// second, each later than the one before. Senders are named as `seed` names them.
pub(super) fn hugs(
    ids: &[Uuid],
    names: &[String],
    recipients: &[Option<usize>],
    per_user: u32,
    at: DateTime<Utc>,
) -> anyhow::Result<Vec<HugWrite>> {
    let mut writes = Vec::with_capacity(ids.len() * per_user as usize);
    for n in 0..per_user as usize {
        let sent = at - Duration::hours((per_user as usize - n) as i64);
        for (i, sender) in ids.iter().enumerate() {
            let Some(recipient) = recipients[i] else {
                continue;
            };
            let request = HugRequest {
                recipient_id: ids[recipient],
                hug_type: HugType::ALL[(i + n) % HugType::ALL.len()],
                message: Some("Thinking of you!".into()),
            };
            writes.push(Hugs::compose(*sender, &names[i], request, sent)?);
        }
    }
    Ok(writes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hugmood_actors::domain::time::now;

    #[test]
    fn only_the_latest_entry_fans_out() {
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
        let at = now();
        let Moods { history, latest } = moods(&ids, 3, at);
        assert_eq!((history.len(), latest.len()), (10, 5));
        assert!(history.iter().all(|e| e.created_at < at && !e.is_public));
        for (i, (entry, outbox)) in latest.iter().enumerate() {
            assert_eq!(entry.user_id, ids[i]);
            assert!(entry.is_public && entry.created_at <= at);
            assert!(history
                .iter()
                .filter(|e| e.user_id == ids[i])
                .all(|e| e.created_at < entry.created_at));
            let fanout = outbox.fanout.as_ref().expect("a mood_update for friends");
            assert_eq!(fanout.author, entry.user_id);
            assert_eq!(fanout.created_at, entry.created_at);
        }
        assert!(moods(&ids, 1, at).history.is_empty());
        assert!(moods(&ids, 0, at).latest.is_empty());
    }

    #[test]
    fn hugs_go_to_the_given_recipients_unseen_and_in_time_order() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
        let names: Vec<String> = (1..=3).map(|i| format!("Demo {i}")).collect();
        let at = now();
        let writes = hugs(&ids, &names, &[Some(1), Some(2), Some(0)], 2, at).expect("hugs");
        assert_eq!(writes.len(), 6);
        assert!(writes
            .windows(2)
            .all(|w| w[0].hug.sent_at <= w[1].hug.sent_at));
        for (n, write) in writes.iter().enumerate() {
            let i = n % 3;
            assert_eq!(write.hug.sender_id, ids[i]);
            assert_eq!(write.hug.recipient_id, ids[(i + 1) % 3]);
            assert_eq!(write.notification.user_id, ids[(i + 1) % 3]);
            assert!(write.notification.body.starts_with(&names[i]));
            assert!(write.hug.sent_at < at);
        }
        let none = hugs(&ids[..1], &names[..1], &[None], 2, at).expect("no hugs");
        assert!(none.is_empty());
    }
}
