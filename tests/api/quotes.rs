//! Quote posts (Mastodon 4.5, <https://docs.joinmastodon.org/methods/statuses/>):
//! `quoted_status_id` and `quote_approval_policy` on posting, `Status.quote`,
//! `quotes_count` and `quote_approval`, the quotes list, revoking a quote, changing
//! the policy, and the `quote` and `quoted_update` notifications; the bad inputs
//! (a private post, a post nobody may quote, a revoke by someone else) leave nothing
//! written.

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestUser};

/// Posts `form` as `user`; the status as JSON, or the error status and body.
async fn post(
    app: &TestApp,
    user: &TestUser,
    form: &[(&str, &str)],
) -> Result<Value, (u16, Value)> {
    app.as_(user)
        .post("/api/v1/statuses", form)
        .await
        .map_err(|error| (error.status.as_u16(), error.body))
}

/// The id of the status `user` posts with `text` (and the extra `form` fields).
async fn posted(app: &TestApp, user: &TestUser, text: &str, form: &[(&str, &str)]) -> String {
    let mut all = vec![("status", text)];
    all.extend_from_slice(form);
    let status = post(app, user, &all).await.expect("posted");
    status["id"].as_str().expect("id").to_owned()
}

/// How many quotes rows there are.
async fn quote_rows(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM quotes")
        .fetch_one(db)
        .await
        .expect("count")
}

#[sqlx::test]
async fn a_quote_of_a_public_post_is_accepted_shown_counted_and_notified(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let original = posted(&app, &alice, "worth quoting", &[]).await;

    let quote = post(
        &app,
        &bob,
        &[("status", "so true"), ("quoted_status_id", &original)],
    )
    .await
    .expect("quoted");
    assert_eq!(quote["quote"]["state"], "accepted");
    assert_eq!(quote["quote"]["quoted_status"]["id"], original.as_str());
    assert_eq!(
        quote["quote"]["quoted_status"]["content"],
        "<p>worth quoting</p>"
    );
    assert_eq!(
        quote["quote_approval"],
        json!({ "automatic": ["public"], "manual": [], "current_user": "automatic" })
    );

    let shown: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{original}"))
        .await
        .expect("original");
    assert_eq!(shown["quotes_count"], 1);
    assert_eq!(shown["quote"], Value::Null);

    let notifications = app
        .as_(&alice)
        .notifications()
        .await
        .expect("notifications");
    let quoted = notifications
        .iter()
        .find(|n| n.kind == "quote")
        .expect("a quote notification");
    assert_eq!(quoted.account.username, "bob");
    assert_eq!(
        quoted.status.as_ref().map(|s| s.id.as_str()),
        Some(quote["id"].as_str().expect("id"))
    );

    let quotes: Vec<Value> = app
        .as_(&bob)
        .get(&format!("/api/v1/statuses/{original}/quotes"))
        .await
        .expect("quotes");
    assert_eq!(quotes.len(), 1);
    assert_eq!(quotes[0]["id"], quote["id"]);
}

