//! Request paths as Mastodon (Rails) reads them: a trailing slash or a doubled slash
//! does not matter, on the client API, the admin API and the federation endpoints
//! alike; the query string is kept.

use reqwest::header::ACCEPT;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::staff::staff;
use crate::helpers::{expect_error, expect_json, TestApp};

#[sqlx::test]
async fn a_report_posted_with_a_trailing_slash_is_filed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let response = app
        .post("/api/v1/reports/")
        .bearer_auth(&alice.access_token)
        .form(&[("account_id", bob.account_id.as_str()), ("comment", "spam")])
        .send()
        .await;
    let report = expect_json(response, 200).await;
    assert_eq!(report["target_account"]["id"], bob.account_id.as_str());
    assert_eq!(report["comment"], "spam");
    app.stop().await;
}

#[sqlx::test]
async fn an_admin_blocks_a_domain_through_the_path_with_a_trailing_slash(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let response = app
        .post("/api/v1/admin/domain_blocks/")
        .bearer_auth(&admin)
        .form(&[("domain", "spam.example"), ("severity", "suspend")])
        .send()
        .await;
    let block = expect_json(response, 200).await;
    assert_eq!(block["domain"], "spam.example");
    let listed = app
        .get("/api/v1/admin/domain_blocks/")
        .bearer_auth(&admin)
        .send()
        .await;
    let listed = expect_json(listed, 200).await;
    assert_eq!(listed[0]["domain"], "spam.example", "{listed}");
    app.stop().await;
}

#[sqlx::test]
async fn the_instance_answers_with_trailing_and_doubled_slashes(db: PgPool) {
    let app = TestApp::spawn(db).await;
    for (path, plain) in [
        ("/api/v1/instance/", "/api/v1/instance"),
        ("/api//v1/instance//", "/api/v1/instance"),
        ("/api/v2/instance/", "/api/v2/instance"),
    ] {
        let answer = expect_json(app.get(path).send().await, 200).await;
        let expected = expect_json(app.get(plain).send().await, 200).await;
        assert_eq!(answer, expected, "{path}");
    }
    app.stop().await;
}

#[sqlx::test]
async fn the_query_string_survives_the_trailing_slash(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    for text in ["one", "two", "three"] {
        app.post_status(&alice, &[("status", text)]).await;
    }
    let page = app.get("/api/v1/timelines/public/?limit=2").send().await;
    let page = expect_json(page, 200).await;
    assert_eq!(page.as_array().map(Vec::len), Some(2), "{page}");
    app.stop().await;
}

#[sqlx::test]
async fn webfinger_and_the_actor_answer_with_a_trailing_slash(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    let resource = format!("acct:alice@{}", app.domain);
    let jrd = app
        .get("/.well-known/webfinger/")
        .query(&[("resource", resource.as_str())])
        .send()
        .await;
    let jrd = expect_json(jrd, 200).await;
    assert_eq!(jrd["subject"], resource.as_str());
    let actor = app
        .get("/users/alice/")
        .header(ACCEPT, "application/activity+json")
        .send()
        .await;
    let actor: Value = expect_json(actor, 200).await;
    assert_eq!(actor["id"], app.url("/users/alice"));
    let missing = app.get("/avatars/original/missing.png/").send().await;
    assert_eq!(missing.expect("answers").status(), 200);
    app.stop().await;
}

#[sqlx::test]
async fn the_root_is_the_landing_page_and_unknown_api_paths_with_a_slash_are_json_not_found(
    db: PgPool,
) {
    let app = TestApp::spawn(db).await;
    for path in ["/", "//"] {
        let response = app.get(path).send().await.expect("sent");
        assert_eq!(response.status(), 200, "{path}");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
    }
    expect_error(app.get("/api/v1/no_such_thing/").send().await, 404).await;
    app.stop().await;
}

#[sqlx::test]
async fn the_streaming_websocket_upgrades_with_a_trailing_slash(db: PgPool) {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let url = format!(
        "ws://{}/api/v1/streaming/?stream=public&access_token={}",
        app.domain, alice.access_token
    );
    let request = url.into_client_request().expect("request");
    let (_socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrades");
    assert_eq!(response.status(), 101);
    app.stop().await;
}
