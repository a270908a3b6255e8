//! `POST /api/v1/apps` and `GET /api/v1/apps/verify_credentials`
//! (<https://docs.joinmastodon.org/methods/apps/>, entity:
//! <https://docs.joinmastodon.org/entities/Application/>).

use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{expect_error, expect_json, TestApp};

const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";

/// Asserts a 422 whose `details` names `field`.
async fn expect_invalid(app: &TestApp, body: Value, field: &str) -> Value {
    let error = expect_error(app.post("/api/v1/apps").json(&body).send().await, 422).await;
    assert!(
        error["details"][field][0]["error"]
            .as_str()
            .is_some_and(|code| code.starts_with("ERR_")),
        "422 for {body} lacks details.{field}: {error}"
    );
    error
}

#[sqlx::test]
async fn registering_an_app_with_json_returns_every_mastodon_field(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let body = json!({
        "client_name": "Tusky test",
        "redirect_uris": [OOB, "https://app.example/callback"],
        "scopes": "read write push",
        "website": "https://app.example",
    });
    let created = expect_json(app.post("/api/v1/apps").json(&body).send().await, 200).await;

    let id = created["id"].as_str().expect("id is a string");
    assert!(id.parse::<i64>().is_ok(), "id is a decimal string: {id}");
    assert_eq!(created["name"], "Tusky test");
    assert_eq!(created["website"], "https://app.example");
    assert_eq!(created["scopes"], json!(["read", "write", "push"]));
    assert_eq!(
        created["redirect_uris"],
        json!([OOB, "https://app.example/callback"])
    );
    assert_eq!(
        created["redirect_uri"],
        format!("{OOB}\nhttps://app.example/callback")
    );
    for secret in ["client_id", "client_secret"] {
        assert!(
            created[secret].as_str().is_some_and(|s| s.len() >= 32),
            "{secret} is a long random string: {created}"
        );
    }
    assert_ne!(created["client_id"], created["client_secret"]);
    assert_eq!(created["client_secret_expires_at"], 0);
    assert!(
        created["vapid_key"].is_string(),
        "vapid_key is a string: {created}"
    );
}

#[sqlx::test]
async fn registering_an_app_with_a_form_splits_redirect_uris_and_scopes(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let uris = format!("{OOB}\nmyapp://oauth-callback");
    let response = app
        .post("/api/v1/apps")
        .form(&[
            ("client_name", "Form app"),
            ("redirect_uris", uris.as_str()),
            ("scopes", "read write"),
        ])
        .send()
        .await;
    let created = expect_json(response, 200).await;
    assert_eq!(created["name"], "Form app");
    assert_eq!(created["scopes"], json!(["read", "write"]));
    assert_eq!(
        created["redirect_uris"],
        json!([OOB, "myapp://oauth-callback"])
    );
    assert_eq!(created["website"], Value::Null);

    // Without scopes the app gets `read`, as in Mastodon.
    let response = app
        .post("/api/v1/apps")
        .form(&[("client_name", "Minimal"), ("redirect_uris", OOB)])
        .send()
        .await;
    let minimal = expect_json(response, 200).await;
    assert_eq!(minimal["scopes"], json!(["read"]));
    assert_ne!(
        minimal["client_id"], created["client_id"],
        "every app gets its own credentials"
    );
}

#[sqlx::test]
async fn an_app_without_a_name_is_rejected_with_details(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let error = expect_invalid(&app, json!({ "redirect_uris": OOB }), "client_name").await;
    assert_eq!(error["details"]["client_name"][0]["error"], "ERR_BLANK");
    expect_invalid(
        &app,
        json!({ "client_name": "   ", "redirect_uris": OOB }),
        "client_name",
    )
    .await;
}

