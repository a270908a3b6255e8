//! Web Push: the subscription API, and messages that an independent implementation
//! (tests/clients/web_push_receiver.py: Mozilla's http_ece and `cryptography`) decrypts
//! and whose VAPID token it verifies, received by a push endpoint run by the test.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::helpers::peers::{follow, instance};
use crate::helpers::{expect_error, expect_json, test_python, TestApp, TestUser, PASSWORD};

const RECEIVER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/clients/web_push_receiver.py"
);

/// One request the push endpoint received.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    headers: Value,
    body: Vec<u8>,
}

/// A push service on 127.0.0.1: records every POST; `/gone/...` answers 410.
struct PushService {
    base: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl PushService {
    async fn start() -> PushService {
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/{*path}", post(record))
            .with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        PushService { base, received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits (bounded) until `count` requests arrived, draining the push queue meanwhile.
    async fn wait_for(&self, app: &TestApp, count: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            roost::push::worker::run_once(&app.state)
                .await
                .expect("push queue drains");
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {count} pushes, got {}",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn record(
    State(received): State<Arc<Mutex<Vec<Received>>>>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                Value::String(value.to_str().unwrap_or_default().to_owned()),
            )
        })
        .collect();
    received.lock().expect("lock").push(Received {
        path: path.clone(),
        headers: Value::Object(headers),
        body: body.to_vec(),
    });
    if path.starts_with("gone") {
        StatusCode::GONE
    } else {
        StatusCode::CREATED
    }
}

async fn python(args: &[&str], stdin: Option<&Value>) -> Value {
    let mut child = Command::new(test_python())
        .arg(RECEIVER)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(value) = stdin {
        input
            .write_all(value.to_string().as_bytes())
            .await
            .expect("write stdin");
    }
    drop(input);
    let output = child.wait_with_output().await.expect("python finishes");
    assert!(
        output.status.success(),
        "web_push_receiver.py {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("python prints JSON")
}

/// Opens a received push with the subscriber's keys; returns (payload, VAPID claims).
async fn open(received: &Received, keys: &Value, server_key: &str) -> (Value, Value) {
    let message = json!({
        "private_key": keys["private_key"],
        "auth": keys["auth"],
        "server_key": server_key,
        "body": base64::engine::general_purpose::STANDARD.encode(&received.body),
        "headers": received.headers,
    });
    let opened = python(&["open"], Some(&message)).await;
    let payload = serde_json::from_str(opened["plaintext"].as_str().expect("plaintext"))
        .expect("the plaintext is JSON");
    (payload, opened["vapid_claims"].clone())
}

async fn subscribe(app: &TestApp, user: &TestUser, form: &[(&str, &str)]) -> Value {
    expect_json(
        app.post("/api/v1/push/subscription")
            .bearer_auth(&user.access_token)
            .form(form)
            .send()
            .await,
        200,
    )
    .await
}

async fn favourite(app: &TestApp, user: &TestUser, status: &str) {
    expect_json(
        app.post(&format!("/api/v1/statuses/{status}/favourite"))
            .bearer_auth(&user.access_token)
            .send()
            .await,
        200,
    )
    .await;
}

async fn queued(app: &TestApp) -> i64 {
    roost::db::push::queued(&app.db).await.expect("count")
}

#[sqlx::test]
async fn a_favourite_is_pushed_encrypted_with_aes128gcm_and_signed_with_vapid(db: PgPool) {
    let app = instance(db).await;
    let service = PushService::start().await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let keys = python(&["keys"], None).await;
    let endpoint = format!("{}/alice/1", service.base);
    let subscription = subscribe(
        &app,
        &alice,
        &[
            ("subscription[endpoint]", &endpoint),
            (
                "subscription[keys][p256dh]",
                keys["p256dh"].as_str().expect("key"),
            ),
            (
                "subscription[keys][auth]",
                keys["auth"].as_str().expect("auth"),
            ),
            ("subscription[standard]", "true"),
            ("data[alerts][favourite]", "true"),
            ("data[policy]", "all"),
        ],
    )
    .await;
    assert_eq!(subscription["standard"], true);
    let server_key = subscription["server_key"].as_str().expect("server_key");

    let status = app
        .post_status(&alice, &[("status", "Look at my <b>cat</b>")])
        .await;
    favourite(&app, &bob, &status).await;
    assert_eq!(
        queued(&app).await,
        1,
        "the push is queued with the notification"
    );

    let received = service.wait_for(&app, 1).await;
    assert_eq!(received[0].path, "alice/1");
    assert_eq!(received[0].headers["content-encoding"], "aes128gcm");
    assert_eq!(received[0].headers["ttl"], "172800");
    let (payload, claims) = open(&received[0], &keys, server_key).await;
    assert_eq!(payload["notification_type"], "favourite");
    assert_eq!(payload["title"], "bob favorited your post");
    assert_eq!(payload["body"], "Look at my <b>cat</b>");
    assert_eq!(payload["preferred_locale"], "en");
    assert_eq!(claims["aud"], service.base);
    assert!(claims["exp"].as_i64().expect("exp") > chrono::Utc::now().timestamp());

    // The payload's id and token are usable: the client fetches the notification.
    let token = payload["access_token"].as_str().expect("token");
    let id = payload["notification_id"].as_str().expect("id");
    let notification = expect_json(
        app.get(&format!("/api/v1/notifications/{id}"))
            .bearer_auth(token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(notification["type"], "favourite");
    assert_eq!(notification["account"]["id"], bob.account_id.as_str());
    assert_eq!(queued(&app).await, 0, "a sent push leaves the queue");
    app.stop().await;
}

#[sqlx::test]
async fn subscribers_without_standard_get_the_older_aesgcm_coding(db: PgPool) {
    let app = instance(db).await;
    let service = PushService::start().await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let keys = python(&["keys"], None).await;
    // Standard base64 with padding, as some apps send the keys.
    let standard_b64 = |value: &Value| {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(value.as_str().expect("key"))
            .expect("b64url");
        base64::engine::general_purpose::STANDARD.encode(raw)
    };
    let subscription = subscribe(
        &app,
        &alice,
        &[
            (
                "subscription[endpoint]",
                &format!("{}/legacy", service.base),
            ),
            ("subscription[keys][p256dh]", &standard_b64(&keys["p256dh"])),
            ("subscription[keys][auth]", &standard_b64(&keys["auth"])),
            ("data[alerts][follow]", "true"),
        ],
    )
    .await;
    assert_eq!(subscription["standard"], false);
    expect_json(
        app.post(&format!("/api/v1/accounts/{}/follow", alice.account_id))
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        200,
    )
    .await;
    let received = service.wait_for(&app, 1).await;
    assert_eq!(received[0].headers["content-encoding"], "aesgcm");
    let server_key = subscription["server_key"].as_str().expect("server_key");
    let (payload, _) = open(&received[0], &keys, server_key).await;
    assert_eq!(payload["notification_type"], "follow");
    assert_eq!(payload["title"], "bob is now following you");
    app.stop().await;
}

#[sqlx::test]
async fn alerts_and_policy_decide_what_is_queued(db: PgPool) {
    let app = instance(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let keys = python(&["keys"], None).await;
    let form = |alerts: &'static str, policy: &'static str| {
        vec![
            (
                "subscription[endpoint]",
                "http://127.0.0.1:9/push".to_owned(),
            ),
            (
                "subscription[keys][p256dh]",
                keys["p256dh"].as_str().expect("k").to_owned(),
            ),
            (
                "subscription[keys][auth]",
                keys["auth"].as_str().expect("a").to_owned(),
            ),
            (alerts, "true".to_owned()),
            ("data[policy]", policy.to_owned()),
        ]
    };
    let status = app.post_status(&alice, &[("status", "hello")]).await;

    // Mentions only: a favourite is not pushed.
    let only_mentions = form("data[alerts][mention]", "all");
    expect_json(
        app.post("/api/v1/push/subscription")
            .bearer_auth(&alice.access_token)
            .form(&only_mentions)
            .send()
            .await,
        200,
    )
    .await;
    favourite(&app, &bob, &status).await;
    assert_eq!(queued(&app).await, 0);

    // Favourites from followed accounts only: bob is not followed yet.
    let followed = form("data[alerts][favourite]", "followed");
    expect_json(
        app.post("/api/v1/push/subscription")
            .bearer_auth(&alice.access_token)
            .form(&followed)
            .send()
            .await,
        200,
    )
    .await;
    let second = app.post_status(&alice, &[("status", "again")]).await;
    favourite(&app, &bob, &second).await;
    assert_eq!(queued(&app).await, 0, "bob is not followed");
    follow(&app, &alice, &bob.account_id).await;
    let third = app.post_status(&alice, &[("status", "third")]).await;
    favourite(&app, &bob, &third).await;
    assert_eq!(queued(&app).await, 1, "bob is followed now");

    // Policy none: nothing.
    expect_json(
        app.put("/api/v1/push/subscription")
            .bearer_auth(&alice.access_token)
            .form(&[("data[policy]", "none")])
            .send()
            .await,
        200,
    )
    .await;
    let fourth = app.post_status(&alice, &[("status", "fourth")]).await;
    favourite(&app, &bob, &fourth).await;
    assert_eq!(queued(&app).await, 1);
    app.stop().await;
}

#[sqlx::test]
async fn the_subscription_api_creates_shows_updates_and_deletes(db: PgPool) {
    let app = instance(db).await;
    let alice = app.sign_up("alice").await;
    let keys = python(&["keys"], None).await;
    let body = json!({
        "subscription": {
            "endpoint": "https://push.example/abc",
            "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]},
            "standard": true
        },
        "data": {"alerts": {"mention": true, "admin.sign_up": true}, "policy": "follower"}
    });
    let created = expect_json(
        app.post("/api/v1/push/subscription")
            .bearer_auth(&alice.access_token)
            .json(&body)
            .send()
            .await,
        200,
    )
    .await;
    assert!(created["id"].is_string());
    assert_eq!(created["endpoint"], "https://push.example/abc");
    assert_eq!(created["policy"], "follower");
    assert_eq!(created["alerts"]["mention"], true);
    assert_eq!(created["alerts"]["favourite"], false);
    assert_eq!(
        created["alerts"]["admin.sign_up"], false,
        "admin alerts are for staff only"
    );
    let server_key = created["server_key"].as_str().expect("server_key");
    let raw = base64::engine::general_purpose::URL_SAFE
        .decode(server_key)
        .expect("base64url");
    assert_eq!((raw.len(), raw[0]), (65, 4), "an uncompressed P-256 point");
    let instance = expect_json(app.get("/api/v2/instance").send().await, 200).await;
    assert_eq!(instance["configuration"]["vapid"]["public_key"], server_key);

    let shown = expect_json(
        app.get("/api/v1/push/subscription")
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(shown, created);

    let updated = expect_json(
        app.put("/api/v1/push/subscription")
            .bearer_auth(&alice.access_token)
            .json(&json!({"data": {"alerts": {"favourite": true}}, "policy": "all"}))
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(updated["alerts"]["favourite"], true);
    assert_eq!(
        updated["alerts"]["mention"], true,
        "unnamed alerts keep their value"
    );
    assert_eq!(updated["policy"], "all");
    assert_eq!(updated["endpoint"], "https://push.example/abc");

    let deleted = expect_json(
        app.delete("/api/v1/push/subscription")
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(deleted, json!({}));
    expect_error(
        app.get("/api/v1/push/subscription")
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        404,
    )
    .await;
    expect_error(
        app.put("/api/v1/push/subscription")
            .bearer_auth(&alice.access_token)
            .form(&[("data[policy]", "all")])
            .send()
            .await,
        404,
    )
    .await;
    app.stop().await;
}

#[sqlx::test]
async fn bad_subscriptions_get_422_and_tokens_without_push_scope_403(db: PgPool) {
    let app = instance(db).await;
    let alice = app.sign_up("alice").await;
    let keys = python(&["keys"], None).await;
    let p256dh = keys["p256dh"].as_str().expect("key");
    let auth = keys["auth"].as_str().expect("auth");
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![
                ("subscription[keys][p256dh]", p256dh),
                ("subscription[keys][auth]", auth),
            ],
            "endpoint",
        ),
        (
            vec![
                ("subscription[endpoint]", "ftp://x/y"),
                ("subscription[keys][p256dh]", p256dh),
                ("subscription[keys][auth]", auth),
            ],
            "endpoint",
        ),
        (
            vec![
                ("subscription[endpoint]", "https://p.example/x"),
                ("subscription[keys][p256dh]", "AAAA"),
                ("subscription[keys][auth]", auth),
            ],
            "p256dh",
        ),
        (
            vec![
                ("subscription[endpoint]", "https://p.example/x"),
                ("subscription[keys][p256dh]", p256dh),
                ("subscription[keys][auth]", "c2hvcnQ"),
            ],
            "auth",
        ),
        (
            vec![
                ("subscription[endpoint]", "https://p.example/x"),
                ("subscription[keys][p256dh]", p256dh),
                ("subscription[keys][auth]", auth),
                ("data[policy]", "everyone"),
            ],
            "policy",
        ),
    ];
    for (form, field) in cases {
        let error = expect_error(
            app.post("/api/v1/push/subscription")
                .bearer_auth(&alice.access_token)
                .form(&form)
                .send()
                .await,
            422,
        )
        .await;
        assert!(
            error["error"].as_str().expect("message").contains(field)
                || error["details"].to_string().contains(field),
            "{field}: {error}"
        );
    }
    let read_only = app
        .password_token(&alice.app, "alice", PASSWORD, "read")
        .await;
    expect_error(
        app.get("/api/v1/push/subscription")
            .bearer_auth(&read_only)
            .send()
            .await,
        403,
    )
    .await;
    app.stop().await;
}

#[sqlx::test]
async fn a_push_service_answering_410_ends_the_subscription(db: PgPool) {
    let app = instance(db).await;
    let service = PushService::start().await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let keys = python(&["keys"], None).await;
    subscribe(
        &app,
        &alice,
        &[
            (
                "subscription[endpoint]",
                &format!("{}/gone/1", service.base),
            ),
            (
                "subscription[keys][p256dh]",
                keys["p256dh"].as_str().expect("key"),
            ),
            (
                "subscription[keys][auth]",
                keys["auth"].as_str().expect("auth"),
            ),
            ("subscription[standard]", "true"),
            ("data[alerts][follow]", "true"),
        ],
    )
    .await;
    follow(&app, &bob, &alice.account_id).await;
    service.wait_for(&app, 1).await;
    expect_error(
        app.get("/api/v1/push/subscription")
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        404,
    )
    .await;
    assert_eq!(queued(&app).await, 0);
    app.stop().await;
}
