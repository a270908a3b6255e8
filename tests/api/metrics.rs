//! The Prometheus metrics as an operator scrapes them. Two instances federate (alice
//! on the first, which sends mail through a test SMTP server, bob on the second) and
//! every metric of `docs/deployment.md#metrics` is seen to move when its thing
//! happens: requests by route and status, each named queue's depth, oldest age,
//! attempts, failures and dead letters, destination health, streaming connections,
//! the pools and the process's memory. And `roost serve` with `ROOST_METRICS_BIND`
//! serves them on that listener only.

use std::collections::HashMap;

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::peers::{self, second_database};
use crate::helpers::process::{free_port, serve};
use crate::helpers::smtp::SmtpSink;
use crate::helpers::sse::SseReader;
use crate::helpers::{expect_json, mail, TestApp};
use roost::delivery::worker as delivery_worker;
use roost::federation::inbox;

/// The RFC 8291 example subscriber's keys: a valid P-256 point and auth secret.
const P256DH: &str =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

/// An instance's metrics listener, as `ROOST_METRICS_BIND` would serve it.
struct Scraper {
    url: String,
}

impl Scraper {
    async fn start(app: &TestApp) -> Scraper {
        Scraper {
            url: crate::helpers::metrics_listener(app).await,
        }
    }

    /// Every sample of one scrape, by series (`name{labels}`).
    async fn scrape(&self) -> Samples {
        let response = reqwest::get(&self.url).await.expect("scraped");
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"].to_str().expect("ascii");
        assert!(content_type.starts_with("application/openmetrics-text"));
        Samples::parse(&response.text().await.expect("text"))
    }
}

/// One scrape's samples.
struct Samples(HashMap<String, f64>);

impl Samples {
    fn parse(text: &str) -> Samples {
        assert!(text.ends_with("# EOF\n"), "a complete exposition");
        let samples = text
            .lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .map(|line| {
                let (series, value) = line.rsplit_once(' ').expect("series and value");
                (series.to_owned(), value.parse().expect("a number"))
            })
            .collect();
        Samples(samples)
    }

    /// The value of `series`; panics when it is missing.
    fn get(&self, series: &str) -> f64 {
        *self.0.get(series).unwrap_or_else(|| {
            let mut known: Vec<&String> = self.0.keys().collect();
            known.sort();
            panic!("no {series} among {known:#?}")
        })
    }

    /// The value of `series`, 0 when it is missing.
    fn or_zero(&self, series: &str) -> f64 {
        self.0.get(series).copied().unwrap_or(0.0)
    }

    /// A queue metric of `queue`.
    fn queue(&self, name: &str, queue: &str) -> f64 {
        self.get(&format!("{name}{{queue=\"{queue}\"}}"))
    }
}