#[sqlx::test]
async fn relative_redirect_uris_and_uris_with_fragments_are_rejected(db: PgPool) {
    let app = TestApp::spawn(db).await;
    for uri in [
        "/callback",
        "callback",
        "https://app.example/callback#fragment",
    ] {
        expect_invalid(
            &app,
            json!({ "client_name": "App", "redirect_uris": uri }),
            "redirect_uris",
        )
        .await;
    }
    // One bad URI in a list spoils the registration.
    let body = json!({ "client_name": "App", "redirect_uris": [OOB, "/relative"] });
    expect_invalid(&app, body, "redirect_uris").await;
    // A redirect URI is required.
    expect_invalid(&app, json!({ "client_name": "App" }), "redirect_uris").await;
}

#[sqlx::test]
async fn unknown_scopes_are_rejected(db: PgPool) {
    let app = TestApp::spawn(db).await;
    for scopes in ["read delete:everything", "readwrite", "admin"] {
        let body = json!({ "client_name": "App", "redirect_uris": OOB, "scopes": scopes });
        expect_invalid(&app, body, "scopes").await;
    }
}

#[sqlx::test]
async fn a_website_that_is_not_a_web_address_is_rejected(db: PgPool) {
    let app = TestApp::spawn(db).await;
    for website in ["not a url", "javascript:alert(1)", "ftp://files.example/"] {
        let body = json!({ "client_name": "App", "redirect_uris": OOB, "website": website });
        expect_invalid(&app, body, "website").await;
    }
}

#[sqlx::test]
async fn verify_credentials_with_an_app_token_shows_the_app_without_its_secret(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let oauth_app = app.create_app("read write").await;
    let token = app.app_token(&oauth_app, "read").await;

    let shown = expect_json(
        app.get("/api/v1/apps/verify_credentials")
            .bearer_auth(&token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(shown["id"], oauth_app.id.as_str());
    assert_eq!(shown["name"], "Test app");
    assert_eq!(shown["website"], "https://app.example");
    assert_eq!(shown["scopes"], json!(["read", "write"]));
    assert_eq!(
        shown["redirect_uris"],
        json!([OOB, "https://app.example/callback"])
    );
    assert!(
        shown.get("client_secret").is_none(),
        "the secret is shown only once: {shown}"
    );
    let text = shown.to_string();
    assert!(
        !text.contains(&oauth_app.client_secret),
        "secret leaked: {text}"
    );
}

#[sqlx::test]
async fn verify_credentials_with_a_user_token_shows_the_users_app(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("alice").await;
    let response = app
        .get("/api/v1/apps/verify_credentials")
        .bearer_auth(&user.access_token)
        .send()
        .await;
    let shown = expect_json(response, 200).await;
    assert_eq!(shown["id"], user.app.id.as_str());
    assert_eq!(shown["name"], "Test app");
    assert!(shown.get("client_secret").is_none(), "{shown}");
}

#[sqlx::test]
async fn verify_credentials_without_a_valid_token_is_unauthorized(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let error = expect_error(app.get("/api/v1/apps/verify_credentials").send().await, 401).await;
    assert_eq!(error["error"], "The access token is invalid");
    let response = app
        .get("/api/v1/apps/verify_credentials")
        .bearer_auth("garbage")
        .send()
        .await;
    expect_error(response, 401).await;
}

/// New statuses show the app they were posted with; the app's row is read once per
/// process and kept (`auth::app_cache`), which is sound because Roost never changes
/// it. Renamed by hand in SQL, the next post still shows the kept name: no second read.
#[sqlx::test]
async fn a_status_shows_its_app_read_once_per_process(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let client = app.create_app("read write follow push").await;
    let user = app.sign_up_with(&client, "poster").await;
    let post = |text: &'static str| {
        app.post("/api/v1/statuses")
            .bearer_auth(&user.access_token)
            .form(&[("status", text)])
            .send()
    };
    let first = expect_json(post("first").await, 200).await;
    assert_eq!(first["application"]["name"], "Test app", "{first}");

    sqlx::query("UPDATE oauth_apps SET name = 'Renamed by hand'")
        .execute(&app.db)
        .await
        .expect("renamed");
    let second = expect_json(post("second").await, 200).await;
    assert_eq!(second["application"]["name"], "Test app", "{second}");
}
