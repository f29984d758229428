//! One clock for the engine. Timestamps are cut to whole microseconds, the precision
//! PostgreSQL keeps, so a value read back from either store equals the one written.

use chrono::{DateTime, SubsecRound, Utc};

/// The current time at microsecond precision.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Reads a query bound: an RFC 3339 time, or a `YYYY-MM-DD` date meaning the start of
/// that UTC day (or, with `end_of_day`, its last microsecond).
pub fn parse_bound(text: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc).trunc_subsecs(6));
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| "must be a date (YYYY-MM-DD) or an RFC 3339 time".to_owned())?;
    let start = date.and_time(chrono::NaiveTime::MIN).and_utc();
    Ok(if end_of_day {
        start + chrono::Duration::days(1) - chrono::Duration::microseconds(1)
    } else {
        start
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_accept_dates_and_times() {
        let start = parse_bound("2026-03-01", false).expect("date");
        assert_eq!(start.to_rfc3339(), "2026-03-01T00:00:00+00:00");
        let end = parse_bound("2026-03-01", true).expect("date");
        assert_eq!(end.to_rfc3339(), "2026-03-01T23:59:59.999999+00:00");
        let t = parse_bound("2026-03-01T10:00:00+02:00", false).expect("time");
        assert_eq!(t.to_rfc3339(), "2026-03-01T08:00:00+00:00");
        for bad in ["yesterday", "2026-13-01", "", "2026-03-01T25:00:00Z"] {
            assert!(parse_bound(bad, false).is_err(), "{bad}");
        }
    }
}
