//! What a process tells Prometheus: HTTP requests by route and status, queue attempts
//! and their outcomes, queue backlogs, destination health, streaming connections, the
//! database pools and the process's memory. Served in the OpenMetrics text format on
//! its own listener (`ROOST_METRICS_BIND`, see [`server`]), never on the public one.
//!
//! Two kinds of figures live here. Counters and histograms are this process's own and
//! move as it works ([`Metrics::request`], [`Metrics::job`]). Gauges are read when
//! Prometheus scrapes ([`scrape`]): the queues' backlogs and the destinations' health
//! come from the database, so every process of an instance reports the same figures
//! for them (take `max`, not `sum`, across processes).
//!
//! Each [`crate::state::AppState`] has its own registry (no global recorder), so the
//! several instances a test runs in one process never mix their figures.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use axum::http::Method;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

use crate::queue::Attempted;

pub mod http;
mod process;
pub mod scrape;
pub mod server;

/// Upper bounds (seconds) of the request latency buckets: from a cached page (a few
/// milliseconds) to the slowest uploads and searches worth telling apart (10 s).
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// A request's method, route (the matched path pattern, never the raw path, so the
/// label stays bounded) and status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: &'static str,
    pub route: Arc<str>,
    pub status: u16,
}

/// A request's method and route, the labels of the latency histogram.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: &'static str,
    pub route: Arc<str>,
}

/// One durable queue, named by its NOTIFY channel.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueueLabels {
    pub queue: &'static str,
}

/// Where a token check found its answer: `kept` (this process's cache) or `database`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AnswerLabels {
    pub answer: &'static str,
}

/// A destination health class (see [`scrape`]).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HealthLabels {
    pub health: &'static str,
}

/// Who holds a streaming connection: an account or an anonymous address.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HolderLabels {
    pub holder: &'static str,
}

/// One of the process's database pools, and whether a connection is in use or idle.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    pub pool: &'static str,
    pub state: &'static str,
}

/// One of the process's database pools.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolNameLabels {
    pub pool: &'static str,
}

type FloatGauge = Gauge<f64, AtomicU64>;
type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// Every metric of one process, registered once; cheap to clone (handles inside).
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    attempts: Family<QueueLabels, Counter>,
    failures: Family<QueueLabels, Counter>,
    dead_letters: Family<QueueLabels, Counter>,
    token_checks: Family<AnswerLabels, Counter>,
    displayed_accounts: Family<AnswerLabels, Counter>,
    pub(crate) gauges: Gauges,
}

/// The figures [`scrape`] reads fresh each time.
#[derive(Clone, Default)]
pub(crate) struct Gauges {
    pub queue_depth: Family<QueueLabels, Gauge>,
    pub queue_oldest_age: Family<QueueLabels, FloatGauge>,
    pub queue_dead_rows: Family<QueueLabels, Gauge>,
    pub destinations: Family<HealthLabels, Gauge>,
    pub pending_deliveries: Family<HealthLabels, Gauge>,
    pub database_up: Gauge,
    pub streaming: Family<HolderLabels, Gauge>,
    pub pool_connections: Family<PoolLabels, Gauge>,
    pub pool_max: Family<PoolNameLabels, Gauge>,
    pub resident_memory: Gauge,
    pub virtual_memory: Gauge,
    pub open_fds: Gauge,
    pub cpu_seconds: FloatGauge,
    pub start_time: FloatGauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A registry with every metric described, all at zero.
    pub fn new() -> Metrics {
        process::note_start();
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: LatencyFamily =
            Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        let attempts = Family::<QueueLabels, Counter>::default();
        let failures = Family::<QueueLabels, Counter>::default();
        let dead_letters = Family::<QueueLabels, Counter>::default();
        let token_checks = Family::<AnswerLabels, Counter>::default();
        let displayed_accounts = Family::<AnswerLabels, Counter>::default();
        let gauges = Gauges::default();
        let roost = registry.sub_registry_with_prefix("roost");
        roost.register(
            "http_requests",
            "HTTP requests answered, by method, matched route and status",
            requests.clone(),
        );
        roost.register_with_unit(
            "http_request_duration",
            "Time to the response's head, by method and matched route",
            Unit::Seconds,
            latency.clone(),
        );
        roost.register(
            "queue_attempts",
            "Attempts at a queued job by this process",
            attempts.clone(),
        );
        roost.register(
            "queue_failures",
            "Attempts that failed (retried later or given up)",
            failures.clone(),
        );
        roost.register(
            "queue_dead_letters",
            "Jobs given up after their last failed attempt",
            dead_letters.clone(),
        );
        roost.register(
            "token_checks",
            "Access-token checks, by where the answer came from (kept: this process's cache)",
            token_checks.clone(),
        );
        roost.register(
            "displayed_accounts",
            "Accounts shown with pages of statuses, by where they came from \
             (kept: this process's cache, still current)",
            displayed_accounts.clone(),
        );
        gauges.register(roost);
        roost.register(
            "build",
            "The running version",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        gauges.register_process(&mut registry);
        Metrics {
            registry: Arc::new(registry),
            requests,
            latency,
            attempts,
            failures,
            dead_letters,
            token_checks,
            displayed_accounts,
            gauges,
        }
    }

    /// Counts one answered request and how long its head took.
    pub fn request(&self, method: &Method, route: Arc<str>, status: u16, seconds: f64) {
        let method = method_label(method);
        self.latency
            .get_or_create(&RouteLabels {
                method,
                route: route.clone(),
            })
            .observe(seconds);
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
    }

    /// Shows `queue`'s counters at zero before its first job, so dashboards and alerts
    /// see every queue a process works on from its start.
    pub fn queue_started(&self, queue: &'static str) {
        let labels = QueueLabels { queue };
        for family in [&self.attempts, &self.failures, &self.dead_letters] {
            drop(family.get_or_create(&labels));
        }
    }

    /// Counts one attempt at a job of `queue` and what it came to.
    pub fn job(&self, queue: &'static str, attempted: Attempted) {
        self.queue_started(queue);
        let labels = QueueLabels { queue };
        self.attempts.get_or_create(&labels).inc();
        match attempted {
            Attempted::Done => {}
            Attempted::Retry => {
                self.failures.get_or_create(&labels).inc();
            }
            Attempted::GivenUp => {
                self.failures.get_or_create(&labels).inc();
                self.dead_letters.get_or_create(&labels).inc();
            }
        }
    }

    /// Counts one token check: answered from this process's cache (`kept`) or not.
    pub fn token_check(&self, kept: bool) {
        let answer = if kept { "kept" } else { "database" };
        self.token_checks
            .get_or_create(&AnswerLabels { answer })
            .inc();
    }

    /// Counts the accounts a page of statuses showed: `kept` from this process's
    /// cache, `read` from the database.
    pub fn displayed_accounts(&self, kept: usize, read: usize) {
        for (answer, count) in [("kept", kept), ("database", read)] {
            if count > 0 {
                (self.displayed_accounts)
                    .get_or_create(&AnswerLabels { answer })
                    .inc_by(count as u64);
            }
        }
    }

    /// The registry, for encoding.
    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }
}

