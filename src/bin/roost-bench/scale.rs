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
/// outbound client has reqwest's defaults: idle connections are kept 90 s, and the
/// pool looks for expired ones every 90 s, so they close 90 to 180 s after last use.
/// Not waited for with `--quick`, which would otherwise take minutes longer.
const S1_RELEASE_LIMIT: Duration = Duration::from_secs(200);
/// After the last expected arrival, how long the farm keeps listening for duplicates.
const SETTLE: Duration = Duration::from_secs(1);
/// File descriptors the suite needs besides the farm's (clients, database, stdio).
const SPARE_FDS: u64 = 2_000;

/// How big the scale tests are: issue 21's figures, or with `--quick` smaller ones
/// that keep the quick suite short (S1 on a tenth of the instances and without the
/// wait for closed connections, S2 with 4,000 interactions, S3 on 20 instances).
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
            s1_release_wait: if quick {
                Duration::ZERO
            } else {
                S1_RELEASE_LIMIT
            },
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
                None if s1.connections_waited_s == 0 => {
                    println!("S1: not waited for the server to close its connections (--quick)")
                }
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

/// S1: one post by `author` to its remote followers on `scale.s1_instances` farm
/// instances, with a home-timeline stream (as other users, `tokens`) before and during.
pub async fn s1(
    server: &Server,
    pool: &PgPool,
    author: (i64, &str),
    tokens: Arc<Vec<String>>,
    signer_public_pem: &str,
    scale: Scale,
) -> anyhow::Result<FanOutAtScale> {
    // Each instance is a listener and, while Roost keeps its connection, one accepted
    // socket: two descriptors per instance in this process.
    let mut instances = scale.s1_instances;
    let limit = open_files_limit().unwrap_or(1_024);
    let fits = (limit.saturating_sub(SPARE_FDS) / 2) as usize;
    let scaled_down = fits < instances;
    if scaled_down {
        eprintln!(
            "roost-bench: S1: {instances} instances do not fit {limit} open files; using {fits}"
        );
        instances = fits.max(1);
    }
    let farm = Farm::start(&vec![Behaviour::Normal; instances], signer_public_pem).await?;
    prepare_domains(pool, &domains(&farm)).await?;
    let added = Instant::now();
    let follows = add_followers(
        pool,
        &farm,
        "s1f",
        scale.s1_followers_per_instance,
        &[author.0],
    )
    .await?;
    eprintln!(
        "roost-bench: S1: {follows} remote followers added in {:.1} s",
        added.elapsed().as_secs_f64()
    );
    sqlx::query("ANALYZE accounts, follows")
        .execute(pool)
        .await?;
    let actor = actor_url(pool, &server.base, author.0).await?;

    let make = crate::home_timeline(&server.base, tokens);
    let before = timeline_stream(
        make.clone(),
        S1_TIMELINE_CONNECTIONS,
        Arc::new(AtomicBool::new(false)),
        Duration::from_secs(scale.s1_timeline_before_secs),
    )
    .await;

    let (rss_before, _) = process::memory_mb(server.pid);
    reset_peak(server.pid);
    let stop = Arc::new(AtomicBool::new(false));
    let during = tokio::spawn(timeline_stream(
        make,
        S1_TIMELINE_CONNECTIONS,
        stop.clone(),
        S1_LIMIT,
    ));
    let since_start = farm.started.elapsed();
    let cpu_before = process::cpu_micros(server.pid);
    let open_fds_before = open_fds(server.pid);
    let sent = Instant::now();
    let posted = post(
        &reqwest::Client::new(),
        &server.base,
        author.1,
        "S1: to all my remote followers",
    )
    .await;
    let post_ms = sent.elapsed().as_secs_f64() * 1000.0;
    let mut tally = Tally::new();
    if posted.is_ok() {
        let deadline = sent + S1_LIMIT;
        while tally.instances.len() < instances && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
            tally.update(&farm, &actor);
        }
    }
    stop.store(true, Ordering::Relaxed);
    let server_cpu_ms = process::cpu_micros(server.pid).saturating_sub(cpu_before) as f64 / 1000.0;
    let open_fds_after = open_fds(server.pid);
    let during = during.await.unwrap_or_default();
    let (_, peak) = process::memory_mb(server.pid);
    posted?;
    tokio::time::sleep(SETTLE).await;
    let (rss_after, _) = process::memory_mb(server.pid);
    let closing = Instant::now();
    let mut connections_closed_after_s = None;
    while closing.elapsed() < scale.s1_release_wait {
        if open_fds(server.pid) <= open_fds_before + 50 {
            connections_closed_after_s = Some((closing.elapsed() + SETTLE).as_secs_f64());
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let (rss_released, _) = process::memory_mb(server.pid);
    tally.update(&farm, &actor);
    let result = FanOutAtScale {
        instances,
        followers: instances * scale.s1_followers_per_instance,
        scaled_down_for_fd_limit: scaled_down,
        post_ms,
        all_delivered_ms: Duration::from_nanos(tally.last_nanos)
            .saturating_sub(since_start)
            .as_secs_f64()
            * 1000.0,
        instances_reached: tally.instances.len(),
        deliveries: tally.deliveries(),
        duplicates: tally.duplicates(),
        missing: instances - tally.instances.len().min(instances),
        rejected: tally.rejected,
        pending_after: pending_deliveries(pool, Some(author.0)).await?,
        rss_before_mb: rss_before,
        peak_rss_mb: peak,
        open_fds_before,
        open_fds_after,
        rss_after_mb: rss_after,
        connections_waited_s: scale.s1_release_wait.as_secs(),
        connections_closed_after_s,
        rss_released_mb: rss_released,
        server_cpu_ms,
        timeline_before: before,
        timeline_during: during,
    };
    farm.stop();
    Ok(result)
}

/// S2's `count` activities ([`interaction`]), signed on every core before the burst so
/// that signing does not compete with the server during it.
async fn presign_interactions(
    farm: &Farm,
    inbox: &url::Url,
    object: &str,
    count: usize,
) -> anyhow::Result<Arc<Vec<Presigned>>> {
    let key = Arc::new(SigningKey::from_pem(&farm.actor_keys.private_pem)?);
    let origins = Arc::new(farm.origins.clone());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..workers {
        let (key, origins, inbox, object) = (
            key.clone(),
            origins.clone(),
            inbox.clone(),
            object.to_owned(),
        );
        tasks.spawn_blocking(move || {
            (worker..count)
                .step_by(workers)
                .map(|n| Ok((n, interaction(&origins, &inbox, &object, n, &key)?)))
                .collect::<anyhow::Result<Vec<_>>>()
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(part) = tasks.join_next().await {
        all.extend(part??);
    }
    // In order, so that Likes and Announces alternate in the burst.
    all.sort_unstable_by_key(|(n, _)| *n);
    Ok(Arc::new(
        all.into_iter().map(|(_, signed)| signed).collect(),
    ))
}

/// The `n`-th activity of S2: actor `n / 2` (on instance `n / 2` mod the farm's size)
/// likes (even `n`) or announces (odd `n`) the post `object`.
fn interaction(
    origins: &[String],
    inbox: &url::Url,
    object: &str,
    n: usize,
    key: &SigningKey,
) -> anyhow::Result<Presigned> {
    let i = n / 2;
    let actor = farm::actor_id(&origins[i % origins.len()], &format!("s2a{i}"));
    let body = if n.is_multiple_of(2) {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{actor}/likes/{n}"),
            "type": "Like",
            "actor": actor,
            "object": object,
        })
    } else {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{actor}/statuses/{n}/activity"),
            "type": "Announce",
            "actor": actor,
            "object": object,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [format!("{actor}/followers")],
            "published": chrono::Utc::now().to_rfc3339(),
        })
    };
    farm::presign(&actor, inbox, body.to_string(), key)
}

