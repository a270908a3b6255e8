//! B11: the home timeline with realistic statuses, and right after a bulk load.
//!
//! 1. **Content cost.** A second database holds the same users and follows as the
//!    plain dataset, but statuses of 200–500 characters with links, mentions,
//!    hashtags and (one in four) media attachments, stored as posting stores them:
//!    the HTML from Roost's own status text rendering, `mentions`, `tags`,
//!    `status_tags` and `media_attachments` rows. A second `roost serve` runs on it;
//!    the home timeline of both servers is loaded in turns (three runs each, after
//!    an untimed warm-up), and the server CPU per request is compared.
//! 2. **Right after a bulk load.** A fresh database, 40 users following each other
//!    (written as the server writes them, no `ANALYZE`), 2,000 posts through the
//!    API, then at once the home timeline; then `ANALYZE` (what autovacuum does
//!    minutes later) and the home timeline again.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;
use roost::config::SecretKey;
use sqlx::PgPool;

use crate::dataset::{self, Size};
use crate::load::Load;
use crate::load::{MakeRequest, Run};
use crate::process::{self, Server};
use crate::report::{Figure, Report};
use crate::{realistic_dataset, realistic_text};

/// What B11 needs from the suite.
pub struct Bench<'a> {
    /// A pool on the PostgreSQL server's maintenance database.
    pub admin: &'a PgPool,
    /// The suite's `DATABASE_URL` (its database name is replaced).
    pub database_url: &'a str,
    /// The suite's database name; B11's databases are named after it.
    pub database: &'a str,
    /// The `roost` binary under test.
    pub server: &'a Path,
    pub size: Size,
    pub run: Run,
}

/// Load runs per dataset in the content comparison (alternating).
const ROUNDS: usize = 3;
/// Users and posts of the bulk load (the independent run's numbers).
const BULK_USERS: i64 = 40;
const BULK_POSTS: u64 = 2_000;

/// Runs B11 against the plain dataset's server and adds its figures to `report`.
pub async fn b11(
    bench: &Bench<'_>,
    plain: &Server,
    plain_tokens: &Arc<Vec<String>>,
    report: &mut Report,
) -> anyhow::Result<()> {
    content_cost(bench, plain, plain_tokens, report).await?;
    after_bulk_load(bench, report).await
}

