//! Steps of the account e-mail stories (`email`, `email_staff`, `password_reset`):
//! signing up through the API, opening links from mail, asking for and using password
//! reset links. The SMTP server they mail to is [`super::smtp`].

use serde_json::Value;

use super::smtp::SmtpSink;
use super::web::WebClient;
use super::{expect_json, OAuthApp, TestApp, PASSWORD};

/// The confirmation link's path and query key.
pub const CONFIRMATION: &str = "/auth/confirmation?confirmation_token=";
/// The password reset link's path and query key.
pub const RESET: &str = "/auth/password/edit?reset_password_token=";
/// Mastodon's refusal of an unconfirmed user's token.
pub const UNCONFIRMED: &str = "Your login is missing a confirmed e-mail address";

/// Signs `name` up through the API (as `name@mail.example`) with `app`; returns the
/// user token the sign-up answered.
pub async fn register(
    app: &TestApp,
    client: &OAuthApp,
    name: &str,
    reason: Option<&str>,
) -> String {
    let app_token = app.app_token(client, "read write follow push").await;
    let email = format!("{name}@mail.example");
    let mut form = vec![
        ("username", name),
        ("email", email.as_str()),
        ("password", PASSWORD),
        ("agreement", "true"),
    ];
    if let Some(reason) = reason {
        form.push(("reason", reason));
    }
    let response = app
        .post("/api/v1/accounts")
        .bearer_auth(&app_token)
        .form(&form)
        .send()
        .await;
    let token = expect_json(response, 200).await;
    token["access_token"].as_str().expect("a token").to_owned()
}

/// The path and query of a link to this app (links carry the instance's base URL).
pub fn path_of(app: &TestApp, link: &str) -> String {
    link.strip_prefix(&app.base)
        .unwrap_or_else(|| panic!("{link} is not a link to {}", app.base))
        .to_owned()
}

/// Opens a link from a mail; returns the status and page.
pub async fn open(app: &TestApp, link: &str) -> (u16, String) {
    let response = app.get(&path_of(app, link)).send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// The error of `GET verify_credentials` with `token`, or `None` when it is 200.
pub async fn refusal(app: &TestApp, token: &str) -> Option<(u16, Value)> {
    let response = app
        .get("/api/v1/accounts/verify_credentials")
        .bearer_auth(token)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON");
    (status != 200).then_some((status, body))
}

/// Signs `name` up and follows the confirmation link; returns the user token.
pub async fn confirmed_user(app: &TestApp, sink: &SmtpSink, name: &str) -> String {
    let client = app.create_app("read write follow push").await;
    let token = register(app, &client, name, None).await;
    let mail = sink
        .next_mail_to(app, &format!("{name}@mail.example"))
        .await;
    assert_eq!(open(app, &mail.link(CONFIRMATION)).await.0, 200);
    token
}

/// Asks for a reset link for `email` through the form (as a browser: the form's page
/// first, for its CSRF token); returns the page.
pub async fn ask_for_reset(app: &TestApp, email: &str) -> (u16, String) {
    let mut browser = WebClient::new(app);
    browser.get("/auth/password/new").await;
    let page = browser
        .submit("/auth/password/new", &[("email", email)])
        .await;
    (page.status.as_u16(), page.body)
}

/// Chooses `password` with the reset link `link` (opened in a browser first).
pub async fn choose_password(app: &TestApp, link: &str, password: &str, again: &str) -> u16 {
    let token = link.split("reset_password_token=").nth(1).expect("a token");
    let mut browser = WebClient::new(app);
    browser.get(&path_of(app, link)).await;
    let page = browser
        .submit(
            "/auth/password/edit",
            &[
                ("reset_password_token", token),
                ("password", password),
                ("password_confirmation", again),
            ],
        )
        .await;
    page.status.as_u16()
}
