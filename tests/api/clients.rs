//! End-to-end test with a real Mastodon client library: Mastodon.py (installed by
//! `scripts/test` into .venv/) drives a running Roost through app registration,
//! sign-up, sign-in, verify_credentials, profile update, a report, an admin's domain
//! block (both sent to paths with a trailing slash) and token revocation, and
//! through a Web Push subscription whose message it decrypts with its own helpers,
//! and through the Explore and search screens (trends with their admin review,
//! suggestions, directory, search of statuses, hashtags and accounts).

use std::process::Command;

use sqlx::PgPool;

use crate::helpers::staff::staff;
use crate::helpers::{test_python, TestApp};

/// Runs a client script from tests/clients/ with `args`; asserts that it succeeded and
/// printed `ok_line`.
async fn run_client_script(script: &str, args: Vec<String>, ok_line: &'static str) {
    let python = test_python();
    let path = format!("{}/tests/clients/{script}", env!("CARGO_MANIFEST_DIR"));
    let output =
        tokio::task::spawn_blocking(move || Command::new(python).arg(path).args(args).output())
            .await
            .expect("joins")
            .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains(ok_line),
        "{script} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

#[sqlx::test]
async fn mastodon_py_registers_signs_in_updates_its_profile_reports_blocks_a_domain_and_revokes(
    db: PgPool,
) {
    let app = TestApp::spawn(db).await;
    let (_, admin_token) = staff(&app, "boss", "admin").await;
    run_client_script(
        "mastodon_py_e2e.py",
        vec![app.base.clone(), admin_token],
        "mastodon_py_e2e: ok",
    )
    .await;
    app.stop().await;
}

#[sqlx::test]
async fn mastodon_py_subscribes_to_web_push_and_decrypts_a_favourite(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    run_client_script(
        "mastodon_py_push.py",
        vec![app.base.clone(), alice.access_token, bob.access_token],
        "mastodon_py_push: ok",
    )
    .await;
    app.stop().await;
}

#[sqlx::test]
async fn mastodon_py_reads_explore_and_search_as_apps_do(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let (_, admin_token) = staff(&app, "boss", "admin").await;
    let viewer = app.sign_up("viewer").await;
    let mut posters = Vec::new();
    for name in ["poster1", "poster2", "poster3"] {
        posters.push(app.sign_up(name).await);
    }
    let mut first = None;
    for poster in &posters {
        let status = app
            .as_(poster)
            .post_status("#fediverse morning coffee")
            .await
            .expect("posts");
        first.get_or_insert(status);
    }
    let first = first.expect("posted");
    for fan in [&posters[1], &posters[2], &viewer] {
        app.as_(fan).favourite(&first).await.expect("favourites");
    }
    app.as_(&viewer).follow(&posters[0]).await.expect("follows");
    app.as_(&posters[0])
        .follow(&posters[1])
        .await
        .expect("follows");
    roost::services::trends::refresh(&app.state)
        .await
        .expect("refreshes");
    run_client_script(
        "mastodon_py_explore.py",
        vec![app.base.clone(), viewer.access_token, admin_token],
        "mastodon_py_explore: ok",
    )
    .await;
    app.stop().await;
}