#[sqlx::test]
async fn private_posts_and_posts_nobody_may_quote_are_refused(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    app.as_(&bob)
        .follow(&alice.account_id)
        .await
        .expect("follow");
    let private = posted(&app, &alice, "followers only", &[("visibility", "private")]).await;
    let closed = posted(
        &app,
        &alice,
        "mine alone",
        &[("quote_approval_policy", "nobody")],
    )
    .await;

    for quoted in [&private, &closed] {
        let (status, body) = post(
            &app,
            &bob,
            &[("status", "quoting"), ("quoted_status_id", quoted)],
        )
        .await
        .expect_err("refused");
        assert_eq!(status, 422, "{body}");
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    let (status, _) = post(
        &app,
        &bob,
        &[("status", "quoting"), ("quoted_status_id", "12345")],
    )
    .await
    .expect_err("unknown");
    assert_eq!(status, 404);
    let (status, _) = post(
        &app,
        &alice,
        &[("status", "x"), ("quote_approval_policy", "everyone")],
    )
    .await
    .expect_err("unknown policy");
    assert_eq!(status, 422);
    assert_eq!(quote_rows(&db).await, 0, "nothing half-written");

    let own = post(
        &app,
        &alice,
        &[("status", "me again"), ("quoted_status_id", &closed)],
    )
    .await
    .expect("the author may quote their own post");
    assert_eq!(own["quote"]["state"], "accepted");
    let closed_shown: Value = app
        .as_(&bob)
        .get(&format!("/api/v1/statuses/{closed}"))
        .await
        .expect("shown");
    assert_eq!(
        closed_shown["quote_approval"],
        json!({ "automatic": [], "manual": [], "current_user": "denied" })
    );
}

#[sqlx::test]
async fn a_followers_policy_accepts_followers_and_leaves_others_pending(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    app.as_(&bob)
        .follow(&alice.account_id)
        .await
        .expect("follow");
    let original = posted(
        &app,
        &alice,
        "for my followers",
        &[("quote_approval_policy", "followers")],
    )
    .await;

    let by_follower = post(
        &app,
        &bob,
        &[("status", "a"), ("quoted_status_id", &original)],
    )
    .await
    .expect("quoted");
    assert_eq!(by_follower["quote"]["state"], "accepted");
    let by_stranger = post(
        &app,
        &carol,
        &[("status", "b"), ("quoted_status_id", &original)],
    )
    .await
    .expect("quoted");
    assert_eq!(by_stranger["quote"]["state"], "pending");
    assert_eq!(by_stranger["quote"]["quoted_status"], Value::Null);

    let quotes: Vec<Value> = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{original}/quotes"))
        .await
        .expect("quotes");
    let ids: Vec<&Value> = quotes.iter().map(|q| &q["id"]).collect();
    assert_eq!(
        ids,
        vec![&by_follower["id"]],
        "pending quotes are not listed"
    );
    let seen_by_carol: Value = app
        .as_(&carol)
        .get(&format!("/api/v1/statuses/{original}"))
        .await
        .expect("shown");
    assert_eq!(seen_by_carol["quote_approval"]["current_user"], "manual");
    assert_eq!(seen_by_carol["quotes_count"], 1);
}

#[sqlx::test]
async fn only_the_quoted_author_revokes_and_the_quote_shows_revoked(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let original = posted(&app, &alice, "quote me", &[]).await;
    let quote = posted(&app, &bob, "quoted", &[("quoted_status_id", &original)]).await;
    let path = format!("/api/v1/statuses/{original}/quotes/{quote}/revoke");

    let refused = app
        .as_(&bob)
        .post::<Value>(&path, &[])
        .await
        .expect_err("not the author");
    assert_eq!(refused.status.as_u16(), 403);
    let anonymous = app
        .anonymous()
        .post::<Value>(&path, &[])
        .await
        .expect_err("no token");
    assert_eq!(anonymous.status.as_u16(), 401);
    let unknown = app
        .as_(&alice)
        .post::<Value>(
            &format!("/api/v1/statuses/{original}/quotes/{original}/revoke"),
            &[],
        )
        .await
        .expect_err("no such quote");
    assert_eq!(unknown.status.as_u16(), 404);

    let revoked: Value = app.as_(&alice).post(&path, &[]).await.expect("revoked");
    assert_eq!(revoked["id"], quote.as_str());
    assert_eq!(revoked["quote"]["state"], "revoked");
    assert_eq!(revoked["quote"]["quoted_status"], Value::Null);
    let original_shown: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{original}"))
        .await
        .expect("shown");
    assert_eq!(original_shown["quotes_count"], 0);
}

#[sqlx::test]
async fn the_policy_changes_after_posting_and_edits_notify_quoters(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let original = posted(&app, &alice, "first words", &[]).await;
    let quote = posted(&app, &bob, "quoting", &[("quoted_status_id", &original)]).await;

    let changed: Value = app
        .as_(&alice)
        .request(
            Method::PUT,
            &format!("/api/v1/statuses/{original}/interaction_policy"),
        )
        .json(&json!({ "quote_approval_policy": "nobody" }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(changed["quote_approval"]["automatic"], json!([]));
    let (status, _) = post(
        &app,
        &bob,
        &[("status", "again"), ("quoted_status_id", &original)],
    )
    .await
    .expect_err("nobody may quote now");
    assert_eq!(status, 422);
    let not_own = app
        .as_(&bob)
        .request(
            Method::PUT,
            &format!("/api/v1/statuses/{original}/interaction_policy"),
        )
        .json(&json!({ "quote_approval_policy": "public" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(not_own.status().as_u16(), 404);

    app.as_(&alice)
        .edit_status(&original, "second words")
        .await
        .expect("edited");
    let notifications = app.as_(&bob).notifications().await.expect("notifications");
    let update = notifications
        .iter()
        .find(|n| n.kind == "quoted_update")
        .expect("a quoted_update notification");
    assert_eq!(
        update.status.as_ref().map(|s| s.id.as_str()),
        Some(quote.as_str())
    );
}

#[sqlx::test]
async fn a_deleted_quoted_post_shows_as_deleted(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let original = posted(&app, &alice, "soon gone", &[]).await;
    let quote = posted(&app, &bob, "quoting", &[("quoted_status_id", &original)]).await;
    app.as_(&alice)
        .delete_status(&original)
        .await
        .expect("deleted");
    let shown: Value = app
        .as_(&bob)
        .get(&format!("/api/v1/statuses/{quote}"))
        .await
        .expect("shown");
    assert_eq!(
        shown["quote"],
        json!({ "state": "deleted", "quoted_status": null })
    );
}

#[sqlx::test]
async fn the_default_policy_is_a_preference_new_posts_follow(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bad = app
        .as_(&alice)
        .patch::<Value>(
            "/api/v1/accounts/update_credentials",
            &[("source[quote_policy]", "friends")],
        )
        .await
        .expect_err("unknown policy");
    assert_eq!(bad.status.as_u16(), 422);
    let _: Value = app
        .as_(&alice)
        .patch(
            "/api/v1/accounts/update_credentials",
            &[("source[quote_policy]", "followers")],
        )
        .await
        .expect("changed");
    let preferences: Value = app
        .as_(&alice)
        .get("/api/v1/preferences")
        .await
        .expect("preferences");
    assert_eq!(preferences["posting:default:quote_policy"], "followers");
    let status = post(&app, &alice, &[("status", "mine")])
        .await
        .expect("posted");
    assert_eq!(status["quote_approval"]["automatic"], json!(["followers"]));
    let private = post(
        &app,
        &alice,
        &[("status", "hush"), ("visibility", "private")],
    )
    .await
    .expect("posted");
    assert_eq!(
        private["quote_approval"]["automatic"],
        json!([]),
        "private posts: nobody"
    );
}
