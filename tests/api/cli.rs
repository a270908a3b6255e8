//! The `roost` command line, run as the real binary: `roost admin …` against the test's
//! own database, checked through the HTTP API of a `TestApp` on the same database, and
//! `roost serve --help` as the documentation of the settings.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::shell::{admin, assert_failure, assert_success};
use crate::helpers::{expect_json, TestApp};

const ADMIN_PASSWORD: &str = "first-pass-123";

async fn create_admin1(db: &PgPool) -> String {
    let output = admin(
        db,
        &[
            "create-user",
            "--username",
            "admin1",
            "--email",
            "a@x.example",
            "--password",
            ADMIN_PASSWORD,
            "--role",
            "admin",
        ],
    )
    .await;
    assert_success(&output)
}

async fn me(app: &TestApp, token: &str) -> Value {
    expect_json(
        app.get("/api/v1/accounts/verify_credentials")
            .bearer_auth(token)
            .send()
            .await,
        200,
    )
    .await
}

#[sqlx::test]
async fn an_admin_created_from_the_shell_signs_in_with_the_admin_role(db: PgPool) {
    let stdout = create_admin1(&db).await;
    assert!(stdout.contains("created admin1"), "{stdout}");

    let app = TestApp::spawn(db).await;
    let oauth_app = app.create_app("read write").await;
    let token = app
        .password_token(&oauth_app, "admin1", ADMIN_PASSWORD, "read")
        .await;
    let account = me(&app, &token).await;
    assert_eq!(account["username"], "admin1");
    assert_eq!(account["role"]["name"], "Admin");
    assert_eq!(account["role"]["highlighted"], true);
    // The account is approved at once and public, whatever the registration mode.
    let path = format!("/api/v1/accounts/{}", account["id"].as_str().expect("id"));
    expect_json(app.get(&path).send().await, 200).await;
    // Signing in with the e-mail address works too.
    app.password_token(&oauth_app, "a@x.example", ADMIN_PASSWORD, "read")
        .await;
}

#[sqlx::test]
async fn set_role_changes_the_role_the_api_reports(db: PgPool) {
    create_admin1(&db).await;
    let app = TestApp::spawn(db.clone()).await;
    let oauth_app = app.create_app("read").await;
    let token = app
        .password_token(&oauth_app, "admin1", ADMIN_PASSWORD, "read")
        .await;

    let output = admin(
        &db,
        &["set-role", "--username", "admin1", "--role", "moderator"],
    )
    .await;
    assert!(assert_success(&output).contains("moderator"));
    assert_eq!(me(&app, &token).await["role"]["name"], "Moderator");

    let output = admin(&db, &["set-role", "--username", "admin1", "--role", "user"]).await;
    assert_success(&output);
    assert_eq!(me(&app, &token).await["role"]["name"], "");

    let output = admin(
        &db,
        &["set-role", "--username", "nobody", "--role", "admin"],
    )
    .await;
    assert_failure(&output, "no local user");
}

#[sqlx::test]
async fn reset_password_replaces_the_password_and_signs_the_user_out(db: PgPool) {
    create_admin1(&db).await;
    let app = TestApp::spawn(db.clone()).await;
    let oauth_app = app.create_app("read").await;
    let old_token = app
        .password_token(&oauth_app, "admin1", ADMIN_PASSWORD, "read")
        .await;

    let too_short = admin(
        &db,
        &[
            "reset-password",
            "--username",
            "admin1",
            "--password",
            "short",
        ],
    )
    .await;
    assert_failure(&too_short, "too short");
    assert_eq!(
        app.verify_status(&old_token).await,
        200,
        "a refused reset changes nothing"
    );

    let output = admin(
        &db,
        &[
            "reset-password",
            "--username",
            "admin1",
            "--password",
            "newpass123",
        ],
    )
    .await;
    assert_success(&output);
    assert_eq!(
        app.verify_status(&old_token).await,
        401,
        "old tokens are revoked"
    );

    let grant = |password: &'static str| {
        [
            ("grant_type", "password"),
            ("username", "admin1"),
            ("password", password),
        ]
    };
    let refused = expect_json(
        Ok(app.token_request(&oauth_app, &grant(ADMIN_PASSWORD)).await),
        400,
    )
    .await;
    assert_eq!(refused["error"], "invalid_grant");
    let token = app
        .password_token(&oauth_app, "admin1", "newpass123", "read")
        .await;
    assert_eq!(app.verify_status(&token).await, 200);
}

