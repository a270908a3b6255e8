//! The notification policy and notification requests (Mastodon 4.3, with 4.2's v1
//! policy): a stranger's private mention is filtered into a request (a remote stranger
//! like a local one), accepting the request brings it back and lets the sender's next
//! ones through, dismissing deletes it, and `drop` stores nothing.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::peers::{instance, second_database, settle};
use crate::helpers::requests::{call, read};
use crate::helpers::{expect_json, TestApp, TestUser};

async fn patch(app: &TestApp, user: &TestUser, path: &str, form: &[(&str, &str)]) -> Value {
    let response = app
        .patch(path)
        .bearer_auth(&user.access_token)
        .form(form)
        .send()
        .await;
    expect_json(response, 200).await
}

fn len(list: &Value) -> usize {
    list.as_array().expect("array").len()
}

async fn direct(app: &TestApp, from: &TestUser, text: &str) -> String {
    app.post_status(from, &[("status", text), ("visibility", "direct")])
        .await
}

#[sqlx::test]
async fn a_strangers_private_mention_becomes_a_request_and_accepting_brings_it_back(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let carol = app.sign_up("carol").await;
    let policy = read(&app, &alice, "/api/v2/notifications/policy").await;
    assert_eq!(policy["for_private_mentions"], "filter");
    assert_eq!(policy["for_limited_accounts"], "filter");
    assert_eq!(policy["for_not_following"], "accept");

    let dm = direct(&app, &carol, "psst @alice").await;
    assert_eq!(len(&read(&app, &alice, "/api/v1/notifications").await), 0);
    assert_eq!(
        len(&read(&app, &alice, "/api/v2/notifications").await["notification_groups"]),
        0
    );
    let unread = read(&app, &alice, "/api/v1/notifications/unread_count").await;
    assert_eq!(unread["count"], 0);
    let summary = read(&app, &alice, "/api/v1/notifications/policy").await["summary"].clone();
    assert_eq!(summary["pending_requests_count"], 1);
    assert_eq!(summary["pending_notifications_count"], 1);
    let hidden = read(&app, &alice, "/api/v1/notifications?include_filtered=true").await;
    assert_eq!(hidden[0]["filtered"], true);
    let by_sender = format!("/api/v1/notifications?account_id={}", carol.account_id);
    assert_eq!(len(&read(&app, &alice, &by_sender).await), 1);

    let requests = read(&app, &alice, "/api/v1/notifications/requests").await;
    assert_eq!(len(&requests), 1, "{requests}");
    assert_eq!(requests[0]["account"]["id"], carol.account_id.as_str());
    assert_eq!(requests[0]["notifications_count"], "1");
    assert_eq!(requests[0]["last_status"]["id"], dm.as_str());
    let id = requests[0]["id"].as_str().expect("id").to_owned();
    let one = read(
        &app,
        &alice,
        &format!("/api/v1/notifications/requests/{id}"),
    )
    .await;
    assert_eq!(one["id"], id.as_str());

    call(
        &app,
        &alice,
        &format!("/api/v1/notifications/requests/{id}/accept"),
        &[],
    )
    .await;
    let merged = read(&app, &alice, "/api/v1/notifications/requests/merged").await;
    assert_eq!(merged["merged"], true);
    let list = read(&app, &alice, "/api/v1/notifications").await;
    assert_eq!(list[0]["status"]["id"], dm.as_str());
    assert!(list[0].get("filtered").is_none(), "{list}");
    assert_eq!(
        len(&read(&app, &alice, "/api/v1/notifications/requests").await),
        0
    );
    direct(&app, &carol, "again @alice").await;
    assert_eq!(len(&read(&app, &alice, "/api/v1/notifications").await), 2);
}

