//! Notifications of every kind from local and remote actions, filters, paging,
//! dismiss/clear, read markers and the unread count.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::client::entities::kinds;
use crate::helpers::peers::{instance, remote_id, second_database, settle};
use crate::helpers::requests::call;
use crate::helpers::{
    expect_error, expect_json, Account, ApiResult, Notification, TestApp, TestUser,
};

async fn notifications(app: &TestApp, user: &TestUser, query: &str) -> Vec<Value> {
    let response = app
        .get(&format!("/api/v1/notifications{query}"))
        .bearer_auth(&user.access_token)
        .send()
        .await;
    expect_json(response, 200)
        .await
        .as_array()
        .expect("array")
        .clone()
}

fn kinds_of(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|n| n["type"].as_str().expect("type").to_owned())
        .collect()
}

/// The id of the status a notification is about, if any.
fn status_of(notification: &Notification) -> Option<&str> {
    notification
        .status
        .as_ref()
        .map(|status| status.id.as_str())
}

#[sqlx::test]
async fn local_actions_notify_once_and_never_for_ones_own(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let (as_alice, as_bob) = (app.as_(&alice), app.as_(&bob));
    let notify = [("notify", "true")];
    as_bob.follow_with(&alice, &notify).await.expect("follows");
    let status = as_alice.post_status("hello @bob").await.expect("posts");
    as_bob.favourite(&status).await.expect("likes");
    as_bob.unfavourite(&status).await.expect("takes it back");
    as_bob.favourite(&status).await.expect("likes again");
    as_bob.reblog(&status).await.expect("boosts");
    as_alice.favourite(&status).await.expect("likes her own");
    let edit = as_alice.edit_status(&status, "hello again @bob").await;
    edit.expect("edits");

    let for_alice = as_alice.notifications().await.expect("notifications");
    assert_eq!(
        kinds(&for_alice),
        ["reblog", "favourite", "follow"],
        "own favourite not notified, favourite once"
    );
    assert_eq!(for_alice[0].account.username, "bob");
    assert_eq!(status_of(&for_alice[0]), Some(status.id.as_str()));
    let for_bob = as_bob.notifications().await.expect("notifications");
    assert_eq!(
        kinds(&for_bob),
        ["update", "mention"],
        "a mention of a notify-follower is a mention, not a status"
    );
    assert_eq!(status_of(&for_bob[1]), Some(status.id.as_str()));

    let other = as_alice.post_status("no mention").await.expect("posts");
    let statuses = [("types[]", "status")];
    let for_bob = as_bob.notifications_where(&statuses).await.expect("list");
    assert_eq!(for_bob.len(), 1);
    assert_eq!(status_of(&for_bob[0]), Some(other.id.as_str()));
}

#[sqlx::test]
async fn follow_requests_notify_and_become_follows_when_authorized(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let as_alice = app.as_(&alice);
    let locked: ApiResult<Account> = as_alice
        .patch("/api/v1/accounts/update_credentials", &[("locked", "true")])
        .await;
    locked.expect("locks her account");
    app.as_(&bob).follow(&alice).await.expect("asks to follow");
    let list = as_alice.notifications().await.expect("notifications");
    assert_eq!(kinds(&list), ["follow_request"]);
    as_alice
        .authorize_follow_request(&bob)
        .await
        .expect("accepts");
    let list = as_alice.notifications().await.expect("notifications");
    assert_eq!(kinds(&list), ["follow"]);
}

