//! Instance rules added from the shell and served by the API.

use sqlx::PgPool;

use crate::helpers::shell::{admin, assert_success};
use crate::helpers::{expect_json, TestApp};

#[sqlx::test]
async fn instance_rules_added_from_the_shell_are_served(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let output = admin(&app.db, &["rule-add", "Be kind", "--hint", "No harassment"]).await;
    assert_success(&output);
    let rules = expect_json(app.get("/api/v1/instance/rules").send().await, 200).await;
    assert_eq!(rules[0]["text"], "Be kind");
    assert_eq!(rules[0]["hint"], "No harassment");
    let v2 = expect_json(app.get("/api/v2/instance").send().await, 200).await;
    assert_eq!(v2["rules"], rules);
    app.stop().await;
}
