//! Deleting a suspended account's data (`DELETE /api/v1/admin/accounts/:id`): admins
//! only, suspended accounts only; its statuses, files, follows and credentials go, the
//! counters it touched come back, no table keeps a row that names it (but reports and
//! deliveries), and its username stays reserved.

use reqwest::Method;
use sqlx::PgPool;

use super::{call, ok};
use crate::helpers::media::{png, upload_ok};
use crate::helpers::staff::staff;
use crate::helpers::{expect_error, scalar, TestApp};

/// The tables (other than reports and deliveries) with a row that names `account_id`
/// through a foreign key deleting with the account.
async fn rows_naming(db: &PgPool, account_id: &str) -> Vec<String> {
    let references: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, a.attname::text FROM pg_constraint c \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         WHERE c.contype = 'f' AND c.confrelid = 'accounts'::regclass AND c.confdeltype = 'c' \
           AND c.conrelid::regclass::text NOT IN ('reports', 'deliveries')",
    )
    .fetch_all(db)
    .await
    .expect("foreign keys");
    let mut naming = Vec::new();
    for (table, column) in references {
        let sql = format!("SELECT count(*) FROM {table} WHERE {column} = {account_id}");
        if scalar(db, &sql).await > 0 {
            naming.push(format!("{table}.{column}"));
        }
    }
    naming
}

#[sqlx::test]
async fn an_admin_deletes_a_suspended_accounts_data_and_keeps_its_name(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (_, admin) = staff(&app, "boss", "admin").await;
    let (_, moderator) = staff(&app, "moddy", "moderator").await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let media = upload_ok(&app, &alice, png(20, 20), &[]).await;
    let media_id = media["id"].as_str().expect("id");
    let mine = app
        .post_status(&alice, &[("status", "#hello"), ("media_ids[]", media_id)])
        .await;
    let theirs = app.as_(&bob).post_status("hi").await.expect("posts");
    app.as_(&alice).favourite(&theirs).await.expect("likes");
    let alices_reply = app
        .as_(&alice)
        .reply(&theirs, "replying")
        .await
        .expect("replies");
    // A reply bob hid never counted, so deleting it leaves carol's in the count.
    let carol = app.sign_up("carol").await;
    app.as_(&carol)
        .reply(&theirs, "me too")
        .await
        .expect("replies");
    let hide = format!("/api/v1/statuses/{}/hide_reply", alices_reply.id);
    let hidden = (app.post(&hide).bearer_auth(&bob.access_token).send()).await;
    assert_eq!(hidden.expect("sent").status(), 200);
    app.as_(&bob).favourite(&mine).await.expect("likes");
    app.as_(&bob).follow(&alice).await.expect("follows");
    let path = format!("/api/v1/admin/accounts/{}", alice.account_id);

    let early = call(&app, &admin, Method::DELETE, &path, &[]).await;
    assert_eq!(
        expect_error(early, 403).await["error"],
        "The account must be suspended first"
    );
    let action = format!("{path}/action");
    ok(&app, &admin, Method::POST, &action, &[("type", "suspend")]).await;
    expect_error(
        call(&app, &moderator, Method::DELETE, &path, &[]).await,
        403,
    )
    .await;

    let deleted = ok(&app, &admin, Method::DELETE, &path, &[]).await;
    assert_eq!(deleted["username"], "alice");
    assert_eq!(
        rows_naming(&db, &alice.account_id).await,
        Vec::<String>::new()
    );
    let url = media["url"].as_str().expect("url");
    let file = app.client.get(url).send().await.expect("sent");
    assert_eq!(file.status(), 404, "the upload's file is gone");
    let bobs = app.as_(&bob).status(&theirs).await.expect("bob's status");
    assert_eq!(bobs.favourites_count, 0);
    assert_eq!(bobs.replies_count, 1, "carol's reply still counts");
    let kept = scalar(
        &db,
        "SELECT count(*) FROM accounts WHERE username = 'alice'",
    )
    .await;
    assert_eq!(kept, 1, "the account row stays, reserving the name");
    let again = app
        .post("/api/v1/accounts")
        .bearer_auth(app.app_token(&alice.app, "read write follow push").await)
        .form(&[
            ("username", "alice"),
            ("email", "other@mail.example"),
            ("password", crate::helpers::PASSWORD),
            ("agreement", "true"),
            ("locale", "en"),
        ])
        .send()
        .await;
    expect_error(again, 422).await;
    expect_error(
        call(
            &app,
            &admin,
            Method::DELETE,
            "/api/v1/admin/accounts/9",
            &[],
        )
        .await,
        404,
    )
    .await;
}
