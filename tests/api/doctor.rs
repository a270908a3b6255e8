//! `roost doctor` as an admin runs it before the first start: the real binary, set up
//! by environment. A ready setup passes every check (exit 0); a broken one gets each
//! problem named with its fix (exit 1): a database that cannot be reached, one a
//! newer Roost migrated, one not migrated yet, a short or world-readable secret key,
//! a media directory that cannot be made, and a peer whose clock is ten minutes off.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::SystemTime;

use axum::routing::get;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::process::Command;

use crate::helpers::shell::test_database_url;

/// A fediverse server on loopback whose NodeInfo answers with a `Date` `skew_secs` off.
async fn peer(skew_secs: i64) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let address = listener.local_addr().expect("address").to_string();
    let router = axum::Router::new().route(
        "/.well-known/nodeinfo",
        get(move || async move {
            let now = SystemTime::now();
            let shift = std::time::Duration::from_secs(skew_secs.unsigned_abs());
            let date = if skew_secs < 0 {
                now - shift
            } else {
                now + shift
            };
            (
                [("date", httpdate::fmt_http_date(date))],
                axum::Json(serde_json::json!({"links": []})),
            )
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}

/// Runs `roost doctor` with `env` (and `args`); returns its exit status and output.
async fn doctor(env: &[(&str, &str)], args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_roost"))
        .arg("doctor")
        .args(args)
        .envs(env.iter().copied())
        .env("ROOST_LOG", "error")
        .output()
        .await
        .expect("roost doctor runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code().unwrap_or(-1), text)
}

/// The line of `check` (its first), which must be marked `mark`.
fn line<'a>(output: &'a str, mark: &str, check: &str) -> &'a str {
    output
        .lines()
        .find(|line| line.starts_with(mark) && line[4..].trim_start().starts_with(check))
        .unwrap_or_else(|| panic!("no {mark} line for {check} in:\n{output}"))
}

/// The fix printed under the line starting with `line`.
fn fix_after<'a>(output: &'a str, line: &str) -> &'a str {
    let mut lines = output.lines().skip_while(|candidate| *candidate != line);
    lines.next();
    lines
        .next()
        .filter(|next| next.contains("fix: "))
        .unwrap_or_else(|| panic!("no fix after {line} in:\n{output}"))
}

fn write_key(path: &Path, key: &str, mode: u32) {
    std::fs::write(path, key).expect("key written");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("mode set");
}

#[sqlx::test]
async fn a_ready_setup_passes_every_check(db: PgPool) {
    let files = tempfile::tempdir().expect("temp dir");
    let key = files.path().join("secret.key");
    write_key(&key, &"k".repeat(48), 0o600);
    let media = files.path().join("media");
    let peer = peer(0).await;
    let url = test_database_url(&db);
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("ROOST_DOMAIN", "127.0.0.1:8080"),
        ("ROOST_INSECURE_HTTP", "true"),
        ("ROOST_SECRET_KEY_FILE", key.to_str().expect("utf-8")),
        ("ROOST_MEDIA_DIR", media.to_str().expect("utf-8")),
        ("ROOST_FFMPEG", "off"),
    ];
    let (status, output) = doctor(&env, &["--reach", &peer]).await;
    assert_eq!(status, 0, "{output}");
    assert!(!output.contains("FAIL"), "{output}");
    line(&output, "ok", "configuration");
    assert!(line(&output, "WARN", "configuration").contains("ROOST_INSECURE_HTTP"));
    line(&output, "ok", "secret key");
    assert!(line(&output, "ok", "database").contains("PostgreSQL 15"));
    let migrations = roost::db::MIGRATOR.iter().count();
    assert!(line(&output, "ok", "migrations").contains(&format!("all {migrations} applied")));
    line(&output, "ok", "database clock");
    assert!(line(&output, "ok", "media store").contains("takes, returns and deletes"));
    assert_eq!(
        std::fs::read_dir(media.join("doctor"))
            .map(|entries| entries.count())
            .unwrap_or(0),
        0,
        "the probe is removed"
    );
    assert!(line(&output, "ok", "outbound").contains("200 OK"));
    assert!(line(&output, "ok", "clock").contains("in step"));
    assert!(output.contains(", 0 problem(s)"), "{output}");
}