/// S2: `scale.s2_interactions` Likes and Announces of a new post of `author` from
/// distinct remote actors (known to the server, as actors that interacted before),
/// [`S2_CONCURRENCY`] POSTs at a time into the shared inbox.
pub async fn s2(
    server: &Server,
    pool: &PgPool,
    author: (i64, &str),
    signer_public_pem: &str,
    scale: Scale,
) -> anyhow::Result<InteractionBurst> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(S2_CONCURRENCY)
        .timeout(Duration::from_secs(30))
        .build()?;
    let status = post(&client, &server.base, author.1, "S2: like and boost this").await?;
    let id = status["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("the new status has no id: {status}"))?
        .to_owned();
    let uri = status["uri"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("the new status has no uri: {status}"))?
        .to_owned();
    let farm = Farm::start(&[Behaviour::Normal; S2_INSTANCES], signer_public_pem).await?;
    let count = scale.s2_interactions;
    let actors = count.div_ceil(2);
    // Actor i lives on instance i mod S2_INSTANCES, as presign_interactions names it.
    let (names, origins): (Vec<String>, Vec<String>) = (0..actors)
        .map(|i| {
            (
                format!("s2a{i}"),
                farm.origins[i % farm.origins.len()].clone(),
            )
        })
        .unzip();
    sqlx::query(
        "INSERT INTO accounts (username, domain, ap_id, inbox_url, shared_inbox_url, key_id, \
                               public_key_pem, last_fetched_at) \
         SELECT name, substr(o, 8), o || '/users/' || name, o || '/users/' || name || '/inbox', \
                o || '/inbox', o || '/users/' || name || '#main-key', $3, now() \
         FROM unnest($1::text[], $2::text[]) AS a(name, o)",
    )
    .bind(&names)
    .bind(&origins)
    .bind(&farm.actor_keys.public_pem)
    .execute(pool)
    .await?;
    let inbox = url::Url::parse(&format!("{}/inbox", server.base))?;
    let signed = presign_interactions(&farm, &inbox, &uri, count).await?;
    crate::federation::wait_until_processed(pool, S2_LIMIT).await?;
    let (rss_before, _) = process::memory_mb(server.pid);
    reset_peak(server.pid);

    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..S2_CONCURRENCY {
        let (client, signed, inbox, next, accepted) = (
            client.clone(),
            signed.clone(),
            inbox.clone(),
            next.clone(),
            accepted.clone(),
        );
        senders.spawn(async move {
            let mut refusals = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(request) = signed.get(n) else {
                    break;
                };
                match request.request(&client, &inbox).send().await {
                    Ok(response) if response.status().is_success() => {
                        accepted.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(response) => {
                        let status = response.status();
                        let body = response.text().await.unwrap_or_default();
                        refusals.push(format!("activity {n}: {status} {body:.200}"));
                    }
                    Err(error) => refusals.push(format!("activity {n}: {error}")),
                }
            }
            refusals
        });
    }
    let mut refusals = Vec::new();
    while let Some(done) = senders.join_next().await {
        refusals.extend(done.unwrap_or_default());
    }
    refusals.truncate(MAX_REFUSALS_KEPT);
    let sent_ms = started.elapsed().as_secs_f64() * 1000.0;
    crate::federation::wait_until_processed(pool, S2_LIMIT).await?;
    let processed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let peak = process::memory_mb(server.pid).1;
    let (unprocessed, with_error): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE processed_at IS NULL), count(*) FILTER (WHERE last_error IS NOT NULL) \
         FROM inbox_activities WHERE actor_ap_id = ANY($1)",
    )
    .bind(
        names
            .iter()
            .zip(&origins)
            .map(|(name, origin)| farm::actor_id(origin, name))
            .collect::<Vec<_>>(),
    )
    .fetch_one(pool)
    .await?;
    let shown: Value = client
        .get(format!("{}/api/v1/statuses/{id}", server.base))
        .bearer_auth(author.1)
        .send()
        .await?
        .json()
        .await?;
    farm.stop();
    Ok(InteractionBurst {
        likes: count.div_ceil(2),
        announces: count / 2,
        actors,
        accepted: accepted.load(Ordering::Relaxed),
        sent_ms,
        processed_ms,
        unprocessed,
        with_error,
        favourites_count: shown["favourites_count"].as_i64().unwrap_or(-1),
        reblogs_count: shown["reblogs_count"].as_i64().unwrap_or(-1),
        rss_before_mb: rss_before,
        peak_rss_mb: peak,
        refusals,
    })
}

