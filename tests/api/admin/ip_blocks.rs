//! IP blocks through the admin API, and what they enforce: `sign_up_block` refuses
//! sign-up, `sign_up_requires_approval` makes the account wait, `no_access` refuses
//! every request, and an expired block does nothing; `roost admin ip-block-*` too.

use reqwest::Method;
use serde_json::Value;
use sqlx::PgPool;

use super::{approved, call, ok, sign_up_from};
use crate::helpers::shell::{admin as shell, assert_success};
use crate::helpers::staff::staff;
use crate::helpers::{expect_error, expect_json, TestApp};

/// Creates a block with `form`, asserting 200.
async fn block(app: &TestApp, admin: &str, form: &[(&str, &str)]) -> Value {
    ok(app, admin, Method::POST, "/api/v1/admin/ip_blocks", form).await
}

/// The `details.ip` error code of a refused creation.
async fn refused_code(app: &TestApp, admin: &str, form: &[(&str, &str)]) -> Value {
    let response = call(app, admin, Method::POST, "/api/v1/admin/ip_blocks", form).await;
    let error = expect_error(response, 422).await;
    error["details"]["ip"][0]["error"].clone()
}

#[sqlx::test]
async fn ip_blocks_are_created_listed_changed_and_removed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let network = block(
        &app,
        &admin,
        &[
            ("ip", "192.0.2.77/24"),
            ("severity", "sign_up_block"),
            ("comment", "spam"),
        ],
    )
    .await;
    assert_eq!(network["ip"], "192.0.2.0/24");
    assert_eq!(network["severity"], "sign_up_block");
    assert_eq!(network["comment"], "spam");
    assert!(network["expires_at"].is_null());
    let id = network["id"].as_str().expect("id").to_owned();
    let single = block(
        &app,
        &admin,
        &[
            ("ip", "2001:db8::1"),
            ("severity", "no_access"),
            ("expires_in", "3600"),
        ],
    )
    .await;
    assert_eq!(single["ip"], "2001:db8::1/128");
    assert!(single["expires_at"].is_string());

    let taken = [("ip", "192.0.2.0/24"), ("severity", "no_access")];
    assert_eq!(refused_code(&app, &admin, &taken).await, "ERR_TAKEN");
    for bad in ["192.0.2.1/33", "not-an-address", "192.0.2.1/"] {
        let form = [("ip", bad), ("severity", "no_access")];
        assert_eq!(
            refused_code(&app, &admin, &form).await,
            "ERR_INVALID",
            "{bad}"
        );
    }
    assert_eq!(
        refused_code(&app, &admin, &[("severity", "no_access")]).await,
        "ERR_BLANK"
    );
    let response = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/ip_blocks",
        &[("ip", "198.51.100.1"), ("severity", "ban")],
    )
    .await;
    let error = expect_error(response, 422).await;
    assert_eq!(error["details"]["severity"][0]["error"], "ERR_INCLUSION");

    let response = call(
        &app,
        &admin,
        Method::GET,
        "/api/v1/admin/ip_blocks?limit=1",
        &[],
    )
    .await;
    let link = response.as_ref().expect("sent").headers()["link"]
        .to_str()
        .expect("text")
        .to_owned();
    let page = expect_json(response, 200).await;
    assert_eq!(page.as_array().map(Vec::len), Some(1));
    assert_eq!(page[0]["id"], single["id"]);
    assert!(link.contains("rel=\"next\""), "{link}");

    let path = format!("/api/v1/admin/ip_blocks/{id}");
    let changed = ok(
        &app,
        &admin,
        Method::PUT,
        &path,
        &[
            ("severity", "sign_up_requires_approval"),
            ("expires_in", "60"),
        ],
    )
    .await;
    assert_eq!(changed["ip"], "192.0.2.0/24");
    assert_eq!(changed["severity"], "sign_up_requires_approval");
    assert_eq!(changed["comment"], "spam");
    assert!(changed["expires_at"].is_string());
    let same_as_other = call(&app, &admin, Method::PUT, &path, &[("ip", "2001:db8::1")]).await;
    expect_error(same_as_other, 422).await;
    assert_eq!(ok(&app, &admin, Method::GET, &path, &[]).await, changed);

    ok(&app, &admin, Method::DELETE, &path, &[]).await;
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        expect_error(call(&app, &admin, method, &path, &[]).await, 404).await;
    }
    let unknown = call(
        &app,
        &admin,
        Method::GET,
        "/api/v1/admin/ip_blocks/nope",
        &[],
    )
    .await;
    expect_error(unknown, 404).await;
    app.stop().await;
}

