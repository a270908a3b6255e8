//! The scale tests (issue 21 item 6): what happens at sizes the B benchmarks do not
//! reach, each bounded in count and time, on loopback only.
//!
//! - **S1**: one post from an account with many remote followers (100,000 on 5,000
//!   farm instances; 10,000 on 500 with `--quick`), each instance listing its shared
//!   inbox. Measured: the time until every instance had the `Create` (exactly once),
//!   the server's peak RSS during the fan-out next to its RSS before, and the
//!   home-timeline latency of a stream of reads during the fan-out next to the same
//!   stream before it (other work not starved).
//! - **S2**: 10,000 signed Likes and Announces (half each) of one local post from
//!   5,000 distinct remote actors, POSTed 64 at a time. Measured: the time until all
//!   are processed; the post's counters through the API must equal what was sent.
//! - **S3**: two `roost serve` with `ROOST_WORKERS=false` and two `roost worker` on
//!   one database of their own; 200 posts through both HTTP processes to remote
//!   followers on the farm. Every delivery must arrive exactly once; each worker's
//!   share comes from its own `/metrics` (`roost_queue_attempts_total{queue="delivery"}`).
//!
//! Every farm instance listens on its own 127.0.0.1 port, because Roost keys instances
//! (delivery rows, health, signature schemes) by the inbox's authority
//! (`127.0.0.1:PORT`): one port per instance is what "5,000 instances" means to it.
//! 5,000 listeners plus as many accepted connections fit the 20,000 descriptors of the
//! project machine; the suite checks the limit first and scales S1 down if not.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use roost::federation::signatures::SigningKey;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::dataset;
use crate::farm::{self, Behaviour, Farm, Presigned, Received};
use crate::load::{MakeRequest, Measured};
use crate::process::{self, Server};

mod s1;
mod s2;
mod s3;

pub use s1::s1;
pub use s2::s2;
pub use s3::{s3, Setup};

/// Remote followers per farm instance in S1 (each instance lists its shared inbox).
const S1_FOLLOWERS_PER_INSTANCE: usize = 20;
/// Connections of the home-timeline stream S1 runs before and during the fan-out.
const S1_TIMELINE_CONNECTIONS: usize = 4;
/// Most home-timeline requests of one S1 stream (a bound besides its time).
const S1_TIMELINE_MAX_REQUESTS: u64 = 200_000;
/// Longest S1 waits for the fan-out to complete.
const S1_LIMIT: Duration = Duration::from_secs(300);
/// Farm instances hosting S2's actors.
const S2_INSTANCES: usize = 50;
/// Concurrent inbox POSTs of S2.
const S2_CONCURRENCY: usize = 64;
/// Refused S2 POSTs kept for the report (the count is `accepted`'s complement).
const MAX_REFUSALS_KEPT: usize = 10;
/// Longest S2 waits for the inbox to process the burst.
const S2_LIMIT: Duration = Duration::from_secs(300);
/// Local users posting in S3; each has the same remote followers.
const S3_AUTHORS: i64 = 20;
/// Remote followers per farm instance in S3.
const S3_FOLLOWERS_PER_INSTANCE: usize = 2;
/// Concurrent post requests of S3 (spread over both HTTP processes).
const S3_CONCURRENCY: usize = 8;
/// Longest S3 waits for all its deliveries.
const S3_LIMIT: Duration = Duration::from_secs(300);
/// Longest S1 waits, after the fan-out, for the server to close the connections it
/// kept to the instances, to see whether the memory they held is given back. The
/// outbound client keeps idle connections 10 s (`state::outbound_client`), and the
/// pool looks for expired ones as often, so they close 10 to 20 s after last use
/// (with reqwest's defaults, 90 to 180 s).
const S1_RELEASE_LIMIT: Duration = Duration::from_secs(60);
/// After the last expected arrival, how long the farm keeps listening for duplicates.
const SETTLE: Duration = Duration::from_secs(1);
/// File descriptors the suite needs besides the farm's (clients, database, stdio).
const SPARE_FDS: u64 = 2_000;

