//! The floors each benchmark is compared with, measured in the same run: a trivial
//! JSON answer from axum (the HTTP ceiling), the SQL of a request without HTTP (the
//! database ceiling), and RSA signing by Roost and by OpenSSL.

use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use roost::db::timelines::{timeline, Timeline};
use roost::db::Page;
use sqlx::PgPool;

use crate::load::{MakeRequest, Run};
use crate::measure;
use crate::report::{Crypto, Figure};

/// Concurrent database clients of the SQL floors.
const SQL_CLIENTS: usize = 8;

/// The trivial JSON server (`roost-bench floor-server PORT`).
pub async fn serve_trivial_json(port: u16) -> anyhow::Result<()> {
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(|| async { axum::Json(serde_json::json!({"ok": true})) }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

/// Drives the trivial JSON server (a child process) like the real one.
pub async fn trivial_json_http(port: u16, run: Run) -> anyhow::Result<Figure> {
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .args([
            "--database-url",
            "unused",
            "floor-server",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child
        .id()
        .ok_or_else(|| anyhow::anyhow!("floor server exited"))?;
    let base = format!("http://127.0.0.1:{port}/");
    let deadline = Instant::now() + Duration::from_secs(10);
    while reqwest::get(&base).await.is_err() {
        anyhow::ensure!(Instant::now() < deadline, "the floor server did not start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let make: MakeRequest = Arc::new(move |client, _| client.get(&base));
    let measured = measure(pid, run, make).await;
    child.kill().await.ok();
    Ok(Figure::load(
        "floor",
        "trivial JSON in axum (HTTP ceiling)",
        measured,
        None,
    ))
}

/// Runs `work(pool, users, n)` on `SQL_CLIENTS` tasks for `duration` (n counts the
/// operations); returns operations per second.
pub(crate) async fn sql_rate<F, Fut>(
    pool: &PgPool,
    users: &[i64],
    duration: Duration,
    work: F,
) -> anyhow::Result<f64>
where
    F: Fn(PgPool, Arc<Vec<i64>>, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = sqlx::Result<()>> + Send,
{
    let work = Arc::new(work);
    let users = Arc::new(users.to_vec());
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..SQL_CLIENTS as u64 {
        let (work, done, pool, users) = (work.clone(), done.clone(), pool.clone(), users.clone());
        tasks.spawn(async move {
            let mut n = client;
            while started.elapsed() < duration {
                work(pool.clone(), users.clone(), n).await?;
                done.fetch_add(1, Ordering::Relaxed);
                n += SQL_CLIENTS as u64;
            }
            Ok::<(), sqlx::Error>(())
        });
    }
    while let Some(result) = tasks.join_next().await {
        result??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// The home timeline query of B2, through sqlx without HTTP.
pub async fn home_timeline_sql(
    pool: &PgPool,
    users: &[i64],
    duration: Duration,
) -> anyhow::Result<f64> {
    sql_rate(pool, users, duration, |pool, users, n| async move {
        let viewer = users[(n as usize * 7919) % users.len()];
        let page = Page {
            limit: 20,
            ..Default::default()
        };
        timeline(&pool, Some(viewer), Timeline::Home, &page).await?;
        Ok(())
    })
    .await
}

/// A status (with its fan-out to local followers' home feeds, by trigger) and one
/// outbox row in one transaction: the write floor of B1.
pub async fn insert_status_sql(
    pool: &PgPool,
    users: &[i64],
    duration: Duration,
) -> anyhow::Result<f64> {
    sql_rate(pool, users, duration, |pool, users, n| async move {
        let author = users[n as usize % users.len()];
        let mut transaction = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO statuses (account_id, local, text, content, visibility) \
             VALUES ($1, true, 'floor', '<p>floor</p>', 'public') RETURNING id",
        )
        .bind(author)
        .fetch_one(&mut *transaction)
        .await?;
        sqlx::query(
            "INSERT INTO deliveries (activity_id, inbox_url, domain, payload, state) \
             VALUES ($1, 'https://floor.invalid/inbox', 'floor.invalid', '{}', 'delivered')",
        )
        .bind(format!("floor:{id}"))
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await
    })
    .await
}

/// RSA-2048 signing rates: Roost's whole HTTP signature, and OpenSSL's raw sign and
/// verify (`openssl speed`, when installed).
pub async fn crypto() -> Crypto {
    let roost_sign = tokio::task::spawn_blocking(roost_sign_rate)
        .await
        .ok()
        .flatten();
    let (openssl_sign, openssl_verify) = openssl_speed().await.unwrap_or((None, None));
    Crypto {
        roost_http_sign_per_s: roost_sign,
        openssl_sign_per_s: openssl_sign,
        openssl_verify_per_s: openssl_verify,
    }
}

fn roost_sign_rate() -> Option<f64> {
    use roost::federation::signatures::{generate_rsa_keypair, sign, SigningKey};
    let pair = generate_rsa_keypair().ok()?;
    let key = SigningKey::from_pem(&pair.private_pem).ok()?;
    let url = url::Url::parse("https://peer.example/inbox").ok()?;
    let body = vec![b'x'; 1024];
    let started = Instant::now();
    let mut count = 0_u64;
    while started.elapsed() < Duration::from_secs(2) {
        sign(
            &reqwest::Method::POST,
            &url,
            Some(&body),
            "https://a.example/u#main-key",
            &key,
            chrono::Utc::now(),
        )
        .ok()?;
        count += 1;
    }
    Some(count as f64 / started.elapsed().as_secs_f64())
}

async fn openssl_speed() -> Option<(Option<f64>, Option<f64>)> {
    let output = tokio::process::Command::new("openssl")
        .args(["speed", "-seconds", "2", "rsa2048"])
        .stderr(Stdio::null())
        .output()
        .await
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    // "rsa 2048 bits 0.000247s 0.000016s   4048.6  62500.1"
    let line = text
        .lines()
        .find(|line| line.trim_start().starts_with("rsa 2048 bits"))?;
    let numbers: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let rate = |i: usize| numbers.get(numbers.len().checked_sub(i)?).copied();
    Some((rate(2), rate(1)))
}
