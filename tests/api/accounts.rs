//! Registration, the signed-in user's credentials, and viewing accounts by id or handle
//! (<https://docs.joinmastodon.org/methods/accounts/>, entities:
//! <https://docs.joinmastodon.org/entities/Account/>, `Token`, `Role`). Profile updates
//! are in `profiles.rs`.

use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{expect_error, expect_json, TestApp, PASSWORD};

/// POST /api/v1/accounts with `token`, the valid defaults for `username`, and
/// `changes` replacing (or, with an empty value, removing) some of them.
async fn register(
    app: &TestApp,
    token: &str,
    username: &str,
    changes: &[(&str, &str)],
) -> reqwest::Result<reqwest::Response> {
    let email = format!("{username}@mail.example");
    let mut form = vec![
        ("username", username),
        ("email", &email),
        ("password", PASSWORD),
        ("agreement", "true"),
        ("locale", "en"),
    ];
    for (key, value) in changes {
        form.retain(|(k, _)| k != key);
        if !value.is_empty() {
            form.push((key, value));
        }
    }
    app.post("/api/v1/accounts")
        .bearer_auth(token)
        .form(&form)
        .send()
        .await
}

async fn account_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&app.db)
        .await
        .expect("counts")
}

/// Checks every field of Mastodon's Account entity for a fresh local account.
fn assert_account_entity(account: &Value, app: &TestApp, username: &str) {
    let id = account["id"].as_str().expect("id is a string");
    assert!(id.parse::<u64>().is_ok(), "id is a decimal string: {id}");
    assert_eq!(account["username"], username);
    assert_eq!(account["acct"], username, "local acct has no domain");
    assert_eq!(account["url"], format!("{}/@{username}", app.base));
    assert_eq!(account["uri"], format!("{}/users/{username}", app.base));
    for key in [
        "display_name",
        "note",
        "avatar",
        "avatar_static",
        "header",
        "header_static",
    ] {
        assert!(account[key].is_string(), "{key} is a string: {account}");
    }
    for key in ["avatar", "avatar_static", "header", "header_static"] {
        assert!(
            account[key]
                .as_str()
                .is_some_and(|url| url.starts_with(&app.base)),
            "{key}: {account}"
        );
    }
    for key in ["locked", "bot", "group"] {
        assert_eq!(account[key], false, "{key}: {account}");
    }
    assert!(account["discoverable"].is_boolean() || account["discoverable"].is_null());
    let created_at = account["created_at"]
        .as_str()
        .expect("created_at is a string");
    assert!(
        chrono::DateTime::parse_from_rfc3339(created_at).is_ok(),
        "created_at is RFC 3339: {created_at}"
    );
    for key in ["followers_count", "following_count", "statuses_count"] {
        assert_eq!(account[key].as_i64(), Some(0), "{key}: {account}");
    }
    assert_eq!(account["last_status_at"], Value::Null);
    assert_eq!(account["emojis"], json!([]));
    assert_eq!(account["fields"], json!([]));
}

