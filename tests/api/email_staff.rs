//! Staff hearing by mail what needs them: a confirmed sign-up awaiting approval, and a
//! new report, filed here or arriving from another server as a `Flag`.

use sqlx::PgPool;

use crate::helpers::mail::{confirmed_user, open, refusal, register, CONFIRMATION};
use crate::helpers::smtp::SmtpSink;
use crate::helpers::{expect_json, scalar};

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
    crate::helpers::auth_changed_by_hand();
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
    crate::helpers::auth_changed_by_hand();
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
async fn moderators_are_mailed_of_a_report_that_arrives_from_another_server(db: PgPool) {
    use crate::helpers::peers::{instance, remote_id, second_database, settle};
    let sink = SmtpSink::start().await;
    let a = instance(db.clone()).await;
    let b = sink.spawn_app(second_database(&db, "b").await, &[]).await;
    let alice = a.sign_up("alice").await;
    confirmed_user(&b, &sink, "bob").await;
    confirmed_user(&b, &sink, "boss").await;
    sqlx::query("UPDATE users SET role = 'admin' WHERE email = 'boss@mail.example'")
        .execute(&b.db)
        .await
        .expect("promotes");
    crate::helpers::auth_changed_by_hand();
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;

    let response = a
        .post("/api/v1/reports")
        .bearer_auth(&alice.access_token)
        .form(&[
            ("account_id", bob_on_a.as_str()),
            ("comment", "please act"),
            ("forward", "true"),
        ])
        .send()
        .await;
    expect_json(response, 200).await;
    settle(&[&a, &b]).await;
    let notice = sink.next_mail_to(&b, "boss@mail.example").await;
    let subject = notice.header("Subject").expect("a subject");
    assert!(subject.starts_with("New report on"), "{subject}");
    assert!(notice.data.contains("reported bob."), "{}", notice.data);
    assert!(notice.data.contains("> please act"));
    assert!(
        sink.mails_to("bob@mail.example").len() == 1,
        "the reported user hears nothing"
    );
}
