//! Password hashing runs on a bounded pool (`ROOST_PASSWORD_HASH_CONCURRENCY`):
//! requests that cannot get a hasher within `ROOST_PASSWORD_HASH_QUEUE_TIMEOUT_MS` get
//! 503 with `Retry-After` (never a 500), and succeed when retried.

use reqwest::Response;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{OAuthApp, TestApp, PASSWORD};

/// Concurrent requests of one burst.
const BURST: usize = 12;
/// Bursts tried before giving up on seeing the pool saturated.
const MAX_BURSTS: usize = 5;

async fn login(app: &TestApp, oauth: &OAuthApp, username: &str) -> Response {
    let email = format!("{username}@mail.example");
    let params = [
        ("grant_type", "password"),
        ("username", email.as_str()),
        ("password", PASSWORD),
        ("scope", "read"),
    ];
    app.token_request(oauth, &params).await
}

async fn sign_up(app: &TestApp, app_token: &str, username: &str) -> Response {
    let email = format!("{username}@mail.example");
    app.post("/api/v1/accounts")
        .bearer_auth(app_token)
        .form(&[
            ("username", username),
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("agreement", "true"),
        ])
        .send()
        .await
        .expect("request sent")
}

/// Asserts a 503 in Mastodon's error shape with a `Retry-After` of whole seconds.
async fn assert_busy(response: Response) {
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    assert!(
        retry_after.is_some_and(|seconds| seconds >= 1),
        "Retry-After: {:?}",
        response.headers().get("retry-after")
    );
    let body: Value = response.json().await.expect("JSON body");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
}

#[sqlx::test]
async fn a_burst_beyond_the_hashing_pool_gets_503_with_retry_after_and_succeeds_when_retried(
    db: PgPool,
) {
    let app = TestApp::spawn_with(
        db,
        &[
            "--password-hash-concurrency",
            "1",
            "--password-hash-queue-timeout-ms",
            "1",
        ],
    )
    .await;
    let ann = app.sign_up("ann").await;
    let app_token = app.app_token(&ann.app, "read write follow push").await;
    let mut refused_logins = 0;
    let mut refused_sign_ups = Vec::new();
    for burst in 0..MAX_BURSTS {
        let logins = (0..BURST).map(|_| login(&app, &ann.app, "ann"));
        let names: Vec<String> = (0..BURST / 3).map(|i| format!("new{burst}x{i}")).collect();
        let sign_ups = names.iter().map(|name| sign_up(&app, &app_token, name));
        let (logins, sign_ups) = tokio::join!(
            futures_util::future::join_all(logins),
            futures_util::future::join_all(sign_ups)
        );
        for response in logins {
            match response.status().as_u16() {
                200 => {}
                503 => {
                    refused_logins += 1;
                    assert_busy(response).await;
                }
                other => panic!("login answered {other}: {:?}", response.text().await),
            }
        }
        for (name, response) in names.into_iter().zip(sign_ups) {
            match response.status().as_u16() {
                200 => {}
                503 => {
                    assert_busy(response).await;
                    refused_sign_ups.push(name);
                }
                other => panic!("sign-up answered {other}: {:?}", response.text().await),
            }
        }
        if refused_logins > 0 && !refused_sign_ups.is_empty() {
            break;
        }
    }
    assert!(refused_logins > 0, "no login waited past the queue timeout");
    assert!(
        !refused_sign_ups.is_empty(),
        "no sign-up waited past the queue timeout"
    );
    // Retried one at a time, each finds the hasher free.
    for _ in 0..refused_logins.min(3) {
        assert_eq!(login(&app, &ann.app, "ann").await.status(), 200);
    }
    for name in refused_sign_ups {
        let response = sign_up(&app, &app_token, &name).await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
    }
}
