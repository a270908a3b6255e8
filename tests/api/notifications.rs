//! Notifications of every kind from local and remote actions, filters, paging,
//! dismiss/clear, read markers and the unread count.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::peers::{instance, remote_id, second_database, settle};
use crate::helpers::{expect_error, expect_json, TestApp, TestUser};

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

fn kinds(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|n| n["type"].as_str().expect("type").to_owned())
        .collect()
}

async fn call(app: &TestApp, user: &TestUser, path: &str, form: &[(&str, &str)]) -> Value {
    expect_json(
        app.post(path)
            .bearer_auth(&user.access_token)
            .form(form)
            .send()
            .await,
        200,
    )
    .await
}

#[sqlx::test]
async fn local_actions_notify_once_and_never_for_ones_own(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    call(
        &app,
        &bob,
        &format!("/api/v1/accounts/{}/follow", alice.account_id),
        &[("notify", "true")],
    )
    .await;
    let status = app.post_status(&alice, &[("status", "hello @bob")]).await;
    call(
        &app,
        &bob,
        &format!("/api/v1/statuses/{status}/favourite"),
        &[],
    )
    .await;
    call(
        &app,
        &bob,
        &format!("/api/v1/statuses/{status}/unfavourite"),
        &[],
    )
    .await;
    call(
        &app,
        &bob,
        &format!("/api/v1/statuses/{status}/favourite"),
        &[],
    )
    .await;
    call(
        &app,
        &bob,
        &format!("/api/v1/statuses/{status}/reblog"),
        &[],
    )
    .await;
    call(
        &app,
        &alice,
        &format!("/api/v1/statuses/{status}/favourite"),
        &[],
    )
    .await;
    let edit = app
        .client
        .put(app.url(&format!("/api/v1/statuses/{status}")))
        .bearer_auth(&alice.access_token)
        .form(&[("status", "hello again @bob")])
        .send()
        .await;
    expect_json(edit, 200).await;

    let for_alice = notifications(&app, &alice, "").await;
    assert_eq!(
        kinds(&for_alice),
        vec!["reblog", "favourite", "follow"],
        "own favourite not notified, favourite once"
    );
    assert_eq!(for_alice[0]["account"]["username"], "bob");
    assert_eq!(for_alice[0]["status"]["id"], status.as_str());
    let for_bob = notifications(&app, &bob, "").await;
    assert_eq!(
        kinds(&for_bob),
        vec!["update", "mention"],
        "a mention of a notify-follower is a mention, not a status"
    );
    assert_eq!(for_bob[1]["status"]["id"], status.as_str());

    let other = app.post_status(&alice, &[("status", "no mention")]).await;
    let for_bob = notifications(&app, &bob, "?types[]=status").await;
    assert_eq!(for_bob.len(), 1);
    assert_eq!(for_bob[0]["status"]["id"], other.as_str());
}

#[sqlx::test]
async fn follow_requests_notify_and_become_follows_when_authorized(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let locked = app
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&alice.access_token)
        .form(&[("locked", "true")])
        .send()
        .await;
    expect_json(locked, 200).await;
    call(
        &app,
        &bob,
        &format!("/api/v1/accounts/{}/follow", alice.account_id),
        &[],
    )
    .await;
    assert_eq!(
        kinds(&notifications(&app, &alice, "").await),
        vec!["follow_request"]
    );
    call(
        &app,
        &alice,
        &format!("/api/v1/follow_requests/{}/authorize", bob.account_id),
        &[],
    )
    .await;
    assert_eq!(
        kinds(&notifications(&app, &alice, "").await),
        vec!["follow"]
    );
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
        kinds(&notifications(&app, &alice, "?exclude_types[]=follow").await),
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
    let newcomer = app.sign_up("newcomer").await;
    let list = notifications(&app, &admin, "").await;
    assert_eq!(kinds(&list), vec!["admin.sign_up"]);
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
    let mut got = kinds(&list);
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
