//! The `roost` binary run from a test: `roost admin …` against the test's own
//! database, as an operator would run it from a shell.

use std::process::Output;

use sqlx::PgPool;

/// DATABASE_URL pointed at the database `sqlx::test` created for this test.
pub fn test_database_url(db: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("sqlx::test needs DATABASE_URL");
    let mut url = url::Url::parse(&base).expect("DATABASE_URL is a URL");
    let name = db
        .connect_options()
        .get_database()
        .map(str::to_owned)
        .expect("the test pool names its database");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// Runs `roost admin <args>` against the test database.
///
/// What the command changed reaches a running instance's kept token checks by
/// `NOTIFY roost_auth`, a moment after its commit; tests of the command's effect do
/// not race that moment (the notification itself is tested in `token_cache.rs`).
pub async fn admin(db: &PgPool, args: &[&str]) -> Output {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_roost"))
        .arg("admin")
        .args(args)
        .env("DATABASE_URL", test_database_url(db))
        .env_remove("ROOST_ADMIN_PASSWORD")
        .env("ROOST_LOG", "warn")
        .kill_on_drop(true)
        .output()
        .await
        .expect("the roost binary runs");
    super::auth_changed_by_hand();
    output
}

/// Asserts that `roost` exited successfully (its output on failure); returns stdout.
pub fn assert_success(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "roost failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    stdout
}

/// Asserts that `roost` failed and said `expected` on stderr.
pub fn assert_failure(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "roost should have failed; stderr: {stderr}"
    );
    assert!(
        stderr.contains(expected),
        "stderr lacks {expected:?}: {stderr}"
    );
}