#[sqlx::test]
async fn each_problem_is_named_with_its_fix(db: PgPool) {
    let files = tempfile::tempdir().expect("temp dir");
    let key = files.path().join("secret.key");
    write_key(&key, "too short", 0o600);
    let blocker = files.path().join("a-file");
    std::fs::write(&blocker, "not a directory").expect("written");
    let media = blocker.join("media");
    let late_peer = peer(-600).await;
    let env = [
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/roost"),
        ("ROOST_DOMAIN", "localhost:8080"),
        ("ROOST_SECRET_KEY_FILE", key.to_str().expect("utf-8")),
        ("ROOST_MEDIA_DIR", media.to_str().expect("utf-8")),
        ("ROOST_INSECURE_HTTP", "true"),
    ];
    let (status, output) = doctor(&env, &["--reach", &late_peer]).await;
    assert_eq!(status, 1, "{output}");
    let short = line(&output, "FAIL", "secret key");
    assert!(short.contains("fewer than 32 bytes"), "{short}");
    assert!(fix_after(&output, short).contains("delete it"));
    let unreachable = line(&output, "FAIL", "database");
    assert!(unreachable.contains("Connection refused"), "{unreachable}");
    assert!(fix_after(&output, unreachable).contains("DATABASE_URL"));
    let media_line = line(&output, "FAIL", "media store");
    assert!(fix_after(&output, media_line).contains(media.to_str().expect("utf-8")));
    let clock = line(&output, "FAIL", "clock");
    assert!(clock.contains("behind this machine's"), "{clock}");
    assert!(fix_after(&output, clock).contains("synchronised"));
    assert!(output.contains("some checks failed"), "{output}");

    // Safe for the development setting, but said: a key others can read.
    write_key(&key, &"k".repeat(48), 0o644);
    // A database a newer Roost migrated, and one not migrated at all.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99991231000000, 'from the future', true, '\\x00', 0)",
    )
    .execute(&db)
    .await
    .expect("a future migration");
    let url = test_database_url(&db);
    let mut env = env.to_vec();
    env[0] = ("DATABASE_URL", url.as_str());
    env[3] = ("ROOST_MEDIA_DIR", files.path().to_str().expect("utf-8"));
    // Without ROOST_INSECURE_HTTP, a loopback domain is no public name.
    env[4] = ("ROOST_INSECURE_HTTP", "false");
    let (status, output) = doctor(&env, &[]).await;
    assert_eq!(status, 1, "{output}");
    let newer = line(&output, "FAIL", "migrations");
    assert!(
        newer.contains("does not know (up to 99991231000000)"),
        "{newer}"
    );
    let readable = line(&output, "WARN", "secret key");
    assert!(fix_after(&output, readable).contains("chmod 600"));
    assert!(line(&output, "WARN", "configuration").contains("localhost:8080"));

    let empty = format!("doctor_empty_{}", std::process::id());
    sqlx::query(&format!("DROP DATABASE IF EXISTS {empty}"))
        .execute(&db)
        .await
        .expect("dropped");
    sqlx::query(&format!("CREATE DATABASE {empty}"))
        .execute(&db)
        .await
        .expect("created");
    let empty_url = format!("{}/{empty}", url.rsplit_once('/').expect("a path").0);
    env[0] = ("DATABASE_URL", empty_url.as_str());
    let (_, output) = doctor(&env, &[]).await;
    let pending = line(&output, "WARN", "migrations");
    assert!(pending.contains("not applied yet"), "{pending}");
    assert!(fix_after(&output, pending).contains("roost migrate"));
    sqlx::query(&format!("DROP DATABASE {empty} WITH (FORCE)"))
        .execute(&db)
        .await
        .expect("dropped");
}
