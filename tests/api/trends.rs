//! Trends (<https://docs.joinmastodon.org/methods/trends/>) and their review by staff
//! (<https://docs.joinmastodon.org/methods/admin/trends/>): hashtags, statuses and
//! links trend from use by distinct accounts; nothing trends before staff approve it
//! (unless ROOST_TRENDS_REVIEW is off); silenced, sensitive and non-public content
//! never trends; statuses are shown only as the viewer may see them.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::pages::Site;
use crate::helpers::shell::{admin, assert_success};
use crate::helpers::staff::staff;
use crate::helpers::{TestApp, TestUser};
use roost::services::trends;

async fn refresh(app: &TestApp) {
    let counts = trends::refresh(&app.state).await.expect("refreshes");
    assert!(counts.is_some(), "no other process holds the lock");
}

async fn users(app: &TestApp, names: &[&str]) -> Vec<TestUser> {
    let mut users = Vec::new();
    for name in names {
        users.push(app.sign_up(name).await);
    }
    users
}

async fn post_as_each(app: &TestApp, users: &[TestUser], text: &str) {
    for user in users {
        app.as_(user).post_status(text).await.expect("posts");
    }
}

async fn list(app: &TestApp, path: &str) -> Vec<Value> {
    app.anonymous().get(path).await.expect("a list")
}

fn names(tags: &[Value]) -> Vec<&str> {
    tags.iter()
        .map(|tag| tag["name"].as_str().expect("name"))
        .collect()
}

async fn sql(db: &PgPool, statement: &str) {
    sqlx::query(statement).execute(db).await.expect("updated");
}

#[sqlx::test]
async fn a_hashtag_used_by_three_accounts_trends_once_staff_approve_it(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let (_, token) = staff(&app, "keeper", "moderator").await;
    let people = users(&app, &["ann", "ben", "cat"]).await;
    post_as_each(&app, &people, "Learning #Rust today").await;
    post_as_each(&app, &people[..2], "and #pairs").await;
    refresh(&app).await;

    assert!(
        list(&app, "/api/v1/trends/tags").await.is_empty(),
        "not reviewed yet"
    );
    let candidates: Vec<Value> = app
        .with_token(&token)
        .get("/api/v1/admin/trends/tags")
        .await
        .expect("staff see candidates");
    assert_eq!(
        names(&candidates),
        ["rust"],
        "two accounts are below the threshold"
    );
    assert_eq!(candidates[0]["requires_review"], true);
    assert_eq!(candidates[0]["trendable"], false);
    let id = candidates[0]["id"].as_str().expect("id");

    let approved: Value = app
        .with_token(&token)
        .post(&format!("/api/v1/admin/trends/tags/{id}/approve"), &[])
        .await
        .expect("approves");
    assert_eq!(approved["trendable"], true);
    assert_eq!(approved["requires_review"], false);
    let trending = list(&app, "/api/v1/trends/tags").await;
    assert_eq!(names(&trending), ["rust"]);
    assert_eq!(trending[0]["history"][0]["accounts"], "3");
    assert_eq!(trending[0]["history"][0]["uses"], "3");
    assert_eq!(
        names(&list(&app, "/api/v1/trends").await),
        ["rust"],
        "deprecated route"
    );
    let signed_in: Vec<Value> = app
        .as_(&people[0])
        .get("/api/v1/trends/tags")
        .await
        .expect("list");
    assert_eq!(signed_in[0]["following"], false);

    let _: Value = app
        .with_token(&token)
        .post(&format!("/api/v1/admin/trends/tags/{id}/reject"), &[])
        .await
        .expect("rejects");
    assert!(
        list(&app, "/api/v1/trends/tags").await.is_empty(),
        "rejected"
    );
}

#[sqlx::test]
async fn with_review_off_everything_not_rejected_trends(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false", "--trends-review", "off"]).await;
    let (_, token) = staff(&app, "keeper", "moderator").await;
    let people = users(&app, &["ann", "ben", "cat"]).await;
    post_as_each(&app, &people, "#open trends").await;
    refresh(&app).await;
    let trending = list(&app, "/api/v1/trends/tags").await;
    assert_eq!(names(&trending), ["open"]);
    let candidates: Vec<Value> = app
        .with_token(&token)
        .get("/api/v1/admin/trends/tags")
        .await
        .expect("candidates");
    let id = candidates[0]["id"].as_str().expect("id");
    let _: Value = app
        .with_token(&token)
        .post(&format!("/api/v1/admin/trends/tags/{id}/reject"), &[])
        .await
        .expect("rejects");
    refresh(&app).await;
    assert!(list(&app, "/api/v1/trends/tags").await.is_empty());
}

