//! Prometheus metrics of the HTTP layer: the recorder (installed once per process), the
//! request counter and latency histogram labelled by route template, and `GET /metrics`.

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hugmood_actors::observe;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

use crate::state::AppState;

pub const HTTP_REQUESTS: &str = "hugmood_http_requests_total";
pub const HTTP_DURATION: &str = "hugmood_http_request_duration_seconds";
pub const RATE_LIMITED: &str = "hugmood_rate_limited_total";

/// Buckets (seconds) for event delivery and the engine's other durations: half a
/// millisecond to 10 s, fine where delivery lives (a few ms).
const SECONDS_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Buckets (seconds) for request latency: the same, plus a waiting long-poll's 30 s
/// and beyond.
const HTTP_BUCKETS: [f64; 16] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    60.0,
];

/// Routes that answer 429, whose counter exists from start-up.
const RATE_LIMITED_ROUTES: [&str; 11] = [
    "/api/v1/auth/login",
    "/api/v1/auth/refresh",
    "/api/v1/auth/register",
    "/api/v1/auth/anonymous",
    "/api/v1/moods",
    "/api/v1/friends/requests",
    "/api/v1/hugs",
    "/api/v1/hugs/{id}/reciprocate",
    "/api/v1/sse/stream",
    "/api/v1/events",
    GRAPHQL_ROUTE,
];

/// The route GraphQL's rate-limited fields are counted under (the request itself
/// answers 200, with the error on the field).
pub const GRAPHQL_ROUTE: &str = "/graphql";

/// Counts a field refused by a rate limit inside a GraphQL request.
pub fn count_graphql_rate_limited() {
    metrics::counter!(RATE_LIMITED, "route" => GRAPHQL_ROUTE).increment(1);
}

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder (once; later calls reuse it) and registers every
/// metric of the spec at zero.
pub fn install() -> PrometheusHandle {
    let handle = HANDLE
        .get_or_init(|| {
            let buckets = [
                (HTTP_DURATION, &HTTP_BUCKETS[..]),
                (observe::HUG_BATCH_SIZE, &observe::HUG_BATCH_BUCKETS[..]),
            ]
            .into_iter()
            .chain(observe::SECONDS_HISTOGRAMS.map(|name| (name, &SECONDS_BUCKETS[..])));
            let mut builder = PrometheusBuilder::new();
            for (name, list) in buckets {
                builder = builder
                    .set_buckets_for_metric(Matcher::Full(name.into()), list)
                    .expect("bucket lists are not empty");
            }
            builder
                .install_recorder()
                .expect("no other metrics recorder is installed")
        })
        .clone();
    register();
    handle
}

fn register() {
    observe::register();
    metrics::describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests by method, route template and status"
    );
    metrics::describe_histogram!(
        HTTP_DURATION,
        "HTTP request latency by method and route template"
    );
    metrics::describe_counter!(RATE_LIMITED, "Requests refused with 429, by route template");
    metrics::counter!(HTTP_REQUESTS, "method" => "GET", "route" => "/healthz", "status" => "200")
        .absolute(0);
    let _ = metrics::histogram!(HTTP_DURATION, "method" => "GET", "route" => "/healthz");
    for route in RATE_LIMITED_ROUTES {
        metrics::counter!(RATE_LIMITED, "route" => route).absolute(0);
    }
}

/// Counts and times every request by its route template (never the raw path).
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status();
    metrics::counter!(HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => status.as_u16().to_string())
        .increment(1);
    metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    if status.as_u16() == 429 {
        metrics::counter!(RATE_LIMITED, "route" => route).increment(1);
    }
    response
}

/// The `method` label: a standard method's name, else `other`, so invented methods
/// (`curl -X FOO1`) cannot create new series.
fn method_label(method: &Method) -> &'static str {
    static STANDARD: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    STANDARD
        .iter()
        .find(|standard| *standard == method)
        .map_or("other", Method::as_str)
}

/// `GET /metrics`: the Prometheus text format.
pub async fn render(State(state): State<AppState>) -> Response {
    for (label, count) in state.store.pool_connections() {
        metrics::gauge!(observe::DB_POOL_CONNECTIONS, "state" => label).set(f64::from(count));
    }
    metrics::gauge!(observe::BUS_CONNECTED).set(if state.realtime.bus_connected() {
        1.0
    } else {
        0.0
    });
    // Readiness as of this scrape (bounded like `/readyz`, which sets it too).
    let _ = crate::health::check_ready(&state).await;
    let text = HANDLE
        .get()
        .map(PrometheusHandle::render)
        .unwrap_or_default();
    let mut response = Body::from(text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        let invented = Method::from_bytes(b"FOO1").expect("a token");
        assert_eq!(method_label(&invented), "other");
    }
}