/// How big the scale tests are: issue 21's figures, or with `--quick` smaller ones
/// that keep the quick suite short (S1 on a tenth of the instances, S2 with 4,000
/// interactions, S3 on 20 instances).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Scale {
    pub s1_instances: usize,
    pub s1_followers_per_instance: usize,
    /// Likes plus Announces (half each), from half as many actors.
    pub s2_interactions: usize,
    pub s3_posts: usize,
    pub s3_instances: usize,
    /// Seconds of the home-timeline stream before S1's post.
    pub s1_timeline_before_secs: u64,
    /// How long S1 waits for the server to close its connections to the instances.
    pub s1_release_wait: Duration,
}

impl Scale {
    pub fn new(quick: bool) -> Scale {
        Scale {
            s1_instances: if quick { 500 } else { 5_000 },
            s1_followers_per_instance: S1_FOLLOWERS_PER_INSTANCE,
            s2_interactions: if quick { 4_000 } else { 10_000 },
            s3_posts: 200,
            s3_instances: if quick { 20 } else { 100 },
            s1_timeline_before_secs: if quick { 3 } else { 5 },
            s1_release_wait: S1_RELEASE_LIMIT,
        }
    }
}

/// What S1 measured.
#[derive(Clone, Debug, Serialize)]
pub struct FanOutAtScale {
    pub instances: usize,
    pub followers: usize,
    /// The instance count was lowered to fit the descriptor limit.
    pub scaled_down_for_fd_limit: bool,
    /// Time to answer the post (it queues one delivery per instance in its transaction).
    pub post_ms: f64,
    /// From sending the post to the last instance's arrival.
    pub all_delivered_ms: f64,
    pub instances_reached: usize,
    /// Verified POSTs of the post's activity (all instances together).
    pub deliveries: usize,
    pub duplicates: usize,
    pub missing: usize,
    /// The author's POSTs whose signature did not verify (a refused knock counts).
    pub rejected: u64,
    /// Deliveries of the author still pending in the database at the end.
    pub pending_after: i64,
    pub rss_before_mb: f64,
    pub peak_rss_mb: f64,
    /// The server's open file descriptors before the post and right after the last
    /// arrival: sockets it keeps to the instances (its HTTP client's idle pool) show
    /// here, and each costs memory.
    pub open_fds_before: usize,
    pub open_fds_after: usize,
    /// The server's RSS one second after the last arrival.
    pub rss_after_mb: f64,
    /// Seconds after the last arrival until the server's open descriptors were back
    /// to within 50 of `open_fds_before` (`None`: not within [`S1_RELEASE_LIMIT`]),
    /// and its RSS then; `connections_waited_s` is how long S1 was willing to wait
    /// (0 with `--quick`).
    pub connections_waited_s: u64,
    pub connections_closed_after_s: Option<f64>,
    pub rss_released_mb: f64,
    /// The server's CPU time from the post until the last arrival (the timeline
    /// stream's requests included), in ms.
    pub server_cpu_ms: f64,
    pub timeline_before: Measured,
    pub timeline_during: Measured,
}

/// What S2 measured.
#[derive(Clone, Debug, Serialize)]
pub struct InteractionBurst {
    pub likes: usize,
    pub announces: usize,
    pub actors: usize,
    /// POSTs answered 2xx.
    pub accepted: usize,
    /// From the first POST to the last answer.
    pub sent_ms: f64,
    /// From the first POST until no received activity was left unprocessed.
    pub processed_ms: f64,
    /// Received activities of the burst still unprocessed at the end, and kept with
    /// an error.
    pub unprocessed: i64,
    pub with_error: i64,
    pub favourites_count: i64,
    pub reblogs_count: i64,
    /// The server's RSS before the burst (what S1 left included) and its peak during.
    pub rss_before_mb: f64,
    pub peak_rss_mb: f64,
    /// The first POSTs not answered 2xx: which, and the answer or the error.
    pub refusals: Vec<String>,
}

