//! E-mail domain blocks and canonical e-mail blocks through the admin API, and the
//! sign-ups they refuse (Mastodon's 422 on `email`) or hold for approval.

use reqwest::Method;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::{approved, call, ok, sign_up_from};
use crate::helpers::staff::staff;
use crate::helpers::{expect_error, expect_json, TestApp};

/// The `details.email` error code of a refused sign-up, asserting Mastodon's shape.
async fn refused_email(response: reqwest::Result<reqwest::Response>) -> Value {
    let error = expect_error(response, 422).await;
    assert!(
        error["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("Validation failed: Email")),
        "{error}"
    );
    error["details"]["email"][0]["error"].clone()
}

#[sqlx::test]
async fn email_domain_blocks_are_created_listed_and_removed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let path = "/api/v1/admin/email_domain_blocks";
    let created = ok(
        &app,
        &admin,
        Method::POST,
        path,
        &[("domain", "Spam.Example")],
    )
    .await;
    assert_eq!(created["domain"], "spam.example");
    assert_eq!(created["allow_with_approval"], false);
    let history = created["history"].as_array().expect("history");
    assert_eq!(history.len(), 7);
    assert_eq!(history[0]["uses"], "0");
    assert_eq!(history[0]["accounts"], "0");
    assert!(history[0]["day"]
        .as_str()
        .is_some_and(|day| day.parse::<i64>().is_ok()));
    ok(
        &app,
        &admin,
        Method::POST,
        path,
        &[("domain", "other.example")],
    )
    .await;

    for form in [
        vec![("domain", "spam.example")],
        vec![("domain", " ")],
        vec![],
    ] {
        let error = expect_error(call(&app, &admin, Method::POST, path, &form).await, 422).await;
        assert!(
            error["details"]["domain"][0]["error"].is_string(),
            "{error}"
        );
    }
    let response = call(&app, &admin, Method::GET, &format!("{path}?limit=1"), &[]).await;
    assert!(response
        .as_ref()
        .expect("sent")
        .headers()
        .contains_key("link"));
    let page = expect_json(response, 200).await;
    assert_eq!(page[0]["domain"], "other.example");

    let one = format!("{path}/{}", created["id"].as_str().expect("id"));
    assert_eq!(
        ok(&app, &admin, Method::GET, &one, &[]).await["domain"],
        "spam.example"
    );
    ok(&app, &admin, Method::DELETE, &one, &[]).await;
    expect_error(call(&app, &admin, Method::GET, &one, &[]).await, 404).await;
    expect_error(call(&app, &admin, Method::DELETE, &one, &[]).await, 404).await;
    app.stop().await;
}

#[sqlx::test]
async fn blocked_email_domains_and_their_subdomains_cannot_sign_up(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--trust-proxy", "true"]).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let path = "/api/v1/admin/email_domain_blocks";
    let block = ok(
        &app,
        &admin,
        Method::POST,
        path,
        &[("domain", "spam.example")],
    )
    .await;
    let form = [("domain", "slow.example"), ("allow_with_approval", "true")];
    ok(&app, &admin, Method::POST, path, &form).await;

    for (ip, email) in [
        ("192.0.2.1", "a@spam.example"),
        ("192.0.2.2", "b@Mail.Spam.Example"),
    ] {
        let refused = sign_up_from(&app, ip, "spammer", email).await;
        assert_eq!(refused_email(refused).await, "ERR_BLOCKED", "{email}");
    }
    let other = sign_up_from(&app, "192.0.2.3", "honest", "c@notspam.example").await;
    expect_json(other, 200).await;
    assert!(approved(&app, "honest").await);
    let slow = sign_up_from(&app, "192.0.2.4", "slow", "d@slow.example").await;
    expect_json(slow, 200).await;
    assert!(
        !approved(&app, "slow").await,
        "allow_with_approval holds the account"
    );

    let one = format!("{path}/{}", block["id"].as_str().expect("id"));
    let shown = ok(&app, &admin, Method::GET, &one, &[]).await;
    assert_eq!(shown["history"][0]["uses"], "2", "{shown}");
    assert_eq!(shown["history"][0]["accounts"], "2", "{shown}");
    ok(&app, &admin, Method::DELETE, &one, &[]).await;
    let later = sign_up_from(&app, "192.0.2.1", "spammer", "a@spam.example").await;
    expect_json(later, 200).await;
    app.stop().await;
}

#[sqlx::test]
async fn canonical_email_blocks_match_every_spelling_of_an_address(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--trust-proxy", "true"]).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let path = "/api/v1/admin/canonical_email_blocks";
    let created = ok(
        &app,
        &admin,
        Method::POST,
        path,
        &[("email", "J.Doe+spam@Mail.Example")],
    )
    .await;
    let expected = format!("{:x}", Sha256::digest(b"jdoe@mail.example"));
    assert_eq!(created["canonical_email_hash"], expected.as_str());
    let other_hash = format!("{:x}", Sha256::digest(b"other@mail.example"));
    let by_hash = ok(
        &app,
        &admin,
        Method::POST,
        path,
        &[("canonical_email_hash", &other_hash)],
    )
    .await;
    assert_eq!(by_hash["canonical_email_hash"], other_hash.as_str());

    for form in [
        vec![("email", "jdoe@mail.example")],
        vec![("canonical_email_hash", "abc")],
        vec![],
    ] {
        let error = expect_error(call(&app, &admin, Method::POST, path, &form).await, 422).await;
        assert!(
            error["details"]["canonical_email_hash"][0]["error"].is_string(),
            "{error}"
        );
    }
    let test = format!("{path}/test");
    let matches = ok(
        &app,
        &admin,
        Method::POST,
        &test,
        &[("email", "jdoe+x@mail.example")],
    )
    .await;
    assert_eq!(matches.as_array().map(Vec::len), Some(1));
    assert_eq!(matches[0]["id"], created["id"]);
    let none = ok(
        &app,
        &admin,
        Method::POST,
        &test,
        &[("email", "jane@mail.example")],
    )
    .await;
    assert_eq!(none, serde_json::json!([]));
    let page = ok(&app, &admin, Method::GET, path, &[]).await;
    assert_eq!(page.as_array().map(Vec::len), Some(2));

    let refused = sign_up_from(&app, "192.0.2.1", "jdoe", "j.d.o.e+new@mail.example").await;
    assert_eq!(refused_email(refused).await, "ERR_TAKEN");
    let one = format!("{path}/{}", created["id"].as_str().expect("id"));
    assert_eq!(ok(&app, &admin, Method::GET, &one, &[]).await, created);
    ok(&app, &admin, Method::DELETE, &one, &[]).await;
    expect_error(call(&app, &admin, Method::GET, &one, &[]).await, 404).await;
    let allowed = sign_up_from(&app, "192.0.2.1", "jdoe", "j.d.o.e+new@mail.example").await;
    expect_json(allowed, 200).await;
    app.stop().await;
}
