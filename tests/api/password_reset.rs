//! A forgotten password reset by mail, as its user lives it: asking at
//! `/auth/password/new` (the same answer for unknown addresses), the mailed link, the
//! new password, every old token revoked, and the limits on links.

use sqlx::PgPool;

use crate::helpers::mail::{ask_for_reset, choose_password, confirmed_user, open, refusal, RESET};
use crate::helpers::smtp::SmtpSink;
use crate::helpers::PASSWORD;

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