/// What S3 measured.
#[derive(Clone, Debug, Serialize)]
pub struct SharedLoad {
    pub posts: usize,
    pub posts_accepted: usize,
    pub instances: usize,
    pub expected_deliveries: usize,
    /// Distinct (activity, instance) pairs that arrived, and arrivals beyond one each.
    pub delivered: usize,
    pub duplicates: usize,
    pub missing: usize,
    pub rejected: u64,
    pub pending_after: i64,
    /// From the first post to the last expected arrival.
    pub all_delivered_ms: f64,
    /// `roost_queue_attempts_total{queue="delivery"}` of each worker during the run.
    pub worker_attempts: Vec<u64>,
    /// The same counter of each HTTP-only process (0 expected).
    pub serve_attempts: Vec<u64>,
}

/// The scale tests' figures in the report.
#[derive(Debug, Default, Serialize)]
pub struct ScaleFigures {
    pub s1: Option<FanOutAtScale>,
    pub s2: Option<InteractionBurst>,
    pub s3: Option<SharedLoad>,
}

impl ScaleFigures {
    /// Lines of the suite's report.
    pub fn print(&self) {
        if let Some(s1) = &self.s1 {
            let (b, d) = (&s1.timeline_before, &s1.timeline_during);
            println!(
                "S1: one post to {} remote followers on {} instances{}: answered in {:.0} ms; every instance had it {:.0} ms after it was sent; {} of {} instances reached, {} deliveries, {} duplicates, {} missing, {} rejected, {} still pending; server RSS {:.1} MB before, peak {:.1} MB during, {:.1} MB 1 s after; server open fds {} before, {} after; server CPU {:.0} ms",
                s1.followers,
                s1.instances,
                if s1.scaled_down_for_fd_limit { " (scaled down to the fd limit)" } else { "" },
                s1.post_ms,
                s1.all_delivered_ms,
                s1.instances_reached,
                s1.instances,
                s1.deliveries,
                s1.duplicates,
                s1.missing,
                s1.rejected,
                s1.pending_after,
                s1.rss_before_mb,
                s1.peak_rss_mb,
                s1.rss_after_mb,
                s1.open_fds_before,
                s1.open_fds_after,
                s1.server_cpu_ms,
            );
            match s1.connections_closed_after_s {
                Some(seconds) => println!(
                    "S1: the server closed its connections to the instances {seconds:.0} s after the last arrival; RSS then {:.1} MB",
                    s1.rss_released_mb
                ),
                None => println!(
                    "S1: the server still held its connections to the instances {} s after the last arrival; RSS then {:.1} MB",
                    s1.connections_waited_s,
                    s1.rss_released_mb
                ),
            }
            println!(
                "S1: home timeline ({S1_TIMELINE_CONNECTIONS} conns) before: {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors; during the fan-out: {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
                b.requests, b.throughput, b.p50_ms, b.p99_ms, b.errors,
                d.requests, d.throughput, d.p50_ms, d.p99_ms, d.errors,
            );
        }
        if let Some(s2) = &self.s2 {
            println!(
                "S2: {} Likes and {} Announces from {} actors, {S2_CONCURRENCY} at a time: {} accepted, sent in {:.0} ms, all processed {:.0} ms after the first ({} unprocessed, {} with an error); favourites_count {} (sent {}), reblogs_count {} (sent {}): {}; server RSS {:.1} MB before, peak {:.1} MB",
                s2.likes,
                s2.announces,
                s2.actors,
                s2.accepted,
                s2.sent_ms,
                s2.processed_ms,
                s2.unprocessed,
                s2.with_error,
                s2.favourites_count,
                s2.likes,
                s2.reblogs_count,
                s2.announces,
                if s2.favourites_count == s2.likes as i64 && s2.reblogs_count == s2.announces as i64 {
                    "exact"
                } else {
                    "MISMATCH"
                },
                s2.rss_before_mb,
                s2.peak_rss_mb,
            );
            for refusal in &s2.refusals {
                println!("S2: refused: {refusal}");
            }
        }
        if let Some(s3) = &self.s3 {
            println!(
                "S3: {} posts ({} accepted) through 2 HTTP-only processes, 2 workers, {} instances: {} of {} deliveries arrived, {} duplicates, {} missing, {} rejected, {} still pending, all {:.0} ms after the first post; delivery attempts per worker {:?}, per HTTP process {:?}",
                s3.posts,
                s3.posts_accepted,
                s3.instances,
                s3.delivered,
                s3.expected_deliveries,
                s3.duplicates,
                s3.missing,
                s3.rejected,
                s3.pending_after,
                s3.all_delivered_ms,
                s3.worker_attempts,
                s3.serve_attempts,
            );
        }
    }
}