#[sqlx::test]
async fn signing_up_returns_a_bearer_token_that_signs_the_new_user_in(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let oauth_app = app.create_app("read write follow push").await;
    let app_token = app.app_token(&oauth_app, "read write follow push").await;
    let token = expect_json(register(&app, &app_token, "alice", &[]).await, 200).await;
    let access_token = token["access_token"].as_str().expect("access_token");
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["scope"], "read write follow push");
    assert!(
        token["created_at"]
            .as_i64()
            .is_some_and(|t| t > 1_600_000_000),
        "created_at is a Unix time: {token}"
    );
    assert_ne!(access_token, app_token);

    let me = expect_json(
        app.get("/api/v1/accounts/verify_credentials")
            .bearer_auth(access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(me["username"], "alice");
}

#[sqlx::test]
async fn a_username_taken_in_another_case_is_rejected_as_taken(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let token = app.app_token(&alice.app, "write:accounts").await;
    let error = expect_error(register(&app, &token, "ALICE", &[]).await, 422).await;
    assert_eq!(
        error["details"]["username"][0]["error"], "ERR_TAKEN",
        "{error}"
    );
    assert_eq!(account_count(&app).await, 1);
}

#[sqlx::test]
async fn an_email_already_in_use_is_rejected_as_taken(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let token = app.app_token(&alice.app, "write:accounts").await;
    let changes = [("email", "ALICE@mail.example")];
    let error = expect_error(register(&app, &token, "bob", &changes).await, 422).await;
    assert_eq!(
        error["details"]["email"][0]["error"], "ERR_TAKEN",
        "{error}"
    );
    assert_eq!(account_count(&app).await, 1);
}

#[sqlx::test]
async fn invalid_sign_up_data_is_rejected_field_by_field(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let token = app.app_token(&app.create_app("write").await, "write").await;
    let long_name = "a".repeat(31);
    let cases = [
        ("bad-name", vec![], "username"),
        (long_name.as_str(), vec![], "username"),
        ("carol", vec![("password", "1234567")], "password"),
        ("carol", vec![("agreement", "")], "agreement"),
        ("carol", vec![("agreement", "false")], "agreement"),
        ("carol", vec![("email", "not-an-email")], "email"),
    ];
    for (username, changes, field) in cases {
        let error = expect_error(register(&app, &token, username, &changes).await, 422).await;
        let code = &error["details"][field][0]["error"];
        assert!(
            code.as_str().is_some_and(|c| c.starts_with("ERR_")),
            "{username} {changes:?}: {error}"
        );
    }
    assert_eq!(
        account_count(&app).await,
        0,
        "no failed sign-up leaves an account behind"
    );
}

#[sqlx::test]
async fn sign_up_errors_use_mastodons_error_codes_and_reserve_staff_names(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let token = app.app_token(&app.create_app("write").await, "write").await;
    let long_name = "a".repeat(31);
    let cases = [
        (
            long_name.as_str(),
            ("locale", "en"),
            "username",
            "ERR_TOO_LONG",
        ),
        (
            "carol",
            ("password", "1234567"),
            "password",
            "ERR_TOO_SHORT",
        ),
        ("carol", ("password", ""), "password", "ERR_BLANK"),
        ("carol", ("agreement", ""), "agreement", "ERR_ACCEPTED"),
        ("bad-name", ("locale", "en"), "username", "ERR_INVALID"),
        ("Admin", ("locale", "en"), "username", "ERR_RESERVED"),
        ("webmaster", ("locale", "en"), "username", "ERR_RESERVED"),
    ];
    for (username, change, field, code) in cases {
        let error = expect_error(register(&app, &token, username, &[change]).await, 422).await;
        assert_eq!(
            error["details"][field][0]["error"], code,
            "{username} {change:?}: {error}"
        );
    }
}

#[sqlx::test]
async fn signing_up_needs_an_app_token_with_write_accounts(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let form = [
        ("username", "dave"),
        ("email", "dave@mail.example"),
        ("password", PASSWORD),
        ("agreement", "true"),
    ];
    let response = app.post("/api/v1/accounts").form(&form).send().await;
    expect_error(response, 401).await;

    let read_only = app.create_app("read").await;
    let token = app.app_token(&read_only, "read").await;
    expect_error(register(&app, &token, "dave", &[]).await, 403).await;
    assert_eq!(account_count(&app).await, 0);
}

#[sqlx::test]
async fn signing_up_on_a_closed_server_is_forbidden(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--registration", "closed"]).await;
    let token = app
        .app_token(&app.create_app("read write").await, "write")
        .await;
    expect_error(register(&app, &token, "erin", &[]).await, 403).await;
    assert_eq!(account_count(&app).await, 0);
}

#[sqlx::test]
async fn under_approval_a_new_account_stays_unusable_and_hidden(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--registration", "approval"]).await;
    let token = app
        .app_token(&app.create_app("read write").await, "read write")
        .await;
    let changes = [("reason", "I would like to join")];
    let issued = expect_json(register(&app, &token, "frank", &changes).await, 200).await;
    let user_token = issued["access_token"].as_str().expect("access_token");

    let response = app
        .get("/api/v1/accounts/verify_credentials")
        .bearer_auth(user_token)
        .send()
        .await;
    let error = expect_error(response, 403).await;
    assert_eq!(error["error"], "Your login is currently pending approval");

    let id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE username = 'frank'")
        .fetch_one(&app.db)
        .await
        .expect("the account exists");
    expect_error(app.get(&format!("/api/v1/accounts/{id}")).send().await, 404).await;
    expect_error(
        app.get("/api/v1/accounts/lookup?acct=frank").send().await,
        404,
    )
    .await;
}

#[sqlx::test]
async fn verify_credentials_returns_the_account_entity_with_source_and_role(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let response = app
        .get("/api/v1/accounts/verify_credentials")
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    let me = expect_json(response, 200).await;
    assert_account_entity(&me, &app, "alice");
    assert_eq!(me["id"], alice.account_id.as_str());

    let source = &me["source"];
    assert_eq!(source["privacy"], "public");
    assert_eq!(source["sensitive"], false);
    assert!(
        source["language"].is_null() || source["language"].is_string(),
        "{source}"
    );
    assert_eq!(source["note"], "");
    assert_eq!(source["fields"], json!([]));
    assert_eq!(source["follow_requests_count"], 0);

    let role = &me["role"];
    assert!(
        role["id"].is_string() && role["name"].is_string() && role["color"].is_string(),
        "{role}"
    );
    assert!(
        role["permissions"]
            .as_str()
            .is_some_and(|p| p.parse::<u64>().is_ok()),
        "{role}"
    );
    assert_eq!(
        role["highlighted"], false,
        "a plain user's role is not highlighted"
    );
}

#[sqlx::test]
async fn verify_credentials_needs_a_user_token_with_profile_or_read_accounts(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let oauth_app = app.create_app("read write follow push profile").await;
    app.sign_up_with(&oauth_app, "alice").await;

    let write_only = app
        .password_token(&oauth_app, "alice", PASSWORD, "write")
        .await;
    assert_eq!(app.verify_status(&write_only).await, 403);
    let profile = app
        .password_token(&oauth_app, "alice", PASSWORD, "profile")
        .await;
    assert_eq!(app.verify_status(&profile).await, 200);
    let read_accounts = app
        .password_token(&oauth_app, "alice", PASSWORD, "read:accounts")
        .await;
    assert_eq!(app.verify_status(&read_accounts).await, 200);

    let app_only = app.app_token(&oauth_app, "read").await;
    let response = app
        .get("/api/v1/accounts/verify_credentials")
        .bearer_auth(&app_only)
        .send()
        .await;
    let error = expect_error(response, 422).await;
    assert_eq!(error["error"], "This method requires an authenticated user");
}

#[sqlx::test]
async fn an_account_is_shown_by_id_with_its_handle_and_profile_url(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let path = format!("/api/v1/accounts/{}", alice.account_id);
    let account = expect_json(app.get(&path).send().await, 200).await;
    assert_account_entity(&account, &app, "alice");
    assert_eq!(account["id"], alice.account_id.as_str());
    assert!(
        account.get("source").is_none() && account.get("role").is_none(),
        "{account}"
    );
    let with_token = expect_json(
        app.get(&path).bearer_auth(&alice.access_token).send().await,
        200,
    )
    .await;
    assert_eq!(with_token["url"], format!("http://{}/@alice", app.domain));
    // A token is optional here, but a bad one or one without read scope is refused.
    let response = app.get(&path).bearer_auth("garbage").send().await;
    expect_error(response, 401).await;
    let write_only = app
        .password_token(&alice.app, "alice", PASSWORD, "write")
        .await;
    expect_error(app.get(&path).bearer_auth(&write_only).send().await, 403).await;
}

#[sqlx::test]
async fn unknown_and_non_numeric_account_ids_are_not_found(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    for id in ["999999999", "abc", "-1", "1e5"] {
        let error =
            expect_error(app.get(&format!("/api/v1/accounts/{id}")).send().await, 404).await;
        assert_eq!(error["error"], "Record not found", "{id}");
    }
}

#[sqlx::test]
async fn lookup_finds_a_local_account_by_every_form_of_its_handle(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let with_domain = format!("alice@{}", app.domain);
    let with_at_and_domain = format!("@alice@{}", app.domain);
    for acct in [
        "alice",
        "@alice",
        "ALICE",
        with_domain.as_str(),
        with_at_and_domain.as_str(),
    ] {
        let response = app
            .get("/api/v1/accounts/lookup")
            .query(&[("acct", acct)])
            .send()
            .await;
        let account = expect_json(response, 200).await;
        assert_eq!(account["id"], alice.account_id.as_str(), "{acct}");
        assert_eq!(account["acct"], "alice");
    }
}

#[sqlx::test]
async fn lookup_of_an_unknown_or_missing_handle_is_not_found(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    for acct in ["bob", "alice@elsewhere.example", "@", ""] {
        let response = app
            .get("/api/v1/accounts/lookup")
            .query(&[("acct", acct)])
            .send()
            .await;
        expect_error(response, 404).await;
    }
    expect_error(app.get("/api/v1/accounts/lookup").send().await, 404).await;
}
