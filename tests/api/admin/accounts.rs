//! Account moderation through the admin API: the account list and its filters,
//! approving and rejecting sign-ups, silencing and suspending (and undoing them), and a
//! local suspension reaching the servers that follow the account.

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

use super::{call, ok};
use crate::helpers::peers::{follow, instance, remote_id, second_database, settle};
use crate::helpers::scalar;
use crate::helpers::staff::staff;
use crate::helpers::{expect_error, expect_json, TestApp, TestUser, PASSWORD};

/// Signs up through the API of an instance in approval mode; returns the token.
async fn sign_up_pending(app: &TestApp, username: &str) -> String {
    let registration = app.create_app("read write").await;
    let app_token = app.app_token(&registration, "read write").await;
    let token = expect_json(
        app.post("/api/v1/accounts")
            .bearer_auth(&app_token)
            .form(&[
                ("username", username),
                ("email", &format!("{username}@mail.example")),
                ("password", PASSWORD),
                ("agreement", "true"),
                ("reason", "let me in"),
            ])
            .send()
            .await,
        200,
    )
    .await;
    token["access_token"].as_str().expect("token").to_owned()
}

#[sqlx::test]
async fn the_account_list_filters_and_approve_and_reject_handle_sign_ups(db: PgPool) {
    let open = TestApp::spawn(db.clone()).await;
    let (_, admin) = staff(&open, "boss", "admin").await;
    let app = TestApp::spawn_with(db, &["--registration", "approval"]).await;
    let waiting_token = sign_up_pending(&app, "waiting").await;
    sign_up_pending(&app, "doomed").await;

    let pending = ok(
        &open,
        &admin,
        Method::GET,
        "/api/v2/admin/accounts?origin=local&status=pending",
        &[],
    )
    .await;
    let names: Vec<&str> = pending
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["username"].as_str().expect("username"))
        .collect();
    assert_eq!(names, vec!["doomed", "waiting"]);
    assert_eq!(pending[0]["approved"], false);
    assert_eq!(pending[0]["email"], "doomed@mail.example");
    assert_eq!(pending[0]["account"]["acct"], "doomed");
    let doomed_id = pending[0]["id"].as_str().expect("id").to_owned();
    let waiting_id = pending[1]["id"].as_str().expect("id").to_owned();

    let staff_only = ok(
        &open,
        &admin,
        Method::GET,
        "/api/v2/admin/accounts?permissions=staff",
        &[],
    )
    .await;
    assert_eq!(staff_only.as_array().map(Vec::len), Some(1));
    assert_eq!(staff_only[0]["role"]["name"], "Admin");
    let by_name = ok(
        &open,
        &admin,
        Method::GET,
        "/api/v1/admin/accounts?username=wai&pending=true",
        &[],
    )
    .await;
    assert_eq!(by_name.as_array().map(Vec::len), Some(1));

    expect_error(
        app.get("/api/v1/accounts/verify_credentials")
            .bearer_auth(&waiting_token)
            .send()
            .await,
        403,
    )
    .await;
    let approved = ok(
        &open,
        &admin,
        Method::POST,
        &format!("/api/v1/admin/accounts/{waiting_id}/approve"),
        &[],
    )
    .await;
    assert_eq!(approved["approved"], true);
    expect_json(
        app.get("/api/v1/accounts/verify_credentials")
            .bearer_auth(&waiting_token)
            .send()
            .await,
        200,
    )
    .await;
    expect_error(
        call(
            &open,
            &admin,
            Method::POST,
            &format!("/api/v1/admin/accounts/{waiting_id}/approve"),
            &[],
        )
        .await,
        403,
    )
    .await;

    ok(
        &open,
        &admin,
        Method::POST,
        &format!("/api/v1/admin/accounts/{doomed_id}/reject"),
        &[],
    )
    .await;
    expect_error(
        call(
            &open,
            &admin,
            Method::GET,
            &format!("/api/v1/admin/accounts/{doomed_id}"),
            &[],
        )
        .await,
        404,
    )
    .await;
    app.stop().await;
    open.stop().await;
}