/// The soft limit of open files of this process (the farm's listeners count against
/// it; the server under test is a child with the same limit).
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// The `127.0.0.1:PORT` authority of each farm instance: its domain to Roost.
fn domains(farm: &Farm) -> Vec<String> {
    farm.origins
        .iter()
        .map(|origin| origin.trim_start_matches("http://").to_owned())
        .collect()
}

/// Makes the farm's domains look like peers Roost has delivered to before: healthy
/// (a port an earlier benchmark's dead instance had must not inherit its failures)
/// and known to accept draft-cavage signatures, which is what the farm verifies. A
/// first contact would knock with RFC 9421 twice before (two refused POSTs per
/// instance), which is B3's business, not the scale tests'.
async fn prepare_domains(pool: &PgPool, domains: &[String]) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM instances WHERE domain = ANY($1)")
        .bind(domains)
        .execute(pool)
        .await?;
    sqlx::query(
        "INSERT INTO domain_signature_schemes (domain, scheme) \
         SELECT d, 'cavage' FROM unnest($1::text[]) d \
         ON CONFLICT (domain) DO UPDATE SET scheme = 'cavage', updated_at = now()",
    )
    .bind(domains)
    .execute(pool)
    .await?;
    Ok(())
}

/// Inserts `per_instance` remote accounts named `prefix0…` on every farm instance
/// (their shared inbox the instance's `/inbox`), known and fresh so that Roost fetches
/// nothing, each following every account of `targets`. One statement.
async fn add_followers(
    pool: &PgPool,
    farm: &Farm,
    prefix: &str,
    per_instance: usize,
    targets: &[i64],
) -> anyhow::Result<u64> {
    let done = sqlx::query(
        "WITH new AS ( \
           INSERT INTO accounts (username, domain, ap_id, inbox_url, shared_inbox_url, key_id, \
                                 public_key_pem, last_fetched_at) \
           SELECT $3 || n, substr(o, 8), o || '/users/' || $3 || n, \
                  o || '/users/' || $3 || n || '/inbox', o || '/inbox', \
                  o || '/users/' || $3 || n || '#main-key', $2, now() \
           FROM unnest($1::text[]) o CROSS JOIN generate_series(0, $4 - 1) n \
           RETURNING id, ap_id) \
         INSERT INTO follows (account_id, target_account_id, accepted, ap_id) \
         SELECT new.id, t, true, new.ap_id || '/follows/' || t \
         FROM new CROSS JOIN unnest($5::bigint[]) t",
    )
    .bind(&farm.origins)
    .bind(&farm.actor_keys.public_pem)
    .bind(prefix)
    .bind(i32::try_from(per_instance)?)
    .bind(targets)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Verified deliveries per (activity, instance), and refused POSTs, among the farm's
/// arrivals from actors whose id starts with the test's prefix (a farm port may have
/// served an earlier benchmark's farm, whose deliveries are retried to it).
struct Tally {
    pairs: HashMap<(String, usize), usize>,
    instances: HashSet<usize>,
    rejected: u64,
    last_nanos: u64,
    seen: usize,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            pairs: HashMap::new(),
            instances: HashSet::new(),
            rejected: 0,
            last_nanos: 0,
            seen: 0,
        }
    }

    /// Takes in the arrivals not counted yet.
    fn update(&mut self, farm: &Farm, actor_prefix: &str) {
        let Ok(received) = farm.tally.received.lock() else {
            return;
        };
        for arrival in received.iter().skip(self.seen) {
            self.count(arrival, actor_prefix);
        }
        self.seen = received.len();
    }

    fn count(&mut self, arrival: &Received, actor_prefix: &str) {
        if !arrival.actor.starts_with(actor_prefix) {
            return;
        }
        if !arrival.verified {
            self.rejected += 1;
            return;
        }
        *self
            .pairs
            .entry((arrival.activity.clone(), arrival.instance))
            .or_default() += 1;
        self.instances.insert(arrival.instance);
        self.last_nanos = self.last_nanos.max(arrival.at_nanos);
    }

    fn deliveries(&self) -> usize {
        self.pairs.values().sum()
    }

    fn duplicates(&self) -> usize {
        self.pairs.values().map(|n| n - 1).sum()
    }
}

