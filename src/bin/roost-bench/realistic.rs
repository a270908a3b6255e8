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

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;
use roost::config::SecretKey;
use roost::domain::status_text::{self, MentionTarget};
use sqlx::PgPool;

use crate::dataset::{self, Loaded, Size};
use crate::load::{MakeRequest, Run};
use crate::process::{self, Server};
use crate::realistic_text;
use crate::report::{Figure, Load, Report};

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
/// Statuses rendered and inserted per statement batch.
const BATCH: i64 = 5_000;

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
    let loaded = load(&pool, bench.size, &base).await?;
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

/// Loads users and follows as the plain dataset does, and `size.statuses` realistic
/// statuses rendered for a server at `base_url`; fills the home feeds and analyses.
pub async fn load(pool: &PgPool, size: Size, base_url: &str) -> anyhow::Result<Loaded> {
    let loaded = dataset::load(
        pool,
        Size {
            statuses: 0,
            ..size
        },
    )
    .await?;
    let mut conn = pool.acquire().await?;
    // Triggers (stream NOTIFY, fan-out) and FK checks off for the bulk load only.
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await?;
    let tags = insert_tags(&mut conn).await?;
    let mut rng = StdRng::seed_from_u64(11);
    let mut first = 0;
    while first < size.statuses {
        let count = BATCH.min(size.statuses - first);
        let batch = Batch::generate(
            &mut rng,
            &loaded.users,
            &tags,
            base_url,
            first,
            size.statuses,
            count,
        );
        batch.insert(&mut conn, count).await?;
        first += count;
    }
    dataset::fill_home_feeds(&mut conn, size).await?;
    sqlx::query("SET session_replication_role = origin")
        .execute(&mut *conn)
        .await?;
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    Ok(loaded)
}

/// The hashtags, by lowercased name.
async fn insert_tags(conn: &mut sqlx::PgConnection) -> anyhow::Result<HashMap<String, i64>> {
    let names: Vec<String> = realistic_text::TAGS
        .iter()
        .map(|t| t.to_lowercase())
        .collect();
    let rows: Vec<(i64, String)> =
        sqlx::query_as("INSERT INTO tags (name) SELECT unnest($1::text[]) RETURNING id, name")
            .bind(&names)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(id, name)| (name, id)).collect())
}

/// One batch of statuses with their mentions, tags and media, as column arrays.
#[derive(Default)]
struct Batch {
    authors: Vec<i64>,
    ages: Vec<f64>,
    texts: Vec<String>,
    contents: Vec<String>,
    /// (status index in the batch, account id)
    mentions: Vec<(usize, i64)>,
    tags: Vec<(usize, i64)>,
    /// (status index, position)
    media: Vec<(usize, i16)>,
}

impl Batch {
    /// Statuses `first .. first + count` of `total`: status `g` (from 1) is by user
    /// `g % users` and `total - g` seconds old, as in the plain dataset.
    fn generate(
        rng: &mut StdRng,
        users: &[i64],
        tags: &HashMap<String, i64>,
        base_url: &str,
        first: i64,
        total: i64,
        count: i64,
    ) -> Batch {
        let mut batch = Batch::default();
        let resolve = |username: &str, domain: Option<&str>| {
            let n: usize = username.strip_prefix("bench")?.parse().ok()?;
            (domain.is_none() && (1..=users.len()).contains(&n)).then(|| MentionTarget {
                url: format!("{base_url}/@{username}"),
                acct: username.to_owned(),
            })
        };
        for i in 0..count as usize {
            let g = first + i as i64 + 1;
            let text = realistic_text::status(rng, users.len() as i64);
            let parsed = status_text::render(&text, base_url, resolve);
            for mention in &parsed.mentions {
                let n: Option<usize> = mention
                    .username
                    .strip_prefix("bench")
                    .and_then(|n| n.parse().ok());
                if let Some(account) = n.and_then(|n| users.get(n - 1)) {
                    batch.mentions.push((i, *account));
                }
            }
            for tag in &parsed.tags {
                if let Some(id) = tags.get(tag) {
                    batch.tags.push((i, *id));
                }
            }
            for position in 0..realistic_text::media_count(rng) {
                batch.media.push((i, position as i16));
            }
            batch.authors.push(users[(g as usize) % users.len()]);
            batch.ages.push((total - g) as f64);
            batch.texts.push(text);
            batch.contents.push(parsed.html);
        }
        batch
    }

