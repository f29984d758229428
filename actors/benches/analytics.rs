//! Mood analytics over 10,000 entries of one user: the pure computation, and the whole
//! read path (fetch from SQLite, then compute) as `GET /moods/analytics` runs it.
//!
//! `cargo bench -p hugmood-actors --bench analytics`

use chrono::{Duration, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hugmood_actors::domain::analytics::{analyze, MoodPoint, TimeRange};
use hugmood_actors::domain::mood::{Mood, MoodEntry};
use hugmood_actors::domain::time::now;
use hugmood_actors::domain::user::NewUser;
use hugmood_actors::mood::Moods;
use hugmood_actors::realtime::{Realtime, RealtimeSettings};
use hugmood_actors::store::{self, StoreOptions};
use uuid::Uuid;

const ENTRIES: usize = 10_000;
const TAGS: [&str; 6] = ["work", "sleep", "exercise", "family", "friends", "music"];

/// A deterministic pseudo-random stream (64-bit LCG), so every run measures the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// `n` entries spread over the last year, each with up to three tags.
fn entries(user_id: Uuid, n: usize) -> Vec<MoodEntry> {
    let mut rng = Lcg(42);
    let start = now();
    (0..n)
        .map(|_| {
            let mood = Mood::ALL[rng.next(10) as usize];
            let (valence, arousal) = mood.default_affect();
            let at = start - Duration::minutes(rng.next(364 * 24 * 60) as i64);
            let tags = (0..rng.next(4))
                .map(|_| TAGS[rng.next(6) as usize].to_owned())
                .collect();
            MoodEntry {
                id: Uuid::new_v4(),
                user_id,
                mood,
                intensity: 1 + rng.next(10) as u8,
                valence,
                arousal,
                note: None,
                is_public: false,
                tags,
                created_at: at,
                updated_at: at,
            }
        })
        .collect()
}

fn pure(c: &mut Criterion) {
    let points: Vec<MoodPoint> = entries(Uuid::nil(), ENTRIES)
        .into_iter()
        .map(|e| MoodPoint {
            mood: e.mood,
            intensity: e.intensity,
            valence: e.valence,
            arousal: e.arousal,
            tags: e.tags,
            created_at: e.created_at,
        })
        .collect();
    c.bench_function("analyze 10k points", |b| {
        b.iter(|| analyze(Uuid::nil(), TimeRange::Year, black_box(&points)))
    });
}

fn through_the_store(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db", dir.path().display());
    let (moods, user) = rt.block_on(async {
        let store = store::connect(&url, &StoreOptions::default())
            .await
            .expect("store");
        store.migrate().await.expect("migrate");
        let user = NewUser {
            id: Uuid::new_v4(),
            username: "bench".into(),
            email: None,
            password_hash: None,
            display_name: "Bench".into(),
            is_anonymous: false,
            now: Utc::now(),
        };
        store.insert_user(&user).await.expect("user");
        store
            .insert_moods(&entries(user.id, ENTRIES))
            .await
            .expect("entries");
        let realtime = Realtime::start(store.clone(), RealtimeSettings::default(), None)
            .await
            .expect("realtime");
        let moods = Moods::start(store, realtime, 1).await.expect("moods");
        (moods, user.id)
    });
    c.bench_function("GET analytics path, 10k entries in SQLite", |b| {
        b.iter(|| {
            rt.block_on(moods.analytics(user, None, TimeRange::Year))
                .expect("analytics")
        })
    });
}

criterion_group!(benches, pure, through_the_store);
criterion_main!(benches);