#[sqlx::test]
async fn creating_a_user_with_a_taken_username_or_email_fails_clearly(db: PgPool) {
    create_admin1(&db).await;
    let taken_name = [
        "create-user",
        "--username",
        "ADMIN1",
        "--email",
        "b@x.example",
        "--password",
        ADMIN_PASSWORD,
    ];
    assert_failure(
        &admin(&db, &taken_name).await,
        "Username has already been taken",
    );
    let taken_email = [
        "create-user",
        "--username",
        "admin2",
        "--email",
        "A@x.example",
        "--password",
        ADMIN_PASSWORD,
    ];
    assert_failure(
        &admin(&db, &taken_email).await,
        "Email has already been taken",
    );
    let invalid = [
        "create-user",
        "--username",
        "bad-name",
        "--email",
        "c@x.example",
        "--password",
        ADMIN_PASSWORD,
    ];
    assert_failure(&admin(&db, &invalid).await, "Username must contain only");

    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&db)
        .await
        .expect("counts");
    assert_eq!(users, 1);

    // Names reserved for staff are refused to the public, not to the operator.
    let reserved = [
        "create-user",
        "--username",
        "admin",
        "--email",
        "d@x.example",
        "--password",
        ADMIN_PASSWORD,
    ];
    assert_success(&admin(&db, &reserved).await);
}

#[sqlx::test]
async fn approving_a_pending_user_from_the_shell_unlocks_their_token(db: PgPool) {
    let app = TestApp::spawn_with(db.clone(), &["--registration", "approval"]).await;
    let oauth_app = app.create_app("read write").await;
    let app_token = app.app_token(&oauth_app, "write").await;
    let form = [
        ("username", "pending"),
        ("email", "pending@mail.example"),
        ("password", ADMIN_PASSWORD),
        ("agreement", "true"),
        ("reason", "Let me in"),
    ];
    let response = app
        .post("/api/v1/accounts")
        .bearer_auth(&app_token)
        .form(&form)
        .send()
        .await;
    let token = expect_json(response, 200).await;
    let token = token["access_token"].as_str().expect("access_token");
    assert_eq!(app.verify_status(token).await, 403);

    assert_success(&admin(&db, &["approve", "--username", "pending"]).await);
    let account = me(&app, token).await;
    assert_eq!(account["username"], "pending");
    let path = format!("/api/v1/accounts/{}", account["id"].as_str().expect("id"));
    expect_json(app.get(&path).send().await, 200).await;
}

#[test]
fn serve_help_documents_every_setting_by_its_environment_variable() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_roost"))
        .args(["serve", "--help"])
        .output()
        .expect("the roost binary runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for variable in [
        "DATABASE_URL",
        "ROOST_DOMAIN",
        "ROOST_BIND",
        "ROOST_INSECURE_HTTP",
        "ROOST_REGISTRATION",
        "ROOST_SECRET_KEY_FILE",
        "ROOST_RATE_LIMITS",
    ] {
        assert!(
            help.contains(&format!("[env: {variable}")),
            "{variable} is not documented:\n{help}"
        );
    }
}

#[sqlx::test]
async fn the_shell_may_act_on_an_admin_as_the_operator(db: PgPool) {
    create_admin1(&db).await;
    let app = TestApp::spawn(db.clone()).await;
    let oauth_app = app.create_app("read").await;
    let token = app
        .password_token(&oauth_app, "admin1", ADMIN_PASSWORD, "read")
        .await;

    let disable = [
        "account-action",
        "--account",
        "admin1",
        "--action",
        "disable",
    ];
    assert_success(&admin(&db, &disable).await);
    assert_eq!(app.verify_status(&token).await, 403, "disabled");
    let enable = [
        "account-action",
        "--account",
        "admin1",
        "--action",
        "enable",
    ];
    assert_success(&admin(&db, &enable).await);
    assert_eq!(app.verify_status(&token).await, 200, "enabled again");
    let suspend = [
        "account-action",
        "--account",
        "admin1",
        "--action",
        "suspend",
    ];
    assert_success(&admin(&db, &suspend).await);
    assert_eq!(
        app.verify_status(&token).await,
        401,
        "suspension revokes tokens"
    );
}
