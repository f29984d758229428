//! The embedded store starts its WAL over in the background: under steady writes the
//! WAL's length cycles up to about its configured restart length, not up to the
//! writer's own backstop (four times that length), which is all that would restart
//! it without the background task.

use hugmood_actors::domain::hug::{Hug, HugStatus, HugType};
use hugmood_actors::domain::time::now;
use hugmood_actors::domain::user::NewUser;
use hugmood_actors::store::{self, StoreOptions};
use std::time::Duration;
use uuid::Uuid;

/// A new database file has 2 KiB pages.
const PAGE_SIZE: usize = 2048;
const RESTART_PAGES: usize = 256;

fn hug(sender: Uuid, recipient: Uuid) -> Hug {
    Hug {
        id: Uuid::new_v4(),
        sender_id: sender,
        recipient_id: recipient,
        hug_type: HugType::Warm,
        message: Some("x".repeat(800)),
        sent_at: now(),
        status: HugStatus::Sent,
    }
}

/// The WAL's length in frames, from the wal-index header at the start of the `-shm`
/// file (`mxFrame`, a native-endian u32 at byte 16; SQLite's documented format).
fn wal_frames(shm: &std::path::Path) -> u32 {
    use std::io::Read;
    let mut header = [0u8; 20];
    std::fs::File::open(shm)
        .and_then(|mut file| file.read_exact(&mut header))
        .expect("wal-index header");
    u32::from_ne_bytes([header[16], header[17], header[18], header[19]])
}

#[tokio::test]
async fn the_wal_is_started_over_near_its_restart_length() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("wal.db");
    let options = StoreOptions {
        max_connections: 2,
        wal_restart_bytes: (RESTART_PAGES * PAGE_SIZE) as u64,
    };
    let store = store::connect(&format!("sqlite://{}", path.display()), &options)
        .await
        .expect("store");
    store.migrate().await.expect("migrate");
    let mut ids = Vec::new();
    for name in ["wal_ann", "wal_bob"] {
        let new = NewUser {
            id: Uuid::new_v4(),
            username: name.into(),
            email: None,
            password_hash: None,
            display_name: name.into(),
            is_anonymous: true,
            now: now(),
        };
        ids.push(store.insert_user(&new).await.expect("user").id);
    }

    let shm = dir.path().join("wal.db-shm");
    let mut lengths = Vec::new();
    // Over 16 restart lengths of hugs, a little at a time, with time for the
    // checkpoint task (every 50 ms) to notice the length.
    for _ in 0..(16 * RESTART_PAGES * PAGE_SIZE / (20 * 800)) {
        let batch: Vec<Hug> = (0..20).map(|_| hug(ids[0], ids[1])).collect();
        store.insert_hugs(&batch).await.expect("hugs");
        lengths.push(wal_frames(&shm));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    lengths.sort_unstable();
    let median = lengths[lengths.len() / 2];
    // Cycling from 0 to the restart length gives a median near half of it; cycling to
    // the backstop, near twice it.
    assert!(
        median < RESTART_PAGES as u32 * 3 / 2,
        "median WAL length {median} frames (restart at {RESTART_PAGES}; largest {:?})",
        lengths.last()
    );
    store.close().await;
}