#[sqlx::test]
async fn every_metric_moves_when_its_thing_happens(db: PgPool) {
    let sink = SmtpSink::start().await;
    let a = sink.spawn_app(db.clone(), &[]).await;
    let b = peers::instance(second_database(&db, "b").await).await;
    let scraper = Scraper::start(&a).await;
    let first = scraper.scrape().await;
    assert!(first.get("process_resident_memory_bytes") > 1e6);
    assert!(first.get("process_start_time_seconds") > 1.6e9);
    assert!(first.get("process_open_fds") > 0.0);
    assert_eq!(first.get("roost_database_up"), 1.0);
    assert!(first.get(r#"roost_db_pool_max_connections{pool="requests"}"#) > 0.0);
    assert!(first
        .0
        .contains_key(r#"roost_db_pool_connections{pool="workers",state="idle"}"#));
    assert!(first
        .0
        .keys()
        .any(|key| key.starts_with("roost_build_info{version=")));
    for queue in ["inbox", "delivery", "push", "email", "scheduled"] {
        assert_eq!(first.queue("roost_queue_depth", queue), 0.0, "{queue}");
        assert_eq!(first.queue("roost_queue_oldest_age_seconds", queue), 0.0);
    }

    // E-mail: alice's confirmation waits in the queue, then is sent.
    let client = a.create_app("read write follow push").await;
    let alice = mail::register(&a, &client, "alice", None).await;
    let waiting = scraper.scrape().await;
    assert_eq!(waiting.queue("roost_queue_depth", "email"), 1.0);
    let link = sink
        .next_mail_to(&a, "alice@mail.example")
        .await
        .link(mail::CONFIRMATION);
    assert_eq!(mail::open(&a, &link).await.0, 200);
    let sent = scraper.scrape().await;
    assert_eq!(sent.queue("roost_queue_depth", "email"), 0.0);
    assert_eq!(sent.queue("roost_queue_attempts_total", "email"), 1.0);
    assert_eq!(sent.queue("roost_queue_failures_total", "email"), 0.0);
    // A refusing mail server is a failure, retried later.
    sink.set_down(true);
    mail::register(&a, &client, "carol", None).await;
    roost::mail::worker::run_once(&a.state)
        .await
        .expect("drains");
    let refused = scraper.scrape().await;
    assert_eq!(refused.queue("roost_queue_failures_total", "email"), 1.0);
    assert_eq!(refused.queue("roost_queue_depth", "email"), 1.0);
    assert_eq!(
        refused.queue("roost_queue_dead_letters_total", "email"),
        0.0
    );

    // HTTP: requests by matched route and status, unknown paths as `unmatched`.
    let requests =
        r#"roost_http_requests_total{method="POST",route="/api/v1/accounts",status="200"}"#;
    assert_eq!(refused.get(requests), 2.0);
    assert_eq!(
        a.get("/api/v1/no/such/thing")
            .send()
            .await
            .expect("sent")
            .status(),
        404
    );
    let counted = scraper.scrape().await;
    assert_eq!(
        counted.get(r#"roost_http_requests_total{method="GET",route="unmatched",status="404"}"#),
        1.0
    );
    assert_eq!(
        counted.get(
            r#"roost_http_request_duration_seconds_count{method="POST",route="/api/v1/accounts"}"#
        ),
        2.0
    );
    assert_eq!(
        counted.get(
            r#"roost_http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/api/v1/accounts"}"#
        ),
        2.0
    );

    // Push: alice's phone is subscribed at an address nobody answers.
    let subscribed = a
        .post("/api/v1/push/subscription")
        .bearer_auth(&alice)
        .form(&[
            ("subscription[endpoint]", "http://127.0.0.1:9/push/alice"),
            ("subscription[keys][p256dh]", P256DH),
            ("subscription[keys][auth]", AUTH),
            ("data[alerts][follow]", "true"),
            ("data[policy]", "all"),
        ])
        .send()
        .await;
    expect_json(subscribed, 200).await;

    // Inbox and deliveries: bob follows alice from the other instance.
    let bob = b.sign_up("bob").await;
    let alice_there = peers::remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    peers::follow(&b, &bob, &alice_there).await;
    delivery_worker::run_once(&b.state).await.expect("delivers");
    let arrived = scraper.scrape().await;
    assert_eq!(arrived.queue("roost_queue_depth", "inbox"), 1.0);
    assert!(arrived.queue("roost_queue_oldest_age_seconds", "inbox") >= 0.0);
    inbox::worker::run_once(&a.state).await.expect("processes");
    let processed = scraper.scrape().await;
    assert_eq!(processed.queue("roost_queue_depth", "inbox"), 0.0);
    assert_eq!(processed.queue("roost_queue_attempts_total", "inbox"), 1.0);
    assert_eq!(
        processed.queue("roost_queue_depth", "delivery"),
        1.0,
        "the Accept"
    );
    assert_eq!(
        processed.queue("roost_queue_depth", "push"),
        1.0,
        "the follow"
    );
    roost::push::worker::run_once(&a.state)
        .await
        .expect("pushes");
    let pushed = scraper.scrape().await;
    assert_eq!(pushed.queue("roost_queue_attempts_total", "push"), 1.0);
    assert_eq!(pushed.queue("roost_queue_failures_total", "push"), 1.0);
    peers::settle(&[&a, &b]).await;
    let settled = scraper.scrape().await;
    assert_eq!(settled.queue("roost_queue_depth", "delivery"), 0.0);
    assert_eq!(settled.queue("roost_queue_attempts_total", "delivery"), 1.0);
    assert_eq!(
        settled.get(r#"roost_delivery_destinations{health="healthy"}"#),
        1.0
    );

    // Streaming: an anonymous public stream is one connection while it is open.
    let stream = SseReader::open_anonymous(&a, "/api/v1/streaming/public").await;
    let streaming = scraper.scrape().await;
    assert_eq!(
        streaming.get(r#"roost_streaming_connections{holder="anonymous"}"#),
        1.0
    );
    drop(stream);
    // The server notices a closed stream at its next write (a heartbeat at most).
    let mut open = 1.0;
    for _ in 0..400 {
        open = scraper
            .scrape()
            .await
            .get(r#"roost_streaming_connections{holder="anonymous"}"#);
        if open == 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(open, 0.0, "a closed stream is no connection");
    let pool = |state| format!(r#"roost_db_pool_connections{{pool="requests",state="{state}"}}"#);
    assert!(
        streaming.get(&pool("idle")) + streaming.get(&pool("in_use")) >= 1.0,
        "the requests so far opened connections"
    );

    // A peer gone quiet: its deliveries fail, its domain turns failing, and at the
    // last attempt the delivery is a dead letter.
    b.stop().await;
    let posted = a
        .post("/api/v1/statuses")
        .bearer_auth(&alice)
        .form(&[("status", "Anyone there?")])
        .send()
        .await;
    expect_json(posted, 200).await;
    let queued = scraper.scrape().await;
    assert_eq!(
        queued.get(r#"roost_delivery_pending{health="healthy"}"#),
        1.0
    );
    delivery_worker::run_once(&a.state).await.expect("tries");
    let failing = scraper.scrape().await;
    assert_eq!(failing.queue("roost_queue_failures_total", "delivery"), 1.0);
    assert_eq!(failing.queue("roost_queue_depth", "delivery"), 1.0);
    assert_eq!(
        failing.get(r#"roost_delivery_destinations{health="failing"}"#),
        1.0
    );
    assert_eq!(
        failing.get(r#"roost_delivery_pending{health="failing"}"#),
        1.0
    );
    sqlx::query(
        "UPDATE deliveries SET attempts = 1000, next_attempt_at = now() WHERE state = 'pending'",
    )
    .execute(&a.db)
    .await
    .expect("made the last attempt");
    sqlx::query("UPDATE instances SET unavailable_until = NULL, probing_until = NULL")
        .execute(&a.db)
        .await
        .expect("breaker closed");
    delivery_worker::run_once(&a.state).await.expect("tries");
    let dead = scraper.scrape().await;
    assert_eq!(
        dead.queue("roost_queue_dead_letters_total", "delivery"),
        1.0
    );
    assert_eq!(dead.queue("roost_queue_dead_rows", "delivery"), 1.0);
    assert_eq!(dead.queue("roost_queue_depth", "delivery"), 0.0);

    // Scheduled statuses: one falls due, waits, and is published.
    let scheduled = a
        .post("/api/v1/statuses")
        .bearer_auth(&alice)
        .form(&[
            ("status", "Later"),
            (
                "scheduled_at",
                &(chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339(),
            ),
        ])
        .send()
        .await;
    let scheduled: Value = expect_json(scheduled, 200).await;
    assert!(scheduled["scheduled_at"].is_string());
    sqlx::query("UPDATE scheduled_statuses SET scheduled_at = now() - interval '1 minute'")
        .execute(&a.db)
        .await
        .expect("falls due");
    let due = scraper.scrape().await;
    assert_eq!(due.queue("roost_queue_depth", "scheduled"), 1.0);
    assert!(due.queue("roost_queue_oldest_age_seconds", "scheduled") >= 60.0);
    roost::services::scheduled_statuses::run_once(&a.state)
        .await
        .expect("publishes");
    let published = scraper.scrape().await;
    assert_eq!(published.queue("roost_queue_depth", "scheduled"), 0.0);
    assert_eq!(
        published.queue("roost_queue_attempts_total", "scheduled"),
        1.0
    );
    assert_eq!(
        published.or_zero(r#"roost_queue_failures_total{queue="scheduled"}"#),
        0.0
    );
}

#[sqlx::test]
async fn roost_serve_answers_metrics_on_its_own_listener_only(db: PgPool) {
    let metrics = format!("127.0.0.1:{}", free_port());
    let served = serve(&db, &[("ROOST_METRICS_BIND", metrics.as_str())]).await;
    let public = reqwest::get(format!("{}/metrics", served.base))
        .await
        .expect("asked");
    assert_eq!(public.status(), 404, "no metrics on the public listener");
    let text = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .expect("scraped")
        .text()
        .await
        .expect("text");
    let samples = Samples::parse(&text);
    assert!(
        samples.get(r#"roost_http_requests_total{method="GET",route="/health",status="200"}"#)
            >= 1.0
    );
    assert_eq!(
        samples.get(r#"roost_http_requests_total{method="GET",route="unmatched",status="404"}"#),
        1.0
    );
    // Every queue the workers run is shown from the start, at zero.
    for queue in ["inbox", "delivery", "push", "email", "scheduled", "imports"] {
        assert_eq!(
            samples.queue("roost_queue_attempts_total", queue),
            0.0,
            "{queue}"
        );
    }
    assert!(samples.get("process_resident_memory_bytes") > 1e6);
    served.output().await;
}
