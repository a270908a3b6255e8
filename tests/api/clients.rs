//! End-to-end test with a real Mastodon client library: Mastodon.py (installed by
//! `scripts/test` into .venv/) drives a running Roost through app registration,
//! sign-up, sign-in, verify_credentials, profile update and token revocation.

use std::process::Command;

use sqlx::PgPool;

use crate::helpers::TestApp;

/// The Python interpreter with Mastodon.py: `ROOST_TEST_PYTHON`, or the project venv.
fn python_with_mastodon_py() -> String {
    if let Ok(python) = std::env::var("ROOST_TEST_PYTHON") {
        return python;
    }
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python");
    assert!(
        std::path::Path::new(venv).exists(),
        "Mastodon.py is not installed: run scripts/test (it creates .venv/), or set ROOST_TEST_PYTHON"
    );
    venv.to_owned()
}

#[sqlx::test]
async fn mastodon_py_registers_signs_in_updates_its_profile_and_revokes(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let python = python_with_mastodon_py();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/mastodon_py_e2e.py"
    );
    let base = app.base.clone();
    let output =
        tokio::task::spawn_blocking(move || Command::new(python).arg(script).arg(base).output())
            .await
            .expect("joins")
            .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("mastodon_py_e2e: ok"),
        "Mastodon.py end-to-end run failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
}