#[sqlx::test]
async fn silenced_sensitive_private_and_warned_content_never_counts(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false", "--trends-review", "off"]).await;
    let people = users(&app, &["ann", "ben", "cat", "dan", "eve", "fay"]).await;
    post_as_each(&app, &people[..2], "#quiet counts").await;
    // Each of these would be the third account.
    app.as_(&people[2])
        .post_status_with(&[("status", "#quiet hidden"), ("visibility", "unlisted")])
        .await
        .expect("posts");
    app.as_(&people[3])
        .post_status_with(&[("status", "#quiet nsfw"), ("sensitive", "true")])
        .await
        .expect("posts");
    app.as_(&people[4])
        .post_status_with(&[("status", "#quiet warned"), ("spoiler_text", "cw")])
        .await
        .expect("posts");
    app.as_(&people[5])
        .post_status("#quiet loud")
        .await
        .expect("posts");
    sql(
        &app.db,
        "UPDATE accounts SET silenced_at = now() WHERE username = 'fay'",
    )
    .await;
    let deleted = app
        .as_(&people[2])
        .post_status("#quiet gone")
        .await
        .expect("posts");
    app.as_(&people[2])
        .delete_status(&deleted)
        .await
        .expect("deletes");
    refresh(&app).await;
    assert!(list(&app, "/api/v1/trends/tags").await.is_empty());

    sql(
        &app.db,
        "UPDATE accounts SET silenced_at = NULL WHERE username = 'fay'",
    )
    .await;
    refresh(&app).await;
    assert_eq!(names(&list(&app, "/api/v1/trends/tags").await), ["quiet"]);
}

#[sqlx::test]
async fn a_status_favourited_and_boosted_by_three_accounts_trends_as_viewers_may_see_it(
    db: PgPool,
) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let (_, token) = staff(&app, "boss", "admin").await;
    let people = users(&app, &["ann", "ben", "cat", "dan", "eve"]).await;
    let popular = app
        .as_(&people[0])
        .post_status("Hello world")
        .await
        .expect("posts");
    let private = app
        .as_(&people[0])
        .post_status_with(&[("status", "secret"), ("visibility", "private")])
        .await
        .expect("posts");
    for fan in &people[1..4] {
        app.as_(fan).favourite(&popular).await.expect("favourites");
        app.as_(fan).favourite(&private).await.ok();
    }
    app.as_(&people[1]).reblog(&popular).await.expect("boosts");
    app.as_(&people[0])
        .favourite(&popular)
        .await
        .expect("the author's own like");
    refresh(&app).await;

    assert!(
        list(&app, "/api/v1/trends/statuses").await.is_empty(),
        "not reviewed"
    );
    let candidates: Vec<Value> = app
        .with_token(&token)
        .get("/api/v1/admin/trends/statuses")
        .await
        .expect("candidates");
    assert_eq!(candidates.len(), 1, "the private status is no candidate");
    assert_eq!(candidates[0]["id"], popular.id.as_str());
    assert_eq!(candidates[0]["requires_review"], true);
    let approved: Value = app
        .with_token(&token)
        .post(
            &format!("/api/v1/admin/trends/statuses/{}/approve", popular.id),
            &[],
        )
        .await
        .expect("approves");
    assert_eq!(approved["requires_review"], false);

    let trending = list(&app, "/api/v1/trends/statuses").await;
    assert_eq!(trending.len(), 1);
    assert_eq!(trending[0]["id"], popular.id.as_str());
    let blocker = &people[4];
    app.as_(blocker)
        .block(&people[0].account_id)
        .await
        .expect("blocks");
    let seen: Vec<Value> = app
        .as_(blocker)
        .get("/api/v1/trends/statuses")
        .await
        .expect("list");
    assert!(
        seen.is_empty(),
        "a blocked author's status is not shown to the blocker"
    );
    app.as_(&people[1])
        .mute(&people[0].account_id)
        .await
        .expect("mutes");
    let seen: Vec<Value> = app
        .as_(&people[1])
        .get("/api/v1/trends/statuses")
        .await
        .expect("list");
    assert!(seen.is_empty(), "nor a muted author's");

    let missing = app
        .with_token(&token)
        .post::<Value>("/api/v1/admin/trends/statuses/123/approve", &[])
        .await
        .expect_err("no such status");
    assert_eq!(missing.status, 404);
}

