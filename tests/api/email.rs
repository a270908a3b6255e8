//! Account e-mail as users and staff live it: confirming the address after sign-up,
//! asking for the link again, resetting a forgotten password, and staff hearing of
//! sign-ups awaiting approval and of reports. Mail goes to an SMTP sink on loopback
//! (`helpers::smtp`); the app's workers are off, so the tests drain the mail queue.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::smtp::{Mail, SmtpSink};
use crate::helpers::{expect_json, scalar, OAuthApp, TestApp, PASSWORD};

const UNCONFIRMED: &str = "Your login is missing a confirmed e-mail address";
const CONFIRMATION: &str = "/auth/confirmation?confirmation_token=";
const RESET: &str = "/auth/password/edit?reset_password_token=";

/// Signs `name` up through the API (as `name@mail.example`) with `app`; returns the
/// user token the sign-up answered.
async fn register(app: &TestApp, client: &OAuthApp, name: &str, reason: Option<&str>) -> String {
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
fn path_of(app: &TestApp, link: &str) -> String {
    link.strip_prefix(&app.base)
        .unwrap_or_else(|| panic!("{link} is not a link to {}", app.base))
        .to_owned()
}

/// Opens a link from a mail; returns the status and page.
async fn open(app: &TestApp, link: &str) -> (u16, String) {
    let response = app.get(&path_of(app, link)).send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// The error of `GET verify_credentials` with `token`, or `None` when it is 200.
async fn refusal(app: &TestApp, token: &str) -> Option<(u16, Value)> {
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
async fn confirmed_user(app: &TestApp, sink: &SmtpSink, name: &str) -> String {
    let client = app.create_app("read write follow push").await;
    let token = register(app, &client, name, None).await;
    let mail = sink
        .next_mail_to(app, &format!("{name}@mail.example"))
        .await;
    assert_eq!(open(app, &mail.link(CONFIRMATION)).await.0, 200);
    token
}

#[sqlx::test]
async fn a_sign_up_with_mail_on_is_refused_until_the_mailed_link_confirms_it(db: PgPool) {
    let sink = SmtpSink::start().await;
    let app = sink.spawn_app(db, &[]).await;
    let client = app.create_app("read write follow push").await;
    let token = register(&app, &client, "alice", None).await;

    let mail: Mail = sink.next_mail_to(&app, "alice@mail.example").await;
    assert!(mail.from.starts_with("notifications@"), "{}", mail.from);
    let subject = mail.header("Subject").expect("a subject");
    assert!(subject.contains("Confirm your e-mail address"), "{subject}");
    assert!(mail.data.contains("multipart/alternative"));
    let (status, body) = refusal(&app, &token)
        .await
        .expect("refused before confirming");
    assert_eq!((status, body["error"].as_str()), (403, Some(UNCONFIRMED)));
    let check = app
        .get("/api/v1/emails/check_confirmation")
        .bearer_auth(&token)
        .send()
        .await;
    assert_eq!(expect_json(check, 200).await, Value::Bool(false));

    let link = mail.link(CONFIRMATION);
    let (status, page) = open(&app, &link).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("alice"), "{page}");
    assert_eq!(refusal(&app, &token).await, None);
    let check = app
        .get("/api/v1/emails/check_confirmation")
        .bearer_auth(&token)
        .send()
        .await;
    assert_eq!(expect_json(check, 200).await, Value::Bool(true));
    assert_eq!(open(&app, &link).await.0, 410, "a link works once");
}

#[sqlx::test]
async fn a_new_link_can_be_asked_for_by_the_signing_up_app_even_to_a_new_address(db: PgPool) {
    let sink = SmtpSink::start().await;
    let app = sink.spawn_app(db, &[]).await;
    let client = app.create_app("read write follow push").await;
    let token = register(&app, &client, "alice", None).await;
    let first = sink.next_mail_to(&app, "alice@mail.example").await;

    let other = app.create_app("read write follow push").await;
    let other_token = app
        .password_token(&other, "alice", PASSWORD, "read write follow push")
        .await;
    let response = app
        .post("/api/v1/emails/confirmations")
        .bearer_auth(&other_token)
        .send()
        .await;
    let body = expect_json(response, 403).await;
    assert!(body["error"]
        .as_str()
        .is_some_and(|e| e.contains("application")));

    let response = app
        .post("/api/v1/emails/confirmations")
        .bearer_auth(&token)
        .form(&[("email", "alice@elsewhere.example")])
        .send()
        .await;
    assert_eq!(expect_json(response, 200).await, serde_json::json!({}));
    let second = sink.next_mail_to(&app, "alice@elsewhere.example").await;
    assert_eq!(open(&app, &first.link(CONFIRMATION)).await.0, 410);
    assert_eq!(open(&app, &second.link(CONFIRMATION)).await.0, 200);
    assert_eq!(refusal(&app, &token).await, None);
    let email = scalar(
        &app.db,
        "SELECT count(*) FROM users WHERE email = 'alice@elsewhere.example'",
    );
    assert_eq!(email.await, 1);

    let response = app
        .post("/api/v1/emails/confirmations")
        .bearer_auth(&token)
        .send()
        .await;
    let body = expect_json(response, 403).await;
    assert!(body["error"]
        .as_str()
        .is_some_and(|e| e.contains("awaiting confirmation")));
}

#[sqlx::test]
async fn expired_and_unknown_confirmation_links_confirm_nothing(db: PgPool) {
    let sink = SmtpSink::start().await;
    let app = sink.spawn_app(db, &[]).await;
    let client = app.create_app("read write follow push").await;
    let token = register(&app, &client, "alice", None).await;
    let mail = sink.next_mail_to(&app, "alice@mail.example").await;

    sqlx::query("UPDATE email_tokens SET expires_at = now() - interval '1 second'")
        .execute(&app.db)
        .await
        .expect("expires the link");
    let (status, page) = open(&app, &mail.link(CONFIRMATION)).await;
    assert_eq!(status, 410);
    assert!(page.contains("expired"), "{page}");
    let (status, _) = open(&app, &format!("{}{CONFIRMATION}nonsense", app.base)).await;
    assert_eq!(status, 404);
    let (status, body) = refusal(&app, &token).await.expect("still unconfirmed");
    assert_eq!((status, body["error"].as_str()), (403, Some(UNCONFIRMED)));
}

/// Asks for a reset link for `email` through the form; returns the page.
async fn ask_for_reset(app: &TestApp, email: &str) -> (u16, String) {
    let response = app
        .post("/auth/password/new")
        .form(&[("email", email)])
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Chooses `password` with the reset link `link`.
async fn choose_password(app: &TestApp, link: &str, password: &str, again: &str) -> u16 {
    let token = link.split("reset_password_token=").nth(1).expect("a token");
    app.post("/auth/password/edit")
        .form(&[
            ("reset_password_token", token),
            ("password", password),
            ("password_confirmation", again),
        ])
        .send()
        .await
        .expect("sent")
        .status()
        .as_u16()
}

#[sqlx::test]
async fn a_forgotten_password_is_reset_by_mail_and_every_old_token_stops_working(db: PgPool) {
    let sink = SmtpSink::start().await;
    let app = sink.spawn_app(db, &[]).await;
    let token = confirmed_user(&app, &sink, "alice").await;

    let known = ask_for_reset(&app, "Alice@Mail.example").await;
    let unknown = ask_for_reset(&app, "nobody@mail.example").await;
    assert_eq!(
        known, unknown,
        "the answer does not tell who has an account"
    );
    assert_eq!(known.0, 200);
    let mail = sink.next_mail_to(&app, "alice@mail.example").await;
    assert!(sink.mails_to("nobody@mail.example").is_empty());
    let link = mail.link(RESET);
    let (status, form) = open(&app, &link).await;
    assert_eq!(status, 200);
    assert!(form.contains("reset_password_token"), "{form}");

    assert_eq!(
        choose_password(&app, &link, "a new password!", "typo").await,
        422
    );
    assert_eq!(choose_password(&app, &link, "short", "short").await, 422);
    assert_eq!(
        choose_password(&app, &link, "a new password!", "a new password!").await,
        200
    );
    assert_eq!(
        refusal(&app, &token).await.map(|(status, _)| status),
        Some(401)
    );
    assert_eq!(
        choose_password(&app, &link, "another one!!", "another one!!").await,
        410
    );

    let client = app.create_app("read").await;
    let old = [
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", PASSWORD),
        ("scope", "read"),
    ];
    assert_ne!(
        app.token_request(&client, &old).await.status().as_u16(),
        200
    );
    let new_token = app
        .password_token(&client, "alice", "a new password!", "read")
        .await;
    assert_eq!(refusal(&app, &new_token).await, None);
}

#[sqlx::test]
async fn reset_links_are_limited_per_address_and_expire_after_an_hour(db: PgPool) {
    let sink = SmtpSink::start().await;
    let app = sink.spawn_app(db, &[]).await;
    confirmed_user(&app, &sink, "alice").await;
    for _ in 0..5 {
        assert_eq!(ask_for_reset(&app, "alice@mail.example").await.0, 200);
    }
    roost::mail::worker::run_once(&app.state)
        .await
        .expect("drains");
    let links = sink.mails_to("alice@mail.example").len() - 1;
    assert_eq!(
        links, 3,
        "three links an hour, then the same answer and no mail"
    );

    let last = sink
        .mails_to("alice@mail.example")
        .pop()
        .expect("a reset mail");
    sqlx::query("UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'password_reset'")
        .execute(&app.db)
        .await
        .expect("expires");
    let link = last.link(RESET);
    assert_eq!(
        choose_password(&app, &link, "a new password!", "a new password!").await,
        410
    );
}

#[sqlx::test]
async fn staff_are_mailed_when_a_confirmed_sign_up_awaits_their_approval(db: PgPool) {
    let sink = SmtpSink::start().await;
    let app = sink.spawn_app(db, &["--registration", "approval"]).await;
    let admin_client = app.create_app("read write follow push").await;
    register(&app, &admin_client, "ada", None).await;
    sqlx::query("UPDATE users SET role = 'admin', approved = true, confirmed_at = now()")
        .execute(&app.db)
        .await
        .expect("makes the first user a confirmed admin");
    let client = app.create_app("read write follow push").await;
    let token = register(&app, &client, "bob", Some("I <3 birds")).await;
    let mail = sink.next_mail_to(&app, "bob@mail.example").await;
    assert!(
        sink.mails_to("ada@mail.example").len() <= 1,
        "the admin's own link only"
    );
    let before = sink.mails_to("ada@mail.example").len();

    assert_eq!(open(&app, &mail.link(CONFIRMATION)).await.0, 200);
    let notice = sink.next_mail_to(&app, "ada@mail.example").await;
    assert_eq!(sink.mails_to("ada@mail.example").len(), before + 1);
    let subject = notice.header("Subject").expect("a subject");
    assert!(subject.contains("New account up for review"), "{subject}");
    assert!(notice.data.contains("bob (bob@mail.example)"));
    assert!(notice.data.contains("> I <3 birds"));
    assert!(
        notice.data.contains("I &lt;3 birds"),
        "escaped in the HTML part"
    );
    let (status, body) = refusal(&app, &token).await.expect("awaits approval");
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("Your login is currently pending approval"))
    );
}

#[sqlx::test]
async fn moderators_are_mailed_of_a_new_report(db: PgPool) {
    let sink = SmtpSink::start().await;
    let app = sink.spawn_app(db, &[]).await;
    confirmed_user(&app, &sink, "moira").await;
    sqlx::query("UPDATE users SET role = 'moderator' WHERE email = 'moira@mail.example'")
        .execute(&app.db)
        .await
        .expect("promotes");
    confirmed_user(&app, &sink, "bob").await;
    let carol = confirmed_user(&app, &sink, "carol").await;
    let bob_id: i64 = scalar(&app.db, "SELECT id FROM accounts WHERE username = 'bob'").await;

    let response = app
        .post("/api/v1/reports")
        .bearer_auth(&carol)
        .form(&[
            ("account_id", bob_id.to_string().as_str()),
            ("comment", "spam <b>links</b>"),
        ])
        .send()
        .await;
    expect_json(response, 200).await;
    let notice = sink.next_mail_to(&app, "moira@mail.example").await;
    let subject = notice.header("Subject").expect("a subject");
    assert!(subject.starts_with("New report on"), "{subject}");
    assert!(notice.data.contains("carol reported bob."));
    assert!(notice.data.contains("> spam <b>links</b>"));
    assert!(
        !notice.data.contains("<blockquote>spam <b>"),
        "escaped in the HTML part"
    );
}

#[sqlx::test]
async fn mail_waits_in_the_queue_while_the_smtp_server_is_down_and_goes_out_when_it_is_back(
    db: PgPool,
) {
    let sink = SmtpSink::start().await;
    sink.set_down(true);
    let app = sink.spawn_app(db, &[]).await;
    let client = app.create_app("read write follow push").await;
    let token = register(&app, &client, "alice", None).await;
    let reset = ask_for_reset(&app, "alice@mail.example").await;
    assert_eq!(reset.0, 200, "nothing fails for the user");

    roost::mail::worker::run_once(&app.state)
        .await
        .expect("drains");
    let pending = "SELECT count(*) FROM email_deliveries WHERE state = 'pending' AND attempts = 1 \
                   AND last_error IS NOT NULL AND next_attempt_at > now()";
    assert_eq!(
        scalar(&app.db, pending).await,
        2,
        "each tried once, kept for later"
    );
    assert!(sink.mails().is_empty());

    sink.set_down(false);
    sqlx::query("UPDATE email_deliveries SET next_attempt_at = now()")
        .execute(&app.db)
        .await
        .expect("the retries are due");
    roost::mail::worker::run_once(&app.state)
        .await
        .expect("drains");
    let mails = sink.mails_to("alice@mail.example");
    assert_eq!(mails.len(), 2, "the confirmation and the reset link");
    let confirmation = mails
        .iter()
        .find(|mail| mail.data.contains(CONFIRMATION))
        .expect("the confirmation mail");
    assert_eq!(open(&app, &confirmation.link(CONFIRMATION)).await.0, 200);
    assert_eq!(refusal(&app, &token).await, None);
    let sent = "SELECT count(*) FROM email_deliveries WHERE state = 'sent' AND attempts = 2 \
                AND text_body = '' AND html_body = ''";
    assert_eq!(
        scalar(&app.db, sent).await,
        2,
        "a sent message keeps no link"
    );
}

#[sqlx::test]
async fn a_dead_letter_is_kept_after_the_last_attempt(db: PgPool) {
    let sink = SmtpSink::start().await;
    sink.set_down(true);
    let app = sink.spawn_app(db, &[]).await;
    let client = app.create_app("read write follow push").await;
    register(&app, &client, "alice", None).await;
    sqlx::query("UPDATE email_deliveries SET attempts = 8")
        .execute(&app.db)
        .await
        .expect("eight attempts behind it");
    roost::mail::worker::run_once(&app.state)
        .await
        .expect("drains");
    let dead = "SELECT count(*) FROM email_deliveries WHERE state = 'dead' AND attempts = 9 \
                AND last_error IS NOT NULL AND text_body <> ''";
    assert_eq!(scalar(&app.db, dead).await, 1);
}

#[sqlx::test]
async fn with_mail_off_nothing_is_queued_and_sign_ups_are_confirmed_at_once(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let unconfirmed = scalar(
        &app.db,
        "SELECT count(*) FROM users WHERE confirmed_at IS NULL",
    );
    assert_eq!(unconfirmed.await, 0);
    sqlx::query("UPDATE users SET role = 'admin'")
        .execute(&app.db)
        .await
        .expect("staff everywhere");
    assert_eq!(ask_for_reset(&app, "alice@mail.example").await.0, 200);
    let response = app
        .post("/api/v1/reports")
        .bearer_auth(&alice.access_token)
        .form(&[("account_id", bob.account_id.as_str())])
        .send()
        .await;
    expect_json(response, 200).await;
    assert_eq!(
        scalar(&app.db, "SELECT count(*) FROM email_deliveries").await,
        0
    );
    assert_eq!(
        scalar(&app.db, "SELECT count(*) FROM email_tokens").await,
        0
    );
    let response = app
        .post("/api/v1/emails/confirmations")
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(response, 403).await;
}
