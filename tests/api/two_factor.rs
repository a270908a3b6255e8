//! Two-factor sign-in (TOTP, RFC 6238): set up through the service as the settings
//! page will, then enforced on the OAuth password grant and the `/oauth/authorize`
//! form: no code or a wrong one is refused, the current code works once, a recovery
//! code works once, ten wrong codes lock the user out, and `roost admin
//! disable-two-factor` turns it off for someone who lost their phone.

use std::time::Duration;

use chrono::Utc;
use reqwest::Response;
use sqlx::PgPool;

use crate::helpers::shell::{admin, assert_success};
use crate::helpers::{expect_json, TestApp, TestUser, PASSWORD};
use roost::db::users::{self, UserRow};
use roost::domain::totp;
use roost::services::two_factor::{self, RecoveryCodes, TwoFactorError};

/// A user with two-factor sign-in on: their secret and recovery codes.
struct Enrolled {
    user: TestUser,
    row: UserRow,
    secret: Vec<u8>,
    recovery: RecoveryCodes,
}

impl Enrolled {
    /// The code of the current time step moved by `offset` steps.
    fn code(&self, offset: i64) -> String {
        let now = totp::time_step(Utc::now().timestamp());
        totp::code_at(&self.secret, now + offset, totp::DIGITS)
    }

    /// A six-digit code that no step near now has.
    fn wrong_code(&self) -> String {
        let near: Vec<String> = (-2..=2).map(|offset| self.code(offset)).collect();
        (0..)
            .map(|n: u32| format!("{:06}", (n * 7919) % 1_000_000))
            .find(|candidate| !near.contains(candidate))
            .expect("some code is wrong")
    }
}