#[sqlx::test]
async fn sign_up_blocks_refuse_and_approval_blocks_hold_new_accounts(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--trust-proxy", "true"]).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    block(
        &app,
        &admin,
        &[("ip", "203.0.113.0/24"), ("severity", "sign_up_block")],
    )
    .await;
    block(
        &app,
        &admin,
        &[
            ("ip", "198.51.100.7"),
            ("severity", "sign_up_requires_approval"),
        ],
    )
    .await;

    let refused = sign_up_from(&app, "203.0.113.5", "blocked", "blocked@mail.example").await;
    let error = expect_error(refused, 403).await;
    assert_eq!(error["error"], "This action is not allowed");
    let held = sign_up_from(&app, "198.51.100.7", "held", "held@mail.example").await;
    expect_json(held, 200).await;
    assert!(
        !approved(&app, "held").await,
        "sign_up_requires_approval holds the account"
    );
    let free = sign_up_from(&app, "198.51.100.8", "free", "free@mail.example").await;
    expect_json(free, 200).await;
    assert!(approved(&app, "free").await);

    sqlx::query("UPDATE ip_blocks SET expires_at = now() - interval '1 minute'")
        .execute(&app.db)
        .await
        .expect("expires the blocks");
    let after = sign_up_from(&app, "203.0.113.5", "later", "later@mail.example").await;
    expect_json(after, 200).await;
    assert!(
        approved(&app, "later").await,
        "an expired block does nothing"
    );
    app.stop().await;
}

/// `GET path` as from `ip`, through the trusted proxy.
async fn status_from(app: &TestApp, ip: &str, path: &str) -> u16 {
    let response = app.get(path).header("x-forwarded-for", ip).send().await;
    response.expect("sent").status().as_u16()
}

#[sqlx::test]
async fn no_access_refuses_every_request_from_the_network_until_lifted_or_expired(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--trust-proxy", "true"]).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let created = block(
        &app,
        &admin,
        &[("ip", "203.0.113.0/24"), ("severity", "no_access")],
    )
    .await;
    for path in [
        "/api/v1/instance",
        "/health",
        "/.well-known/webfinger",
        "/nowhere",
    ] {
        assert_eq!(status_from(&app, "203.0.113.9", path).await, 403, "{path}");
    }
    let body = expect_error(
        app.get("/api/v1/instance")
            .header("x-forwarded-for", "203.0.113.9")
            .send()
            .await,
        403,
    )
    .await;
    assert_eq!(body["error"], "This action is not allowed");
    assert_eq!(
        status_from(&app, "203.0.114.9", "/api/v1/instance").await,
        200
    );

    let path = format!(
        "/api/v1/admin/ip_blocks/{}",
        created["id"].as_str().expect("id")
    );
    ok(&app, &admin, Method::DELETE, &path, &[]).await;
    assert_eq!(
        status_from(&app, "203.0.113.9", "/api/v1/instance").await,
        200
    );

    block(
        &app,
        &admin,
        &[("ip", "198.51.100.0/24"), ("severity", "no_access")],
    )
    .await;
    assert_eq!(
        status_from(&app, "198.51.100.1", "/api/v1/instance").await,
        403
    );
    sqlx::query("UPDATE ip_blocks SET expires_at = now() - interval '1 minute'")
        .execute(&app.db)
        .await
        .expect("expires the block");
    // Any change to the blocks reloads this process's list.
    block(
        &app,
        &admin,
        &[("ip", "192.0.2.1"), ("severity", "sign_up_block")],
    )
    .await;
    assert_eq!(
        status_from(&app, "198.51.100.1", "/api/v1/instance").await,
        200
    );
    app.stop().await;
}

#[sqlx::test]
async fn the_shell_adds_lists_and_removes_ip_blocks(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--trust-proxy", "true"]).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let args = ["ip-block-add", "203.0.113.9/24", "--comment", "bots"];
    let added = assert_success(&shell(&app.db, &args).await);
    assert!(
        added.contains("203.0.113.0/24 is blocked (sign_up_block"),
        "{added}"
    );
    let invalid = shell(&app.db, &["ip-block-add", "203.0.113.9/40"]).await;
    assert!(!invalid.status.success(), "a malformed network is refused");

    let listed = ok(&app, &admin, Method::GET, "/api/v1/admin/ip_blocks", &[]).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["comment"], "bots");
    let id = listed[0]["id"].as_str().expect("id").to_owned();
    let refused = sign_up_from(&app, "203.0.113.5", "bot", "bot@mail.example").await;
    expect_error(refused, 403).await;

    let shown = assert_success(&shell(&app.db, &["ip-blocks"]).await);
    assert!(
        shown.contains(&format!("{id}\t203.0.113.0/24\tsign_up_block\tnever")),
        "{shown}"
    );
    assert_success(&shell(&app.db, &["ip-block-remove", &id]).await);
    let listed = ok(&app, &admin, Method::GET, "/api/v1/admin/ip_blocks", &[]).await;
    assert_eq!(listed, serde_json::json!([]));
    app.stop().await;
}
