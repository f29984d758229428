//! The rules of registration: which fields are required and what each must look like.

use crate::domain::validation::{self, FieldErrors};

/// A registration whose every field has passed the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub username: String,
    pub email: String,
    pub password: String,
    pub display_name: Option<String>,
}

impl Registration {
    /// Checks every field and reports all the bad ones at once.
    pub fn parse(
        username: Option<String>,
        email: Option<String>,
        password: Option<String>,
        display_name: Option<String>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let username = required(&mut errors, "username", username, validation::username);
        let email = required(&mut errors, "email", email, validation::email)
            .trim()
            .to_owned();
        let password = required(&mut errors, "password", password, validation::password);
        if let Some(name) = &display_name {
            errors.check("displayName", validation::display_name(name));
        }
        let display_name = display_name.map(|n| n.trim().to_owned());
        errors.into_result(Self {
            username,
            email,
            password,
            display_name,
        })
    }
}

fn required(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<String>,
    rule: fn(&str) -> Result<(), String>,
) -> String {
    match value {
        None => {
            errors.add(field, "is required");
            String::new()
        }
        Some(v) => {
            errors.check(field, rule(&v));
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_bad_field() {
        let err = Registration::parse(
            Some("x".into()),
            Some("nope".into()),
            None,
            Some(" ".into()),
        )
        .expect_err("invalid");
        let fields: Vec<&str> = err.fields().map(|(f, _)| f).collect();
        assert_eq!(fields, vec!["displayName", "email", "password", "username"]);
    }

    #[test]
    fn accepts_valid_input() {
        let reg = Registration::parse(
            Some("alice_1".into()),
            Some(" a@b.co ".into()),
            Some("password1".into()),
            None,
        )
        .expect("valid");
        assert_eq!(reg.email, "a@b.co");
    }
}