/// Waits until at least five seconds remain in the current 30-second step, so a
/// test's codes stay within one step of the server's clock. (A wait for the clock, not
/// for the server: at most five seconds, once per test.)
async fn away_from_a_step_boundary() {
    let into_step = Utc::now().timestamp().rem_euclid(totp::STEP_SECS);
    if totp::STEP_SECS - into_step < 5 {
        let wait = u64::try_from(totp::STEP_SECS - into_step).expect("positive") + 1;
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
}

async fn user_row(app: &TestApp, username: &str) -> UserRow {
    users::find_by_login(&app.db, username)
        .await
        .expect("reads")
        .expect("the user exists")
}

/// Signs `username` up and turns two-factor sign-in on through the service, confirming
/// with the previous step's code (so the current one is still unused).
async fn enrolled(app: &TestApp, username: &str) -> Enrolled {
    away_from_a_step_boundary().await;
    let user = app.sign_up(username).await;
    let row = user_row(app, username).await;
    assert!(!two_factor::is_enabled(&app.db, row.id)
        .await
        .expect("reads"));
    let setup = two_factor::begin_setup(&app.state, &row)
        .await
        .expect("set up");
    assert!(setup.otpauth_uri.starts_with("otpauth://totp/"));
    assert!(setup
        .otpauth_uri
        .contains(&format!("secret={}", setup.secret_base32)));
    let secret = totp::base32_decode(&setup.secret_base32).expect("base32");
    let mut enrolled = Enrolled {
        user,
        row,
        secret,
        recovery: RecoveryCodes(Vec::new()),
    };
    enrolled.recovery = two_factor::confirm_setup(&app.state, &enrolled.row, &enrolled.code(-1))
        .await
        .expect("the previous step's code confirms the setup");
    assert_eq!(enrolled.recovery.0.len(), two_factor::RECOVERY_CODE_COUNT);
    assert!(two_factor::is_enabled(&app.db, enrolled.row.id)
        .await
        .expect("reads"));
    enrolled
}

/// The password grant for `enrolled`, with `otp_attempt` when given.
async fn password_grant(app: &TestApp, enrolled: &Enrolled, otp: Option<&str>) -> Response {
    let login = format!("{}@mail.example", enrolled.user.username);
    let mut params = vec![
        ("grant_type", "password"),
        ("username", login.as_str()),
        ("password", PASSWORD),
        ("scope", "read"),
    ];
    if let Some(otp) = otp {
        params.push(("otp_attempt", otp));
    }
    app.token_request(&enrolled.user.app, &params).await
}

async fn refused(response: Response, status: u16) -> String {
    let body = expect_json(Ok(response), status).await;
    assert_eq!(body["error"], "invalid_grant", "{body}");
    body["error_description"]
        .as_str()
        .expect("a description")
        .to_owned()
}

#[sqlx::test]
async fn the_password_grant_asks_for_a_code_and_accepts_each_code_once(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = enrolled(&app, "alice").await;

    let missing = refused(password_grant(&app, &alice, None).await, 400).await;
    assert!(missing.contains("two-factor"), "{missing}");
    let wrong = refused(
        password_grant(&app, &alice, Some(&alice.wrong_code())).await,
        400,
    )
    .await;
    assert!(wrong.contains("Invalid two-factor"), "{wrong}");

    let code = alice.code(0);
    let token = expect_json(Ok(password_grant(&app, &alice, Some(&code)).await), 200).await;
    let access_token = token["access_token"].as_str().expect("a token");
    assert_eq!(app.verify_status(access_token).await, 200);

    refused(password_grant(&app, &alice, Some(&code)).await, 400).await;
    let older = alice.code(-1);
    refused(password_grant(&app, &alice, Some(&older)).await, 400).await;
}

#[sqlx::test]
async fn a_recovery_code_signs_in_once(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = enrolled(&app, "alice").await;
    let recovery = alice.recovery.0[3].to_uppercase();
    expect_json(Ok(password_grant(&app, &alice, Some(&recovery)).await), 200).await;
    refused(password_grant(&app, &alice, Some(&recovery)).await, 400).await;
    let status = two_factor::status(&app.state, &alice.row)
        .await
        .expect("reads");
    assert_eq!(
        status,
        two_factor::TwoFactorStatus::Enabled {
            recovery_codes_left: 9
        }
    );

    let fresh = two_factor::regenerate_recovery_codes(&app.state, &alice.row)
        .await
        .expect("new codes");
    refused(
        password_grant(&app, &alice, Some(&alice.recovery.0[4])).await,
        400,
    )
    .await;
    expect_json(
        Ok(password_grant(&app, &alice, Some(&fresh.0[0])).await),
        200,
    )
    .await;
}

#[sqlx::test]
async fn ten_wrong_codes_lock_the_user_out_until_an_admin_turns_two_factor_off(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = enrolled(&app, "alice").await;
    for _ in 0..two_factor::MAX_FAILURES {
        refused(
            password_grant(&app, &alice, Some(&alice.wrong_code())).await,
            400,
        )
        .await;
    }
    let locked = password_grant(&app, &alice, Some(&alice.code(0))).await;
    let description = refused(locked, 429).await;
    assert!(description.contains("Too many"), "{description}");
    let via_service = two_factor::verify(&app.state, &alice.row, &alice.recovery.0[0]).await;
    assert!(
        matches!(via_service, Err(TwoFactorError::LockedOut { .. })),
        "a recovery code is refused too: {via_service:?}"
    );
    // Another user is not affected.
    let bob = enrolled(&app, "bob").await;
    expect_json(
        Ok(password_grant(&app, &bob, Some(&bob.code(0))).await),
        200,
    )
    .await;

    let output = admin(&db, &["disable-two-factor", "--username", "alice"]).await;
    assert!(assert_success(&output).contains("is off"));
    assert!(!two_factor::is_enabled(&app.db, alice.row.id)
        .await
        .expect("reads"));
    expect_json(Ok(password_grant(&app, &alice, None).await), 200).await;
    let again = admin(&db, &["disable-two-factor", "--username", "alice"]).await;
    assert!(assert_success(&again).contains("has no two-factor"));
}

#[sqlx::test]
async fn the_user_turns_two_factor_off_with_their_password_only(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = enrolled(&app, "alice").await;
    let wrong = two_factor::disable(&app.state, &alice.row, "not the password").await;
    assert!(
        matches!(wrong, Err(TwoFactorError::WrongPassword)),
        "{wrong:?}"
    );
    assert!(two_factor::is_enabled(&app.db, alice.row.id)
        .await
        .expect("reads"));
    let again = two_factor::begin_setup(&app.state, &alice.row).await;
    assert!(
        matches!(again, Err(TwoFactorError::AlreadyEnabled)),
        "{again:?}"
    );

    two_factor::disable(&app.state, &alice.row, PASSWORD)
        .await
        .expect("turned off");
    expect_json(Ok(password_grant(&app, &alice, None).await), 200).await;
    let left = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM user_recovery_codes")
        .fetch_one(&app.db)
        .await
        .expect("counts");
    assert_eq!(left, 0, "recovery codes go with it");
}

#[sqlx::test]
async fn a_setup_is_on_only_once_confirmed_and_a_new_setup_replaces_a_pending_one(db: PgPool) {
    let app = TestApp::spawn(db).await;
    away_from_a_step_boundary().await;
    app.sign_up("alice").await;
    let row = user_row(&app, "alice").await;
    let first = two_factor::begin_setup(&app.state, &row)
        .await
        .expect("set up");
    assert!(!two_factor::is_enabled(&app.db, row.id)
        .await
        .expect("reads"));
    let second = two_factor::begin_setup(&app.state, &row)
        .await
        .expect("set up again");
    assert_ne!(first.secret_base32, second.secret_base32);
    let now = totp::time_step(Utc::now().timestamp());
    let stale = totp::code_at(
        &totp::base32_decode(&first.secret_base32).expect("base32"),
        now,
        totp::DIGITS,
    );
    let refused = two_factor::confirm_setup(&app.state, &row, &stale).await;
    assert!(
        matches!(refused, Err(TwoFactorError::InvalidCode)),
        "{refused:?}"
    );
    let current = totp::code_at(
        &totp::base32_decode(&second.secret_base32).expect("base32"),
        now,
        totp::DIGITS,
    );
    two_factor::confirm_setup(&app.state, &row, &current)
        .await
        .expect("confirmed");
    let stored: Vec<u8> = sqlx::query_scalar("SELECT sealed_secret FROM user_two_factor")
        .fetch_one(&app.db)
        .await
        .expect("reads");
    let secret = totp::base32_decode(&second.secret_base32).expect("base32");
    assert!(
        !stored
            .windows(secret.len())
            .any(|window| window == secret.as_slice()),
        "the secret is not stored in clear"
    );
}

#[sqlx::test]
async fn the_authorize_form_asks_for_the_code_of_a_user_with_two_factor(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = enrolled(&app, "alice").await;
    let submit = |otp: String| {
        let form = [
            ("response_type", "code".to_owned()),
            ("client_id", alice.user.app.client_id.clone()),
            ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob".to_owned()),
            ("login", "alice".to_owned()),
            ("password", PASSWORD.to_owned()),
            ("otp_attempt", otp),
            ("decision", "approve".to_owned()),
        ];
        app.post("/oauth/authorize").form(&form).send()
    };
    let without = submit(String::new()).await.expect("sent");
    assert_eq!(without.status(), 401);
    let page = without.text().await.expect("body");
    assert!(page.contains("authenticator app"), "{page}");
    let wrong = submit(alice.wrong_code()).await.expect("sent");
    assert_eq!(wrong.status(), 401);
    let right = submit(alice.code(0)).await.expect("sent");
    assert_eq!(right.status(), 200);
    let page: String = right.text().await.expect("body");
    assert!(page.contains("id=\"code\""), "the code is shown: {page}");
}
