//! Who may use the admin API: role and scope on every route, and which staff may act
//! on which accounts (no one on their equals, themselves, or those above them).

use reqwest::Method;
use sqlx::PgPool;

use super::{call, ok};
use crate::helpers::staff::{staff, ADMIN_SCOPES};
use crate::helpers::{expect_error, expect_json, TestApp, TestUser, PASSWORD};

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
        (Method::GET, "/api/v1/admin/ip_blocks".into()),
        (Method::POST, "/api/v1/admin/ip_blocks".into()),
        (Method::GET, "/api/v1/admin/ip_blocks/1".into()),
        (Method::PUT, "/api/v1/admin/ip_blocks/1".into()),
        (Method::DELETE, "/api/v1/admin/ip_blocks/1".into()),
        (Method::GET, "/api/v1/admin/email_domain_blocks".into()),
        (Method::POST, "/api/v1/admin/email_domain_blocks".into()),
        (Method::GET, "/api/v1/admin/email_domain_blocks/1".into()),
        (Method::DELETE, "/api/v1/admin/email_domain_blocks/1".into()),
        (Method::GET, "/api/v1/admin/canonical_email_blocks".into()),
        (Method::POST, "/api/v1/admin/canonical_email_blocks".into()),
        (
            Method::POST,
            "/api/v1/admin/canonical_email_blocks/test".into(),
        ),
        (Method::GET, "/api/v1/admin/canonical_email_blocks/1".into()),
        (
            Method::DELETE,
            "/api/v1/admin/canonical_email_blocks/1".into(),
        ),
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
        (Method::GET, "/api/v1/admin/ip_blocks"),
        (Method::POST, "/api/v1/admin/email_domain_blocks"),
        (Method::GET, "/api/v1/admin/canonical_email_blocks"),
    ] {
        let error = expect_error(call(&app, &moderator, method, path, &[]).await, 403).await;
        assert_eq!(error["error"], "This action is not allowed");
    }
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
