//! The link timeline (`GET /api/v1/timelines/link?url=`): public statuses that link to
//! a page, from accounts that opted in to discovery
//! (<https://docs.joinmastodon.org/methods/timelines/#link>).

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{TestApp, TestUser};

/// The link timeline of `url` as `viewer` reads it: the status and the ids listed.
async fn linking(app: &TestApp, viewer: &TestUser, url: &str) -> (u16, Vec<String>) {
    let response = app
        .get("/api/v1/timelines/link")
        .query(&[("url", url)])
        .bearer_auth(&viewer.access_token)
        .send()
        .await
        .expect("answers");
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("json");
    let ids = body
        .as_array()
        .map(|statuses| {
            statuses
                .iter()
                .filter_map(|status| status["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    (status, ids)
}

#[sqlx::test]
async fn public_statuses_of_discoverable_accounts_are_listed_by_the_link_they_carry(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    app.as_(&carol)
        .patch::<Value>(
            "/api/v1/accounts/update_credentials",
            &[("discoverable", "false")],
        )
        .await
        .expect("carol opts out of discovery");
    let story = "https://news.example/story?id=1&page=2";
    let public = app
        .post_status(
            &alice,
            &[("status", &format!("Read {story} now #news @bob"))],
        )
        .await;
    app.post_status(
        &alice,
        &[
            ("status", &format!("Also {story}")),
            ("visibility", "private"),
        ],
    )
    .await;
    app.post_status(&carol, &[("status", &format!("Me too {story}"))])
        .await;
    let later = app
        .post_status(&bob, &[("status", "Site: https://site.example")])
        .await;

    assert_eq!(
        linking(&app, &bob, story).await,
        (200, vec![public.clone()])
    );
    assert_eq!(
        linking(&app, &bob, "https://site.example/").await,
        (200, vec![later]),
        "a trailing slash does not matter"
    );
    let (status, _) = linking(&app, &bob, "https://elsewhere.example/").await;
    assert_eq!(status, 404, "a link no status carries is unknown");
    let mention = format!("http://{}/@bob", app.domain);
    assert_eq!(
        linking(&app, &bob, &mention).await.0,
        404,
        "mentions are not links"
    );
    let missing = app
        .get("/api/v1/timelines/link")
        .send()
        .await
        .expect("answers");
    assert_eq!(missing.status(), 400);

    app.as_(&alice)
        .put::<Value>(
            &format!("/api/v1/statuses/{public}"),
            &[("status", "Nothing to read after all")],
        )
        .await
        .expect("edited");
    assert_eq!(
        linking(&app, &bob, story).await,
        (200, Vec::new()),
        "an edit that drops the link takes the status out; carol's stays hidden"
    );
}
