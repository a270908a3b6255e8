//! Announcements: published with `roost admin announcement-add`, listed to users with
//! their read state and reactions, dismissed, reacted to
//! (<https://docs.joinmastodon.org/methods/announcements/>).

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::shell::{admin, assert_success};
use crate::helpers::sse::{warm_up, SseReader};
use crate::helpers::staff::staff;
use crate::helpers::{expect_json, TestApp, TestUser};

async fn publish(db: &PgPool, args: &[&str]) -> String {
    let mut all = vec!["announcement-add"];
    all.extend_from_slice(args);
    let out = assert_success(&admin(db, &all).await);
    out.split_whitespace()
        .nth(1)
        .expect("announcement id")
        .to_owned()
}

async fn list(app: &TestApp, user: &TestUser) -> Value {
    let response = app
        .get("/api/v1/announcements")
        .bearer_auth(&user.access_token)
        .send()
        .await;
    expect_json(response, 200).await
}

async fn send(app: &TestApp, user: &TestUser, method: reqwest::Method, path: &str) -> u16 {
    app.client
        .request(method, app.url(path))
        .bearer_auth(&user.access_token)
        .send()
        .await
        .expect("request sent")
        .status()
        .as_u16()
}

#[sqlx::test]
async fn users_see_current_announcements_and_dismiss_them(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let id = publish(&db, &["Maintenance <tonight>.", "--all-day"]).await;
    publish(&db, &["Old news.", "--ends-at", "2001-01-01T00:00:00Z"]).await;
    let listed = list(&app, &alice).await;
    let listed = listed.as_array().expect("array");
    assert_eq!(
        listed.len(),
        1,
        "ended announcements are not listed: {listed:?}"
    );
    let first = &listed[0];
    assert_eq!(first["id"], id.as_str());
    assert_eq!(first["content"], "<p>Maintenance &lt;tonight&gt;.</p>");
    assert_eq!(first["all_day"], true);
    assert_eq!(first["read"], false);
    assert_eq!(first["reactions"], serde_json::json!([]));
    assert!(first["mentions"].is_array() && first["published_at"].is_string());

    let dismiss = format!("/api/v1/announcements/{id}/dismiss");
    assert_eq!(
        send(&app, &alice, reqwest::Method::POST, &dismiss).await,
        200
    );
    assert_eq!(list(&app, &alice).await[0]["read"], true);
    assert_eq!(list(&app, &bob).await[0]["read"], false);
    let unknown = "/api/v1/announcements/999/dismiss";
    assert_eq!(
        send(&app, &alice, reqwest::Method::POST, unknown).await,
        404
    );
    app.get("/api/v1/announcements")
        .send()
        .await
        .map(|response| assert_eq!(response.status(), 401))
        .expect("sent");

    let listed = assert_success(&admin(&db, &["announcement-list"]).await);
    assert!(
        listed.contains(&id) && listed.contains("Old news."),
        "{listed}"
    );
    assert_success(&admin(&db, &["announcement-remove", &id]).await);
    assert_eq!(list(&app, &alice).await, serde_json::json!([]));
}

#[sqlx::test]
async fn reactions_are_counted_per_emoji_with_the_users_own(db: PgPool) {
    sqlx::query(
        "INSERT INTO custom_emojis (shortcode, image_key, static_key) \
         VALUES ('blobcat', 'emoji/blobcat.png', 'emoji/blobcat.png')",
    )
    .execute(&db)
    .await
    .expect("emoji");
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let id = publish(&db, &["Hello"]).await;
    let thumbs = format!("/api/v1/announcements/{id}/reactions/%F0%9F%91%8D");
    let blobcat = format!("/api/v1/announcements/{id}/reactions/blobcat");
    assert_eq!(send(&app, &alice, reqwest::Method::PUT, &thumbs).await, 200);
    assert_eq!(send(&app, &alice, reqwest::Method::PUT, &thumbs).await, 200);
    assert_eq!(send(&app, &bob, reqwest::Method::PUT, &thumbs).await, 200);
    assert_eq!(send(&app, &bob, reqwest::Method::PUT, &blobcat).await, 200);
    let word = format!("/api/v1/announcements/{id}/reactions/hello");
    assert_eq!(send(&app, &bob, reqwest::Method::PUT, &word).await, 422);

    let reactions = list(&app, &alice).await[0]["reactions"].clone();
    assert_eq!(reactions[0]["name"], "👍");
    assert_eq!(reactions[0]["count"], 2);
    assert_eq!(reactions[0]["me"], true);
    assert!(reactions[0].get("url").is_none());
    assert_eq!(reactions[1]["name"], "blobcat");
    assert_eq!(reactions[1]["me"], false);
    assert!(reactions[1]["url"]
        .as_str()
        .is_some_and(|url| url.contains("blobcat")));

    assert_eq!(
        send(&app, &alice, reqwest::Method::DELETE, &thumbs).await,
        200
    );
    let reactions = list(&app, &alice).await[0]["reactions"].clone();
    assert_eq!(reactions[0]["count"], 1);
    assert_eq!(reactions[0]["me"], false);
}

