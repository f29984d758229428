//! One clock for the engine. Timestamps are cut to whole microseconds, the precision
//! PostgreSQL keeps, so a value read back from either store equals the one written.

use chrono::{DateTime, SubsecRound, Utc};

/// The current time at microsecond precision.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
