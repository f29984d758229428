//! Saved hugs ("hug jar"): named collections of hugs their owner received.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::validation;

/// Longest collection name, in characters.
pub const NAME_MAX: usize = 100;

/// A collection as stored, with how many hugs it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub hug_count: u64,
}

/// A collection name: trimmed, not blank, at most 100 characters, no control
/// characters.
pub fn parse_name(raw: Option<&str>) -> Result<String, String> {
    let name = raw.ok_or("is required")?.trim();
    if name.is_empty() {
        return Err("must not be blank".into());
    }
    validation::max_chars(name, NAME_MAX)?;
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name(Some("  Warm ones ")), Ok("Warm ones".into()));
        assert!(parse_name(None).is_err());
        assert!(parse_name(Some("   ")).is_err());
        assert!(parse_name(Some(&"x".repeat(NAME_MAX))).is_ok());
        assert!(parse_name(Some(&"x".repeat(NAME_MAX + 1))).is_err());
        assert!(parse_name(Some("a\u{0}b")).is_err());
    }
}