#[sqlx::test]
async fn silencing_suspending_and_undoing_change_what_others_see(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let loud = app.sign_up("loud").await;
    let reader = app.sign_up("reader").await;
    let status = app.post_status(&loud, &[("status", "hello world")]).await;
    let public_ids = |timeline: Value| -> Vec<String> {
        timeline
            .as_array()
            .expect("list")
            .iter()
            .map(|s| s["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let action = |kind: &'static str| {
        let path = format!("/api/v1/admin/accounts/{}/action", loud.account_id);
        let admin = admin.clone();
        let app = &app;
        async move { call(app, &admin, Method::POST, &path, &[("type", kind)]).await }
    };

    expect_json(action("silence").await, 200).await;
    let shown = ok(
        &app,
        &admin,
        Method::GET,
        &format!("/api/v1/admin/accounts/{}", loud.account_id),
        &[],
    )
    .await;
    assert_eq!(shown["silenced"], true);
    let public = expect_json(app.get("/api/v1/timelines/public").send().await, 200).await;
    assert!(
        !public_ids(public).contains(&status),
        "silenced posts leave the public timeline"
    );
    expect_json(
        app.get(&format!("/api/v1/statuses/{status}"))
            .bearer_auth(&reader.access_token)
            .send()
            .await,
        200,
    )
    .await;

    expect_json(action("suspend").await, 200).await;
    expect_error(
        app.get(&format!("/api/v1/statuses/{status}"))
            .bearer_auth(&reader.access_token)
            .send()
            .await,
        404,
    )
    .await;
    expect_error(
        app.get("/api/v1/accounts/verify_credentials")
            .bearer_auth(&loud.access_token)
            .send()
            .await,
        401,
    )
    .await;
    let actor = app
        .get("/users/loud")
        .header("Accept", "application/activity+json")
        .send()
        .await
        .expect("sent");
    assert_eq!(actor.status(), 410);
    let tombstone: Value = actor.json().await.expect("json");
    assert_eq!(tombstone["type"], "Tombstone");

    let bad = expect_error(action("obliterate").await, 422).await;
    assert!(bad["error"].as_str().expect("message").contains("type"));

    let lifted = ok(
        &app,
        &admin,
        Method::POST,
        &format!("/api/v1/admin/accounts/{}/unsuspend", loud.account_id),
        &[],
    )
    .await;
    assert_eq!(lifted["suspended"], false);
    ok(
        &app,
        &admin,
        Method::POST,
        &format!("/api/v1/admin/accounts/{}/unsilence", loud.account_id),
        &[],
    )
    .await;
    let public = expect_json(app.get("/api/v1/timelines/public").send().await, 200).await;
    assert!(public_ids(public).contains(&status));

    expect_json(action("sensitive").await, 200).await;
    let shown = ok(
        &app,
        &admin,
        Method::GET,
        &format!("/api/v1/admin/accounts/{}", loud.account_id),
        &[],
    )
    .await;
    assert_eq!(shown["sensitized"], true);
    expect_json(action("disable").await, 200).await;
    let disabled = ok(
        &app,
        &admin,
        Method::GET,
        "/api/v2/admin/accounts?status=disabled",
        &[],
    )
    .await;
    assert_eq!(disabled[0]["username"], "loud");
    let enabled = ok(
        &app,
        &admin,
        Method::POST,
        &format!("/api/v1/admin/accounts/{}/enable", loud.account_id),
        &[],
    )
    .await;
    assert_eq!(enabled["disabled"], false);
    app.stop().await;
}

#[sqlx::test]
async fn suspending_a_local_account_deletes_it_on_the_servers_that_follow_it(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let (_, admin) = staff(&a, "boss", "admin").await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;
    a.post_status(&alice, &[("status", "before the fall")])
        .await;
    settle(&[&a, &b]).await;
    let home = |app: &TestApp, user: &TestUser| {
        let request = app
            .get("/api/v1/timelines/home")
            .bearer_auth(&user.access_token);
        async move { expect_json(request.send().await, 200).await }
    };
    assert_eq!(home(&b, &bob).await.as_array().map(Vec::len), Some(1));

    let path = format!("/api/v1/admin/accounts/{}/action", alice.account_id);
    ok(&a, &admin, Method::POST, &path, &[("type", "suspend")]).await;
    settle(&[&a, &b]).await;
    let deletes = scalar(
        &b.db,
        "SELECT count(*) FROM inbox_activities WHERE activity_type = 'Delete' AND processed_at IS NOT NULL",
    )
    .await;
    assert_eq!(
        deletes, 1,
        "B received and processed the Delete of the actor"
    );
    assert_eq!(home(&b, &bob).await, json!([]), "her posts are gone from B");
    let relationship = expect_json(
        b.get(&format!("/api/v1/accounts/relationships?id[]={alice_on_b}"))
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(relationship[0]["following"], false);
    a.stop().await;
    b.stop().await;
}
