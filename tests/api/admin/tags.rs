//! Reviewing hashtags (<https://docs.joinmastodon.org/methods/admin/tags/>): the list
//! and one hashtag with their flags, a review that changes them, a hashtag made
//! unusable no longer filing new posts, and who may do it.

use reqwest::Method;
use serde_json::Value;
use sqlx::PgPool;

use super::{call, ok};
use crate::helpers::staff::staff;
use crate::helpers::{expect_error, TestApp};

#[sqlx::test]
async fn moderators_review_hashtags_and_an_unusable_one_files_no_new_posts(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, moderator) = staff(&app, "moddy", "moderator").await;
    let alice = app.sign_up("alice").await;
    app.post_status(&alice, &[("status", "#Rust and #cats")])
        .await;

    let listed = ok(&app, &moderator, Method::GET, "/api/v1/admin/tags", &[]).await;
    let names: Vec<&str> = listed
        .as_array()
        .expect("array")
        .iter()
        .map(|tag| tag["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names.len(), 2);
    let rust = listed
        .as_array()
        .and_then(|tags| {
            tags.iter()
                .find(|tag| tag["name"].as_str().map(str::to_lowercase).as_deref() == Some("rust"))
        })
        .expect("Rust listed")
        .clone();
    assert_eq!(rust["usable"], true);
    assert_eq!(rust["listable"], true);
    assert_eq!(rust["trendable"], false);
    assert_eq!(rust["requires_review"], true);
    assert_eq!(rust["history"].as_array().map(Vec::len), Some(7));
    assert_eq!(rust["history"][0]["uses"], "1");
    let paged = ok(
        &app,
        &moderator,
        Method::GET,
        "/api/v1/admin/tags?limit=1",
        &[],
    )
    .await;
    assert_eq!(paged.as_array().map(Vec::len), Some(1));

    let id = rust["id"].as_str().expect("id");
    let path = format!("/api/v1/admin/tags/{id}");
    let changes = [
        ("trendable", "true"),
        ("usable", "false"),
        ("listable", "false"),
        ("display_name", "RUST"),
    ];
    let reviewed = ok(&app, &moderator, Method::PUT, &path, &changes).await;
    assert_eq!(reviewed["name"], "RUST");
    assert_eq!(reviewed["trendable"], true);
    assert_eq!(reviewed["usable"], false);
    assert_eq!(reviewed["listable"], false);
    assert_eq!(reviewed["requires_review"], false);
    assert_eq!(
        ok(&app, &moderator, Method::GET, &path, &[]).await,
        reviewed
    );

    let renamed = call(
        &app,
        &moderator,
        Method::PUT,
        &path,
        &[("display_name", "Go")],
    )
    .await;
    expect_error(renamed, 422).await;
    let unknown = call(&app, &moderator, Method::GET, "/api/v1/admin/tags/1", &[]).await;
    expect_error(unknown, 404).await;

    let status = app
        .post_status(&alice, &[("status", "more #rust and #cats")])
        .await;
    let shown: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{status}"))
        .await
        .expect("status");
    let tags: Vec<&str> = shown["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|tag| tag["name"].as_str().expect("name"))
        .collect();
    assert_eq!(tags, ["cats"], "an unusable hashtag files no new post");
    let timeline: Vec<Value> = app
        .anonymous()
        .get("/api/v1/timelines/tag/rust")
        .await
        .expect("tag timeline");
    assert_eq!(timeline.len(), 1, "the earlier post stays filed");
}

#[sqlx::test]
async fn only_staff_with_an_admin_scope_see_hashtag_reviews(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let denied = call(
        &app,
        &alice.access_token,
        Method::GET,
        "/api/v1/admin/tags",
        &[],
    )
    .await;
    expect_error(denied, 403).await;
}