impl Gauges {
    fn register(&self, roost: &mut Registry) {
        roost.register(
            "queue_depth",
            "Jobs waiting in a queue (due now or later), from the database",
            self.queue_depth.clone(),
        );
        roost.register_with_unit(
            "queue_oldest_age",
            "Age of the oldest waiting job of a queue (0 when empty), from the database",
            Unit::Seconds,
            self.queue_oldest_age.clone(),
        );
        roost.register(
            "queue_dead_rows",
            "Jobs kept in the database after their last failed attempt",
            self.queue_dead_rows.clone(),
        );
        roost.register(
            "delivery_destinations",
            "Known peer domains by delivery health (healthy, failing, unavailable)",
            self.destinations.clone(),
        );
        roost.register(
            "delivery_pending",
            "Deliveries waiting, by the health of their destination",
            self.pending_deliveries.clone(),
        );
        roost.register(
            "database_up",
            "1 when the last scrape could read the database, else 0",
            self.database_up.clone(),
        );
        roost.register(
            "streaming_connections",
            "Open streaming connections of this process (WebSocket, SSE, GraphQL)",
            self.streaming.clone(),
        );
        roost.register(
            "db_pool_connections",
            "Connections of this process's database pools, in use or idle",
            self.pool_connections.clone(),
        );
        roost.register(
            "db_pool_max_connections",
            "The size limit of each database pool",
            self.pool_max.clone(),
        );
    }

    /// The usual `process_*` names, which dashboards expect unprefixed.
    fn register_process(&self, registry: &mut Registry) {
        let process = registry.sub_registry_with_prefix("process");
        process.register_with_unit(
            "resident_memory",
            "Resident set size",
            Unit::Bytes,
            self.resident_memory.clone(),
        );
        process.register_with_unit(
            "virtual_memory",
            "Virtual memory size",
            Unit::Bytes,
            self.virtual_memory.clone(),
        );
        process.register("open_fds", "Open file descriptors", self.open_fds.clone());
        process.register_with_unit(
            "cpu",
            "User and system CPU time spent",
            Unit::Seconds,
            self.cpu_seconds.clone(),
        );
        process.register_with_unit(
            "start_time",
            "Start time of the process since the Unix epoch",
            Unit::Seconds,
            self.start_time.clone(),
        );
    }
}

/// The method as a label: the standard ones by name, anything else as `other`, so a
/// client inventing methods cannot grow the label set.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(metrics: &Metrics) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, metrics.registry()).expect("encode");
        text
    }

    #[test]
    fn a_request_counts_under_its_route_and_an_invented_method_as_other() {
        let metrics = Metrics::new();
        let route: Arc<str> = Arc::from("/api/v1/statuses/{id}");
        metrics.request(&Method::GET, route.clone(), 200, 0.003);
        let invented = Method::from_bytes(b"BREW").expect("method");
        metrics.request(&invented, route, 404, 0.02);
        let text = encoded(&metrics);
        assert!(text.contains(
            r#"roost_http_requests_total{method="GET",route="/api/v1/statuses/{id}",status="200"} 1"#
        ));
        assert!(text.contains(r#"method="other""#), "{text}");
        assert!(text.contains(
            r#"roost_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/statuses/{id}"} 1"#
        ), "{text}");
    }

    #[test]
    fn a_given_up_job_is_a_failure_and_a_dead_letter() {
        let metrics = Metrics::new();
        metrics.job("deliveries", Attempted::Done);
        metrics.job("deliveries", Attempted::Retry);
        metrics.job("deliveries", Attempted::GivenUp);
        let text = encoded(&metrics);
        assert!(text.contains(r#"roost_queue_attempts_total{queue="deliveries"} 3"#));
        assert!(text.contains(r#"roost_queue_failures_total{queue="deliveries"} 2"#));
        assert!(text.contains(r#"roost_queue_dead_letters_total{queue="deliveries"} 1"#));
    }
}
