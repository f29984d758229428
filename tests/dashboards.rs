//! The SRE's side of the hub, checked against a running hub: every metric of the
//! contract (and the ones the dashboard adds) is on `/metrics` from start-up; the
//! Grafana dashboard (`dashboards/hugmood.json`) and the alert rules
//! (`dashboards/alerts.yml`) name no metric the hub does not export; the dashboard
//! covers every concern through its `datasource` variable; and the rules pass
//! `promtool check rules` and their unit tests (`dashboards/alerts.test.yml`, whose
//! expected annotations get each alert's runbook here, so it is written once).

mod common;

use common::{in_ci, TestHub};
use serde_json::Value as Json;
use serde_yaml_ng::Value as Yaml;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The metrics of the contract, each exported from start-up.
const CONTRACT: [&str; 15] = [
    "hugmood_sse_connections",
    "hugmood_longpoll_waiting",
    "hugmood_user_actors",
    "hugmood_events_published_total",
    "hugmood_events_delivered_total",
    "hugmood_event_delivery_seconds",
    "hugmood_http_requests_total",
    "hugmood_http_request_duration_seconds",
    "hugmood_actor_restarts_total",
    "hugmood_bus_messages_total",
    "hugmood_bus_connected",
    "hugmood_db_pool_connections",
    "hugmood_rate_limited_total",
    "hugmood_connections",
    "hugmood_presence_online",
];

/// What an SRE asks next, exported from start-up as well.
const OPERATIONS: [&str; 8] = [
    "hugmood_ready",
    "hugmood_bus_connections_lost_total",
    "hugmood_hug_batch_size",
    "hugmood_hug_writer_queue",
    "hugmood_events_pruned_total",
    "hugmood_prune_duration_seconds",
    "hugmood_sqlite_wal_bytes",
    "hugmood_sqlite_wal_restart_pause_seconds",
];

fn dashboards_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("dashboards")
}

fn read(name: &str) -> String {
    let path = dashboards_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn dashboard() -> Json {
    serde_json::from_str(&read("hugmood.json")).expect("hugmood.json is JSON")
}

fn yaml(name: &str) -> Yaml {
    serde_yaml_ng::from_str(&read(name)).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"))
}

/// The metric families a fresh hub exports, by name, with their type.
async fn exported() -> BTreeMap<String, String> {
    let hub = TestHub::start().await;
    let text = hub.metrics().await;
    hub.stop().await;
    text.lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| {
            let mut words = rest.split_whitespace();
            Some((words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .collect()
}

/// Every `hugmood_…` name in `text`.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("hugmood_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(tail.len());
        names.insert(tail[..end].to_owned());
        rest = &tail[end..];
    }
    names
}

/// The family a series name belongs to: a histogram's `_bucket`, `_sum` and `_count`
/// series are its own family's.
fn family<'a>(name: &'a str, exported: &BTreeMap<String, String>) -> &'a str {
    for suffix in ["_bucket", "_sum", "_count"] {
        if let Some(base) = name.strip_suffix(suffix) {
            if exported.get(base).is_some_and(|kind| kind == "histogram") {
                return base;
            }
        }
    }
    name
}

#[tokio::test]
async fn every_metric_is_exported_from_start_up() {
    let exported = exported().await;
    for name in CONTRACT.iter().chain(&OPERATIONS) {
        assert!(
            exported.contains_key(*name),
            "{name} is not on /metrics of a fresh hub; exported: {:?}",
            exported.keys()
        );
    }
    for histogram in [
        "hugmood_event_delivery_seconds",
        "hugmood_http_request_duration_seconds",
        "hugmood_hug_batch_size",
        "hugmood_prune_duration_seconds",
        "hugmood_sqlite_wal_restart_pause_seconds",
    ] {
        assert_eq!(exported[histogram], "histogram", "{histogram}");
    }
}

