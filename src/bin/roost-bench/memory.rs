//! B9 and B10: the server's resident memory under a burst of password hashing and
//! under oversized uploads. Neither needs the dataset: each starts its own `roost
//! serve` on a small database of its own (`<--database>_memory`), so the peak resident
//! memory the kernel reports (VmHWM) belongs to that burst alone.
//!
//! - B9: 48 sign-ups, each followed by a password login, 16 at a time; the server's
//!   peak RSS against 100 MB. A 503 (every hasher busy past the queue timeout) is
//!   retried after its `Retry-After`, at most [`B9_ATTEMPTS`] times, and counted.
//! - B10: 4 concurrent uploads of 80 MB (over the default 40 MiB limit) through raw
//!   connections that send until the server answers; all must be refused with 4xx;
//!   the rise of the server's peak RSS over its RSS before them against 64 MB.

mod raw_upload;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::process::{self, Server};

/// Sign-ups (each followed by a login) of B9.
const B9_USERS: usize = 48;
/// Concurrent sign-up-and-login sequences of B9.
const B9_CONCURRENCY: usize = 16;
/// Attempts of one B9 request answered 503.
const B9_ATTEMPTS: usize = 3;
/// B9's target for the server's peak RSS, in MB.
const B9_TARGET_MB: f64 = 100.0;
/// Concurrent uploads of B10.
const B10_UPLOADS: usize = 4;
/// Size of each B10 upload's file.
const B10_FILE_BYTES: u64 = 80_000_000;
/// B10's target for the rise of the server's peak RSS, in MB.
const B10_TARGET_MB: f64 = 64.0;
/// Longest a B10 upload may take before it counts as failed.
const B10_TIMEOUT: Duration = Duration::from_secs(120);

/// What B9 or B10 measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MemoryFigure {
    pub id: &'static str,
    pub what: &'static str,
    pub requests: u64,
    /// 2xx answers (B9) or 4xx refusals (B10): what the benchmark expects.
    pub expected_answers: u64,
    /// 503 answers (each retried in B9).
    pub busy_answers: u64,
    /// Anything else: other statuses, resets, timeouts.
    pub errors: u64,
    pub seconds: f64,
    /// Server CPU time per request, in microseconds.
    pub cpu_us_per_op: f64,
    /// The server's RSS just before the burst, in MB.
    pub rss_before_mb: f64,
    /// The server's peak RSS during the burst, in MB.
    pub peak_rss_mb: f64,
    /// What is compared with the target: the peak (B9) or its rise (B10), in MB.
    pub measured_mb: f64,
    pub target_mb: f64,
    /// Bytes the server received before answering (B10: the most of one upload).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_sent_before_answer: Option<u64>,
}

impl MemoryFigure {
    /// One line of the suite's report.
    pub fn print(&self) {
        let verdict = if self.measured_mb <= self.target_mb && self.errors == 0 {
            "met"
        } else {
            "MISSED"
        };
        let measured = if self.id == "B9" { "peak" } else { "peak rise" };
        println!(
            "{}: {}: {} requests, {} as expected, {} answered 503, {} errors, in {:.1} s ({:.0} server CPU-µs/request); server RSS {:.1} MB before, peak {:.1} MB; {measured} {:.1} MB (target ≤ {:.0} MB: {verdict})",
            self.id,
            self.what,
            self.requests,
            self.expected_answers,
            self.busy_answers,
            self.errors,
            self.seconds,
            self.cpu_us_per_op,
            self.rss_before_mb,
            self.peak_rss_mb,
            self.measured_mb,
            self.target_mb,
        );
        if let Some(bytes) = self.bytes_sent_before_answer {
            println!(
                "{}: at most {:.1} MB of an upload were sent before the server answered",
                self.id,
                bytes as f64 / 1e6
            );
        }
    }
}

/// Whether `only` names nothing but the memory benchmarks (the dataset is skipped).
pub fn only_memory(only: &[String]) -> bool {
    !only.is_empty()
        && only
            .iter()
            .all(|name| name.eq_ignore_ascii_case("B9") || name.eq_ignore_ascii_case("B10"))
}

/// Where the memory benchmarks run.
pub struct Setup<'a> {
    pub binary: &'a Path,
    pub admin: &'a sqlx::PgPool,
    /// The database's name (made afresh) and its URL.
    pub database: String,
    pub database_url: String,
}

