//! Untyped shortcuts from before the typed client ([`super::client`]): a user's
//! request asserting `200` with the JSON body back. Prefer the typed client in new tests.

use serde_json::Value;

use super::{expect_json, TestApp, TestUser};

/// POST `path` with `form` as `user`, asserting `200`; returns the JSON.
pub async fn call(app: &TestApp, user: &TestUser, path: &str, form: &[(&str, &str)]) -> Value {
    expect_json(
        app.post(path)
            .bearer_auth(&user.access_token)
            .form(form)
            .send()
            .await,
        200,
    )
    .await
}

/// GET `path` as `user`, asserting `200`; returns the JSON.
pub async fn read(app: &TestApp, user: &TestUser, path: &str) -> Value {
    expect_json(
        app.get(path).bearer_auth(&user.access_token).send().await,
        200,
    )
    .await
}

/// The `type` of each notification in a JSON list.
pub fn notification_kinds(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|n| n["type"].as_str().expect("type").to_owned())
        .collect()
}
