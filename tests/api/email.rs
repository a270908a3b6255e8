//! E-mail confirmation as a new user lives it, and the mail queue behind it: the
//! token refused until the mailed link is opened, asking for the link again, links
//! that expired or were used, the SMTP server down, dead letters, and an instance with
//! mail off. Mail goes to an SMTP sink on loopback (`helpers::smtp`); the app's
//! workers are off, so the tests drain the mail queue.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::mail::{ask_for_reset, open, refusal, register, CONFIRMATION, UNCONFIRMED};
use crate::helpers::smtp::{Mail, SmtpSink};
use crate::helpers::{expect_json, scalar, TestApp, PASSWORD};

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
    crate::helpers::auth_changed_by_hand();
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

/// The address and pending new address of `username`.
async fn addresses(app: &TestApp, username: &str) -> (String, Option<String>) {
    sqlx::query_as(
        "SELECT u.email, u.unconfirmed_email FROM users u \
         JOIN accounts a ON a.id = u.account_id WHERE a.username = $1",
    )
    .bind(username)
    .fetch_one(&app.state.db)
    .await
    .expect("the user")
}

#[sqlx::test]
async fn a_new_address_from_the_settings_counts_once_its_link_is_opened_and_the_old_is_told(
    db: PgPool,
) {
    use crate::helpers::web::WebClient;
    let sink = SmtpSink::start().await;
    let app = sink.spawn_app(db, &[]).await;
    crate::helpers::mail::confirmed_user(&app, &sink, "alice").await;
    let taken = app.create_app("read write follow push").await;
    register(&app, &taken, "bob", None).await;
    let mut browser = WebClient::new(&app);
    browser.sign_in("alice", PASSWORD).await;

    for (email, password) in [
        ("new@mail.example", "not my password"),
        ("not an address", PASSWORD),
        ("Bob@Mail.example", PASSWORD),
    ] {
        browser.get("/settings/security").await;
        let refused = browser
            .submit(
                "/settings/email",
                &[("email", email), ("current_password", password)],
            )
            .await;
        assert_eq!(refused.status.as_u16(), 422, "{email}: {}", refused.body);
    }
    browser.get("/settings/security").await;
    let asked = browser
        .submit(
            "/settings/email",
            &[
                ("email", "new@mail.example"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(asked.location(), Some("/settings/security?saved=email"));
    let page = browser.get("/settings/security?saved=email").await.body;
    assert!(page.contains("new@mail.example"), "{page}");
    assert_eq!(
        addresses(&app, "alice").await,
        (
            "alice@mail.example".to_owned(),
            Some("new@mail.example".to_owned())
        ),
        "the old address stays until the new one is confirmed"
    );

    let link = sink.next_mail_to(&app, "new@mail.example").await;
    let notice = sink
        .mails_to("alice@mail.example")
        .pop()
        .expect("the old address is told");
    let subject = notice.header("Subject").expect("a subject");
    assert!(subject.contains("being changed"), "{subject}");
    assert!(notice.data.contains("new@mail.example"));
    let (status, body) = open(&app, &link.link(CONFIRMATION)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        addresses(&app, "alice").await,
        ("new@mail.example".to_owned(), None)
    );
    assert_eq!(ask_for_reset(&app, "new@mail.example").await.0, 200);
    sink.next_mail_to(&app, "new@mail.example").await;
    assert_eq!(
        browser.get("/home").await.status.as_u16(),
        200,
        "still confirmed and signed in"
    );
}

#[sqlx::test]
async fn with_mail_off_a_new_address_counts_at_once(db: PgPool) {
    use crate::helpers::web::WebClient;
    let app = TestApp::spawn(db).await;
    app.sign_up("carol").await;
    let mut browser = WebClient::new(&app);
    browser.sign_in("carol", PASSWORD).await;
    browser.get("/settings/security").await;
    let changed = browser
        .submit(
            "/settings/email",
            &[
                ("email", "carol.new@mail.example"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.location(), Some("/settings/security?saved=1"));
    assert_eq!(
        addresses(&app, "carol").await,
        ("carol.new@mail.example".to_owned(), None)
    );
    let form_without_token = browser
        .post_raw(
            "/settings/email",
            &[("email", "x@mail.example"), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(form_without_token.status.as_u16(), 403);
}
