//! The admin API: who may use it (role and scope), account moderation and deletion,
//! domain blocks and allows, IP and e-mail blocks (with what they enforce at sign-up),
//! reports, deliveries, hashtag review, the dashboard, and instance rules; enforcement of
//! a domain suspension between two real instances. One file per resource; this module holds
//! only the request shortcuts they share.

mod access;
mod accounts;
mod dashboard;
mod deletion;
mod deliveries;
mod domains;
mod email_blocks;
mod ip_blocks;
mod reports;
mod rules;
mod shell;
mod tags;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{expect_json, TestApp};

/// A request with `token`, `form` as its urlencoded body.
pub async fn call(
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
pub async fn ok(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    form: &[(&str, &str)],
) -> Value {
    expect_json(call(app, token, method, path, form).await, 200).await
}

/// `POST /api/v1/accounts` for `username` with `email`, sent through a trusted proxy
/// as from `ip` (the app must run with `--trust-proxy true`).
pub async fn sign_up_from(
    app: &TestApp,
    ip: &str,
    username: &str,
    email: &str,
) -> reqwest::Result<reqwest::Response> {
    let token = app
        .app_token(&app.create_app("read write").await, "read write")
        .await;
    app.post("/api/v1/accounts")
        .bearer_auth(token)
        .header("x-forwarded-for", ip)
        .form(&[
            ("username", username),
            ("email", email),
            ("password", crate::helpers::PASSWORD),
            ("agreement", "true"),
        ])
        .send()
        .await
}

/// Whether the local user `username` is approved.
pub async fn approved(app: &TestApp, username: &str) -> bool {
    sqlx::query_scalar(
        "SELECT u.approved FROM users u JOIN accounts a ON a.id = u.account_id \
         WHERE a.username = $1",
    )
    .bind(username)
    .fetch_one(&app.db)
    .await
    .expect("the user exists")
}
