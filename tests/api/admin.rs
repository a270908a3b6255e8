//! The admin API: who may use it (role and scope), account moderation, domain blocks
//! and allows, deliveries, and instance rules; enforcement of a domain suspension
//! between two real instances.

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::peers::{follow, instance, remote_id, second_database, settle};
use crate::helpers::scalar;
use crate::helpers::staff::{staff, ADMIN_SCOPES};
use crate::helpers::{expect_error, expect_json, TestApp, TestUser, PASSWORD};

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Result<reqwest::Response> {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .form(form)
        .send()
        .await
}

/// `call`, asserting a `200` and returning its JSON.
async fn ok(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    form: &[(&str, &str)],
) -> Value {
    expect_json(call(app, token, method, path, form).await, 200).await
}

/// Every admin route, with what it needs.
fn admin_routes(account: &str) -> Vec<(Method, String)> {
    let a = |path: &str| path.replace(":id", account);
    vec![
        (Method::GET, "/api/v2/admin/accounts".into()),
        (Method::GET, "/api/v1/admin/accounts".into()),
        (Method::GET, a("/api/v1/admin/accounts/:id")),
        (Method::POST, a("/api/v1/admin/accounts/:id/action")),
        (Method::POST, a("/api/v1/admin/accounts/:id/approve")),
        (Method::POST, a("/api/v1/admin/accounts/:id/reject")),
        (Method::POST, a("/api/v1/admin/accounts/:id/enable")),
        (Method::POST, a("/api/v1/admin/accounts/:id/unsilence")),
        (Method::POST, a("/api/v1/admin/accounts/:id/unsuspend")),
        (Method::POST, a("/api/v1/admin/accounts/:id/unsensitive")),
        (Method::GET, "/api/v1/admin/domain_blocks".into()),
        (Method::POST, "/api/v1/admin/domain_blocks".into()),
        (Method::GET, "/api/v1/admin/domain_blocks/1".into()),
        (Method::PUT, "/api/v1/admin/domain_blocks/1".into()),
        (Method::DELETE, "/api/v1/admin/domain_blocks/1".into()),
        (Method::GET, "/api/v1/admin/domain_allows".into()),
        (Method::POST, "/api/v1/admin/domain_allows".into()),
        (Method::GET, "/api/v1/admin/domain_allows/1".into()),
        (Method::DELETE, "/api/v1/admin/domain_allows/1".into()),
        (Method::GET, "/api/v1/admin/reports".into()),
        (Method::GET, "/api/v1/admin/reports/1".into()),
        (
            Method::POST,
            "/api/v1/admin/reports/1/assign_to_self".into(),
        ),
        (Method::POST, "/api/v1/admin/reports/1/unassign".into()),
        (Method::POST, "/api/v1/admin/reports/1/resolve".into()),
        (Method::POST, "/api/v1/admin/reports/1/reopen".into()),
        (Method::GET, "/api/v1/admin/deliveries".into()),
        (Method::POST, "/api/v1/admin/deliveries/replay".into()),
    ]
}

#[sqlx::test]
async fn every_admin_endpoint_refuses_users_and_tokens_without_admin_scope(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let target = app.sign_up("target").await;
    let (_, user_token) = staff(&app, "plain", "user").await;
    let registration = app.create_app(ADMIN_SCOPES).await;
    let (admin, _) = staff(&app, "boss", "admin").await;
    let admin_without_scope = app
        .password_token(&registration, &admin.username, PASSWORD, "read write")
        .await;
    for (method, path) in admin_routes(&target.account_id) {
        for token in [&user_token, &admin_without_scope, &target.access_token] {
            let response = call(&app, token, method.clone(), &path, &[]).await;
            let error = expect_error(response, 403).await;
            assert!(error["error"].is_string(), "{method} {path}: {error}");
        }
        let anonymous = app
            .client
            .request(method.clone(), app.url(&path))
            .send()
            .await;
        expect_error(anonymous, 401).await;
    }
    app.stop().await;
}

