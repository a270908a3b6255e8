//! Reports as moderators see them: assigning, resolving by an action, reports dropped
//! from a `reject_reports` domain, and which statuses a report may cite.

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

use super::{call, ok};
use crate::helpers::peers::{instance, remote_id, second_database, settle};
use crate::helpers::scalar;
use crate::helpers::staff::staff;
use crate::helpers::{expect_error, expect_json, TestApp, TestUser};

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

#[sqlx::test]
async fn moderators_reclassify_a_report_by_category_and_rules(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (_, moderator) = staff(&app, "moddy", "moderator").await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    crate::helpers::shell::admin(&db, &["rule-add", "Be kind"]).await;
    let rules = expect_json(app.get("/api/v1/instance/rules").send().await, 200).await;
    let rule = rules[0]["id"].as_str().expect("rule id").to_owned();
    let form = [
        ("account_id", bob.account_id.as_str()),
        ("category", "spam"),
    ];
    let request = app.post("/api/v1/reports").bearer_auth(&alice.access_token);
    let report = expect_json(request.form(&form).send().await, 200).await;
    let path = format!(
        "/api/v1/admin/reports/{}",
        report["id"].as_str().expect("id")
    );

    let cited = ok(
        &app,
        &moderator,
        Method::PUT,
        &path,
        &[("rule_ids[]", rule.as_str())],
    )
    .await;
    assert_eq!(cited["category"], "violation");
    assert_eq!(cited["rules"][0]["id"], rule.as_str());
    let legal = ok(
        &app,
        &moderator,
        Method::PUT,
        &path,
        &[("category", "legal")],
    )
    .await;
    assert_eq!(legal["category"], "legal");
    assert_eq!(legal["rules"], json!([]));
    let unchanged = ok(&app, &moderator, Method::PUT, &path, &[]).await;
    assert_eq!(unchanged["category"], "legal");
    for bad in [[("category", "nonsense")], [("rule_ids[]", "123")]] {
        expect_error(call(&app, &moderator, Method::PUT, &path, &bad).await, 422).await;
    }
    let missing = call(
        &app,
        &moderator,
        Method::PUT,
        "/api/v1/admin/reports/5",
        &[],
    )
    .await;
    expect_error(missing, 404).await;
}