    /// Inserts the batch (ids from `timestamp_id()`, in order).
    async fn insert(self, conn: &mut sqlx::PgConnection, count: i64) -> anyhow::Result<()> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT timestamp_id() FROM generate_series(1, $1) ORDER BY 1")
                .bind(count)
                .fetch_all(&mut *conn)
                .await?;
        sqlx::query(
            "INSERT INTO statuses (id, account_id, local, text, content, visibility, language, created_at) \
             SELECT id, account_id, true, text, content, 'public', 'en', now() - make_interval(secs => age) \
             FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::float8[]) \
                  AS t(id, account_id, text, content, age)",
        )
        .bind(&ids)
        .bind(&self.authors)
        .bind(&self.texts)
        .bind(&self.contents)
        .bind(&self.ages)
        .execute(&mut *conn)
        .await?;
        let pairs = |rows: &[(usize, i64)]| -> (Vec<i64>, Vec<i64>) {
            rows.iter().map(|(i, other)| (ids[*i], *other)).unzip()
        };
        let (statuses, accounts) = pairs(&self.mentions);
        sqlx::query(
            "INSERT INTO mentions (status_id, account_id) SELECT * FROM unnest($1::bigint[], $2::bigint[]) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&statuses)
        .bind(&accounts)
        .execute(&mut *conn)
        .await?;
        let (statuses, tags) = pairs(&self.tags);
        sqlx::query(
            "INSERT INTO status_tags (status_id, tag_id) SELECT * FROM unnest($1::bigint[], $2::bigint[]) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&statuses)
        .bind(&tags)
        .execute(&mut *conn)
        .await?;
        let statuses: Vec<i64> = self.media.iter().map(|(i, _)| ids[*i]).collect();
        let owners: Vec<i64> = self.media.iter().map(|(i, _)| self.authors[*i]).collect();
        let positions: Vec<i16> = self.media.iter().map(|(_, p)| *p).collect();
        let descriptions: Vec<String> = self
            .media
            .iter()
            .map(|(i, p)| {
                let pick = (i + *p as usize) % (realistic_text::ALT_TEXTS.len() + 2);
                realistic_text::ALT_TEXTS
                    .get(pick)
                    .copied()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect();
        sqlx::query(
            "INSERT INTO media_attachments (account_id, status_id, position, kind, content_type, \
               file_key, preview_key, file_size, description, blurhash, width, height, \
               preview_width, preview_height) \
             SELECT owner, status, position, 'image', 'image/jpeg', \
               'bench/' || status || '/' || position || '/original.jpg', \
               'bench/' || status || '/' || position || '/small.jpg', 412345, description, \
               'LEHV6nWB2yk8pyo0adR*.7kCMdnj', 1600, 1200, 640, 480 \
             FROM unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::text[]) \
                  AS t(owner, status, position, description)",
        )
        .bind(&owners)
        .bind(&statuses)
        .bind(&positions)
        .bind(&descriptions)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_stores_rendered_html_with_mentions_tags_and_media() {
        let users: Vec<i64> = (100..1100).collect();
        let tags: HashMap<String, i64> = realistic_text::TAGS
            .iter()
            .enumerate()
            .map(|(i, t)| (t.to_lowercase(), i as i64))
            .collect();
        let mut rng = StdRng::seed_from_u64(3);
        let batch = Batch::generate(&mut rng, &users, &tags, "http://b.test", 0, 1000, 1000);
        assert_eq!(batch.contents.len(), 1000);
        assert!(batch.contents.iter().all(|html| html.starts_with("<p>")));
        assert!(batch
            .contents
            .iter()
            .any(|html| html.contains("class=\"u-url mention\"")));
        assert!(batch
            .contents
            .iter()
            .any(|html| html.contains("href=\"http://b.test/tags/")));
        assert!(batch.mentions.len() > 300 && batch.tags.len() > 500);
        let with_media = batch.media.iter().filter(|(_, p)| *p == 0).count();
        assert!((150..350).contains(&with_media), "{with_media}");
    }
}