/// Runs B9 and/or B10, each on a fresh server.
pub async fn run(setup: &Setup<'_>, b9: bool, b10: bool) -> anyhow::Result<Vec<MemoryFigure>> {
    crate::dataset::fresh_database(setup.admin, &setup.database).await?;
    let mut figures = Vec::new();
    if b9 {
        eprintln!("roost-bench: B9 sign-ups and password logins");
        let server = FreshServer::start(setup).await?;
        let figure = sign_up_burst(&server.server).await;
        server.stop().await;
        figures.push(figure?);
    }
    if b10 {
        eprintln!("roost-bench: B10 oversized uploads");
        let server = FreshServer::start(setup).await?;
        let figure = oversized_uploads(&server.server).await;
        server.stop().await;
        figures.push(figure?);
    }
    Ok(figures)
}

/// A `roost serve` with its own secret key file and media directory.
struct FreshServer {
    server: Server,
    secret_file: std::path::PathBuf,
    media_dir: std::path::PathBuf,
}

impl FreshServer {
    async fn start(setup: &Setup<'_>) -> anyhow::Result<FreshServer> {
        let port = crate::free_port()?;
        let secret_file = std::env::temp_dir().join(format!("roost-bench-memory-{port}.key"));
        std::fs::write(&secret_file, roost::auth::tokens::random_token(48))?;
        let media_dir = std::env::temp_dir().join(format!("roost-bench-media-{port}"));
        let env = vec![
            ("DATABASE_URL", setup.database_url.clone()),
            ("ROOST_SECRET_KEY_FILE", secret_file.display().to_string()),
            ("ROOST_MEDIA_DIR", media_dir.display().to_string()),
        ];
        let server = process::start(setup.binary, port, &env).await?;
        // As for B6: let the freshly started process settle before measuring.
        tokio::time::sleep(Duration::from_secs(1)).await;
        Ok(FreshServer {
            server,
            secret_file,
            media_dir,
        })
    }

    async fn stop(self) {
        self.server.stop().await;
        let _ = std::fs::remove_file(&self.secret_file);
        let _ = std::fs::remove_dir_all(&self.media_dir);
    }
}

/// A registered app and its client-credentials token.
struct App {
    client_id: String,
    client_secret: String,
    token: String,
}

async fn register_app(client: &reqwest::Client, base: &str) -> anyhow::Result<App> {
    let app: Value = client
        .post(format!("{base}/api/v1/apps"))
        .json(
            &json!({"client_name": "bench", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                      "scopes": "read write"}),
        )
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let field = |name: &str| {
        app[name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("the app lacks {name}: {app}"))
    };
    let (client_id, client_secret) = (field("client_id")?, field("client_secret")?);
    let token: Value = client
        .post(format!("{base}/oauth/token"))
        .json(
            &json!({"grant_type": "client_credentials", "client_id": client_id,
                      "client_secret": client_secret, "scope": "read write"}),
        )
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = token["access_token"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no app token: {token}"))?
        .to_owned();
    Ok(App {
        client_id,
        client_secret,
        token,
    })
}

/// Counts of B9's answers.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    busy: AtomicU64,
    errors: AtomicU64,
}

/// Sends a request, retrying after `Retry-After` while it is answered 503.
async fn send_retrying(tally: &Tally, make: impl Fn() -> reqwest::RequestBuilder) -> Option<Value> {
    for _ in 0..B9_ATTEMPTS {
        let response = match make().send().await {
            Ok(response) => response,
            Err(_) => break,
        };
        if response.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE {
            tally.busy.fetch_add(1, Ordering::Relaxed);
            let wait = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok()?.parse::<u64>().ok())
                .unwrap_or(1);
            tokio::time::sleep(Duration::from_secs(wait.min(10))).await;
            continue;
        }
        if response.status().is_success() {
            tally.ok.fetch_add(1, Ordering::Relaxed);
            return response.json().await.ok();
        }
        break;
    }
    tally.errors.fetch_add(1, Ordering::Relaxed);
    None
}

