//! The schema as SDL, and the check that `api/schema.graphql` matches the code.

/// The SDL of the schema, as kept in `api/schema.graphql`.
pub fn sdl() -> String {
    super::schema().sdl()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Fails when `api/schema.graphql` differs from the schema in code. Run with
    /// `UPDATE_SCHEMA=1` to rewrite the file.
    #[test]
    fn schema_file_matches_the_code() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
        let current = super::sdl();
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &current).expect("write api/schema.graphql");
            return;
        }
        let stored = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            stored == current,
            "api/schema.graphql is out of date with the GraphQL schema in code; regenerate it with\n\n    \
             UPDATE_SCHEMA=1 cargo test -p hugmood-api graphql::sdl\n"
        );
    }
}