#[tokio::test]
async fn delivery_buckets_run_from_half_a_millisecond_to_ten_seconds() {
    let hub = TestHub::start().await;
    let text = hub.metrics().await;
    hub.stop().await;
    let bounds: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("hugmood_event_delivery_seconds_bucket"))
        .filter_map(|l| l.split("le=\"").nth(1)?.split('"').next())
        .collect();
    assert_eq!(bounds.first(), Some(&"0.0005"), "{bounds:?}");
    assert_eq!(bounds.iter().rev().nth(1), Some(&"10"), "{bounds:?}");
    assert!(
        bounds.contains(&"0.005") && bounds.contains(&"0.05"),
        "{bounds:?}"
    );
}

#[tokio::test]
async fn the_dashboard_and_the_alert_rules_name_only_exported_metrics() {
    let exported = exported().await;
    for file in ["hugmood.json", "alerts.yml", "alerts.test.yml"] {
        let unknown: Vec<String> = metric_names(&read(file))
            .iter()
            .filter(|name| !exported.contains_key(family(name, &exported)))
            .cloned()
            .collect();
        assert!(
            unknown.is_empty(),
            "{file} names metrics the hub does not export: {unknown:?}"
        );
    }
    // And the dashboard shows every metric of the contract and of operations.
    let shown: BTreeSet<String> = metric_names(&read("hugmood.json"))
        .iter()
        .map(|name| family(name, &exported).to_owned())
        .collect();
    for name in CONTRACT.iter().chain(&OPERATIONS) {
        assert!(shown.contains(*name), "the dashboard shows no {name}");
    }
}

/// Every panel of the dashboard, rows included.
fn panels(dashboard: &Json) -> Vec<&Json> {
    dashboard["panels"]
        .as_array()
        .expect("the dashboard has panels")
        .iter()
        .collect()
}

#[test]
fn the_dashboard_has_a_fixed_uid_a_datasource_variable_and_a_row_per_concern() {
    let dashboard = dashboard();
    assert_eq!(dashboard["uid"], "hugmood-hub", "a fixed uid, for links");
    let variables = dashboard["templating"]["list"]
        .as_array()
        .expect("template variables");
    assert!(
        variables.iter().any(|v| v["name"] == "datasource"
            && v["type"] == "datasource"
            && v["query"] == "prometheus"),
        "a `datasource` variable of type datasource: {variables:?}"
    );
    let rows: Vec<&str> = panels(&dashboard)
        .iter()
        .filter(|p| p["type"] == "row")
        .filter_map(|p| p["title"].as_str())
        .collect();
    for concern in [
        "Streams and connections",
        "Events",
        "Delivery latency",
        "HTTP",
        "Actors and bus",
        "Database and hug writer",
    ] {
        assert!(rows.contains(&concern), "no row {concern:?}: {rows:?}");
    }
    let mut ids = BTreeSet::new();
    for panel in panels(&dashboard).iter().filter(|p| p["type"] != "row") {
        let title = panel["title"].as_str().unwrap_or("?");
        assert!(ids.insert(panel["id"].as_u64()), "{title}: duplicate id");
        assert_eq!(panel["datasource"]["uid"], "${datasource}", "{title}");
        let targets = panel["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{title}: no query");
        for target in targets {
            assert_eq!(target["datasource"]["uid"], "${datasource}", "{title}");
            let expr = target["expr"].as_str().expect("an expression");
            assert!(expr.contains("hugmood_"), "{title}: {expr}");
        }
        let grid = &panel["gridPos"];
        let right = grid["x"].as_u64().unwrap_or(99) + grid["w"].as_u64().unwrap_or(99);
        assert!(right <= 24, "{title} is wider than the dashboard");
    }
}

/// alerts.yml's rules by alert name.
fn rules() -> BTreeMap<String, Yaml> {
    let doc = yaml("alerts.yml");
    doc["groups"]
        .as_sequence()
        .expect("rule groups")
        .iter()
        .flat_map(|group| group["rules"].as_sequence().expect("rules").iter())
        .map(|rule| {
            let name = rule["alert"].as_str().expect("alerting rules only");
            (name.to_owned(), rule.clone())
        })
        .collect()
}

