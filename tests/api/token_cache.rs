//! Kept token checks (`auth::token_cache`): a process answers a client's repeated
//! requests from memory, yet a revocation, a suspension or a disabled login made by
//! another process, or by hand in the database, is refused at once; and the cache
//! listens again after its connection breaks.

use std::time::Duration;

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::process::serve;
use crate::helpers::sse::SseReader;
use crate::helpers::{expect_json, metric_value, scalar, test_secret, TestApp, TestUser, PASSWORD};

/// How often a warm-up may ask before the cache must have answered.
const WARM_UP_REQUESTS: usize = 100;
/// How often a check may still be answered from before a change (see [`answers_soon`]).
const NOTIFY_TRIES: usize = 100;

/// The value of `roost_token_checks_total{answer="kept"}` at `metrics_url`.
async fn kept_checks(metrics_url: &str) -> f64 {
    metric_value(metrics_url, "roost_token_checks_total{answer=\"kept\"}").await
}

/// The status of `GET /api/v1/accounts/verify_credentials` at `base` with `token`.
async fn verify(client: &reqwest::Client, base: &str, token: &str) -> StatusCode {
    client
        .get(format!("{base}/api/v1/accounts/verify_credentials"))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent")
        .status()
}

/// Asks `verify` with `token` until `metrics_url` shows a check answered from the
/// cache: the cache starts listening with the first check, and is used once it does.
async fn warm_up(base: &str, metrics_url: &str, token: &str) {
    let client = reqwest::Client::new();
    for _ in 0..WARM_UP_REQUESTS {
        assert_eq!(verify(&client, base, token).await, StatusCode::OK);
        if kept_checks(metrics_url).await > 0.0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no token check was answered from the cache");
}

/// Asks `verify` at `base` with `token` until it answers `expected`, at most
/// [`NOTIFY_TRIES`] times: a notification reaches a process a little after the
/// change's commit (well under a millisecond on one machine), and a request that
/// arrives first may still be answered from the cache. Panics if it never does.
async fn answers_soon(base: &str, token: &str, expected: StatusCode) {
    let client = reqwest::Client::new();
    for _ in 0..NOTIFY_TRIES {
        if verify(&client, base, token).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("still not {expected} after the change");
}

async fn revoke(app: &TestApp, user: &TestUser, token: &str) {
    let revoked = app
        .post("/oauth/revoke")
        .form(&[
            ("client_id", user.app.client_id.as_str()),
            ("client_secret", &user.app.client_secret),
            ("token", token),
        ])
        .send()
        .await;
    assert_eq!(expect_json(revoked, 200).await, serde_json::json!({}));
}

/// A second token of `user` (its own grant family), from a password sign-in.
async fn second_token(app: &TestApp, user: &TestUser) -> String {
    app.password_token(&user.app, &user.username, PASSWORD, "read write follow")
        .await
}

#[sqlx::test]
async fn a_token_another_process_revokes_is_refused_at_once_where_it_was_kept(db: PgPool) {
    let first = TestApp::spawn(db.clone()).await;
    let files = tempfile::tempdir().expect("temp dir");
    let key_file = files.path().join("secret.key");
    std::fs::write(&key_file, test_secret().0).expect("key written");
    let metrics_port = crate::helpers::process::free_port();
    let metrics_bind = format!("127.0.0.1:{metrics_port}");
    let key_path = key_file.display().to_string();
    // A second process of the same instance: same database, domain and secret.
    let second = serve(
        &db,
        &[
            ("ROOST_DOMAIN", first.domain.as_str()),
            ("ROOST_SECRET_KEY_FILE", key_path.as_str()),
            ("ROOST_METRICS_BIND", metrics_bind.as_str()),
        ],
    )
    .await;
    let metrics_url = format!("http://{metrics_bind}/metrics");
    let user = first.sign_up("ada").await;
    let token = second_token(&first, &user).await;
    warm_up(&second.base, &metrics_url, &token).await;
    warm_up(&second.base, &metrics_url, &user.access_token).await;

    revoke(&first, &user, &token).await;
    let client = reqwest::Client::new();
    let verify = |token: String| {
        client
            .get(format!(
                "{}/api/v1/accounts/verify_credentials",
                second.base
            ))
            .bearer_auth(token)
            .send()
    };
    answers_soon(&second.base, &token, StatusCode::UNAUTHORIZED).await;
    // The other grant is untouched, and is answered from the cache again.
    let before = kept_checks(&metrics_url).await;
    for _ in 0..3 {
        let kept = verify(user.access_token.clone()).await.expect("sent");
        assert_eq!(kept.status(), StatusCode::OK);
    }
    assert!(kept_checks(&metrics_url).await > before);
    let output = second.output().await;
    assert!(!output.contains("panicked"), "{output}");
}

#[sqlx::test]
async fn changes_made_by_hand_in_the_database_reach_kept_token_checks(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let metrics_url = crate::helpers::metrics_listener(&app).await;
    let user = app.sign_up("grace").await;
    let account = &user.account_id;
    // As `psql` or another tool would, without Roost's code: only the triggers' NOTIFY
    // tells the process. Each change is made while the token is kept, then undone.
    let changes = [
        (
            format!("UPDATE users SET disabled = true WHERE account_id = {account}"),
            StatusCode::FORBIDDEN,
            format!("UPDATE users SET disabled = false WHERE account_id = {account}"),
        ),
        (
            format!("UPDATE accounts SET suspended_at = now() WHERE id = {account}"),
            StatusCode::FORBIDDEN,
            format!("UPDATE accounts SET suspended_at = NULL WHERE id = {account}"),
        ),
        (
            format!(
                "UPDATE oauth_access_tokens SET revoked_at = now() WHERE account_id = {account}"
            ),
            StatusCode::UNAUTHORIZED,
            String::new(),
        ),
    ];
    for (change, refused, undo) in changes {
        warm_up(&app.base, &metrics_url, &user.access_token).await;
        sqlx::query(&change).execute(&db).await.expect("changed");
        answers_soon(&app.base, &user.access_token, refused).await;
        if !undo.is_empty() {
            sqlx::query(&undo).execute(&db).await.expect("undone");
        }
    }
}

#[sqlx::test]
async fn the_cache_listens_again_after_its_connection_breaks(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let metrics_url = crate::helpers::metrics_listener(&app).await;
    let user = app.sign_up("hedy").await;
    warm_up(&app.base, &metrics_url, &user.access_token).await;
    let listening = "SELECT count(*) FROM pg_stat_activity \
                     WHERE datname = current_database() AND query = 'LISTEN \"roost_auth\"'";
    let broken: i64 = sqlx::query_scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = current_database() AND query = 'LISTEN \"roost_auth\"'",
    )
    .fetch_one(&db)
    .await
    .expect("terminated");
    assert_eq!(broken, 1, "one auth listener per process");
    // Until it listens again, checks go to the database; then the cache serves again.
    assert!(
        sessions_become(&db, listening, 1, 200).await,
        "the cache did not listen again"
    );
    let before = kept_checks(&metrics_url).await;
    let mut kept_again = false;
    for _ in 0..WARM_UP_REQUESTS {
        assert_eq!(app.verify_status(&user.access_token).await, StatusCode::OK);
        if kept_checks(&metrics_url).await > before {
            kept_again = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(kept_again, "the cache was not used after listening again");
    sqlx::query("UPDATE oauth_access_tokens SET revoked_at = now()")
        .execute(&db)
        .await
        .expect("revoked");
    answers_soon(&app.base, &user.access_token, StatusCode::UNAUTHORIZED).await;
}

/// A stopped server leaves no LISTEN connection behind, neither the token checks',
/// the displayed accounts' nor the streaming hub's: they lived as long as the process,
/// and a database cannot be dropped while a session is connected to it (PostgreSQL
/// waits 5 s, then refuses; each test's database was dropped 5 s late).
#[sqlx::test]
async fn a_stopped_server_closes_its_listening_connections(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let user = app.sign_up("grace").await;
    // An authenticated request starts the token cache's listener, a page of statuses
    // the account cache's, a stream the hub's.
    assert_eq!(app.verify_status(&user.access_token).await, StatusCode::OK);
    let _: serde_json::Value = (app.as_(&user))
        .post("/api/v1/statuses", &[("status", "hi")])
        .await
        .expect("posted");
    let _: Vec<serde_json::Value> = (app.as_(&user))
        .get("/api/v1/timelines/home")
        .await
        .expect("home");
    let stream = SseReader::open(&app, "/api/v1/streaming/user", &user).await;
    let named = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND query IN ('LISTEN \"roost_auth\"', 'LISTEN \"roost_accounts\"', \
                 'LISTEN \"roost_stream\"')";
    assert!(
        sessions_become(&db, named, 3, 100).await,
        "the three listeners never listened"
    );
    drop(stream);
    app.stop().await;
    // `UNLISTEN *` too: a listener's connection given back to a pool that stays open.
    let any = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
               AND (query LIKE 'LISTEN %' OR query LIKE 'UNLISTEN %')";
    assert!(
        sessions_become(&db, any, 0, 100).await,
        "listening sessions left after the stop"
    );
}

/// Whether `count` (a `SELECT count(*)` of sessions) reaches `wanted` within `tries`
/// looks 50 ms apart. It waits before the first look: a session just terminated is
/// still listed for a moment.
async fn sessions_become(db: &PgPool, count: &str, wanted: i64, tries: usize) -> bool {
    for _ in 0..tries {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if scalar(db, count).await == wanted {
            return true;
        }
    }
    false
}
