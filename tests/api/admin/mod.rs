//! The admin API: who may use it (role and scope), account moderation and deletion,
//! domain blocks and allows, reports, deliveries, hashtag review, and instance rules; enforcement of a domain
//! suspension between two real instances. One file per resource; this module holds
//! only the request shortcuts they share.

mod access;
mod accounts;
mod dashboard;
mod deletion;
mod deliveries;
mod domains;
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
