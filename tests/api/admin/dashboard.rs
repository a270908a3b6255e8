//! The admin dashboard (<https://docs.joinmastodon.org/methods/admin/measures/>,
//! `/dimensions/`, `/retention/`): measures counted from stored rows with the window
//! before for comparison, unknown keys skipped, hashtag parameters, dimensions,
//! sign-up cohorts, bad windows refused, and who may ask.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

use super::{call, ok};
use crate::helpers::staff::staff;
use crate::helpers::{expect_error, expect_json, TestApp};

/// The last seven days, today last, as `start_at` and `end_at`.
fn week() -> (String, String) {
    let today = Utc::now().date_naive();
    let start = today - Duration::days(6);
    (start.to_string(), today.to_string())
}

/// The entry of `key` in a list of measures or dimensions.
fn find<'a>(list: &'a Value, key: &str) -> &'a Value {
    list.as_array()
        .and_then(|items| items.iter().find(|item| item["key"] == key))
        .unwrap_or_else(|| panic!("{key} missing from {list}"))
}

#[sqlx::test]
async fn measures_count_this_week_against_the_week_before(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (_, moderator) = staff(&app, "moddy", "moderator").await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let hello = app
        .as_(&alice)
        .post_status_with(&[("status", "#rust hello"), ("language", "en")])
        .await
        .expect("posts");
    app.as_(&bob).favourite(&hello).await.expect("likes");
    app.as_(&bob).reblog(&hello).await.expect("boosts");
    app.as_(&bob).reply(&hello, "hi").await.expect("replies");
    let form = [("account_id", bob.account_id.as_str())];
    let request = app.post("/api/v1/reports").bearer_auth(&alice.access_token);
    let report = expect_json(request.form(&form).send().await, 200).await;
    let resolve = format!(
        "/api/v1/admin/reports/{}/resolve",
        report["id"].as_str().expect("id")
    );
    ok(&app, &moderator, Method::POST, &resolve, &[]).await;
    sqlx::query(
        "UPDATE users SET created_at = now() - interval '10 days' WHERE email LIKE 'bob@%'",
    )
    .execute(&db)
    .await
    .expect("bob signed up earlier");
    let tags = ok(&app, &moderator, Method::GET, "/api/v1/admin/tags", &[]).await;
    let tag = tags[0]["id"].as_str().expect("tag id").to_owned();

    let (start, end) = week();
    let keys = [
        "new_users",
        "active_users",
        "interactions",
        "opened_reports",
        "resolved_reports",
        "tag_uses",
        "tag_accounts",
        "tag_servers",
        "sessions",
        "instance_accounts",
    ];
    let mut form: Vec<(&str, &str)> = keys.iter().map(|key| ("keys[]", *key)).collect();
    form.extend([("start_at", start.as_str()), ("end_at", end.as_str())]);
    form.extend([
        ("tag_uses[id]", tag.as_str()),
        ("tag_accounts[id]", tag.as_str()),
    ]);
    form.push(("tag_servers[id]", tag.as_str()));
    let measures = ok(
        &app,
        &moderator,
        Method::POST,
        "/api/v1/admin/measures",
        &form,
    )
    .await;
    let names: Vec<&str> = measures
        .as_array()
        .expect("array")
        .iter()
        .map(|m| m["key"].as_str().expect("key"))
        .collect();
    assert_eq!(
        &names,
        &keys[..8],
        "unknown keys and keys without their parameter are skipped"
    );
    let new_users = find(&measures, "new_users");
    assert_eq!(new_users["total"], "2");
    assert_eq!(new_users["previous_total"], "1");
    assert_eq!(new_users["data"].as_array().map(Vec::len), Some(7));
    assert_eq!(new_users["data"][6]["value"], "2");
    assert_eq!(
        new_users["data"][6]["date"],
        format!("{end}T00:00:00.000Z").as_str()
    );
    assert_eq!(new_users["data"][0]["value"], "0");
    assert_eq!(find(&measures, "active_users")["total"], "3");
    assert_eq!(find(&measures, "interactions")["total"], "3");
    assert_eq!(find(&measures, "opened_reports")["total"], "1");
    assert_eq!(find(&measures, "resolved_reports")["total"], "1");
    assert_eq!(find(&measures, "tag_uses")["total"], "1");
    assert_eq!(find(&measures, "tag_accounts")["total"], "1");
    assert_eq!(find(&measures, "tag_servers")["total"], "1");

    let as_json = app
        .post("/api/v1/admin/measures")
        .bearer_auth(&moderator)
        .json(
            &json!({"keys": ["tag_uses"], "start_at": start, "end_at": end,
                      "tag_uses": {"id": tag}}),
        )
        .send()
        .await;
    assert_eq!(expect_json(as_json, 200).await[0]["total"], "1");
}

