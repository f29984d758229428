//! Time scalars written exactly as REST writes them: `DateTime` is RFC 3339 in UTC with
//! a `Z` (`2026-01-02T03:04:05.678Z`), `Date` is `YYYY-MM-DD`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// An instant, as an RFC 3339 UTC string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timestamp(pub DateTime<Utc>);

#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for Timestamp {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => Ok(Self(DateTime::parse_from_rfc3339(s)?.with_timezone(&Utc))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

/// A calendar day, as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => Ok(Self(s.parse()?)),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn written_as_rest_writes_them() {
        let at = Utc
            .with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
            .single()
            .expect("valid time");
        assert_eq!(
            Timestamp(at).to_value(),
            Value::from("2026-01-02T03:04:05Z")
        );
        assert_eq!(
            serde_json::to_value(at).expect("json"),
            serde_json::json!("2026-01-02T03:04:05Z")
        );
        let day = NaiveDate::from_ymd_opt(2026, 1, 2).expect("valid day");
        assert_eq!(Date(day).to_value(), Value::from("2026-01-02"));
        assert_eq!(
            <Timestamp as ScalarType>::parse(Value::from("2026-01-02T04:04:05+01:00")).ok(),
            Some(Timestamp(at))
        );
    }
}
