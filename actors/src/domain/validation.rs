//! Field-level validation: a collector of errors keyed by field name, and the rules for
//! the account fields the spec fixes (username, email, password, profile texts).

use std::collections::BTreeMap;
use std::fmt;

/// Bad fields of one input, each with a human message. Sorted, so answers are stable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    /// Records a problem with `field`; the first problem found for a field wins.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// Records the outcome of a rule check.
    pub fn check(&mut self, field: &str, outcome: Result<(), String>) {
        if let Err(message) = outcome {
            self.add(field, message);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `Ok(value)` when nothing was recorded, else the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.fields().map(|(k, v)| format!("{k}: {v}")).collect();
        f.write_str(&parts.join("; "))
    }
}

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 30;
pub const PASSWORD_MIN: usize = 8;
/// Upper bound so that hashing cost stays bounded whatever a client sends.
pub const PASSWORD_MAX: usize = 1024;
pub const EMAIL_MAX: usize = 254;
pub const DISPLAY_NAME_MAX: usize = 50;
pub const BIO_MAX: usize = 500;
pub const STATUS_MAX: usize = 100;
pub const PROFILE_IMAGE_MAX: usize = 2048;

pub fn username(value: &str) -> Result<(), String> {
    let len = value.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&len) {
        return Err(format!(
            "must be {USERNAME_MIN} to {USERNAME_MAX} characters"
        ));
    }
    if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("may contain only letters, digits and underscores".into());
    }
    Ok(())
}

/// An email address as sent: at most `EMAIL_MAX` characters, whitespace around it
/// ignored (and trimmed by the caller).
pub fn email(value: &str) -> Result<(), String> {
    let invalid = || Err("must be a valid email address".to_owned());
    if value.chars().count() > EMAIL_MAX {
        return invalid();
    }
    let value = value.trim();
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return invalid();
    }
    let Some((local, domain)) = value.split_once('@') else {
        return invalid();
    };
    let domain_ok = domain.contains('.')
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if local.is_empty() || !domain_ok {
        return invalid();
    }
    Ok(())
}

pub fn password(value: &str) -> Result<(), String> {
    let len = value.chars().count();
    if len < PASSWORD_MIN {
        return Err(format!("must be at least {PASSWORD_MIN} characters"));
    }
    if len > PASSWORD_MAX {
        return Err(format!("must be at most {PASSWORD_MAX} characters"));
    }
    Ok(())
}

pub fn display_name(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("must not be blank".into());
    }
    max_chars(value, DISPLAY_NAME_MAX)
}

/// Text no longer than `max` characters and free of control characters other than
/// line breaks and tabs.
pub fn max_chars(value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("must not contain control characters".into());
    }
    Ok(())
}

pub fn profile_image(value: &str) -> Result<(), String> {
    max_chars(value, PROFILE_IMAGE_MAX)?;
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !value.chars().any(char::is_whitespace) => Ok(()),
        _ => Err("must be an http(s) URL".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(username("ab").is_err());
        assert!(username("abc").is_ok());
        assert!(username(&"a".repeat(30)).is_ok());
        assert!(username(&"a".repeat(31)).is_err());
        assert!(username("has space").is_err());
        assert!(username("émile").is_err());
        assert!(username("under_score_9").is_ok());
    }

    #[test]
    fn emails() {
        assert!(email("a@b.co").is_ok());
        assert!(email(" a@b.co\n").is_ok(), "whitespace around is ignored");
        // The limit counts characters as sent, as a schema's maxLength does.
        let longest = format!("{}@b.co", "é".repeat(EMAIL_MAX - 5));
        assert!(email(&longest).is_ok());
        assert!(email(&format!("é{longest}")).is_err());
        assert!(email(&format!(" {longest}")).is_err());
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a@.b", "a@b.", "a b@c.de", "a@b@c.de", "a@b..c",
        ] {
            assert!(email(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn passwords() {
        assert!(password("1234567").is_err());
        assert!(password("12345678").is_ok());
        assert!(password(&"x".repeat(PASSWORD_MAX + 1)).is_err());
    }

    #[test]
    fn profile_texts() {
        assert!(display_name("  ").is_err());
        assert!(max_chars("line\nbreak", 20).is_ok());
        assert!(max_chars("bell\u{7}", 20).is_err());
        assert!(profile_image("https://img.example/a.png").is_ok());
        assert!(profile_image("javascript:alert(1)").is_err());
    }

    #[test]
    fn first_error_per_field_wins_and_sorted() {
        let mut e = FieldErrors::default();
        e.add("b", "one");
        e.add("a", "two");
        e.add("b", "three");
        let collected: Vec<_> = e.fields().collect();
        assert_eq!(collected, vec![("a", "two"), ("b", "one")]);
    }
}