#[sqlx::test]
async fn moderators_moderate_accounts_but_only_admins_manage_domains(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, moderator) = staff(&app, "moddy", "moderator").await;
    ok(&app, &moderator, Method::GET, "/api/v2/admin/accounts", &[]).await;
    for (method, path) in [
        (Method::GET, "/api/v1/admin/domain_blocks"),
        (Method::POST, "/api/v1/admin/domain_allows"),
        (Method::GET, "/api/v1/admin/deliveries"),
    ] {
        let error = expect_error(call(&app, &moderator, method, path, &[]).await, 403).await;
        assert_eq!(error["error"], "This action is not allowed");
    }
    app.stop().await;
}

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
async fn domain_blocks_and_allows_are_created_changed_listed_and_removed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let created = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/domain_blocks",
        &[
            ("domain", "Spam.Example"),
            ("severity", "silence"),
            ("public_comment", "spam"),
        ],
    )
    .await;
    assert_eq!(created["domain"], "spam.example");
    assert_eq!(created["severity"], "silence");
    assert_eq!(created["public_comment"], "spam");
    assert_eq!(created["digest"].as_str().map(str::len), Some(64));
    let id = created["id"].as_str().expect("id").to_owned();

    let duplicate = expect_error(
        call(
            &app,
            &admin,
            Method::POST,
            "/api/v1/admin/domain_blocks",
            &[("domain", "spam.example")],
        )
        .await,
        422,
    )
    .await;
    assert_eq!(duplicate["existing_domain_block"]["id"], id.as_str());
    expect_error(
        call(
            &app,
            &admin,
            Method::POST,
            "/api/v1/admin/domain_blocks",
            &[("domain", "x.example"), ("severity", "nuke")],
        )
        .await,
        422,
    )
    .await;
    expect_error(
        call(
            &app,
            &admin,
            Method::POST,
            "/api/v1/admin/domain_blocks",
            &[("domain", "bad domain!")],
        )
        .await,
        422,
    )
    .await;

    let updated = ok(
        &app,
        &admin,
        Method::PUT,
        &format!("/api/v1/admin/domain_blocks/{id}"),
        &[("severity", "suspend"), ("reject_media", "true")],
    )
    .await;
    assert_eq!(updated["severity"], "suspend");
    assert_eq!(updated["reject_media"], true);
    assert_eq!(
        updated["public_comment"], "spam",
        "settings not given are kept"
    );
    let listed = ok(
        &app,
        &admin,
        Method::GET,
        "/api/v1/admin/domain_blocks",
        &[],
    )
    .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    ok(
        &app,
        &admin,
        Method::GET,
        &format!("/api/v1/admin/domain_blocks/{id}"),
        &[],
    )
    .await;
    ok(
        &app,
        &admin,
        Method::DELETE,
        &format!("/api/v1/admin/domain_blocks/{id}"),
        &[],
    )
    .await;
    expect_error(
        call(
            &app,
            &admin,
            Method::GET,
            &format!("/api/v1/admin/domain_blocks/{id}"),
            &[],
        )
        .await,
        404,
    )
    .await;

    let allowed = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/domain_allows",
        &[("domain", "friends.example")],
    )
    .await;
    let again = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/domain_allows",
        &[("domain", "friends.example")],
    )
    .await;
    assert_eq!(allowed["id"], again["id"]);
    let allow_id = allowed["id"].as_str().expect("id");
    let listed = ok(
        &app,
        &admin,
        Method::GET,
        "/api/v1/admin/domain_allows",
        &[],
    )
    .await;
    assert_eq!(listed[0]["domain"], "friends.example");
    ok(
        &app,
        &admin,
        Method::DELETE,
        &format!("/api/v1/admin/domain_allows/{allow_id}"),
        &[],
    )
    .await;
    expect_error(
        call(
            &app,
            &admin,
            Method::GET,
            &format!("/api/v1/admin/domain_allows/{allow_id}"),
            &[],
        )
        .await,
        404,
    )
    .await;
    app.stop().await;
}

#[sqlx::test]
async fn instance_rules_added_from_the_shell_are_served(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let output =
        crate::helpers::shell::admin(&app.db, &["rule-add", "Be kind", "--hint", "No harassment"])
            .await;
    crate::helpers::shell::assert_success(&output);
    let rules = expect_json(app.get("/api/v1/instance/rules").send().await, 200).await;
    assert_eq!(rules[0]["text"], "Be kind");
    assert_eq!(rules[0]["hint"], "No harassment");
    let v2 = expect_json(app.get("/api/v2/instance").send().await, 200).await;
    assert_eq!(v2["rules"], rules);
    app.stop().await;
}

