//! `roost admin` moderating accounts, domains and reports, checked through the API.

use reqwest::Method;
use sqlx::PgPool;

use super::ok;
use crate::helpers::shell::{admin, assert_success};
use crate::helpers::staff::staff;
use crate::helpers::{expect_json, TestApp};

#[sqlx::test]
async fn the_shell_moderates_accounts_domains_and_reports(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, moderator) = staff(&app, "moddy", "moderator").await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let report = expect_json(
        app.post("/api/v1/reports")
            .bearer_auth(&alice.access_token)
            .form(&[("account_id", bob.account_id.as_str()), ("comment", "rude")])
            .send()
            .await,
        200,
    )
    .await;
    let report_id = report["id"].as_str().expect("id");

    let listed = assert_success(&admin(&app.db, &["reports"]).await);
    assert!(
        listed.contains(&format!("{report_id}\talice reported bob")),
        "{listed}"
    );
    assert_success(&admin(&app.db, &["resolve-report", report_id]).await);
    let shown = ok(
        &app,
        &moderator,
        Method::GET,
        &format!("/api/v1/admin/reports/{report_id}"),
        &[],
    )
    .await;
    assert_eq!(shown["action_taken"], true);

    assert_success(
        &admin(
            &app.db,
            &["account-action", "--account", "bob", "--action", "suspend"],
        )
        .await,
    );
    let bob_seen = ok(
        &app,
        &moderator,
        Method::GET,
        &format!("/api/v1/admin/accounts/{}", bob.account_id),
        &[],
    )
    .await;
    assert_eq!(bob_seen["suspended"], true);
    assert_success(
        &admin(
            &app.db,
            &[
                "account-action",
                "--account",
                "bob",
                "--action",
                "unsuspend",
            ],
        )
        .await,
    );

    assert_success(
        &admin(
            &app.db,
            &["domain-block", "spam.example", "--severity", "silence"],
        )
        .await,
    );
    let blocks = assert_success(&admin(&app.db, &["domain-blocks"]).await);
    assert!(blocks.contains("spam.example\tsilence"), "{blocks}");
    let again = admin(&app.db, &["domain-block", "spam.example"]).await;
    assert!(
        !again.status.success(),
        "a second block of the same domain fails"
    );
    assert_success(&admin(&app.db, &["domain-unblock", "spam.example"]).await);
    let blocks = assert_success(&admin(&app.db, &["domain-blocks"]).await);
    assert!(!blocks.contains("spam.example"), "{blocks}");
    let missing = admin(
        &app.db,
        &[
            "account-action",
            "--account",
            "nobody",
            "--action",
            "silence",
        ],
    )
    .await;
    assert!(!missing.status.success());
    app.stop().await;
}
