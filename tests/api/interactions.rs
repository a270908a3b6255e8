//! Favourites, boosts, bookmarks, pins, who-did-what lists and thread context.

use sqlx::PgPool;

use crate::helpers::client::entities::ids;
use crate::helpers::{expect_error, expect_json, Account, Status, TestApp, TestUser};

async fn act(
    app: &TestApp,
    user: &TestUser,
    id: &str,
    action: &str,
) -> reqwest::Result<reqwest::Response> {
    app.post(&format!("/api/v1/statuses/{id}/{action}"))
        .bearer_auth(&user.access_token)
        .send()
        .await
}

async fn list(app: &TestApp, user: &TestUser, path: &str, key: &str) -> Vec<String> {
    let response = app.get(path).bearer_auth(&user.access_token).send().await;
    let items = expect_json(response, 200).await;
    items
        .as_array()
        .expect("array")
        .iter()
        .map(|item| item[key].as_str().expect("field").to_owned())
        .collect()
}

/// The usernames of a list of accounts, in order.
fn usernames(accounts: &[Account]) -> Vec<&str> {
    accounts.iter().map(|a| a.username.as_str()).collect()
}

#[sqlx::test]
async fn favourites_count_once_per_account_and_can_be_undone(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let status = app.as_(&alice).post_status("like me").await.expect("posts");
    for _ in 0..2 {
        let liked = app.as_(&bob).favourite(&status).await.expect("likes");
        assert_eq!((liked.favourited, liked.favourites_count), (Some(true), 1));
    }
    let likers: Vec<Account> = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{}/favourited_by", status.id))
        .await
        .expect("likers");
    assert_eq!(usernames(&likers), ["bob"]);
    let bobs: Vec<Status> = app.as_(&bob).get("/api/v1/favourites").await.expect("list");
    assert_eq!(ids(&bobs), [status.id.as_str()]);
    let for_alice = app.as_(&alice).status(&status).await.expect("reads");
    assert_eq!(for_alice.favourited, Some(false));
    let undone = app.as_(&bob).unfavourite(&status).await.expect("undoes");
    assert_eq!(
        (undone.favourited, undone.favourites_count),
        (Some(false), 0)
    );
    let bobs: Vec<Status> = app.as_(&bob).get("/api/v1/favourites").await.expect("list");
    assert!(bobs.is_empty());
    let missing = app.as_(&bob).favourite("424242").await.expect_err("none");
    assert_eq!(missing.status, 404);
}

#[sqlx::test]
async fn a_boost_wraps_the_original_reaches_followers_and_can_be_undone(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    app.as_(&carol)
        .follow(&bob)
        .await
        .expect("carol follows bob");
    let status = app
        .as_(&alice)
        .post_status("boost me")
        .await
        .expect("posts");
    let boost = app.as_(&bob).reblog(&status).await.expect("boosts");
    assert_ne!(boost.id, status.id);
    let original = boost.reblog.as_deref().expect("a boost wraps the original");
    assert_eq!(original.id, status.id);
    assert_eq!(original.reblogged, Some(true));
    assert_eq!(original.reblogs_count, 1);
    assert_eq!(boost.account.username, "bob");
    let again = app.as_(&bob).reblog(&status).await.expect("boosts");
    assert_eq!(again.id, boost.id, "boosting twice returns the first boost");
    let boosters: Vec<Account> = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{}/reblogged_by", status.id))
        .await
        .expect("boosters");
    assert_eq!(usernames(&boosters), ["bob"]);
    let carols_home = app.as_(&carol).home().await.expect("home");
    assert_eq!(ids(&carols_home), [boost.id.as_str()]);
    let for_bob = app.as_(&bob).status(&status).await.expect("reads");
    assert_eq!(for_bob.reblogged, Some(true));

    let undone = app.as_(&bob).unreblog(&status).await.expect("undoes");
    assert_eq!(
        (undone.id.as_str(), undone.reblogged, undone.reblogs_count),
        (status.id.as_str(), Some(false), 0)
    );
    assert!(app.as_(&carol).home().await.expect("home").is_empty());
}