#[sqlx::test]
async fn dead_deliveries_are_listed_and_replayed(db: PgPool) {
    let app = instance(db).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    sqlx::query(
        "INSERT INTO deliveries (activity_id, inbox_url, domain, payload, state, attempts, last_error) \
         VALUES ('https://x/1', 'https://gone.example/inbox', 'gone.example', '{}', 'dead', 14, 'HTTP 500')",
    )
    .execute(&app.db)
    .await
    .expect("dead letter");
    let view = ok(&app, &admin, Method::GET, "/api/v1/admin/deliveries", &[]).await;
    assert_eq!(view["dead_total"], 1);
    assert_eq!(view["dead"][0]["inbox"], "https://gone.example/inbox");
    assert_eq!(view["dead"][0]["last_error"], "HTTP 500");
    let replayed = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/deliveries/replay",
        &[("domain", "gone.example")],
    )
    .await;
    assert_eq!(replayed, json!({"replayed": 1}));
    let view = ok(&app, &admin, Method::GET, "/api/v1/admin/deliveries", &[]).await;
    assert_eq!(
        (view["dead_total"].clone(), view["pending"].clone()),
        (json!(0), json!(1))
    );
    app.stop().await;
}

#[sqlx::test]
async fn after_suspending_a_domain_nothing_lands_from_it_and_nothing_goes_to_it(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let (_, admin) = staff(&a, "boss", "admin").await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let carol = b.sign_up("carol").await;
    // Bob and Alice follow each other before the block.
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;
    follow(&a, &alice, &bob_on_a).await;
    settle(&[&a, &b]).await;
    // A post of Alice's is queued for B, not yet sent.
    a.post_status(&alice, &[("status", "queued before the block")])
        .await;

    ok(
        &a,
        &admin,
        Method::POST,
        "/api/v1/admin/domain_blocks",
        &[("domain", &b.domain), ("severity", "suspend")],
    )
    .await;
    let bob_seen = ok(
        &a,
        &admin,
        Method::GET,
        &format!("/api/v1/admin/accounts/{bob_on_a}"),
        &[],
    )
    .await;
    assert_eq!(
        bob_seen["suspended"], true,
        "the domain's accounts are suspended"
    );

    let stored_on_a = || scalar(&a.db, "SELECT count(*) FROM inbox_activities");
    let stored_on_b = || scalar(&b.db, "SELECT count(*) FROM inbox_activities");
    let (a_before, b_before) = (stored_on_a().await, stored_on_b().await);
    // B still believes Alice follows Bob: his post is sent to A and refused. Carol's
    // follow is refused too.
    b.post_status(&bob, &[("status", "can anyone hear me")])
        .await;
    let carol_sees_alice = remote_id(&b, &carol, &format!("alice@{}", a.domain)).await;
    follow(&b, &carol, &carol_sees_alice).await;
    settle(&[&a, &b]).await;
    assert_eq!(
        stored_on_a().await,
        a_before,
        "nothing from the suspended domain is stored"
    );
    let refused = scalar(
        &b.db,
        "SELECT count(*) FROM deliveries WHERE state = 'dead' AND last_status = 403",
    )
    .await;
    assert!(
        refused >= 2,
        "A answered 403 to B's post and follow ({refused})"
    );
    let followers = expect_json(
        a.get(&format!("/api/v1/accounts/{}/followers", alice.account_id))
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(
        followers,
        json!([]),
        "the follow was severed and no new one landed"
    );

    // The post queued for B before the block was never sent.
    assert_eq!(
        stored_on_b().await,
        b_before,
        "nothing reaches the suspended domain"
    );
    let not_sent = scalar(
        &a.db,
        "SELECT count(*) FROM deliveries WHERE state = 'dead' AND last_status IS NULL",
    )
    .await;
    assert_eq!(
        not_sent, 1,
        "the queued delivery was refused without a request"
    );
    a.stop().await;
    b.stop().await;
}

#[sqlx::test]
async fn moderators_work_through_reports_and_an_action_resolves_one(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (moderator_user, moderator) = staff(&app, "moddy", "moderator").await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let offending = app.post_status(&bob, &[("status", "buy my stuff")]).await;
    let filed = |user: &TestUser, target: &TestUser| {
        let form = vec![
            ("account_id", target.account_id.clone()),
            ("status_ids[]", offending.clone()),
            ("comment", "spam".to_owned()),
            ("category", "spam".to_owned()),
        ];
        let request = app
            .post("/api/v1/reports")
            .bearer_auth(&user.access_token)
            .form(&form);
        async move { expect_json(request.send().await, 200).await }
    };
    let report = filed(&alice, &bob).await;
    let id = report["id"].as_str().expect("id").to_owned();
    let about_carol = filed(&alice, &carol).await;

    let open = ok(&app, &moderator, Method::GET, "/api/v1/admin/reports", &[]).await;
    assert_eq!(open.as_array().map(Vec::len), Some(2));
    let shown = ok(
        &app,
        &moderator,
        Method::GET,
        &format!("/api/v1/admin/reports/{id}"),
        &[],
    )
    .await;
    assert_eq!(shown["action_taken"], false);
    assert_eq!(shown["category"], "spam");
    assert_eq!(shown["account"]["username"], "alice");
    assert_eq!(shown["target_account"]["username"], "bob");
    assert_eq!(shown["target_account"]["account"]["acct"], "bob");
    assert_eq!(shown["statuses"][0]["id"], offending.as_str());
    assert_eq!(shown["assigned_account"], Value::Null);

    let assigned = ok(
        &app,
        &moderator,
        Method::POST,
        &format!("/api/v1/admin/reports/{id}/assign_to_self"),
        &[],
    )
    .await;
    assert_eq!(
        assigned["assigned_account"]["id"],
        moderator_user.account_id.as_str()
    );
    let unassigned = ok(
        &app,
        &moderator,
        Method::POST,
        &format!("/api/v1/admin/reports/{id}/unassign"),
        &[],
    )
    .await;
    assert_eq!(unassigned["assigned_account"], Value::Null);

    // A report about someone else cannot be resolved by acting on Bob.
    let action = format!("/api/v1/admin/accounts/{}/action", bob.account_id);
    let carol_report = about_carol["id"].as_str().expect("id");
    expect_error(
        call(
            &app,
            &moderator,
            Method::POST,
            &action,
            &[("type", "silence"), ("report_id", carol_report)],
        )
        .await,
        422,
    )
    .await;
    ok(
        &app,
        &moderator,
        Method::POST,
        &action,
        &[("type", "silence"), ("report_id", &id)],
    )
    .await;
    let resolved = ok(
        &app,
        &moderator,
        Method::GET,
        &format!("/api/v1/admin/reports/{id}"),
        &[],
    )
    .await;
    assert_eq!(resolved["action_taken"], true);
    assert_eq!(
        resolved["action_taken_by_account"]["id"],
        moderator_user.account_id.as_str()
    );
    assert_eq!(resolved["target_account"]["silenced"], true);
    let open = ok(&app, &moderator, Method::GET, "/api/v1/admin/reports", &[]).await;
    assert_eq!(
        open.as_array().map(Vec::len),
        Some(1),
        "only Carol's report is open"
    );
    let done = ok(
        &app,
        &moderator,
        Method::GET,
        "/api/v1/admin/reports?resolved=true",
        &[],
    )
    .await;
    assert_eq!(done[0]["id"], id.as_str());

    let reopened = ok(
        &app,
        &moderator,
        Method::POST,
        &format!("/api/v1/admin/reports/{id}/reopen"),
        &[],
    )
    .await;
    assert_eq!(reopened["action_taken"], false);
    let resolved = ok(
        &app,
        &moderator,
        Method::POST,
        &format!("/api/v1/admin/reports/{id}/resolve"),
        &[],
    )
    .await;
    assert_eq!(resolved["action_taken"], true);
    expect_error(
        call(
            &app,
            &moderator,
            Method::GET,
            "/api/v1/admin/reports/123",
            &[],
        )
        .await,
        404,
    )
    .await;
    app.stop().await;
}

#[sqlx::test]
async fn reports_from_a_domain_blocked_with_reject_reports_are_dropped(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let (_, admin) = staff(&a, "boss", "admin").await;
    let _alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    ok(
        &a,
        &admin,
        Method::POST,
        "/api/v1/admin/domain_blocks",
        &[
            ("domain", &b.domain),
            ("severity", "noop"),
            ("reject_reports", "true"),
        ],
    )
    .await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    expect_json(
        b.post("/api/v1/reports")
            .bearer_auth(&bob.access_token)
            .form(&[
                ("account_id", alice_on_b.as_str()),
                ("forward", "true"),
                ("comment", "hm"),
            ])
            .send()
            .await,
        200,
    )
    .await;
    settle(&[&a, &b]).await;
    let flags = scalar(
        &a.db,
        "SELECT count(*) FROM inbox_activities WHERE activity_type = 'Flag'",
    )
    .await;
    assert_eq!(
        flags, 1,
        "the Flag arrived (noop does not refuse the domain)"
    );
    assert_eq!(
        scalar(&a.db, "SELECT count(*) FROM reports").await,
        0,
        "but made no report"
    );
    a.stop().await;
    b.stop().await;
}

#[sqlx::test]
async fn the_shell_moderates_accounts_domains_and_reports(db: PgPool) {
    use crate::helpers::shell::{admin, assert_success};
    let app = TestApp::spawn(db).await;
    let (_, moderator) = staff(&app, "moddy", "moderator").await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let report = expect_json(
        app.post("/api/v1/reports")
            .bearer_auth(&alice.access_token)
            .form(&[("account_id", bob.account_id.as_str()), ("comment", "rude")])
            .send()
            .await,
        200,
    )
    .await;
    let report_id = report["id"].as_str().expect("id");

    let listed = assert_success(&admin(&app.db, &["reports"]).await);
    assert!(
        listed.contains(&format!("{report_id}\talice reported bob")),
        "{listed}"
    );
    assert_success(&admin(&app.db, &["resolve-report", report_id]).await);
    let shown = ok(
        &app,
        &moderator,
        Method::GET,
        &format!("/api/v1/admin/reports/{report_id}"),
        &[],
    )
    .await;
    assert_eq!(shown["action_taken"], true);

    assert_success(
        &admin(
            &app.db,
            &["account-action", "--account", "bob", "--action", "suspend"],
        )
        .await,
    );
    let bob_seen = ok(
        &app,
        &moderator,
        Method::GET,
        &format!("/api/v1/admin/accounts/{}", bob.account_id),
        &[],
    )
    .await;
    assert_eq!(bob_seen["suspended"], true);
    assert_success(
        &admin(
            &app.db,
            &[
                "account-action",
                "--account",
                "bob",
                "--action",
                "unsuspend",
            ],
        )
        .await,
    );

    assert_success(
        &admin(
            &app.db,
            &["domain-block", "spam.example", "--severity", "silence"],
        )
        .await,
    );
    let blocks = assert_success(&admin(&app.db, &["domain-blocks"]).await);
    assert!(blocks.contains("spam.example\tsilence"), "{blocks}");
    let again = admin(&app.db, &["domain-block", "spam.example"]).await;
    assert!(
        !again.status.success(),
        "a second block of the same domain fails"
    );
    assert_success(&admin(&app.db, &["domain-unblock", "spam.example"]).await);
    let blocks = assert_success(&admin(&app.db, &["domain-blocks"]).await);
    assert!(!blocks.contains("spam.example"), "{blocks}");
    let missing = admin(
        &app.db,
        &[
            "account-action",
            "--account",
            "nobody",
            "--action",
            "silence",
        ],
    )
    .await;
    assert!(!missing.status.success());
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

#[sqlx::test]
async fn media_from_a_domain_blocked_with_reject_media_is_not_kept(db: PgPool) {
    use crate::helpers::media::{png, upload_ok};
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let (_, admin) = staff(&a, "boss", "admin").await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;
    follow(&a, &alice, &bob_on_a).await;
    settle(&[&a, &b]).await;
    ok(
        &a,
        &admin,
        Method::POST,
        "/api/v1/admin/domain_blocks",
        &[
            ("domain", &b.domain),
            ("severity", "noop"),
            ("reject_media", "true"),
        ],
    )
    .await;
    let media = upload_ok(&b, &bob, png(40, 30), &[("description", "a cat")]).await;
    expect_json(
        b.post("/api/v1/statuses")
            .bearer_auth(&bob.access_token)
            .form(&[
                ("status", "my cat"),
                ("media_ids[]", media["id"].as_str().expect("id")),
            ])
            .send()
            .await,
        200,
    )
    .await;
    settle(&[&a, &b]).await;
    let home = expect_json(
        a.get("/api/v1/timelines/home")
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(
        home[0]["content"], "<p>my cat</p>",
        "the post arrived: {home}"
    );
    assert_eq!(home[0]["media_attachments"], json!([]), "without its media");
    a.stop().await;
    b.stop().await;
}

/// Files a report by `reporter` about `target` citing `status_ids`; returns the answer
/// without its own id and time (what differs from one report to the next).
async fn report_citing(app: &TestApp, reporter: &TestUser, target: &str, ids: &[&str]) -> Value {
    let mut form = vec![("account_id", target), ("comment", "look")];
    form.extend(ids.iter().map(|id| ("status_ids[]", *id)));
    let response = app
        .post("/api/v1/reports")
        .bearer_auth(&reporter.access_token)
        .form(&form)
        .send()
        .await;
    expect_json(response, 200).await
}

fn without_identity(mut report: Value) -> Value {
    let object = report.as_object_mut().expect("an object");
    object.remove("id");
    object.remove("created_at");
    report
}

#[sqlx::test]
async fn a_report_keeps_only_the_statuses_its_reporter_can_see(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, moderator) = staff(&app, "moddy", "moderator").await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let public = app.post_status(&bob, &[("status", "hello all")]).await;
    let to_alice = app
        .post_status(&bob, &[("status", "@alice psst"), ("visibility", "direct")])
        .await;
    let followers_only = app
        .post_status(&bob, &[("status", "friends"), ("visibility", "private")])
        .await;
    let to_carol = app
        .post_status(&bob, &[("status", "@carol psst"), ("visibility", "direct")])
        .await;
    let carols = app.post_status(&carol, &[("status", "mine")]).await;
    let nonexistent = "999999999999999";

    let hidden = report_citing(
        &app,
        &alice,
        &bob.account_id,
        &[
            &public,
            &followers_only,
            &to_carol,
            &carols,
            nonexistent,
            &to_alice,
        ],
    )
    .await;
    assert_eq!(hidden["status_ids"], json!([public, to_alice]), "{hidden}");
    let shown = ok(
        &app,
        &moderator,
        Method::GET,
        &format!(
            "/api/v1/admin/reports/{}",
            hidden["id"].as_str().expect("id")
        ),
        &[],
    )
    .await;
    let attached: Vec<&str> = shown["statuses"]
        .as_array()
        .expect("statuses")
        .iter()
        .filter_map(|status| status["id"].as_str())
        .collect();
    assert_eq!(
        attached,
        vec![public.as_str(), to_alice.as_str()],
        "{shown}"
    );

    // The answer says nothing about whether the hidden ids exist.
    let made_up = report_citing(
        &app,
        &alice,
        &bob.account_id,
        &[
            &public,
            "999999999999998",
            "999999999999997",
            nonexistent,
            &to_alice,
        ],
    )
    .await;
    assert_eq!(without_identity(hidden), without_identity(made_up));
    app.stop().await;
}

#[sqlx::test]
async fn a_reporter_who_blocked_the_account_keeps_its_statuses_but_not_when_blocked_by_it(
    db: PgPool,
) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let bobs = app.post_status(&bob, &[("status", "rude")]).await;
    let carols = app.post_status(&carol, &[("status", "also rude")]).await;

    // Block first, then report: the report still cites what alice saw.
    let blocked = app
        .post(&format!("/api/v1/accounts/{}/block", bob.account_id))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(blocked, 200).await;
    let report = report_citing(&app, &alice, &bob.account_id, &[&bobs]).await;
    assert_eq!(report["status_ids"], json!([bobs]), "{report}");

    // An author who blocks the reporter hides their statuses from the report too.
    let blocked_by = app
        .post(&format!("/api/v1/accounts/{}/block", alice.account_id))
        .bearer_auth(&carol.access_token)
        .send()
        .await;
    expect_json(blocked_by, 200).await;
    let report = report_citing(&app, &alice, &carol.account_id, &[&carols]).await;
    assert_eq!(report["status_ids"], json!([]), "{report}");
    app.stop().await;
}

/// Every account action of the admin API, as (path suffix, `type`).
const ACCOUNT_ACTIONS: [(&str, Option<&str>); 11] = [
    ("action", Some("none")),
    ("action", Some("sensitive")),
    ("action", Some("disable")),
    ("action", Some("silence")),
    ("action", Some("suspend")),
    ("enable", None),
    ("unsilence", None),
    ("unsuspend", None),
    ("unsensitive", None),
    ("approve", None),
    ("reject", None),
];

/// Takes one of [`ACCOUNT_ACTIONS`] on `account_id` with `token`.
async fn account_action(
    app: &TestApp,
    token: &str,
    account_id: &str,
    (suffix, kind): (&str, Option<&str>),
) -> reqwest::Result<reqwest::Response> {
    let path = format!("/api/v1/admin/accounts/{account_id}/{suffix}");
    let form: Vec<(&str, &str)> = kind.map(|kind| ("type", kind)).into_iter().collect();
    call(app, token, Method::POST, &path, &form).await
}

/// Asserts that `token` may take no action at all on `target`, which is left as it was.
async fn assert_refused_everything(app: &TestApp, token: &str, target: &TestUser) {
    for action in ACCOUNT_ACTIONS {
        let response = account_action(app, token, &target.account_id, action).await;
        let error = expect_error(response, 403).await;
        assert_eq!(error["error"], "This action is not allowed", "{action:?}");
    }
    assert_eq!(app.verify_status(&target.access_token).await, 200);
}

#[sqlx::test]
async fn a_moderator_may_not_act_on_an_admin_whose_tokens_keep_working(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (admin, admin_token) = staff(&app, "boss", "admin").await;
    let (_, moderator) = staff(&app, "moddy", "moderator").await;

    assert_refused_everything(&app, &moderator, &admin).await;
    let seen = ok(
        &app,
        &admin_token,
        Method::GET,
        &format!("/api/v1/admin/accounts/{}", admin.account_id),
        &[],
    )
    .await;
    for flag in ["suspended", "disabled", "silenced", "sensitized"] {
        assert_eq!(seen[flag], false, "{flag}: {seen}");
    }
    app.stop().await;
}

#[sqlx::test]
async fn staff_may_not_act_on_their_equals_or_themselves(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (moderator_user, moderator) = staff(&app, "moddy", "moderator").await;
    let (other_moderator, _) = staff(&app, "moddy2", "moderator").await;
    let (admin, admin_token) = staff(&app, "boss", "admin").await;
    let (other_admin, _) = staff(&app, "boss2", "admin").await;

    assert_refused_everything(&app, &moderator, &other_moderator).await;
    assert_refused_everything(&app, &moderator, &moderator_user).await;
    assert_refused_everything(&app, &admin_token, &other_admin).await;
    assert_refused_everything(&app, &admin_token, &admin).await;
    app.stop().await;
}

#[sqlx::test]
async fn an_admin_may_act_on_moderators_and_users(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let (moderator_user, moderator) = staff(&app, "moddy", "moderator").await;
    let user = app.sign_up("alice").await;

    for target in [&moderator_user, &user] {
        let suspend = ("action", Some("suspend"));
        expect_json(
            account_action(&app, &admin, &target.account_id, suspend).await,
            200,
        )
        .await;
        assert_eq!(
            app.verify_status(&target.access_token).await,
            401,
            "revoked"
        );
    }
    assert_eq!(app.verify_status(&moderator).await, 401, "revoked");
    let unsuspend = ("unsuspend", None);
    let back = account_action(&app, &admin, &moderator_user.account_id, unsuspend).await;
    assert_eq!(expect_json(back, 200).await["suspended"], false);
    app.stop().await;
}