#[sqlx::test]
async fn a_link_shared_by_three_accounts_trends_with_its_history(db: PgPool) {
    let site = Site::start().await;
    let app = TestApp::spawn_with(db, &["--workers", "false", "--preview-cards", "true"]).await;
    let (_, token) = staff(&app, "keeper", "moderator").await;
    let people = users(&app, &["ann", "ben", "cat"]).await;
    post_as_each(&app, &people, &format!("Read this {}", site.url("/og"))).await;
    for _ in 0..50 {
        roost::services::cards::worker::run_once(&app.state)
            .await
            .expect("fetches");
        let linked: i64 =
            sqlx::query_scalar("SELECT count(*) FROM status_cards WHERE card_id IS NOT NULL")
                .fetch_one(&app.db)
                .await
                .expect("counts");
        if linked == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    refresh(&app).await;
    let candidates: Vec<Value> = app
        .with_token(&token)
        .get("/api/v1/admin/trends/links")
        .await
        .expect("candidates");
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0]["url"], site.url("/og"));
    assert_eq!(candidates[0]["requires_review"], true);
    let id = candidates[0]["id"].as_str().expect("id");
    let _: Value = app
        .with_token(&token)
        .post(&format!("/api/v1/admin/trends/links/{id}/approve"), &[])
        .await
        .expect("approves");
    let trending = list(&app, "/api/v1/trends/links").await;
    assert_eq!(trending.len(), 1);
    assert_eq!(trending[0]["url"], site.url("/og"));
    assert_eq!(trending[0]["history"][0]["accounts"], "3");
    assert!(
        trending[0].get("requires_review").is_none(),
        "only staff see reviews"
    );
}

#[sqlx::test]
async fn only_staff_with_admin_scopes_review_trends(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let user = app.sign_up("ann").await;
    for path in [
        "/api/v1/admin/trends/tags",
        "/api/v1/admin/trends/statuses",
        "/api/v1/admin/trends/links",
    ] {
        let refused = app
            .as_(&user)
            .get::<Value>(path)
            .await
            .expect_err("not staff");
        assert_eq!(refused.status, 403, "{path}");
        let anonymous = app
            .anonymous()
            .get::<Value>(path)
            .await
            .expect_err("no token");
        assert_eq!(anonymous.status, 401, "{path}");
    }
    let refused = app
        .as_(&user)
        .post::<Value>("/api/v1/admin/trends/tags/1/approve", &[])
        .await
        .expect_err("not staff");
    assert_eq!(refused.status, 403);
}

#[sqlx::test]
async fn roost_admin_refreshes_lists_and_reviews_trends(db: PgPool) {
    let app = TestApp::spawn_with(db.clone(), &["--workers", "false"]).await;
    let people = users(&app, &["ann", "ben", "cat"]).await;
    post_as_each(&app, &people, "#shell time").await;
    let refreshed = assert_success(&admin(&db, &["trends-refresh"]).await);
    assert!(refreshed.contains("1 hashtags"), "{refreshed}");
    let listed = assert_success(&admin(&db, &["trends-list", "tag"]).await);
    let line = listed.lines().next().expect("one candidate");
    assert!(line.ends_with("\tpending\t#shell"), "{listed}");
    let id = line.split('\t').next().expect("id");
    assert_success(&admin(&db, &["trends-approve", "tag", id]).await);
    assert_eq!(names(&list(&app, "/api/v1/trends/tags").await), ["shell"]);
    let listed = assert_success(&admin(&db, &["trends-list", "tag"]).await);
    assert!(listed.contains("\tapproved\t#shell"), "{listed}");
    let missing = admin(&db, &["trends-reject", "status", "42"]).await;
    assert!(!missing.status.success(), "an unknown status is an error");
}
