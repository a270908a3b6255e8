//! `api_versions.mastodon` of `/api/v2/instance` stays honest: apps decide from it
//! which features to use (Mastodon 4.3's level 2 promises grouped notifications), so
//! every feature Mastodon's documentation gates behind a level up to the claimed one
//! must answer here, and Roost must not claim a level whose features are not listed.
//! A feature landing for a higher level adds its rows to [`GATED`] and raises the claim.

use reqwest::Method;
use sqlx::PgPool;

use crate::helpers::requests::{call, read};
use crate::helpers::TestApp;

/// (level, method, path) of each version-gated endpoint, from the "`mastodon` API
/// version N" notes of docs.joinmastodon.org. `{group}` is a real group key.
const GATED: &[(u64, &str, &str)] = &[
    (2, "GET", "/api/v2/notifications"),
    (
        2,
        "GET",
        "/api/v2/notifications?expand_accounts=partial_avatars",
    ),
    (2, "GET", "/api/v2/notifications/{group}"),
    (2, "GET", "/api/v2/notifications/{group}/accounts"),
    (2, "GET", "/api/v2/notifications/unread_count"),
    (2, "POST", "/api/v2/notifications/{group}/dismiss"),
];

#[sqlx::test]
async fn every_feature_gated_up_to_the_claimed_api_version_answers(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let instance = app.get("/api/v2/instance").send().await.expect("answers");
    let instance: serde_json::Value = instance.json().await.expect("json");
    let claimed = instance["api_versions"]["mastodon"]
        .as_u64()
        .expect("a level");
    let highest_listed = GATED.iter().map(|(level, _, _)| *level).max().unwrap_or(0);
    assert!(
        claimed <= highest_listed,
        "claims level {claimed} but lists features up to {highest_listed} only"
    );

    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let status = app.post_status(&alice, &[("status", "like me")]).await;
    call(
        &app,
        &bob,
        &format!("/api/v1/statuses/{status}/favourite"),
        &[],
    )
    .await;
    let page = read(&app, &alice, "/api/v2/notifications").await;
    let group = page["notification_groups"][0]["group_key"]
        .as_str()
        .expect("a group")
        .to_owned();
    for (level, method, path) in GATED.iter().filter(|(level, _, _)| *level <= claimed) {
        let path = path.replace("{group}", &group);
        let method = Method::from_bytes(method.as_bytes()).expect("a method");
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .bearer_auth(&alice.access_token)
            .send()
            .await
            .expect("answers");
        assert!(
            response.status().is_success(),
            "level {level}: {method} {path} answered {}",
            response.status()
        );
    }
}
