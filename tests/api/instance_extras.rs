//! The instance's side routes: weekly activity, the moderated servers, the extended
//! description, privacy policy and terms of service, and `roost admin` setting them
//! (<https://docs.joinmastodon.org/methods/instance/>).

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::shell::{admin, assert_success};
use crate::helpers::{expect_json, TestApp};

async fn get(app: &TestApp, path: &str, status: u16) -> Value {
    expect_json(app.get(path).send().await, status).await
}

#[sqlx::test]
async fn activity_counts_this_weeks_statuses_sign_ups_and_sign_ins(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    app.sign_up("bob").await;
    app.post_status(&alice, &[("status", "one")]).await;
    app.post_status(&alice, &[("status", "two")]).await;
    let weeks = get(&app, "/api/v1/instance/activity", 200).await;
    let weeks = weeks.as_array().expect("array");
    assert_eq!(weeks.len(), 12);
    let this_week = &weeks[0];
    assert_eq!(this_week["statuses"], "2", "{this_week}");
    assert_eq!(this_week["registrations"], "2", "{this_week}");
    assert_eq!(this_week["logins"], "2", "{this_week}");
    let starts: Vec<i64> = weeks
        .iter()
        .map(|week| {
            week["week"]
                .as_str()
                .expect("string")
                .parse()
                .expect("unix time")
        })
        .collect();
    assert!(starts
        .windows(2)
        .all(|pair| pair[0] - pair[1] == 7 * 86_400));
    let now = chrono::Utc::now().timestamp();
    assert!(starts[0] <= now && now - starts[0] < 7 * 86_400);
    assert_eq!(weeks[1]["statuses"], "0");
}

async fn block(db: &PgPool, domain: &str, severity: &str, comment: &str, obfuscate: bool) {
    sqlx::query(
        "INSERT INTO domain_blocks (domain, severity, public_comment, obfuscate) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(domain)
    .bind(severity)
    .bind(comment)
    .bind(obfuscate)
    .execute(db)
    .await
    .expect("block inserted");
}

#[sqlx::test]
async fn domain_blocks_are_shown_to_signed_in_users_by_default(db: PgPool) {
    block(&db, "spam.example", "suspend", "spam", false).await;
    block(&db, "loud.example", "silence", "", true).await;
    block(&db, "quiet.example", "noop", "", false).await;
    let app = TestApp::spawn(db).await;
    get(&app, "/api/v1/instance/domain_blocks", 404).await;
    let alice = app.sign_up("alice").await;
    let response = app
        .get("/api/v1/instance/domain_blocks")
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    let blocks = expect_json(response, 200).await;
    let blocks = blocks.as_array().expect("array");
    assert_eq!(blocks.len(), 2, "noop blocks are not listed: {blocks:?}");
    assert_eq!(blocks[0]["domain"], "spam.example");
    assert_eq!(blocks[0]["severity"], "suspend");
    assert_eq!(blocks[0]["comment"], "spam");
    assert_eq!(blocks[0]["digest"], sha256_hex("spam.example"));
    assert_eq!(blocks[1]["severity"], "silence");
    let shown = blocks[1]["domain"].as_str().expect("domain");
    assert!(shown.contains('*') && shown != "loud.example", "{shown}");
    assert!(blocks[1].get("comment").is_none(), "{}", blocks[1]);
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(text.as_bytes()))
}

#[sqlx::test]
async fn domain_blocks_follow_the_configured_audience(db: PgPool) {
    block(&db, "spam.example", "suspend", "spam", false).await;
    let open = TestApp::spawn_with(
        db.clone(),
        &[
            "--show-domain-blocks",
            "all",
            "--show-domain-blocks-rationale",
            "disabled",
        ],
    )
    .await;
    let blocks = get(&open, "/api/v1/instance/domain_blocks", 200).await;
    assert_eq!(blocks[0]["domain"], "spam.example");
    assert!(blocks[0].get("comment").is_none(), "{blocks}");
    let closed = TestApp::spawn_with(db, &["--show-domain-blocks", "disabled"]).await;
    let alice = closed.sign_up("alice").await;
    let response = closed
        .get("/api/v1/instance/domain_blocks")
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(response, 404).await;
}

fn text_file(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), text).expect("written");
    file
}

#[sqlx::test]
async fn admins_set_the_extended_description_and_privacy_policy(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let empty = get(&app, "/api/v1/instance/extended_description", 200).await;
    assert_eq!(empty["content"], "");
    assert!(empty["updated_at"].is_null());
    get(&app, "/api/v1/instance/privacy_policy", 404).await;

    let about = text_file("Welcome to %{domain}.\n\nBe <kind>.");
    let path = about.path().to_str().expect("path");
    assert_success(&admin(&db, &["text-set", "extended-description", path]).await);
    let policy = text_file("We keep little.");
    let path = policy.path().to_str().expect("path");
    assert_success(&admin(&db, &["text-set", "privacy-policy", path]).await);

    let described = get(&app, "/api/v1/instance/extended_description", 200).await;
    let expected = format!("<p>Welcome to {}.</p><p>Be &lt;kind&gt;.</p>", app.domain);
    assert_eq!(described["content"], expected.as_str());
    assert!(described["updated_at"].is_string());
    let policy = get(&app, "/api/v1/instance/privacy_policy", 200).await;
    assert_eq!(policy["content"], "<p>We keep little.</p>");

    let empty_file = text_file("");
    let path = empty_file.path().to_str().expect("path");
    assert_success(&admin(&db, &["text-set", "privacy-policy", path]).await);
    get(&app, "/api/v1/instance/privacy_policy", 404).await;
}