#[test]
fn every_alert_has_a_severity_a_summary_and_a_runbook() {
    for (name, rule) in rules() {
        let severity = rule["labels"]["severity"].as_str();
        assert!(
            matches!(severity, Some("page" | "ticket")),
            "{name}: severity {severity:?}"
        );
        let summary = rule["annotations"]["summary"].as_str().unwrap_or_default();
        assert!(!summary.is_empty(), "{name}: no summary");
        let runbook = rule["annotations"]["runbook"].as_str().unwrap_or_default();
        for part in ["Means:", "Check:", "Do:"] {
            assert!(runbook.contains(part), "{name}: the runbook lacks {part:?}");
        }
        // Static, so the unit tests below can expect it as written.
        assert!(!runbook.contains("{{"), "{name}: the runbook is a template");
    }
}

/// alerts.test.yml with every expected alert's runbook added from alerts.yml.
fn unit_tests_with_runbooks() -> (Yaml, BTreeSet<String>, BTreeSet<String>) {
    let rules = rules();
    let mut doc = yaml("alerts.test.yml");
    let (mut firing, mut quiet) = (BTreeSet::new(), BTreeSet::new());
    for test in doc["tests"].as_sequence_mut().expect("tests") {
        for case in test["alert_rule_test"]
            .as_sequence_mut()
            .expect("alert_rule_test")
        {
            let name = case["alertname"].as_str().expect("alertname").to_owned();
            let rule = rules
                .get(&name)
                .unwrap_or_else(|| panic!("a test of {name}, which alerts.yml lacks"));
            let expected = case["exp_alerts"].as_sequence_mut().expect("exp_alerts");
            if expected.is_empty() {
                quiet.insert(name.clone());
            } else {
                firing.insert(name.clone());
            }
            for alert in expected {
                let annotations = alert["exp_annotations"]
                    .as_mapping_mut()
                    .unwrap_or_else(|| panic!("{name}: exp_annotations with its summary"));
                annotations.insert("runbook".into(), rule["annotations"]["runbook"].clone());
            }
        }
    }
    (doc, firing, quiet)
}

/// `promtool`, or why the test cannot run (a failure in CI).
fn promtool() -> Option<()> {
    let found = Command::new("promtool").arg("--version").output().is_ok();
    if !found {
        assert!(
            !in_ci(),
            "CI: promtool is not installed (Debian package `prometheus`; scripts/test.sh installs it)"
        );
        eprintln!("skipped: promtool is not installed (Debian package `prometheus`)");
    }
    found.then_some(())
}

fn run(command: &mut Command) {
    let output = command.output().expect("run promtool");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_alert_rules_pass_promtool_and_their_unit_tests() {
    let (tests, firing, quiet) = unit_tests_with_runbooks();
    for name in rules().keys() {
        assert!(firing.contains(name), "no unit test where {name} fires");
    }
    for name in [
        "HugmoodDeliveryLatencyHigh",
        "HugmoodHighErrorRatio",
        "HugmoodRateLimitingSurge",
    ] {
        assert!(
            quiet.contains(name),
            "no unit test where {name} stays quiet"
        );
    }
    if promtool().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        dashboards_dir().join("alerts.yml"),
        dir.path().join("alerts.yml"),
    )
    .expect("copy alerts.yml");
    let text = serde_yaml_ng::to_string(&tests).expect("the unit tests as YAML");
    std::fs::write(dir.path().join("alerts.test.yml"), text).expect("write the unit tests");
    run(Command::new("promtool")
        .args(["check", "rules", "alerts.yml"])
        .current_dir(dir.path()));
    run(Command::new("promtool")
        .args(["test", "rules", "alerts.test.yml"])
        .current_dir(dir.path()));
}