/// Part 1: realistic vs plain statuses, CPU per home timeline request.
async fn content_cost(
    bench: &Bench<'_>,
    plain: &Server,
    plain_tokens: &Arc<Vec<String>>,
    report: &mut Report,
) -> anyhow::Result<()> {
    let name = format!("{}_realistic", bench.database);
    let pool = dataset::fresh_database(bench.admin, &name).await?;
    let port = crate::free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    let loaded = realistic_dataset::load(&pool, bench.size, &base).await?;
    report.note(format!(
        "B11: realistic dataset loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    let (server, secret, secret_file) = start(bench, &name, port).await?;
    let tokens = Arc::new(dataset::tokens(&pool, &secret, &server.base, &loaded.users).await?);
    let warm_up = Run {
        duration: Duration::from_secs(1),
        ..bench.run
    };
    crate::measure(plain.pid, warm_up, home(&plain.base, plain_tokens)).await;
    crate::measure(server.pid, warm_up, home(&server.base, &tokens)).await;
    let (mut plain_runs, mut realistic_runs) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        plain_runs
            .push(crate::measure(plain.pid, bench.run, home(&plain.base, plain_tokens)).await);
        realistic_runs
            .push(crate::measure(server.pid, bench.run, home(&server.base, &tokens)).await);
    }
    let sizes = page_bytes(&plain.base, &plain_tokens[0], &server.base, &tokens[0]).await;
    server.stop().await;
    let _ = std::fs::remove_file(&secret_file);
    let (plain_median, plain_range) = median(plain_runs);
    let (realistic_median, realistic_range) = median(realistic_runs);
    report.note(format!(
        "B11: server CPU per home timeline request, realistic / plain = {:.2} \
         (medians of {ROUNDS} alternating runs: {:.0} / {:.0} µs; ranges {:.0}–{:.0} / {:.0}–{:.0} µs); \
         page of 20: {} / {} bytes",
        realistic_median.cpu_us_per_op / plain_median.cpu_us_per_op.max(f64::MIN_POSITIVE),
        realistic_median.cpu_us_per_op,
        plain_median.cpu_us_per_op,
        realistic_range.0,
        realistic_range.1,
        plain_range.0,
        plain_range.1,
        sizes.1,
        sizes.0,
    ));
    report.add(Figure::load(
        "B11",
        "home timeline, plain statuses (median of 3)",
        plain_median,
        None,
    ));
    report.add(Figure::load(
        "B11",
        "home timeline, realistic statuses (median of 3)",
        realistic_median,
        None,
    ));
    Ok(())
}

/// Part 2: the home timeline right after 2,000 posts into fresh tables, then after
/// `ANALYZE`.
async fn after_bulk_load(bench: &Bench<'_>, report: &mut Report) -> anyhow::Result<()> {
    let name = format!("{}_fresh", bench.database);
    let pool = dataset::fresh_database(bench.admin, &name).await?;
    let users = create_users(&pool, BULK_USERS).await?;
    let port = crate::free_port()?;
    let (server, secret, secret_file) = start(bench, &name, port).await?;
    let tokens = Arc::new(dataset::tokens(&pool, &secret, &server.base, &users).await?);
    let posting = Run {
        connections: 8,
        duration: Duration::from_secs(300),
        max_requests: BULK_POSTS,
    };
    let posted = crate::measure(server.pid, posting, posts(&server.base, &tokens)).await;
    report.note(format!(
        "B11: bulk load: {} posts by {BULK_USERS} users through the API in {:.1} s ({} errors)",
        posted.measured.requests, posted.measured.seconds, posted.measured.errors
    ));
    let fresh = crate::measure(server.pid, bench.run, home(&server.base, &tokens)).await;
    // Again before ANALYZE: what the first run paid for reading fresh rows for the
    // first time (hint bits) rather than for a plan.
    let again = crate::measure(server.pid, bench.run, home(&server.base, &tokens)).await;
    let analyzed_tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_user_tables \
         WHERE last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL",
    )
    .fetch_one(&pool)
    .await?;
    sqlx::query("ANALYZE").execute(&pool).await?;
    let analyzed = crate::measure(server.pid, bench.run, home(&server.base, &tokens)).await;
    server.stop().await;
    let _ = std::fs::remove_file(&secret_file);
    report.note(format!(
        "B11: home timeline right after the bulk load {:.0} req/s, p99 {:.1} ms; again before ANALYZE \
         ({analyzed_tables} tables analysed by autovacuum by then) {:.0} req/s, p99 {:.1} ms; \
         after ANALYZE {:.0} req/s, p99 {:.1} ms",
        fresh.measured.throughput,
        fresh.measured.p99_ms,
        again.measured.throughput,
        again.measured.p99_ms,
        analyzed.measured.throughput,
        analyzed.measured.p99_ms
    ));
    report.add(Figure::load(
        "B11",
        "home timeline right after 2,000 posts into fresh tables",
        fresh,
        None,
    ));
    report.add(Figure::load(
        "B11",
        "the same again, before ANALYZE",
        again,
        None,
    ));
    report.add(Figure::load(
        "B11",
        "the same after ANALYZE",
        analyzed,
        None,
    ));
    Ok(())
}

/// Starts `roost serve` on database `name`; returns the server, its secret and the
/// secret's file (to remove afterwards).
async fn start(
    bench: &Bench<'_>,
    name: &str,
    port: u16,
) -> anyhow::Result<(Server, SecretKey, PathBuf)> {
    let secret = SecretKey(roost::auth::tokens::random_token(48).into_bytes());
    let secret_file = std::env::temp_dir().join(format!("roost-bench-{port}.key"));
    std::fs::write(&secret_file, &secret.0)?;
    let env = vec![
        ("DATABASE_URL", crate::bench_url(bench.database_url, name)?),
        ("ROOST_SECRET_KEY_FILE", secret_file.display().to_string()),
        ("ROOST_DB_POOL_SIZE", "32".to_owned()),
    ];
    let server = process::start(bench.server, port, &env).await?;
    Ok((server, secret, secret_file))
}