#[sqlx::test]
async fn drop_stores_nothing_filter_covers_strangers_and_dismissing_deletes(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let friend = app.sign_up("friend").await;
    call(
        &app,
        &alice,
        &format!("/api/v1/accounts/{}/follow", friend.account_id),
        &[],
    )
    .await;
    let status = app.post_status(&alice, &[("status", "mine")]).await;

    let dropping = patch(
        &app,
        &alice,
        "/api/v2/notifications/policy",
        &[("for_not_following", "drop")],
    )
    .await;
    assert_eq!(dropping["for_not_following"], "drop");
    call(
        &app,
        &bob,
        &format!("/api/v1/statuses/{status}/favourite"),
        &[],
    )
    .await;
    call(
        &app,
        &friend,
        &format!("/api/v1/statuses/{status}/favourite"),
        &[],
    )
    .await;
    let everything = read(&app, &alice, "/api/v1/notifications?include_filtered=true").await;
    assert_eq!(len(&everything), 1, "{everything}");
    assert_eq!(everything[0]["account"]["id"], friend.account_id.as_str());

    patch(
        &app,
        &alice,
        "/api/v2/notifications/policy",
        &[("for_not_following", "filter")],
    )
    .await;
    app.post_status(&carol, &[("status", "hello @alice")]).await;
    assert_eq!(len(&read(&app, &alice, "/api/v1/notifications").await), 1);
    let requests = read(&app, &alice, "/api/v1/notifications/requests").await;
    assert_eq!(requests[0]["account"]["id"], carol.account_id.as_str());
    let id = requests[0]["id"].as_str().expect("id").to_owned();
    call(
        &app,
        &alice,
        "/api/v1/notifications/requests/dismiss",
        &[("id[]", &id)],
    )
    .await;
    assert_eq!(
        len(&read(&app, &alice, "/api/v1/notifications/requests").await),
        0
    );
    let everything = read(&app, &alice, "/api/v1/notifications?include_filtered=true").await;
    assert_eq!(len(&everything), 1, "{everything}");

    let v1 = patch(
        &app,
        &alice,
        "/api/v1/notifications/policy",
        &[("filter_not_following", "false")],
    )
    .await;
    assert_eq!(v1["filter_not_following"], false);
    let v2 = read(&app, &alice, "/api/v2/notifications/policy").await;
    assert_eq!(v2["for_not_following"], "accept");
    assert_eq!(v2["summary"]["pending_requests_count"], 0);
}

#[sqlx::test]
async fn a_remote_strangers_private_mention_is_filtered_like_a_local_ones(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let carol = a.sign_up("carol").await;
    let bob = b.sign_up("bob").await;
    direct(&b, &bob, &format!("psst @alice@{}", a.domain)).await;
    direct(&a, &carol, "psst @alice").await;
    settle(&[&a, &b]).await;

    assert_eq!(len(&read(&a, &alice, "/api/v1/notifications").await), 0);
    let requests = read(&a, &alice, "/api/v1/notifications/requests").await;
    let mut senders: Vec<String> = requests
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["account"]["acct"].as_str().expect("acct").to_owned())
        .collect();
    senders.sort();
    assert_eq!(senders, [format!("bob@{}", b.domain), "carol".to_owned()]);
    let remote = requests
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["account"]["acct"] != "carol")
        .expect("bob's");
    let id = remote["id"].as_str().expect("id");
    call(
        &a,
        &alice,
        "/api/v1/notifications/requests/accept",
        &[("id[]", id)],
    )
    .await;
    let list = read(&a, &alice, "/api/v1/notifications").await;
    assert_eq!(len(&list), 1);
    assert_eq!(list[0]["type"], "mention");
    assert_eq!(list[0]["account"]["acct"], format!("bob@{}", b.domain));
}

#[sqlx::test]
async fn filtered_notifications_are_not_announced_to_streams(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let carol = app.sign_up("carol").await;
    let erin = app.sign_up("erin").await;
    let mut listener = sqlx::postgres::PgListener::connect_with(&db)
        .await
        .expect("listens");
    listener.listen("roost_stream").await.expect("subscribes");
    direct(&app, &carol, "psst @alice").await;
    let public = app.post_status(&erin, &[("status", "hello @alice")]).await;
    let mut announced = Vec::new();
    while announced.is_empty() {
        let next = tokio::time::timeout(std::time::Duration::from_secs(10), listener.recv());
        let notice = next.await.expect("an event in time").expect("receives");
        let event: Value = serde_json::from_str(notice.payload()).expect("json");
        if event["k"] == "notification" {
            announced.push(event["n"].as_i64().expect("id"));
        }
    }
    let list = read(&app, &alice, "/api/v1/notifications?include_filtered=true").await;
    let erins = list
        .as_array()
        .expect("array")
        .iter()
        .find(|n| n["status"]["id"] == public.as_str())
        .expect("erin's mention");
    assert_eq!(
        announced,
        [erins["id"].as_str().expect("id").parse::<i64>().expect("n")]
    );
}
