//! Files the documentation and the example configurations name exist: every
//! `config/<file>` in the README, `docs/`, `config/` and the Dockerfile (the image holds
//! `config/` as `/app/config/`), and every relative link of the README and `docs/`.

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The README, every file of `docs/` and `config/`, and the Dockerfile, with their text.
fn documents() -> Vec<(PathBuf, String)> {
    let mut paths = vec![root().join("README.md"), root().join("Dockerfile")];
    for dir in ["docs", "config"] {
        let entries = std::fs::read_dir(root().join(dir)).expect("read the folder");
        paths.extend(entries.map(|e| e.expect("a folder entry").path()));
    }
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            Some((path, text))
        })
        .collect()
}

/// `config/<name>` where `<name>` is a file name with an extension.
fn config_names(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("config/") {
        let after = &rest[at + "config/".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .collect();
        let name = name.trim_end_matches('.').to_owned();
        if name.contains('.') {
            found.push(name);
        }
        rest = after;
    }
    found
}

#[test]
fn named_configuration_files_exist() {
    let mut checked = 0;
    for (path, text) in documents() {
        for name in config_names(&text) {
            assert!(
                root().join("config").join(&name).is_file(),
                "{} names config/{name}, which does not exist",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 5, "only {checked} names found");
}

#[test]
fn relative_links_of_the_docs_lead_to_files() {
    let mut checked = 0;
    for (path, text) in documents() {
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let base = path.parent().expect("a folder");
        for link in text.split("](").skip(1) {
            let target = link.split(')').next().unwrap_or_default();
            let target = target.split('#').next().unwrap_or_default();
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            assert!(
                base.join(target).exists(),
                "{} links {target}, which does not exist",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 3, "only {checked} links found");
}

#[test]
fn names_are_found_in_text() {
    assert_eq!(
        config_names("see config/default.toml. Or /app/config/cluster.example.toml, config/"),
        ["default.toml", "cluster.example.toml"]
    );
}