#[sqlx::test]
async fn terms_of_service_show_the_version_in_force_and_its_successor(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    get(&app, "/api/v1/instance/terms_of_service", 404).await;
    let today = chrono::Utc::now().date_naive();
    let old = (today - chrono::Days::new(30)).to_string();
    let next = (today + chrono::Days::new(30)).to_string();
    let first = text_file("First terms.");
    let second = text_file("Second terms.");
    let first_path = first.path().to_str().expect("path");
    let second_path = second.path().to_str().expect("path");
    assert_success(&admin(&db, &["terms-add", "--effective-date", &next, second_path]).await);

    let upcoming = get(&app, "/api/v1/instance/terms_of_service", 200).await;
    assert_eq!(upcoming["effective_date"], next.as_str());
    assert_eq!(upcoming["effective"], false);
    assert!(upcoming["succeeded_by"].is_null());

    assert_success(&admin(&db, &["terms-add", "--effective-date", &old, first_path]).await);
    let current = get(&app, "/api/v1/instance/terms_of_service", 200).await;
    assert_eq!(current["effective_date"], old.as_str());
    assert_eq!(current["effective"], true);
    assert_eq!(current["content"], "<p>First terms.</p>");
    assert_eq!(current["succeeded_by"], next.as_str());
    let by_date = get(
        &app,
        &format!("/api/v1/instance/terms_of_service/{next}"),
        200,
    )
    .await;
    assert_eq!(by_date["content"], "<p>Second terms.</p>");
    get(&app, "/api/v1/instance/terms_of_service/1999-01-01", 404).await;
    get(&app, "/api/v1/instance/terms_of_service/not-a-date", 404).await;

    let listed = assert_success(&admin(&db, &["terms-list"]).await);
    assert!(
        listed.starts_with(&format!("{next}\tSecond terms.")),
        "{listed}"
    );
    assert_success(&admin(&db, &["terms-remove", &old]).await);
    let left = get(&app, "/api/v1/instance/terms_of_service", 200).await;
    assert_eq!(left["effective_date"], next.as_str());
    assert!(!admin(&db, &["terms-remove", &old]).await.status.success());
}

async fn directory(app: &TestApp, query: &str) -> Vec<String> {
    let listed = get(app, &format!("/api/v1/directory{query}"), 200).await;
    listed
        .as_array()
        .expect("array")
        .iter()
        .map(|account| account["username"].as_str().expect("username").to_owned())
        .collect()
}

#[sqlx::test]
async fn the_directory_lists_discoverable_accounts_by_activity_or_age(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    app.sign_up("bob").await;
    app.sign_up("carol").await;
    app.sign_up("dave").await;
    app.post_status(&alice, &[("status", "hello")]).await;
    sqlx::query("UPDATE accounts SET discoverable = false WHERE username = 'carol'")
        .execute(&db)
        .await
        .expect("updated");
    sqlx::query("UPDATE accounts SET suspended_at = now() WHERE username = 'dave'")
        .execute(&db)
        .await
        .expect("updated");
    assert_eq!(directory(&app, "").await, ["alice", "bob"]);
    assert_eq!(
        directory(&app, "?order=new&local=true").await,
        ["bob", "alice"]
    );
    assert_eq!(
        directory(&app, "?order=new&limit=1&offset=1").await,
        ["alice"]
    );
    assert_eq!(directory(&app, "?limit=1000&offset=-5").await.len(), 2);
}

#[sqlx::test]
async fn userinfo_describes_the_user_of_a_profile_token(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let oauth_app = app.create_app("read write follow push profile").await;
    app.sign_up_with(&oauth_app, "alice").await;
    let profile = app
        .password_token(&oauth_app, "alice", crate::helpers::PASSWORD, "profile")
        .await;
    let read = app
        .password_token(&oauth_app, "alice", crate::helpers::PASSWORD, "read")
        .await;
    for request in [app.get("/oauth/userinfo"), app.post("/oauth/userinfo")] {
        let info = expect_json(request.bearer_auth(&profile).send().await, 200).await;
        assert_eq!(info["preferred_username"], "alice");
        assert_eq!(info["iss"], format!("http://{}/", app.domain).as_str());
        assert_eq!(
            info["sub"],
            format!("http://{}/users/alice", app.domain).as_str()
        );
        assert_eq!(
            info["profile"],
            format!("http://{}/@alice", app.domain).as_str()
        );
        assert!(info["picture"]
            .as_str()
            .is_some_and(|url| url.starts_with("http")));
    }
    let denied = app.get("/oauth/userinfo").bearer_auth(&read).send().await;
    expect_json(denied, 403).await;
    expect_json(app.get("/oauth/userinfo").send().await, 401).await;
}