/// B9: 48 × (sign up, then log in with the password), 16 at a time.
async fn sign_up_burst(server: &Server) -> anyhow::Result<MemoryFigure> {
    use futures_util::StreamExt;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let app = register_app(&client, &server.base).await?;
    let tally = Tally::default();
    let rss_before = process::memory_mb(server.pid).0;
    let cpu_before = process::cpu_micros(server.pid);
    let started = Instant::now();
    futures_util::stream::iter(0..B9_USERS)
        .for_each_concurrent(B9_CONCURRENCY, |i| {
            let (client, app, tally, base) = (&client, &app, &tally, &server.base);
            async move {
                let email = format!("memory{i}@bench.invalid");
                let password = format!("bench password {i}");
                let sign_up = json!({"username": format!("memory{i}"), "email": email,
                                     "password": password, "agreement": true});
                let signed_up = send_retrying(tally, || {
                    client
                        .post(format!("{base}/api/v1/accounts"))
                        .bearer_auth(&app.token)
                        .json(&sign_up)
                })
                .await;
                if signed_up.is_none() {
                    return;
                }
                let login = json!({"grant_type": "password", "client_id": app.client_id,
                                   "client_secret": app.client_secret, "username": email,
                                   "password": password, "scope": "read"});
                send_retrying(tally, || {
                    client.post(format!("{base}/oauth/token")).json(&login)
                })
                .await;
            }
        })
        .await;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = process::cpu_micros(server.pid).saturating_sub(cpu_before);
    let peak = process::memory_mb(server.pid).1;
    let requests = (B9_USERS * 2) as u64;
    Ok(MemoryFigure {
        id: "B9",
        what: "48 sign-ups + password logins, 16 at a time",
        requests,
        expected_answers: tally.ok.load(Ordering::Relaxed),
        busy_answers: tally.busy.load(Ordering::Relaxed),
        errors: tally.errors.load(Ordering::Relaxed),
        seconds,
        cpu_us_per_op: cpu as f64 / requests as f64,
        rss_before_mb: rss_before,
        peak_rss_mb: peak,
        measured_mb: peak,
        target_mb: B9_TARGET_MB,
        bytes_sent_before_answer: None,
    })
}

/// B10: 4 concurrent 80 MB uploads, each sent until the server answers.
async fn oversized_uploads(server: &Server) -> anyhow::Result<MemoryFigure> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let app = register_app(&client, &server.base).await?;
    let sign_up = json!({"username": "uploader", "email": "uploader@bench.invalid",
                         "password": "bench uploader password", "agreement": true});
    let token: Value = client
        .post(format!("{}/api/v1/accounts", server.base))
        .bearer_auth(&app.token)
        .json(&sign_up)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = token["access_token"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no user token: {token}"))?
        .to_owned();
    // The peak so far (startup, the sign-up's password hash) is not B10's.
    reset_peak(server.pid);
    let rss_before = process::memory_mb(server.pid).0;
    let cpu_before = process::cpu_micros(server.pid);
    let started = Instant::now();
    let address = server.base.trim_start_matches("http://").to_owned();
    let uploads = (0..B10_UPLOADS).map(|_| {
        let (address, token) = (address.clone(), token.clone());
        tokio::spawn(async move {
            tokio::time::timeout(
                B10_TIMEOUT,
                raw_upload::upload(&address, &token, B10_FILE_BYTES),
            )
            .await
        })
    });
    let results = futures_util::future::join_all(uploads).await;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = process::cpu_micros(server.pid).saturating_sub(cpu_before);
    let peak = process::memory_mb(server.pid).1;
    let (mut refused, mut errors, mut most_sent) = (0, 0, 0);
    for result in results {
        match result {
            Ok(Ok(Ok((status, sent)))) if (400..500).contains(&status) => {
                refused += 1;
                most_sent = most_sent.max(sent);
            }
            Ok(Ok(Ok((status, _)))) => {
                eprintln!("roost-bench: B10 upload answered {status}");
                errors += 1;
            }
            other => {
                eprintln!("roost-bench: B10 upload failed: {other:?}");
                errors += 1;
            }
        }
    }
    Ok(MemoryFigure {
        id: "B10",
        what: "4 concurrent uploads of 80 MB (over the 40 MiB limit)",
        requests: B10_UPLOADS as u64,
        expected_answers: refused,
        busy_answers: 0,
        errors,
        seconds,
        cpu_us_per_op: cpu as f64 / B10_UPLOADS as f64,
        rss_before_mb: rss_before,
        peak_rss_mb: peak,
        measured_mb: (peak - rss_before).max(0.0),
        target_mb: B10_TARGET_MB,
        bytes_sent_before_answer: Some(most_sent),
    })
}

/// Resets the process's peak RSS (VmHWM) to its current RSS (Linux ≥ 4.0). When that
/// is not allowed the peak keeps counting from the start, which only overstates B10.
fn reset_peak(pid: u32) {
    if let Err(error) = std::fs::write(format!("/proc/{pid}/clear_refs"), "5") {
        eprintln!("roost-bench: could not reset the server's peak RSS ({error}); B10's rise is overstated");
    }
}