/// Where S3 runs: its own database on the suite's PostgreSQL server.
pub struct Setup<'a> {
    pub admin: &'a PgPool,
    pub binary: &'a Path,
    /// The database's name (made afresh) and its URL.
    pub database: String,
    pub database_url: String,
}

/// `roost_queue_attempts_total{queue="delivery"}` of the process whose metrics
/// listener is `base` (0 while the counter has no sample).
async fn delivery_attempts(client: &reqwest::Client, base: &str) -> anyhow::Result<u64> {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    Ok(text
        .lines()
        .filter(|line| {
            line.starts_with("roost_queue_attempts_total{") && line.contains("queue=\"delivery\"")
        })
        .filter_map(|line| line.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map(|value| value as u64)
        .sum())
}

/// S3: two HTTP-only `roost serve` and two `roost worker` on one database; posts
/// through both HTTP processes to remote followers on the farm.
pub async fn s3(setup: &Setup<'_>, scale: Scale) -> anyhow::Result<SharedLoad> {
    let pool = dataset::fresh_database(setup.admin, &setup.database).await?;
    let size = dataset::Size {
        users: S3_AUTHORS,
        follows: 0,
        statuses: 0,
    };
    let loaded = dataset::load(&pool, size).await?;
    let farm = Farm::start(
        &vec![Behaviour::Normal; scale.s3_instances],
        &loaded.public_key_pem,
    )
    .await?;
    prepare_domains(&pool, &domains(&farm)).await?;
    add_followers(
        &pool,
        &farm,
        "s3f",
        S3_FOLLOWERS_PER_INSTANCE,
        &loaded.users,
    )
    .await?;

    let (port_a, port_b) = (crate::free_port()?, crate::free_port()?);
    // One instance: every process names it by the first HTTP process's address.
    let domain = format!("127.0.0.1:{port_a}");
    let secret = roost::config::SecretKey(roost::auth::tokens::random_token(48).into_bytes());
    let secret_file = std::env::temp_dir().join(format!("roost-bench-{port_a}-s3.key"));
    std::fs::write(&secret_file, &secret.0)?;
    let common = vec![
        ("DATABASE_URL", setup.database_url.clone()),
        ("ROOST_SECRET_KEY_FILE", secret_file.display().to_string()),
        ("ROOST_DOMAIN", domain.clone()),
    ];
    let result = run_s3(
        setup,
        scale,
        &pool,
        &farm,
        &loaded,
        &secret,
        &common,
        [port_a, port_b],
    )
    .await;
    farm.stop();
    let _ = std::fs::remove_file(&secret_file);
    result
}

/// The processes and the load of S3 (they are killed when dropped, on error too).
#[allow(clippy::too_many_arguments)]
async fn run_s3(
    setup: &Setup<'_>,
    scale: Scale,
    pool: &PgPool,
    farm: &Farm,
    loaded: &dataset::Loaded,
    secret: &roost::config::SecretKey,
    common: &[(&'static str, String)],
    ports: [u16; 2],
) -> anyhow::Result<SharedLoad> {
    let mut serves = Vec::new();
    let mut serve_metrics = Vec::new();
    for port in ports {
        let metrics_port = crate::free_port()?;
        let mut env = common.to_vec();
        env.push(("ROOST_WORKERS", "false".to_owned()));
        env.push(("ROOST_METRICS_BIND", format!("127.0.0.1:{metrics_port}")));
        serves.push(process::start(setup.binary, port, &env).await?);
        serve_metrics.push(format!("http://127.0.0.1:{metrics_port}"));
    }
    let mut workers = Vec::new();
    for _ in 0..2 {
        workers.push(process::start_worker(setup.binary, crate::free_port()?, common).await?);
    }
    let domain = &common
        .iter()
        .find(|(name, _)| *name == "ROOST_DOMAIN")
        .ok_or_else(|| anyhow::anyhow!("no ROOST_DOMAIN"))?
        .1;
    let issuer_base = format!("http://{domain}");
    let tokens = Arc::new(dataset::tokens(pool, secret, &issuer_base, &loaded.users).await?);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(S3_CONCURRENCY)
        .timeout(Duration::from_secs(30))
        .build()?;
    let mut attempts_before = Vec::new();
    for worker in &workers {
        attempts_before.push(delivery_attempts(&client, &worker.base).await?);
    }

    let bases: Arc<Vec<String>> = Arc::new(serves.iter().map(|s| s.base.clone()).collect());
    let posts = scale.s3_posts;
    let started = Instant::now();
    let since_start = farm.started.elapsed();
    let next = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..S3_CONCURRENCY {
        let (client, bases, tokens, next, accepted) = (
            client.clone(),
            bases.clone(),
            tokens.clone(),
            next.clone(),
            accepted.clone(),
        );
        senders.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= posts {
                    break;
                }
                let base = &bases[n % bases.len()];
                let token = &tokens[n % tokens.len()];
                let ok = post(&client, base, token, &format!("S3 post {n}"))
                    .await
                    .is_ok();
                accepted.fetch_add(usize::from(ok), Ordering::Relaxed);
            }
        });
    }
    while senders.join_next().await.is_some() {}
    let posts_accepted = accepted.load(Ordering::Relaxed);
    let expected = posts_accepted * scale.s3_instances;
    let actor_prefix = format!("{issuer_base}/users/");
    let mut tally = Tally::new();
    let deadline = started + S3_LIMIT;
    while tally.pairs.len() < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
        tally.update(farm, &actor_prefix);
    }
    tokio::time::sleep(SETTLE).await;
    tally.update(farm, &actor_prefix);
    let mut worker_attempts = Vec::new();
    for (worker, before) in workers.iter().zip(attempts_before) {
        worker_attempts.push(
            delivery_attempts(&client, &worker.base)
                .await?
                .saturating_sub(before),
        );
    }
    let mut serve_attempts = Vec::new();
    for base in &serve_metrics {
        serve_attempts.push(delivery_attempts(&client, base).await?);
    }
    let result = SharedLoad {
        posts,
        posts_accepted,
        instances: scale.s3_instances,
        expected_deliveries: expected,
        delivered: tally.pairs.len(),
        duplicates: tally.duplicates(),
        missing: expected.saturating_sub(tally.pairs.len()),
        rejected: tally.rejected,
        pending_after: pending_deliveries(pool, None).await?,
        all_delivered_ms: Duration::from_nanos(tally.last_nanos)
            .saturating_sub(since_start)
            .as_secs_f64()
            * 1000.0,
        worker_attempts,
        serve_attempts,
    };
    for process in serves.into_iter().chain(workers) {
        process.stop().await;
    }
    Ok(result)
}
