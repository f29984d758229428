//! `docs/api.md` agrees with the hub: its routes are exactly the operations of the
//! OpenAPI document the hub serves (plus the few routes outside it), each with the
//! answers that document gives it, every error code
//! it lists is one the code answers and every code the code answers is listed, and it
//! names every event type, hug type and mood.

mod common;

use common::TestHub;
use hugmood_actors::domain::event::EventKind;
use hugmood_actors::domain::hug::HugType;
use hugmood_actors::domain::mood::Mood;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const REFERENCE: &str = include_str!("../docs/api.md");

/// Routes the hub serves that the OpenAPI document leaves out on purpose.
const OUTSIDE_OPENAPI: [&str; 6] = [
    "GET /api/v1/openapi.json",
    "GET /metrics",
    "POST /graphql",
    "GET /graphql",
    "POST /graphql/stream",
    "GET /",
];

/// Every table row that starts with `METHOD /path` (its query string dropped), with
/// the statuses its last cell, the answers, names: the first word of each part between
/// `;` and `,` when it is a status.
fn documented_routes() -> BTreeMap<String, BTreeSet<String>> {
    let mut routes = BTreeMap::new();
    for line in REFERENCE.lines() {
        let Some(route) = line
            .strip_prefix("| `")
            .and_then(|cell| cell.split('`').next())
        else {
            continue;
        };
        let is_route = route.split_once(' ').is_some_and(|(method, path)| {
            method.chars().all(|c| c.is_ascii_uppercase()) && path.starts_with('/')
        });
        if !is_route {
            continue;
        }
        let answers = line
            .trim_end_matches('|')
            .rsplit('|')
            .next()
            .unwrap_or_default();
        let statuses = answers
            .split([';', ','])
            .filter_map(|part| part.split_whitespace().next())
            .filter(|word| word.len() == 3 && word.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_owned)
            .collect();
        let path = route.split('?').next().unwrap_or(route).to_owned();
        routes.insert(path, statuses);
    }
    routes
}

/// The codes in the first column of the error table: `| 409 | `a`, `b` | … |`.
fn documented_codes() -> BTreeSet<String> {
    REFERENCE
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let status = cells.get(1)?;
            (status.len() == 3 && status.chars().all(|c| c.is_ascii_digit()))
                .then(|| cells.get(2).copied())
                .flatten()
        })
        .flat_map(|codes| {
            codes
                .split(',')
                .map(|c| c.trim().trim_matches('`').to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The text of every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(&path).expect("read a source file"));
        }
    }
}

fn engine_and_api_sources() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["actors/src", "api/src"] {
        sources(&root.join(dir), &mut out);
    }
    out
}

/// Codes the code gives errors: the first string literal of each error constructor's
/// call, when it is a snake_case word.
fn codes_in(source: &str) -> Vec<String> {
    const MAKERS: [&str; 8] = [
        "EngineError::forbidden(",
        "EngineError::conflict(",
        "EngineError::unauthorized(",
        "Self::conflict(",
        "ApiError::unauthorized(",
        "ApiError::new(",
        "Self::new(StatusCode::",
        "coded(",
    ];
    let mut found = Vec::new();
    for maker in MAKERS {
        for (at, _) in source.match_indices(maker) {
            let after = &source[at + maker.len()..];
            // The code is the first argument that is a literal, before the call closes.
            let call = &after[..after.find(')').unwrap_or(after.len())];
            let Some(open) = call.find('"') else {
                continue;
            };
            let literal: String = call[open + 1..].chars().take_while(|c| *c != '"').collect();
            if !literal.is_empty() && literal.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                found.push(literal);
            }
        }
    }
    found
}

/// The answers any operation of a shape has (bad input, a token, a JSON body, an
/// outage); the reference says them once for all, not on each route.
const SHAPE_ANSWERS: [&str; 5] = ["400", "401", "413", "415", "503"];

#[tokio::test]
async fn the_reference_lists_exactly_the_served_operations_and_their_answers() {
    let hub = TestHub::start().await;
    let doc = hub.openapi_document().await;
    hub.stop().await;
    let documented = documented_routes();
    let mut served = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch"] {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let route = format!("{} {path}", method.to_uppercase());
            let answers: BTreeSet<String> = operation["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .cloned()
                .collect();
            if let Some(listed) = documented.get(&route) {
                let unknown: Vec<_> = listed.difference(&answers).collect();
                assert!(
                    unknown.is_empty(),
                    "{route}: docs/api.md lists {unknown:?}, the OpenAPI document {answers:?}"
                );
                let missing: Vec<_> = answers
                    .iter()
                    .filter(|s| !SHAPE_ANSWERS.contains(&s.as_str()) && !listed.contains(*s))
                    .collect();
                assert!(
                    missing.is_empty(),
                    "{route}: docs/api.md leaves out {missing:?}"
                );
            }
            served.insert(route);
        }
    }
    served.extend(OUTSIDE_OPENAPI.map(str::to_owned));
    let documented: BTreeSet<String> = documented.into_keys().collect();
    let missing: Vec<_> = served.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "served but not in docs/api.md: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "in docs/api.md but not served: {unknown:?}"
    );
    assert!(documented.len() > 45, "{} routes", documented.len());
}

#[test]
fn the_reference_lists_exactly_the_error_codes() {
    let documented = documented_codes();
    assert!(documented.len() > 30, "{documented:?}");
    let sources = engine_and_api_sources();
    for code in &documented {
        let literal = format!("\"{code}\"");
        let in_json = format!("\\\"code\\\":\\\"{code}\\\"");
        assert!(
            sources
                .iter()
                .any(|s| s.contains(&literal) || s.contains(&in_json)),
            "docs/api.md lists {code}, which the code never answers"
        );
    }
    let used: BTreeSet<String> = sources.iter().flat_map(|s| codes_in(s)).collect();
    assert!(used.len() > 20, "{used:?}");
    let undocumented: Vec<_> = used.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "answered but not in docs/api.md's error table: {undocumented:?}"
    );
}

#[test]
fn the_reference_names_every_event_type_hug_type_and_mood() {
    for kind in EventKind::ALL {
        let row = format!("| `{}` |", kind.as_str());
        assert!(REFERENCE.contains(&row), "event type {kind} has no row");
    }
    for hug_type in HugType::ALL {
        let name = format!("`{}`", hug_type.as_str());
        assert!(REFERENCE.contains(&name), "hug type {name}");
    }
    for mood in Mood::ALL {
        let name = format!("`{}`", mood.as_str());
        assert!(REFERENCE.contains(&name), "mood {name}");
    }
}