#[sqlx::test]
async fn private_statuses_of_others_cannot_be_boosted_and_deleting_removes_boosts(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let follow = app
        .post(&format!("/api/v1/accounts/{}/follow", alice.account_id))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(follow, 200).await;
    let private = app
        .post_status(&alice, &[("status", "friends"), ("visibility", "private")])
        .await;
    expect_error(act(&app, &bob, &private, "reblog").await, 422).await;
    let own = expect_json(act(&app, &alice, &private, "reblog").await, 200).await;
    assert_eq!(
        own["visibility"], "private",
        "self-boosts of private statuses stay private"
    );

    let public = app.post_status(&alice, &[("status", "public")]).await;
    let boost = expect_json(act(&app, &bob, &public, "reblog").await, 200).await;
    let boost_id = boost["id"].as_str().expect("id").to_owned();
    let deleted = app
        .delete(&format!("/api/v1/statuses/{public}"))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(deleted, 200).await;
    expect_error(
        app.get(&format!("/api/v1/statuses/{boost_id}"))
            .send()
            .await,
        404,
    )
    .await;
}

#[sqlx::test]
async fn bookmarks_and_pins_are_per_user_with_limits(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let id = app.post_status(&alice, &[("status", "keep")]).await;
    assert_eq!(
        expect_json(act(&app, &bob, &id, "bookmark").await, 200).await["bookmarked"],
        true
    );
    assert_eq!(
        list(&app, &bob, "/api/v1/bookmarks", "id").await,
        vec![id.clone()]
    );
    assert_eq!(
        expect_json(act(&app, &bob, &id, "unbookmark").await, 200).await["bookmarked"],
        false
    );
    assert!(list(&app, &bob, "/api/v1/bookmarks", "id").await.is_empty());

    expect_error(act(&app, &bob, &id, "pin").await, 422).await;
    assert_eq!(
        expect_json(act(&app, &alice, &id, "pin").await, 200).await["pinned"],
        true
    );
    for n in 0..4 {
        let other = app
            .post_status(&alice, &[("status", &format!("pin {n}"))])
            .await;
        expect_json(act(&app, &alice, &other, "pin").await, 200).await;
    }
    let sixth = app.post_status(&alice, &[("status", "one too many")]).await;
    expect_error(act(&app, &alice, &sixth, "pin").await, 422).await;
    assert_eq!(
        expect_json(act(&app, &alice, &id, "unpin").await, 200).await["pinned"],
        false
    );
    let direct = app
        .post_status(&alice, &[("status", "secret"), ("visibility", "direct")])
        .await;
    expect_error(act(&app, &alice, &direct, "pin").await, 422).await;
}

#[sqlx::test]
async fn context_lists_visible_ancestors_and_descendants(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let root = app.post_status(&alice, &[("status", "root")]).await;
    let reply = app
        .post_status(&bob, &[("status", "reply"), ("in_reply_to_id", &root)])
        .await;
    let nested = app
        .post_status(&alice, &[("status", "nested"), ("in_reply_to_id", &reply)])
        .await;
    let hidden = app
        .post_status(
            &bob,
            &[
                ("status", "for followers"),
                ("in_reply_to_id", &root),
                ("visibility", "private"),
            ],
        )
        .await;

    let context = expect_json(
        app.get(&format!("/api/v1/statuses/{reply}/context"))
            .send()
            .await,
        200,
    )
    .await;
    let ids = |key: &str| -> Vec<String> {
        context[key]
            .as_array()
            .expect("array")
            .iter()
            .map(|s| s["id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(ids("ancestors"), vec![root.clone()]);
    assert_eq!(ids("descendants"), vec![nested.clone()]);

    let as_carol = app
        .get(&format!("/api/v1/statuses/{root}/context"))
        .bearer_auth(&carol.access_token)
        .send()
        .await;
    let as_carol = expect_json(as_carol, 200).await;
    let descendants: Vec<&str> = as_carol["descendants"]
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        descendants,
        vec![reply.as_str(), nested.as_str()],
        "the followers-only reply stays hidden"
    );
    let as_bob = app
        .get(&format!("/api/v1/statuses/{root}/context"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    let as_bob = expect_json(as_bob, 200).await;
    assert_eq!(
        as_bob["descendants"].as_array().expect("array").len(),
        3,
        "{hidden} is the author's own"
    );
}
