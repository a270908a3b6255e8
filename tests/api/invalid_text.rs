//! Text PostgreSQL cannot store, and paths that are not text at all. A NUL character in
//! any client input (a body field: 422; the URL's path or query: 400) and a path that is
//! not UTF-8 (400) get Mastodon's JSON error, never a 500, on every kind of endpoint.

use reqwest::header::CONTENT_TYPE;
use reqwest::Response;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{expect_error, TestApp};

/// Asserts `status` with a JSON `{"error": …}` body and a JSON content type.
async fn expect_json_error(response: reqwest::Result<Response>, status: u16) -> Value {
    let response = response.expect("request sent");
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "answered {} as {content_type:?}",
        response.status()
    );
    expect_error(Ok(response), status).await
}

#[sqlx::test]
async fn a_nul_in_status_text_or_spoiler_is_refused_and_nothing_is_posted(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let as_json = app
        .post("/api/v1/statuses")
        .bearer_auth(&alice.access_token)
        .json(&json!({"status": "hello\u{0}world"}))
        .send()
        .await;
    expect_json_error(as_json, 422).await;
    let as_form = app
        .post("/api/v1/statuses")
        .bearer_auth(&alice.access_token)
        .form(&[("status", "hello"), ("spoiler_text", "c\u{0}w")])
        .send()
        .await;
    expect_json_error(as_form, 422).await;
    let posted: i64 = sqlx::query_scalar("SELECT count(*) FROM statuses")
        .fetch_one(&app.db)
        .await
        .expect("counts");
    assert_eq!(posted, 0);
}

#[sqlx::test]
async fn a_nul_in_a_profile_field_name_or_bio_is_refused(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let field = app
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&alice.access_token)
        .form(&[
            ("fields_attributes[0][name]", "Site"),
            ("fields_attributes[0][value]", "a\u{0}b"),
        ])
        .send()
        .await;
    expect_json_error(field, 422).await;
    for body in [
        json!({"display_name": "\u{0}"}),
        json!({"note": "bio\u{0}"}),
        json!({"fields_attributes": [{"name": "N\u{0}", "value": "v"}]}),
    ] {
        let response = app
            .patch("/api/v1/accounts/update_credentials")
            .bearer_auth(&alice.access_token)
            .json(&body)
            .send()
            .await;
        expect_json_error(response, 422).await;
    }
}

#[sqlx::test]
async fn a_nul_in_a_query_parameter_is_refused(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    for (path, name) in [
        ("/api/v2/search", "q"),
        ("/api/v1/accounts/search", "q"),
        ("/api/v1/accounts/lookup", "acct"),
        ("/.well-known/webfinger", "resource"),
        ("/api/v1/streaming/hashtag", "tag"),
    ] {
        let response = app
            .get(path)
            .bearer_auth(&alice.access_token)
            .query(&[(name, "acct:a\u{0}b@x")])
            .send()
            .await;
        expect_json_error(response, 400).await;
    }
}

#[sqlx::test]
async fn a_nul_in_a_path_segment_is_refused(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    for path in [
        "/api/v1/timelines/tag/a%00b",
        "/api/v1/statuses/1%00",
        "/users/alice%00",
        "/@alice%00",
        "/system/a%00b.png",
    ] {
        let response = app.get(path).bearer_auth(&alice.access_token).send().await;
        expect_json_error(response, 400).await;
    }
}

#[sqlx::test]
async fn a_path_that_is_not_utf8_gets_a_json_error(db: PgPool) {
    let app = TestApp::spawn(db).await;
    for path in [
        "/api/v1/accounts/%FF",
        "/api/v1/timelines/tag/%C3%28",
        "/users/%FF",
        "/system/%FF.png",
    ] {
        expect_json_error(app.get(path).send().await, 400).await;
    }
}

#[sqlx::test]
async fn a_query_string_the_endpoint_cannot_read_gets_a_json_error(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let twice = app
        .get("/.well-known/webfinger?resource=acct:a@x&resource=acct:b@x")
        .send()
        .await;
    expect_json_error(twice, 400).await;
}
