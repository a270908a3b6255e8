//! A user deletes their own account from the web settings: the password is asked,
//! the account is gone at once here (sessions, tokens, pages) and on every server
//! that knows it — followers' servers and the others alike, through `Delete(actor)` —
//! and its data is purged after the grace period (here 0 days) or by
//! `roost admin purge-account`, while the username stays taken.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::peers::{follow, remote_id, resolve, second_database, settle};
use crate::helpers::shell::{admin, assert_failure, assert_success};
use crate::helpers::web::WebClient;
use crate::helpers::{scalar, TestApp, PASSWORD};

async fn instance_with(db: PgPool, extra: &[&str]) -> TestApp {
    let mut args = vec!["--workers", "false"];
    args.extend_from_slice(extra);
    TestApp::spawn_with(db, &args).await
}

/// Whether `app` holds the remote account `acct` as suspended.
async fn suspended_there(app: &TestApp, username: &str) -> bool {
    scalar(
        &app.state.db,
        &format!(
            "SELECT count(*) FROM accounts WHERE username = '{username}' \
             AND domain IS NOT NULL AND suspended_at IS NOT NULL"
        ),
    )
    .await
        == 1
}

#[sqlx::test]
async fn a_deleted_account_disappears_everywhere_and_its_data_is_purged_after_the_grace(
    db: PgPool,
) {
    let a = instance_with(db.clone(), &["--account-deletion-grace-days", "0"]).await;
    let b = instance_with(second_database(&db, "b").await, &[]).await;
    let c = instance_with(second_database(&db, "c").await, &[]).await;
    let alice = a.sign_up("alice").await;
    a.sign_up("zed").await;
    let bob = b.sign_up("bob").await;
    let dave = c.sign_up("dave").await;
    a.as_(&alice)
        .post_status("my last words")
        .await
        .expect("posted");
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    // C knows alice (dave looked her up) and A knows C (dave follows zed), but no
    // follow joins alice and C.
    resolve(&c, &dave, &format!("alice@{}", a.domain)).await;
    let zed_on_c = remote_id(&c, &dave, &format!("zed@{}", a.domain)).await;
    follow(&c, &dave, &zed_on_c).await;
    settle(&[&a, &b, &c]).await;

    let mut browser = WebClient::new(&a);
    browser.sign_in("alice", PASSWORD).await;
    let page = browser.get("/settings/delete").await;
    assert_eq!(page.status, StatusCode::OK);
    let wrong = browser
        .submit("/settings/delete", &[("current_password", "not it at all")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.verify_status(&alice.access_token).await, StatusCode::OK);
    browser.get("/settings/delete").await;
    let done = browser
        .submit("/settings/delete", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(done.location(), Some("/auth/deleted"));
    assert!(!browser.has_session(), "signed out");
    assert_eq!(
        a.verify_status(&alice.access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let mut visitor = WebClient::new(&a);
    assert_eq!(visitor.get("/@alice").await.status, StatusCode::NOT_FOUND);

    settle(&[&a, &b, &c]).await;
    assert!(suspended_there(&b, "alice").await, "the follower's server");
    assert!(
        suspended_there(&c, "alice").await,
        "a server that only knew her"
    );
    let follows_on_b = scalar(
        &b.state.db,
        "SELECT count(*) FROM follows f JOIN accounts t ON t.id = f.target_account_id \
         WHERE t.username = 'alice'",
    )
    .await;
    assert_eq!(follows_on_b, 0);

    let purged = roost::services::account_deletion::purge_due(&a.state)
        .await
        .expect("purges");
    assert_eq!(purged, 1);
    let left = scalar(
        &a.state.db,
        "SELECT (SELECT count(*) FROM statuses s JOIN accounts a ON a.id = s.account_id \
                 WHERE a.username = 'alice') \
              + (SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id \
                 WHERE a.username = 'alice')",
    )
    .await;
    assert_eq!(left, 0, "posts and credentials are gone");
    assert_eq!(
        scalar(
            &a.state.db,
            "SELECT count(*) FROM accounts WHERE username = 'alice' AND domain IS NULL"
        )
        .await,
        1,
        "the username stays reserved"
    );
    let again = a
        .post("/api/v1/accounts")
        .bearer_auth(
            a.app_token(&a.create_app("read write").await, "write")
                .await,
        )
        .form(&[
            ("username", "alice"),
            ("email", "alice2@mail.example"),
            ("password", PASSWORD),
            ("agreement", "true"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test]
async fn within_the_grace_period_nothing_is_purged_until_an_admin_says_so(db: PgPool) {
    let app = instance_with(db.clone(), &[]).await;
    let erin = app.sign_up("erin").await;
    app.as_(&erin)
        .post_status("still here")
        .await
        .expect("posted");
    let mut browser = WebClient::new(&app);
    browser.sign_in("erin", PASSWORD).await;
    browser.get("/settings/delete").await;
    browser
        .submit("/settings/delete", &[("current_password", PASSWORD)])
        .await;
    let purged = roost::services::account_deletion::purge_due(&app.state)
        .await
        .expect("runs");
    assert_eq!(purged, 0, "30 days of grace by default");
    let statuses = "SELECT count(*) FROM statuses s JOIN accounts a ON a.id = s.account_id \
                    WHERE a.username = 'erin'";
    assert_eq!(scalar(&app.state.db, statuses).await, 1);

    assert_failure(
        &admin(&db, &["purge-account", "--account", "nobody"]).await,
        "no local user",
    );
    assert_success(&admin(&db, &["purge-account", "--account", "erin"]).await);
    assert_eq!(scalar(&app.state.db, statuses).await, 0);
}
