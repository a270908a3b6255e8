//! A closed-loop HTTP load generator on loopback: `connections` workers each send the
//! next request as soon as the previous answer arrived, for at most `duration` and at
//! most `max_requests` in all. Latencies are kept (bounded by `max_requests`) to give
//! exact percentiles.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

/// How to build the i-th request.
pub type MakeRequest = Arc<dyn Fn(&reqwest::Client, u64) -> reqwest::RequestBuilder + Send + Sync>;

/// Limits of one run.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub connections: usize,
    pub duration: Duration,
    pub max_requests: u64,
}

/// What a run measured.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Measured {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub throughput: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Runs the load and returns its figures. A request counts as an error unless 2xx.
pub async fn run(run: Run, make: MakeRequest) -> Measured {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(run.connections)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let issued = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + run.duration;
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..run.connections {
        let (client, make, issued, errors) =
            (client.clone(), make.clone(), issued.clone(), errors.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if n >= run.max_requests {
                    break;
                }
                let sent = Instant::now();
                let ok = match make(&client, n).send().await {
                    Ok(response) => {
                        let ok = response.status().is_success();
                        let _ = response.bytes().await;
                        ok
                    }
                    Err(_) => false,
                };
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                latencies.push(sent.elapsed());
            }
            latencies
        });
    }
    let mut latencies: Vec<Duration> = Vec::new();
    while let Some(done) = workers.join_next().await {
        latencies.extend(done.unwrap_or_default());
    }
    summarize(latencies, errors.load(Ordering::Relaxed), started.elapsed())
}

/// Figures of a set of request latencies observed over `elapsed`.
pub fn summarize(mut latencies: Vec<Duration>, errors: u64, elapsed: Duration) -> Measured {
    let seconds = elapsed.as_secs_f64();
    latencies.sort_unstable();
    let percentile = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let index = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[index].as_secs_f64() * 1000.0
    };
    Measured {
        requests: latencies.len() as u64,
        errors,
        seconds,
        throughput: latencies.len() as f64 / seconds.max(f64::MIN_POSITIVE),
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
    }
}

/// One load run with the server's cost.
#[derive(Clone, Debug, Serialize)]
pub struct Load {
    #[serde(flatten)]
    pub measured: Measured,
    /// Server CPU time (user + system) per request, in microseconds.
    pub cpu_us_per_op: f64,
    /// The server's peak resident memory so far, in MB.
    pub peak_rss_mb: f64,
}

impl Load {
    pub fn new(measured: Measured, cpu_micros: u64, peak_rss_mb: f64) -> Load {
        let cpu_us_per_op = cpu_micros as f64 / measured.requests.max(1) as f64;
        Load {
            measured,
            cpu_us_per_op,
            peak_rss_mb,
        }
    }
}
