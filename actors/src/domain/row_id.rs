//! Ids of rows written at a high rate (hugs, notifications, mood entries, collections).
//!
//! Time-ordered (UUID version 7: milliseconds since the epoch first, then random bits),
//! so a new row's key lands at the end of its primary-key index, on the page the
//! previous rows were just written to, instead of on a random page of a large index.
//! On SQLite each page a write touches is a page appended to the WAL, and random keys
//! made the primary keys of hugs and notifications two of the handful of pages every
//! hug dirtied. Ids that must not be guessable (sessions, token families) stay random.

use uuid::Uuid;

/// A new time-ordered id.
pub fn new_row_id() -> Uuid {
    Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let first = new_row_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = new_row_id();
        assert!(second > first, "{first} then {second}");
        assert_eq!(first.get_version_num(), 7);
    }
}
