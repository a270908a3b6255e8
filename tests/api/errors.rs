//! Errors every endpoint shares: unknown routes, bodies that cannot be parsed or are too
//! large, and credentials that are malformed or forged. Mastodon answers with JSON
//! `{"error": "…"}` (<https://docs.joinmastodon.org/entities/Error/>) and a 401 carries
//! `WWW-Authenticate` (RFC 6750 §3).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::Response;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{expect_error, expect_json, TestApp};

/// Asserts a 400 with a JSON error: what Rails (so Mastodon) answers for a body it
/// cannot parse, and what docs/api.md promises.
async fn expect_unparsable(response: reqwest::Result<Response>) -> Value {
    expect_error(response, 400).await
}

async fn post_raw(
    app: &TestApp,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Result<Response> {
    app.post("/api/v1/apps")
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
}

async fn apps_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM oauth_apps")
        .fetch_one(&app.db)
        .await
        .expect("counts")
}

#[sqlx::test]
async fn unknown_routes_answer_404_with_a_json_error(db: PgPool) {
    let app = TestApp::spawn(db).await;
    for path in ["/api/v1/nonexistent", "/api/v3/instance", "/nothing/here"] {
        let response = app.get(path).send().await.expect("request sent");
        let content_type = response.headers().get(CONTENT_TYPE).cloned();
        let body = expect_error(Ok(response), 404).await;
        assert_eq!(body["error"], "Record not found", "{path}");
        assert_eq!(
            content_type.as_ref().and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
    }
    expect_error(app.post("/api/v1/statuses/1/nonsense").send().await, 404).await;
}

#[sqlx::test]
async fn a_malformed_json_body_is_refused_with_a_json_error(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let error =
        expect_unparsable(post_raw(&app, "application/json", r#"{"client_name": "#).await).await;
    assert!(
        error["error"].as_str().is_some_and(|e| e.contains("JSON")),
        "{error}"
    );
    // JSON without a Content-Type is still read as JSON, and still refused.
    expect_unparsable(app.post("/api/v1/apps").body("{oops}").send().await).await;
    assert_eq!(apps_count(&app).await, 0);
}

#[sqlx::test]
async fn a_json_body_that_is_not_an_object_is_refused(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let array = json!([{ "client_name": "App", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob" }]);
    expect_unparsable(post_raw(&app, "application/json", array.to_string()).await).await;
    expect_unparsable(post_raw(&app, "application/json", "\"client_name\"").await).await;
    assert_eq!(apps_count(&app).await, 0);
}

#[sqlx::test]
async fn a_body_over_one_mebibyte_is_refused_as_too_large(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let padding = "a".repeat(1024 * 1024);
    let body = json!({ "client_name": "App", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "padding": padding });
    let error = expect_error(
        post_raw(&app, "application/json", body.to_string()).await,
        413,
    )
    .await;
    assert_eq!(error["error"], "Request body is too large");
    let form = format!("client_name=App&redirect_uris=urn:ietf:wg:oauth:2.0:oob&padding={padding}");
    expect_error(
        post_raw(&app, "application/x-www-form-urlencoded", form).await,
        413,
    )
    .await;
    assert_eq!(apps_count(&app).await, 0);

    // Just under the limit is fine.
    let body = json!({ "client_name": "App", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "padding": "a".repeat(1_000_000) });
    expect_json(
        post_raw(&app, "application/json", body.to_string()).await,
        200,
    )
    .await;
}

/// Asserts a 401 with a JSON error and a `WWW-Authenticate: Bearer …` challenge.
async fn expect_challenge(response: reqwest::Result<Response>) {
    let response = response.expect("request sent");
    let challenge = response
        .headers()
        .get(WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    expect_error(Ok(response), 401).await;
    assert!(
        challenge.is_some_and(|c| c.starts_with("Bearer")),
        "401 without a Bearer challenge"
    );
}

#[sqlx::test]
async fn an_authorization_header_that_is_not_bearer_is_unauthorized(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let path = "/api/v1/accounts/verify_credentials";
    for header in [
        "Basic xyz".to_owned(),
        "Bearer".to_owned(),
        "Token ".to_owned() + &alice.access_token,
    ] {
        expect_challenge(app.get(path).header("Authorization", header).send().await).await;
    }
    // The same token with the right scheme works, in any case.
    let response = app
        .get(path)
        .header("Authorization", format!("bearer {}", alice.access_token))
        .send()
        .await;
    expect_json(response, 200).await;
}

/// The three dot-separated parts of a JWT, the first two decoded.
fn jwt_parts(token: &str) -> (Value, Value, String) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts: {token}");
    let decode = |part: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
    };
    (decode(parts[0]), decode(parts[1]), parts[2].to_owned())
}

fn encode_part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[sqlx::test]
async fn forged_unsigned_and_garbage_bearer_tokens_are_unauthorized(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let (header, claims, signature) = jwt_parts(&alice.access_token);
    assert_eq!(header["alg"], "HS256");

    let unsigned = format!(
        "{}.{}.",
        encode_part(&json!({ "alg": "none", "typ": "JWT" })),
        encode_part(&claims)
    );
    let unsigned_hs256 = format!("{}.{}.", encode_part(&header), encode_part(&claims));
    let mut widened = claims.clone();
    widened["scope"] = json!("read write follow push admin:read admin:write");
    let tampered = format!(
        "{}.{}.{signature}",
        encode_part(&header),
        encode_part(&widened)
    );
    let wrong_key = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"some-other-secret-0123456789abcdef0123456789"),
    )
    .expect("encodes");
    for token in [
        unsigned,
        unsigned_hs256,
        tampered,
        wrong_key,
        "garbage".to_owned(),
        "a.b.c".to_owned(),
    ] {
        let response = app
            .get("/api/v1/accounts/verify_credentials")
            .bearer_auth(&token)
            .send()
            .await;
        expect_challenge(response).await;
    }
    assert_eq!(
        app.verify_status(&alice.access_token).await,
        200,
        "the genuine token still works"
    );
}

#[sqlx::test]
async fn form_keys_with_unbalanced_brackets_are_refused(db: PgPool) {
    let app = TestApp::spawn(db).await;
    for key in ["client_name[", "scopes]x[", "[client_name]"] {
        let form = format!("client_name=App&redirect_uris=urn:ietf:wg:oauth:2.0:oob&{key}=x");
        let error =
            expect_unparsable(post_raw(&app, "application/x-www-form-urlencoded", form).await)
                .await;
        assert!(
            error["error"]
                .as_str()
                .is_some_and(|e| e.contains("parameter")),
            "{key}: {error}"
        );
    }
    assert_eq!(apps_count(&app).await, 0);
}

#[sqlx::test]
async fn more_than_a_thousand_form_pairs_are_refused(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let form = |pairs: usize| {
        let mut body = "client_name=App&redirect_uris=urn:ietf:wg:oauth:2.0:oob".to_owned();
        for i in 2..pairs {
            body.push_str(&format!("&p{i}=x"));
        }
        body
    };
    let error =
        expect_unparsable(post_raw(&app, "application/x-www-form-urlencoded", form(1001)).await)
            .await;
    assert!(
        error["error"]
            .as_str()
            .is_some_and(|e| e.contains("parameters")),
        "{error}"
    );
    assert_eq!(apps_count(&app).await, 0);
    expect_json(
        post_raw(&app, "application/x-www-form-urlencoded", form(1000)).await,
        200,
    )
    .await;
}

#[sqlx::test]
async fn a_known_path_with_the_wrong_method_answers_with_a_json_error(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let requests = [
        (reqwest::Method::GET, "/api/v1/apps"),
        (
            reqwest::Method::DELETE,
            "/api/v1/accounts/verify_credentials",
        ),
        (reqwest::Method::PUT, "/oauth/token"),
    ];
    for (method, path) in requests {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        assert!(status == 404 || status == 405, "{method} {path}: {status}");
        expect_error(Ok(response), status).await;
    }
}
