//! One clock for the engine. Timestamps are cut to whole microseconds, the precision
//! PostgreSQL keeps, so a value read back from either store equals the one written.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, SubsecRound, Utc};

/// The current time at microsecond precision.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// The calendar a bound from outside may name: four-digit years, which every store
/// compares and keeps exactly. Beyond it, date arithmetic would overflow.
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

const OUT_OF_RANGE: &str = "must lie between 0001-01-01 and 9999-12-31";

/// Reads a query bound: an RFC 3339 time, or a `YYYY-MM-DD` date meaning the start of
/// that UTC day (or, with `end_of_day`, its last microsecond). Dates outside the years
/// 1–9999 are refused; an RFC 3339 time (whose four-digit year its offset may carry a
/// few hours past those years) is moved to the nearest instant within them, which
/// selects the same entries. So no arithmetic on a bound can overflow.
pub fn parse_bound(text: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    let at = if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        t.with_timezone(&Utc)
            .trunc_subsecs(6)
            .clamp(FIRST_INSTANT, LAST_INSTANT)
    } else {
        let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| "must be a date (YYYY-MM-DD) or an RFC 3339 time".to_owned())?;
        if !YEARS.contains(&date.year()) {
            return Err(OUT_OF_RANGE.to_owned());
        }
        let start = date.and_time(chrono::NaiveTime::MIN).and_utc();
        if end_of_day {
            start
                .checked_add_signed(chrono::Duration::days(1))
                .and_then(|t| t.checked_sub_signed(chrono::Duration::microseconds(1)))
                .ok_or_else(|| OUT_OF_RANGE.to_owned())?
        } else {
            start
        }
    };
    if YEARS.contains(&at.year()) {
        Ok(at)
    } else {
        Err(OUT_OF_RANGE.to_owned())
    }
}

/// The first and the last instant of the calendar a bound may name.
const FIRST_INSTANT: DateTime<Utc> = match NaiveDate::from_ymd_opt(*YEARS.start(), 1, 1) {
    Some(day) => day.and_time(NaiveTime::MIN).and_utc(),
    None => DateTime::<Utc>::MIN_UTC,
};
const LAST_INSTANT: DateTime<Utc> = match NaiveDate::from_ymd_opt(*YEARS.end(), 12, 31) {
    Some(day) => match day.and_hms_micro_opt(23, 59, 59, 999_999) {
        Some(at) => at.and_utc(),
        None => DateTime::<Utc>::MAX_UTC,
    },
    None => DateTime::<Utc>::MAX_UTC,
};

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
        let last = parse_bound("9999-12-31", true).expect("the last day");
        assert_eq!(last.to_rfc3339(), "9999-12-31T23:59:59.999999+00:00");
        for bad in [
            "yesterday",
            "2026-13-01",
            "",
            "2026-03-01T25:00:00Z",
            "+262142-12-31",
            "-262143-01-01",
            "0000-12-31",
            "+10000-01-01",
        ] {
            assert!(parse_bound(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_past_the_calendar_are_moved_to_its_edges() {
        let first = parse_bound("0001-01-01T00:30:00+01:00", false).expect("before the first day");
        assert_eq!(
            first,
            parse_bound("0001-01-01", false).expect("the first day")
        );
        let last = parse_bound("9999-12-31T23:30:00-01:00", false).expect("after the last day");
        assert_eq!(last, parse_bound("9999-12-31", true).expect("the last day"));
        let zero = parse_bound("0000-06-01T00:00:00Z", true).expect("a year-0 time");
        assert_eq!(zero, first);
    }
}