/// `GET /api/v1/timelines/home?limit=20` as each user in turn (as B2).
fn home(base: &str, tokens: &Arc<Vec<String>>) -> MakeRequest {
    let (base, tokens) = (base.to_owned(), tokens.clone());
    Arc::new(move |client, n| {
        let token = &tokens[(n as usize * 7919) % tokens.len()];
        client
            .get(format!("{base}/api/v1/timelines/home?limit=20"))
            .bearer_auth(token)
    })
}

/// `POST /api/v1/statuses` with realistic text, the users in turn.
fn posts(base: &str, tokens: &Arc<Vec<String>>) -> MakeRequest {
    let (base, tokens) = (base.to_owned(), tokens.clone());
    let users = tokens.len() as i64;
    Arc::new(move |client, n| {
        let mut rng = StdRng::seed_from_u64(n);
        let token = &tokens[n as usize % tokens.len()];
        client
            .post(format!("{base}/api/v1/statuses"))
            .bearer_auth(token)
            .json(&serde_json::json!({"status": realistic_text::status(&mut rng, users)}))
    })
}

/// The size in bytes of one home page from each server (plain, realistic).
async fn page_bytes(
    plain: &str,
    plain_token: &str,
    realistic: &str,
    realistic_token: &str,
) -> (usize, usize) {
    let client = reqwest::Client::new();
    let size = |base: &str, token: &str| {
        client
            .get(format!("{base}/api/v1/timelines/home?limit=20"))
            .bearer_auth(token.to_owned())
            .send()
    };
    let bytes = |response: reqwest::Result<reqwest::Response>| async move {
        match response {
            Ok(response) => response.bytes().await.map_or(0, |b| b.len()),
            Err(_) => 0,
        }
    };
    (
        bytes(size(plain, plain_token).await).await,
        bytes(size(realistic, realistic_token).await).await,
    )
}

/// The run with the median CPU per request, and the range of CPU per request.
fn median(mut runs: Vec<Load>) -> (Load, (f64, f64)) {
    runs.sort_by(|a, b| a.cpu_us_per_op.total_cmp(&b.cpu_us_per_op));
    let range = (
        runs.first().map_or(0.0, |r| r.cpu_us_per_op),
        runs.last().map_or(0.0, |r| r.cpu_us_per_op),
    );
    let middle = runs.swap_remove(runs.len() / 2);
    (middle, range)
}

/// `count` local users, each following all the others, written as sign-up and follow
/// would write them (triggers on, no `ANALYZE`). Returns their account ids.
async fn create_users(pool: &PgPool, count: i64) -> anyhow::Result<Vec<i64>> {
    let key = roost::federation::signatures::generate_rsa_keypair()?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO accounts (username, private_key_pem, public_key_pem) \
         SELECT 'bench' || g, $2, $3 FROM generate_series(1, $1) g RETURNING id",
    )
    .bind(count)
    .bind(&key.private_pem)
    .bind(&key.public_pem)
    .fetch_all(pool)
    .await?;
    sqlx::query(
        "INSERT INTO users (account_id, email, password_hash) \
         SELECT id, username || '@bench.invalid', 'x' FROM accounts WHERE domain IS NULL",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO follows (account_id, target_account_id, accepted, ap_id) \
         SELECT a, b, true, 'bench:follow:' || a || ':' || b \
         FROM unnest($1::bigint[]) a CROSS JOIN unnest($1::bigint[]) b WHERE a <> b",
    )
    .bind(&ids)
    .execute(pool)
    .await?;
    let mut ids = ids;
    ids.sort_unstable();
    Ok(ids)
}
