//! Whole numbers in JSON bodies: an integer, or a number with no fractional part
//! (`6.0`), which JSON Schema's `integer` (and so the OpenAPI document) also admits.

use serde::de::Error;
use serde::{Deserialize, Deserializer};

/// For `#[serde(default, deserialize_with = "whole_number")]` on `Option<i64>`.
pub fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let Some(number) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(whole) = number.as_i64() {
        return Ok(Some(whole));
    }
    // Every whole f64 below 2^63 in magnitude is exactly an i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    match number.as_f64() {
        Some(value) if value.fract() == 0.0 && value.abs() < LIMIT => Ok(Some(value as i64)),
        _ => Err(D::Error::custom(format!(
            "invalid value: {number}, expected a whole number"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "whole_number")]
        n: Option<i64>,
    }

    fn read(json: &str) -> Result<Option<i64>, serde_json::Error> {
        serde_json::from_str::<Body>(json).map(|b| b.n)
    }

    #[test]
    fn integers_and_integral_floats() {
        assert_eq!(read(r#"{"n": 6}"#).ok(), Some(Some(6)));
        assert_eq!(read(r#"{"n": 6.0}"#).ok(), Some(Some(6)));
        assert_eq!(read(r#"{"n": 1e1}"#).ok(), Some(Some(10)));
        assert_eq!(read(r#"{"n": -2.0}"#).ok(), Some(Some(-2)));
        assert_eq!(read(r#"{"n": null}"#).ok(), Some(None));
        assert_eq!(read("{}").ok(), Some(None));
        for bad in [
            r#"{"n": 6.5}"#,
            r#"{"n": 1e19}"#,
            r#"{"n": 18446744073709551615}"#,
            r#"{"n": "6"}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