/// Home-timeline requests on `connections` connections until `stop` turns true or
/// `limit` passed (and at most [`S1_TIMELINE_MAX_REQUESTS`]), with their latencies.
async fn timeline_stream(
    make: MakeRequest,
    connections: usize,
    stop: Arc<AtomicBool>,
    limit: Duration,
) -> Measured {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let started = Instant::now();
    let deadline = started + limit;
    let issued = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (client, make, issued, errors, stop) = (
            client.clone(),
            make.clone(),
            issued.clone(),
            errors.clone(),
            stop.clone(),
        );
        workers.spawn(async move {
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if n >= S1_TIMELINE_MAX_REQUESTS {
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
    let mut latencies = Vec::new();
    while let Some(done) = workers.join_next().await {
        latencies.extend(done.unwrap_or_default());
    }
    crate::load::summarize(latencies, errors.load(Ordering::Relaxed), started.elapsed())
}

/// Resets the process's peak RSS (VmHWM) to its current RSS, so that the peak read
/// afterwards belongs to what follows; when not allowed, the peak since start stays.
fn reset_peak(pid: u32) {
    if let Err(error) = std::fs::write(format!("/proc/{pid}/clear_refs"), "5") {
        eprintln!("roost-bench: could not reset the server's peak RSS ({error})");
    }
}

/// Open file descriptors of process `pid` (0 when /proc cannot tell).
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |dir| dir.count())
}

/// The local account `id`'s ActivityPub id as the server at `base` names it.
async fn actor_url(pool: &PgPool, base: &str, id: i64) -> anyhow::Result<String> {
    let username: String = sqlx::query_scalar("SELECT username FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await?;
    Ok(format!("{base}/users/{username}"))
}

/// Deliveries of `actor` not yet delivered nor given up.
async fn pending_deliveries(pool: &PgPool, actor: Option<i64>) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE state = 'pending' \
         AND ($1::bigint IS NULL OR actor_account_id = $1)",
    )
    .bind(actor)
    .fetch_one(pool)
    .await?)
}

/// Posts `text` as the holder of `token` on `base`; returns the status JSON.
async fn post(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    text: &str,
) -> anyhow::Result<Value> {
    let response = client
        .post(format!("{base}/api/v1/statuses"))
        .bearer_auth(token)
        .json(&json!({"status": text, "visibility": "public"}))
        .send()
        .await?;
    anyhow::ensure!(
        response.status().is_success(),
        "posting failed: {}",
        response.status()
    );
    Ok(response.json().await?)
}
