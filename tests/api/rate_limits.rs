//! Per-IP rate limits on sign-up, the token endpoint and the sign-in form, with
//! Mastodon's `X-RateLimit-*` headers
//! (<https://docs.joinmastodon.org/api/rate-limits/>). Budgets come from
//! `--rate-limits`; `TestApp` turns them off unless a test sets them.

use reqwest::Response;
use sqlx::PgPool;

use crate::helpers::{expect_error, OAuthApp, TestApp, PASSWORD};

fn header<'r>(response: &'r Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

async fn register(app: &TestApp, app_token: &str, username: &str) -> Response {
    let email = format!("{username}@mail.example");
    let form = [
        ("username", username),
        ("email", &email),
        ("password", PASSWORD),
        ("agreement", "true"),
    ];
    app.post("/api/v1/accounts")
        .bearer_auth(app_token)
        .form(&form)
        .send()
        .await
        .expect("request sent")
}

async fn client_credentials(app: &TestApp, oauth_app: &OAuthApp) -> Response {
    app.token_request(
        oauth_app,
        &[("grant_type", "client_credentials"), ("scope", "read")],
    )
    .await
}

/// The sign-in form's fields for `oauth_app`, with `password`.
fn sign_in_form<'a>(oauth_app: &'a OAuthApp, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", &oauth_app.client_id),
        ("redirect_uri", "https://app.example/callback"),
        ("scope", "read"),
        ("login", "alice"),
        ("password", password),
        ("decision", "approve"),
    ]
}

#[sqlx::test]
async fn sign_ups_over_the_budget_are_refused_with_429_and_rate_limit_headers(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--rate-limits", "sign_up=2/3600"]).await;
    let oauth_app = app.create_app("read write").await;
    let app_token = app.app_token(&oauth_app, "write").await;

    for (username, remaining) in [("first", "1"), ("second", "0")] {
        let response = register(&app, &app_token, username).await;
        assert_eq!(response.status(), 200, "{username}");
        assert_eq!(header(&response, "x-ratelimit-limit"), Some("2"));
        assert_eq!(header(&response, "x-ratelimit-remaining"), Some(remaining));
    }

    let before = chrono::Utc::now();
    let response = register(&app, &app_token, "third").await;
    assert_eq!(header(&response, "x-ratelimit-limit"), Some("2"));
    assert_eq!(header(&response, "x-ratelimit-remaining"), Some("0"));
    let reset = header(&response, "x-ratelimit-reset").expect("X-RateLimit-Reset is sent");
    let reset = chrono::DateTime::parse_from_rfc3339(reset).expect("reset is an ISO 8601 time");
    assert!(reset > before, "the window resets in the future: {reset}");
    let error = expect_error(Ok(response), 429).await;
    assert_eq!(error["error"], "Too many requests");

    let created: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&app.db)
        .await
        .expect("counts");
    assert_eq!(created, 2, "the refused sign-up created nothing");
}

#[sqlx::test]
async fn token_requests_over_the_budget_are_refused(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--rate-limits", "oauth_token=3/3600"]).await;
    let oauth_app = app.create_app("read").await;
    for remaining in ["2", "1", "0"] {
        let response = client_credentials(&app, &oauth_app).await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "x-ratelimit-remaining"), Some(remaining));
    }
    let response = client_credentials(&app, &oauth_app).await;
    assert!(header(&response, "x-ratelimit-reset").is_some());
    expect_error(Ok(response), 429).await;

    // Other endpoints have their own budgets (app registration has none).
    app.create_app("read").await;
}

#[sqlx::test]
async fn only_submissions_of_the_sign_in_form_count_against_its_budget(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--rate-limits", "sign_in=1/3600"]).await;
    let alice = app.sign_up("alice").await;
    let form = sign_in_form(&alice.app, "wrong password");
    for _ in 0..3 {
        let response = app
            .get("/oauth/authorize")
            .query(&form[..4])
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), 200, "showing the form is free");
    }

    let first = app
        .post("/oauth/authorize")
        .form(&form)
        .send()
        .await
        .expect("request sent");
    assert_eq!(first.status(), 401, "a wrong password is shown on the page");
    assert_eq!(header(&first, "x-ratelimit-remaining"), Some("0"));

    let right = sign_in_form(&alice.app, PASSWORD);
    let response = app.post("/oauth/authorize").form(&right).send().await;
    expect_error(response, 429).await;
}

#[sqlx::test]
async fn with_limits_off_nothing_is_limited(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let oauth_app = app.create_app("read write").await;
    for _ in 0..10 {
        let response = client_credentials(&app, &oauth_app).await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "x-ratelimit-limit"), None);
    }
    // More sign-up attempts than the default budget of 5.
    let app_token = app.app_token(&oauth_app, "write").await;
    for attempt in 0..6 {
        let response = register(&app, &app_token, "bad-name").await;
        assert_eq!(response.status(), 422, "attempt {attempt}");
    }
}

#[sqlx::test]
async fn with_the_default_limits_a_sixth_sign_up_attempt_is_refused(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--rate-limits", "on"]).await;
    let app_token = app.app_token(&app.create_app("write").await, "write").await;
    for attempt in 0..5 {
        let response = register(&app, &app_token, "bad-name").await;
        assert_eq!(
            response.status(),
            422,
            "attempt {attempt}: failed attempts count too"
        );
        assert_eq!(header(&response, "x-ratelimit-limit"), Some("5"));
    }
    expect_error(Ok(register(&app, &app_token, "valid_name").await), 429).await;
}