#[sqlx::test]
async fn dimensions_and_retention_describe_the_instance(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let alice = app.sign_up("alice").await;
    app.as_(&alice)
        .post_status_with(&[("status", "#rust hello"), ("language", "de")])
        .await
        .expect("posts");
    let tags = ok(&app, &admin, Method::GET, "/api/v1/admin/tags", &[]).await;
    let tag = tags[0]["id"].as_str().expect("tag id").to_owned();
    let (start, end) = week();
    let mut form = vec![("start_at", start.as_str()), ("end_at", end.as_str())];
    for key in [
        "languages",
        "servers",
        "space_usage",
        "software_versions",
        "tag_servers",
        "sources",
    ] {
        form.push(("keys[]", key));
    }
    form.push(("tag_servers[id]", tag.as_str()));
    let dimensions = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/dimensions",
        &form,
    )
    .await;
    assert_eq!(
        dimensions.as_array().map(Vec::len),
        Some(5),
        "sources is not computed"
    );
    let languages = &find(&dimensions, "languages")["data"];
    assert_eq!(languages[0]["key"], "de");
    assert_eq!(languages[0]["value"], "1");
    assert_eq!(find(&dimensions, "servers")["data"], json!([]));
    let space = &find(&dimensions, "space_usage")["data"];
    assert_eq!(space[0]["key"], "postgresql");
    assert_eq!(space[0]["unit"], "bytes");
    assert!(space[0]["human_value"]
        .as_str()
        .is_some_and(|v| v.ends_with("MB")));
    let versions = &find(&dimensions, "software_versions")["data"];
    assert_eq!(versions[0]["key"], "roost");
    assert_eq!(
        find(&dimensions, "tag_servers")["data"][0]["key"],
        app.domain.as_str()
    );

    let cohorts = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/retention",
        &[("start_at", &start), ("end_at", &end), ("frequency", "day")],
    )
    .await;
    let cohorts = cohorts.as_array().expect("array");
    assert_eq!(cohorts.len(), 7);
    assert_eq!(cohorts[0]["frequency"], "day");
    assert_eq!(cohorts[0]["data"].as_array().map(Vec::len), Some(7));
    assert_eq!(cohorts[0]["data"][0]["rate"], 0.0);
    let today = &cohorts[6]["data"];
    assert_eq!(today.as_array().map(Vec::len), Some(1));
    assert_eq!(
        today[0]["value"], "2",
        "both sign-ups of today were active today"
    );
    assert_eq!(today[0]["rate"], 1.0);
    let monthly = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/retention",
        &[
            ("start_at", &start),
            ("end_at", &end),
            ("frequency", "month"),
        ],
    )
    .await;
    assert_eq!(monthly[0]["frequency"], "month");
}

#[sqlx::test]
async fn bad_windows_are_refused_and_users_may_not_look(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, moderator) = staff(&app, "moddy", "moderator").await;
    let alice = app.sign_up("alice").await;
    let (start, end) = week();
    let path = "/api/v1/admin/measures";
    for form in [
        vec![("keys[]", "new_users"), ("end_at", end.as_str())],
        vec![
            ("keys[]", "new_users"),
            ("start_at", end.as_str()),
            ("end_at", start.as_str()),
        ],
        vec![
            ("keys[]", "new_users"),
            ("start_at", "2020-01-01"),
            ("end_at", end.as_str()),
        ],
        vec![
            ("keys[]", "new_users"),
            ("start_at", "yesterday"),
            ("end_at", end.as_str()),
        ],
    ] {
        expect_error(call(&app, &moderator, Method::POST, path, &form).await, 422).await;
    }
    let week_form = [("start_at", start.as_str()), ("end_at", end.as_str())];
    let retention = [("frequency", "week"), week_form[0], week_form[1]];
    let refused = call(
        &app,
        &moderator,
        Method::POST,
        "/api/v1/admin/retention",
        &retention,
    )
    .await;
    expect_error(refused, 422).await;
    let too_many: Vec<(&str, String)> = (0..21).map(|n| ("keys[]", format!("key{n}"))).collect();
    let request = app.post(path).bearer_auth(&moderator).form(&too_many);
    expect_error(request.send().await, 422).await;
    let user = call(&app, &alice.access_token, Method::POST, path, &week_form).await;
    expect_error(user, 403).await;
}