#[sqlx::test]
async fn distinct_reactions_are_bounded(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let id = publish(&db, &["Hello"]).await;
    let emoji = ["😀", "😁", "😂", "😃", "😄", "😅", "😆", "😇"];
    for name in emoji {
        let path = format!("/api/v1/announcements/{id}/reactions/{name}");
        assert_eq!(send(&app, &alice, reqwest::Method::PUT, &path).await, 200);
    }
    let ninth = format!("/api/v1/announcements/{id}/reactions/😈");
    assert_eq!(send(&app, &alice, reqwest::Method::PUT, &ninth).await, 422);
    let again = format!("/api/v1/announcements/{id}/reactions/😀");
    assert_eq!(send(&app, &alice, reqwest::Method::PUT, &again).await, 200);
    assert_eq!(
        list(&app, &alice).await[0]["reactions"]
            .as_array()
            .map(Vec::len),
        Some(8)
    );
}

#[sqlx::test]
async fn announcements_their_reactions_and_removal_reach_every_users_stream(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let mut stream = SseReader::open(&app, "/api/v1/streaming/user", &bob).await;
    let mut notifications_only =
        SseReader::open(&app, "/api/v1/streaming/user/notification", &bob).await;
    warm_up(&app, &bob, &mut stream).await;

    let id = publish(&db, &["Maintenance tonight"]).await;
    let published = stream
        .expect("announcement", |event| event["id"] == id.as_str())
        .await;
    assert!(
        published["content"]
            .as_str()
            .is_some_and(|html| html.contains("Maintenance tonight")),
        "the Announcement entity: {published}"
    );
    assert_eq!(published["read"], false);

    let thumbs = format!("/api/v1/announcements/{id}/reactions/%F0%9F%91%8D");
    assert_eq!(send(&app, &alice, reqwest::Method::PUT, &thumbs).await, 200);
    let reaction = stream
        .expect("announcement.reaction", |event| {
            event["announcement_id"] == id.as_str()
        })
        .await;
    assert_eq!(
        reaction,
        serde_json::json!({ "name": "👍", "count": 1, "announcement_id": id })
    );

    assert_success(&admin(&db, &["announcement-remove", &id]).await);
    // The payload is the bare id, as for a status's `delete`.
    stream
        .expect("announcement.delete", |event| {
            event.as_u64() == id.parse::<u64>().ok()
        })
        .await;

    let quiet = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        notifications_only.next(),
    )
    .await;
    assert!(
        !matches!(quiet, Ok(Some((ref event, _))) if event.starts_with("announcement")),
        "user:notification carries notifications only: {quiet:?}"
    );
}

/// An admin API call with `token`: the status and the JSON body.
async fn admin_call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let response = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .form(form)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[sqlx::test]
async fn admins_publish_change_and_remove_announcements_through_the_admin_api(db: PgPool) {
    use reqwest::Method;
    let app = TestApp::spawn(db.clone()).await;
    let (_, admin_token) = staff(&app, "boss", "admin").await;
    let (_, moderator_token) = staff(&app, "mira", "moderator").await;
    let alice = app.sign_up("alice").await;
    let mut stream = SseReader::open(&app, "/api/v1/streaming/user", &alice).await;
    warm_up(&app, &alice, &mut stream).await;

    let path = "/api/v1/admin/announcements";
    let (status, created) = admin_call(
        &app,
        &admin_token,
        Method::POST,
        path,
        &[("text", "Welcome!"), ("all_day", "true")],
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(created["all_day"], true);
    assert_eq!(list(&app, &alice).await[0]["id"], id.as_str());

    let item = format!("{path}/{id}");
    let (status, changed) = admin_call(
        &app,
        &admin_token,
        Method::PUT,
        &item,
        &[("text", "Welcome, everyone!")],
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert!(changed["content"]
        .as_str()
        .is_some_and(|html| html.contains("everyone")));
    let resent = stream
        .expect("announcement", |event| {
            event["id"] == id.as_str()
                && event["content"]
                    .as_str()
                    .is_some_and(|html| html.contains("everyone"))
        })
        .await;
    assert_eq!(resent["all_day"], false, "every parameter is set anew");

    let (status, listed) = admin_call(&app, &admin_token, Method::GET, path, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(listed[0]["id"], id.as_str());

    let refusals = [
        (
            &admin_token,
            Method::POST,
            path.to_owned(),
            vec![("text", "  ")],
            422,
        ),
        (
            &admin_token,
            Method::POST,
            path.to_owned(),
            vec![
                ("text", "Backwards"),
                ("starts_at", "2030-01-02T00:00:00Z"),
                ("ends_at", "2030-01-01T00:00:00Z"),
            ],
            422,
        ),
        (
            &admin_token,
            Method::PUT,
            format!("{path}/1"),
            vec![("text", "x")],
            404,
        ),
        (
            &moderator_token,
            Method::POST,
            path.to_owned(),
            vec![("text", "x")],
            403,
        ),
        (
            &alice.access_token,
            Method::GET,
            path.to_owned(),
            vec![],
            403,
        ),
    ];
    for (token, method, at, form, expected) in refusals {
        let (status, body) = admin_call(&app, token, method.clone(), &at, &form).await;
        assert_eq!(status, expected, "{method} {at} {form:?}: {body}");
        assert!(body["error"].is_string(), "Mastodon's error shape: {body}");
    }

    let (status, _) = admin_call(&app, &admin_token, Method::DELETE, &item, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(list(&app, &alice).await, serde_json::json!([]));
    let (status, _) = admin_call(&app, &admin_token, Method::DELETE, &item, &[]).await;
    assert_eq!(status, 404);
}