#[sqlx::test]
async fn filters_dismiss_clear_markers_and_the_unread_count(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    call(
        &app,
        &bob,
        &format!("/api/v1/accounts/{}/follow", alice.account_id),
        &[],
    )
    .await;
    call(
        &app,
        &carol,
        &format!("/api/v1/accounts/{}/follow", alice.account_id),
        &[],
    )
    .await;
    let status = app.post_status(&alice, &[("status", "like it")]).await;
    call(
        &app,
        &bob,
        &format!("/api/v1/statuses/{status}/favourite"),
        &[],
    )
    .await;

    assert_eq!(
        kinds_of(&notifications(&app, &alice, "?exclude_types[]=follow").await),
        vec!["favourite"]
    );
    assert_eq!(
        notifications(&app, &alice, &format!("?account_id={}", carol.account_id))
            .await
            .len(),
        1
    );
    let all = notifications(&app, &alice, "").await;
    assert_eq!(all.len(), 3);
    let unread = expect_json(
        app.get("/api/v1/notifications/unread_count")
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(unread["count"], 3);

    let newest = all[0]["id"].as_str().expect("id");
    let middle = all[1]["id"].as_str().expect("id");
    let marker = call(
        &app,
        &alice,
        "/api/v1/markers",
        &[("notifications[last_read_id]", middle)],
    )
    .await;
    assert_eq!(marker["notifications"]["last_read_id"], middle);
    let read = expect_json(
        app.get("/api/v1/markers?timeline[]=notifications&timeline[]=home")
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(read["notifications"]["last_read_id"], middle);
    assert!(read.get("home").is_none());
    let unread = expect_json(
        app.get("/api/v1/notifications/unread_count")
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(unread["count"], 1);
    let page = notifications(&app, &alice, &format!("?max_id={newest}&limit=1")).await;
    assert_eq!(page[0]["id"], middle);

    let one = expect_json(
        app.get(&format!("/api/v1/notifications/{newest}"))
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(one["id"], newest);
    expect_error(
        app.get(&format!("/api/v1/notifications/{newest}"))
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        404,
    )
    .await;
    call(
        &app,
        &alice,
        &format!("/api/v1/notifications/{newest}/dismiss"),
        &[],
    )
    .await;
    assert_eq!(notifications(&app, &alice, "").await.len(), 2);
    call(&app, &alice, "/api/v1/notifications/clear", &[]).await;
    assert!(notifications(&app, &alice, "").await.is_empty());
    let empty = app
        .post("/api/v1/markers")
        .bearer_auth(&alice.access_token)
        .form(&[("x", "y")])
        .send()
        .await;
    expect_error(empty, 422).await;
}

#[sqlx::test]
async fn moderators_hear_of_sign_ups(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let admin = app.sign_up("boss").await;
    sqlx::query("UPDATE users SET role = 'admin' WHERE email = 'boss@mail.example'")
        .execute(&db)
        .await
        .expect("promotes");
    crate::helpers::auth_changed_by_hand();
    let newcomer = app.sign_up("newcomer").await;
    let list = notifications(&app, &admin, "").await;
    assert_eq!(kinds_of(&list), vec!["admin.sign_up"]);
    assert_eq!(list[0]["account"]["id"], newcomer.account_id.as_str());
}

#[sqlx::test]
async fn remote_follows_mentions_and_likes_notify_local_users(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    call(
        &b,
        &bob,
        &format!("/api/v1/accounts/{alice_on_b}/follow"),
        &[],
    )
    .await;
    settle(&[&a, &b]).await;
    let status = a
        .post_status(&alice, &[("status", "hello followers")])
        .await;
    settle(&[&a, &b]).await;
    let home = expect_json(
        b.get("/api/v1/timelines/home")
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        200,
    )
    .await;
    let on_b = home[0]["id"].as_str().expect("reached bob").to_owned();
    call(&b, &bob, &format!("/api/v1/statuses/{on_b}/favourite"), &[]).await;
    b.post_status(&bob, &[("status", &format!("hi @alice@{}", a.domain))])
        .await;
    settle(&[&a, &b]).await;
    let list = notifications(&a, &alice, "").await;
    // Deliveries may arrive in any order: compare as a set.
    let mut got = kinds_of(&list);
    got.sort();
    assert_eq!(got, vec!["favourite", "follow", "mention"], "{list:?}");
    let favourite = list
        .iter()
        .find(|n| n["type"] == "favourite")
        .expect("favourite");
    assert_eq!(favourite["status"]["id"], status.as_str());
    assert!(list
        .iter()
        .all(|n| n["account"]["acct"] == format!("bob@{}", b.domain)));
}
