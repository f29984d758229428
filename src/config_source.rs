//! Where each setting's value came from — a config file or a `HUGMOOD_*` variable —
//! so that an error about a value names the place to fix it, not only the key.

use std::collections::BTreeMap;

/// The source of every setting that is not a built-in default.
#[derive(Debug, Default)]
pub struct Sources {
    by_key: BTreeMap<String, String>,
}

impl Sources {
    /// `key` was set by `source` (`HUGMOOD_BIND`, `config file f.toml`); a later
    /// layer replaces an earlier one.
    pub fn set(&mut self, key: &str, source: &str) {
        self.by_key.insert(key.to_owned(), source.to_owned());
    }

    /// `err`, preceded by the source of each setting it names: `check HUGMOOD_BIND
    /// (bind): bind "x" is not IP:port …`. Unchanged when it names none that was set.
    pub fn explain(&self, err: anyhow::Error) -> anyhow::Error {
        let text = format!("{err:#}");
        let named: Vec<String> = self
            .by_key
            .iter()
            .filter(|(key, _)| mentions(&text, key))
            .map(|(key, source)| format!("{source} ({key})"))
            .collect();
        if named.is_empty() {
            err
        } else {
            err.context(format!("check {}", named.join(", ")))
        }
    }
}

/// Whether `text` has `key` as a whole word (not inside `max_connections_x`).
fn mentions(text: &str, key: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(key).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + key.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_names_the_sources_of_the_keys_it_mentions() {
        let mut sources = Sources::default();
        sources.set("bind", "config file a.toml");
        sources.set("bind", "HUGMOOD_BIND");
        sources.set("max_connections", "HUGMOOD_MAX_CONNECTIONS");
        let err = sources.explain(anyhow::anyhow!("bind \"x\" is not IP:port"));
        assert_eq!(
            format!("{err:#}"),
            "check HUGMOOD_BIND (bind): bind \"x\" is not IP:port"
        );
        let err = sources.explain(anyhow::anyhow!("db_max_connections must be greater than 0"));
        assert_eq!(
            format!("{err:#}"),
            "db_max_connections must be greater than 0"
        );
    }
}
