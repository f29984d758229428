//! `config/compose.yml`, the two-node cluster, checked without Docker: the file parses,
//! its references hold (dependencies, mounted files, the nginx and Prometheus configs
//! point at both hubs, Prometheus loads the alert rules, Grafana the dashboard), and each hub's `HUGMOOD_*` environment loads through the hub's
//! own `Config::from_layers` as a cluster node with no unknown keys.

use hugmood::Config;
use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Stands in for every `${...}` of the compose file (compose fills them from the shell).
const TEST_SECRET: &str = "0123456789abcdef0123456789abcdef01234567";

/// The folder of the compose file; compose resolves relative paths from here.
fn config_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config")
}

fn read(name: &str) -> String {
    read_path(&config_dir().join(name))
}

fn read_path(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The compose file with its `<<: *anchor` merges applied, as compose applies them.
fn compose() -> Value {
    let mut doc: Value =
        serde_yaml_ng::from_str(&read("compose.yml")).expect("compose.yml is YAML");
    doc.apply_merge().expect("compose.yml merges apply");
    doc
}

fn services(doc: &Value) -> &Mapping {
    doc["services"]
        .as_mapping()
        .expect("compose.yml has a services mapping")
}

fn name(key: &Value) -> &str {
    key.as_str().expect("service names are strings")
}

/// The hub nodes: the services built from the repository's Dockerfile.
fn hubs(doc: &Value) -> Vec<(&str, &Value)> {
    services(doc)
        .iter()
        .filter(|(_, service)| !service["build"].is_null())
        .map(|(key, service)| (name(key), service))
        .collect()
}

/// A service's `depends_on`, in either form: a list of names or a mapping of conditions.
fn depends_on(service: &Value) -> Vec<(String, Option<String>)> {
    match &service["depends_on"] {
        Value::Null => Vec::new(),
        Value::Sequence(names) => names
            .iter()
            .map(|n| (n.as_str().expect("dependency name").to_owned(), None))
            .collect(),
        Value::Mapping(map) => map
            .iter()
            .map(|(n, spec)| {
                let condition = spec["condition"].as_str().map(str::to_owned);
                (name(n).to_owned(), condition)
            })
            .collect(),
        other => panic!("depends_on is neither a list nor a mapping: {other:?}"),
    }
}

/// A service's `environment`, in either form (`KEY: value` or `- KEY=value`), raw.
fn environment(service: &Value) -> Vec<(String, String)> {
    fn scalar(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => String::new(),
            other => panic!("environment value is not a scalar: {other:?}"),
        }
    }
    match &service["environment"] {
        Value::Null => Vec::new(),
        Value::Mapping(map) => map
            .iter()
            .map(|(k, v)| (name(k).to_owned(), scalar(v)))
            .collect(),
        Value::Sequence(items) => items
            .iter()
            .map(|item| {
                let item = item.as_str().expect("environment entries are strings");
                let (k, v) = item.split_once('=').unwrap_or((item, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        other => panic!("environment is neither a mapping nor a list: {other:?}"),
    }
}

/// `raw` with every `${...}` replaced by the test secret; any other `$` form is refused
/// here so that the test cannot pass on a value it did not understand.
fn substitute(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("$$") {
            out.push('$');
            rest = after;
        } else if tail.starts_with("${") {
            let end = tail
                .find('}')
                .unwrap_or_else(|| panic!("unclosed ${{ in {raw:?}"));
            out.push_str(TEST_SECRET);
            rest = &tail[end + 1..];
        } else {
            panic!("unsupported substitution in {raw:?}: use ${{NAME...}}");
        }
    }
    out.push_str(rest);
    out
}

/// Mounted paths of a service that come from the repository (relative sources).
fn bind_sources(service: &Value) -> Vec<String> {
    let Some(volumes) = service["volumes"].as_sequence() else {
        return Vec::new();
    };
    volumes
        .iter()
        .filter_map(|v| match v {
            Value::String(short) => short.split(':').next().map(str::to_owned),
            Value::Mapping(_) => v["source"].as_str().map(str::to_owned),
            _ => None,
        })
        .filter(|source| source.starts_with("./") || source.starts_with("../"))
        .collect()
}

/// The repository file a service mounts at `target` inside its container.
fn mounted_at(service: &Value, target: &str) -> PathBuf {
    let volumes = service["volumes"].as_sequence().into_iter().flatten();
    let source = volumes
        .filter_map(Value::as_str)
        .find_map(|short| {
            let mut parts = short.split(':');
            let source = parts.next()?;
            (parts.next() == Some(target)).then_some(source)
        })
        .unwrap_or_else(|| panic!("nothing is mounted at {target}"));
    config_dir().join(source)
}

/// The port a hub listens on, from its `HUGMOOD_BIND`.
fn hub_port(hub: &Value) -> String {
    let env = environment(hub);
    let bind = env
        .iter()
        .find(|(k, _)| k == "HUGMOOD_BIND")
        .map(|(_, v)| v.clone())
        .expect("a hub sets HUGMOOD_BIND");
    bind.rsplit_once(':')
        .map(|(_, port)| port.to_owned())
        .expect("HUGMOOD_BIND is address:port")
}

/// nginx.conf without its comments, so a commented-out directive does not count.
fn nginx_directives() -> String {
    read("nginx.conf")
        .lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// nginx time values: `300`, `300s`, `5m`, `1h` (seconds).
fn nginx_seconds(value: &str) -> u64 {
    let value = value.trim().trim_end_matches(';');
    let (digits, unit) = value.split_at(
        value
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(value.len()),
    );
    let n: u64 = digits
        .parse()
        .unwrap_or_else(|_| panic!("not an nginx time: {value:?}"));
    match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        other => panic!("unexpected nginx time unit {other:?} in {value:?}"),
    }
}

#[test]
fn the_cluster_has_two_hubs_and_its_services() {
    let doc = compose();
    let hub_names: Vec<&str> = hubs(&doc).iter().map(|(n, _)| *n).collect();
    assert_eq!(
        hub_names,
        ["hub1", "hub2"],
        "the services built from the Dockerfile"
    );
    for needed in ["postgres", "redis", "nginx", "prometheus", "grafana"] {
        assert!(
            services(&doc).contains_key(needed),
            "compose.yml has no {needed} service"
        );
    }
    for (hub, service) in hubs(&doc) {
        let context = service["build"]["context"]
            .as_str()
            .unwrap_or_else(|| panic!("{hub}: build.context"));
        let dockerfile = service["build"]["dockerfile"]
            .as_str()
            .unwrap_or("Dockerfile");
        let path = config_dir().join(context).join(dockerfile);
        assert!(path.is_file(), "{hub}: no Dockerfile at {}", path.display());
    }
}

#[test]
fn every_dependency_exists_and_health_conditions_have_a_health_check() {
    let doc = compose();
    let all = services(&doc);
    for (key, service) in all {
        let service_name = name(key);
        for (dependency, condition) in depends_on(service) {
            let Some(target) = all.get(dependency.as_str()) else {
                panic!("{service_name} depends on {dependency}, which is not a service");
            };
            if condition.as_deref() == Some("service_healthy") {
                // Hubs get theirs from the Dockerfile's HEALTHCHECK.
                let has_check = !target["healthcheck"].is_null() || !target["build"].is_null();
                assert!(
                    has_check,
                    "{service_name} waits for {dependency} to be healthy, but it has no healthcheck"
                );
            }
        }
    }
    for hub in ["hub1", "hub2"] {
        let deps = depends_on(&all[hub]);
        for needed in ["postgres", "redis"] {
            assert!(
                deps.iter()
                    .any(|(d, c)| d == needed && c.as_deref() == Some("service_healthy")),
                "{hub} must wait for {needed} to be healthy: {deps:?}"
            );
        }
    }
    let nginx_deps: BTreeSet<String> = depends_on(&all["nginx"])
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    assert!(
        nginx_deps.contains("hub1") && nginx_deps.contains("hub2"),
        "nginx depends on both hubs: {nginx_deps:?}"
    );
}

#[test]
fn hub_environment_is_real_config_keys_in_cluster_mode() {
    let doc = compose();
    for (hub, service) in hubs(&doc) {
        let env: Vec<(String, String)> = environment(service)
            .into_iter()
            .map(|(k, v)| (k, substitute(&v)))
            .collect();
        assert!(
            env.iter()
                .any(|(k, _)| k.starts_with(hugmood::config::ENV_PREFIX)),
            "{hub} sets no HUGMOOD_* variable"
        );
        let loaded = Config::from_layers(None, env)
            .unwrap_or_else(|e| panic!("{hub}: the environment does not load: {e:#}"));
        assert!(loaded.warnings.is_empty(), "{hub}: {:?}", loaded.warnings);
        assert!(loaded.config.is_cluster(), "{hub} is not in cluster mode");
    }
}

#[test]
fn both_hubs_share_keys_and_the_required_jwt_secret() {
    let doc = compose();
    let hubs = hubs(&doc);
    let keys = |service: &Value| -> BTreeSet<String> {
        environment(service).into_iter().map(|(k, _)| k).collect()
    };
    let secret = |service: &Value| -> Option<String> {
        environment(service)
            .into_iter()
            .find(|(k, _)| k == "HUGMOOD_JWT_SECRET")
            .map(|(_, v)| v)
    };
    let (first, first_service) = hubs[0];
    let first_secret =
        secret(first_service).unwrap_or_else(|| panic!("{first}: no HUGMOOD_JWT_SECRET"));
    // Required from the shell (`:?`), never a default written into the file.
    assert!(
        first_secret.starts_with("${HUGMOOD_JWT_SECRET:?"),
        "{first}: HUGMOOD_JWT_SECRET must be ${{HUGMOOD_JWT_SECRET:?...}}, is {first_secret:?}"
    );
    for (hub, service) in &hubs[1..] {
        assert_eq!(
            keys(service),
            keys(first_service),
            "{hub} and {first} env keys"
        );
        assert_eq!(
            secret(service).as_ref(),
            Some(&first_secret),
            "{hub} and {first} must sign tokens with the same secret"
        );
    }
}

#[test]
fn mounted_files_exist() {
    let doc = compose();
    let mut mounted = 0;
    for (key, service) in services(&doc) {
        for source in bind_sources(service) {
            let path = config_dir().join(&source);
            assert!(path.exists(), "{}: {source} does not exist", name(key));
            mounted += 1;
        }
    }
    assert!(mounted >= 2, "nginx.conf and prometheus.yml are mounted");
}

#[test]
fn nginx_streams_sse_unbuffered_to_both_hubs() {
    let doc = compose();
    let conf = nginx_directives();
    let has = |directive: &str| {
        conf.lines().any(|l| {
            l.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .starts_with(directive)
        })
    };
    assert!(
        has("proxy_buffering off;"),
        "nginx.conf: proxy_buffering off"
    );
    assert!(has("proxy_cache off;"), "nginx.conf: proxy_cache off");
    assert!(
        has("proxy_http_version 1.1;"),
        "nginx.conf: proxy_http_version 1.1"
    );
    assert!(
        has("proxy_set_header Connection \"\";"),
        "nginx.conf: an empty Connection header upstream"
    );
    let timeouts: Vec<u64> = conf
        .lines()
        .filter_map(|l| l.trim().strip_prefix("proxy_read_timeout"))
        .map(nginx_seconds)
        .collect();
    assert!(!timeouts.is_empty(), "nginx.conf sets proxy_read_timeout");
    assert!(
        timeouts.iter().all(|&t| t >= 300),
        "proxy_read_timeout must be at least 300 s for streams: {timeouts:?}"
    );
    for (hub, service) in hubs(&doc) {
        let upstream = format!("server {hub}:{};", hub_port(service));
        assert!(has(&upstream), "nginx.conf upstream lacks `{upstream}`");
    }
}

#[test]
fn prometheus_scrapes_both_hubs_and_loads_the_alert_rules() {
    let doc = compose();
    let service = &services(&doc)["prometheus"];
    let config = mounted_at(service, "/etc/prometheus/prometheus.yml");
    let prometheus: Value =
        serde_yaml_ng::from_str(&read_path(&config)).expect("prometheus.yml is YAML");
    // Rule files are named relative to prometheus.yml, in the container as here.
    for rules in prometheus["rule_files"]
        .as_sequence()
        .expect("prometheus.yml names its rule files")
    {
        let name = rules.as_str().expect("rule files are paths");
        let inside = format!("/etc/prometheus/{name}");
        let beside = config.parent().expect("a folder").join(name);
        assert!(beside.is_file(), "{name} is not beside prometheus.yml");
        assert_eq!(
            mounted_at(service, &inside).canonicalize().ok(),
            beside.canonicalize().ok(),
            "{name} is not mounted at {inside}"
        );
    }
    let mut targets = BTreeSet::new();
    for job in prometheus["scrape_configs"]
        .as_sequence()
        .expect("prometheus.yml has scrape_configs")
    {
        let path = job["metrics_path"].as_str().unwrap_or("/metrics");
        assert_eq!(path, "/metrics", "the hub serves metrics on /metrics");
        for static_config in job["static_configs"].as_sequence().into_iter().flatten() {
            for target in static_config["targets"].as_sequence().into_iter().flatten() {
                targets.insert(target.as_str().expect("targets are strings").to_owned());
            }
        }
    }
    for (hub, service) in hubs(&doc) {
        let target = format!("{hub}:{}", hub_port(service));
        assert!(
            targets.contains(&target),
            "prometheus.yml does not scrape {target}: {targets:?}"
        );
    }
}

#[test]
fn grafana_is_provisioned_with_the_dashboard() {
    let doc = compose();
    let grafana = &services(&doc)["grafana"];
    let provisioning = mounted_at(grafana, "/etc/grafana/provisioning");
    for file in ["datasources/prometheus.yml", "dashboards/hugmood.yml"] {
        assert!(
            provisioning.join(file).is_file(),
            "no {file} in the provisioning folder"
        );
    }
    let provider: Value =
        serde_yaml_ng::from_str(&read_path(&provisioning.join("dashboards/hugmood.yml")))
            .expect("the dashboard provider is YAML");
    let folder = provider["providers"][0]["options"]["path"]
        .as_str()
        .expect("the provider names its folder");
    let dashboard = mounted_at(grafana, &format!("{folder}/hugmood.json"));
    assert!(
        dashboard.ends_with("dashboards/hugmood.json"),
        "{dashboard:?}"
    );
    let datasource: Value =
        serde_yaml_ng::from_str(&read_path(&provisioning.join("datasources/prometheus.yml")))
            .expect("the data source is YAML");
    assert_eq!(
        datasource["datasources"][0]["url"].as_str(),
        Some("http://prometheus:9090"),
        "Grafana reads the compose file's Prometheus"
    );
}
