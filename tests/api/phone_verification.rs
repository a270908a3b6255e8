//! Phone verification by SMS against a local Twilio-compatible gateway: sign-up that
//! requires a verified number, a user's own number, the limits on tries and sends,
//! expiry, and bad input.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::sms_gateway::{SmsGateway, FROM, REFUSED_NUMBER};
use crate::helpers::{expect_error, expect_json, OAuthApp, TestApp, PASSWORD};

async fn app_with_gateway(db: PgPool, verification: &'static str) -> (TestApp, SmsGateway) {
    let gateway = SmsGateway::start().await;
    let mut flags = vec!["--workers".to_owned(), "false".to_owned()];
    flags.extend(gateway.flags(verification));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    (TestApp::spawn_with(db, &flags).await, gateway)
}

/// A registering app and its client-credentials token.
async fn registering_app(app: &TestApp) -> (OAuthApp, String) {
    let oauth = app.create_app("read write follow push").await;
    let token = app.app_token(&oauth, "read write follow push").await;
    (oauth, token)
}

async fn start(app: &TestApp, token: &str, number: &str) -> reqwest::Result<reqwest::Response> {
    app.post("/api/v1/roost/phone_verifications")
        .bearer_auth(token)
        .form(&[("phone_number", number)])
        .send()
        .await
}

async fn confirm(
    app: &TestApp,
    token: &str,
    id: &str,
    code: &str,
) -> reqwest::Result<reqwest::Response> {
    app.post(&format!("/api/v1/roost/phone_verifications/{id}/confirm"))
        .bearer_auth(token)
        .form(&[("code", code)])
        .send()
        .await
}

async fn register(
    app: &TestApp,
    token: &str,
    username: &str,
    verification: Option<&str>,
) -> reqwest::Result<reqwest::Response> {
    let email = format!("{username}@mail.example");
    let mut form = vec![
        ("username", username),
        ("email", email.as_str()),
        ("password", PASSWORD),
        ("agreement", "true"),
    ];
    if let Some(id) = verification {
        form.push(("phone_verification", id));
    }
    app.post("/api/v1/accounts")
        .bearer_auth(token)
        .form(&form)
        .send()
        .await
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("id").to_owned()
}

/// A code that is not `code`.
fn wrong(code: &str) -> String {
    let first = code.as_bytes()[0];
    let other = if first == b'9' {
        '0'
    } else {
        (first + 1) as char
    };
    format!("{other}{}", &code[1..])
}

#[sqlx::test]
async fn a_sign_up_needs_a_verified_number_when_the_server_requires_one(db: PgPool) {
    let (app, gateway) = app_with_gateway(db, "required").await;
    let (_oauth, token) = registering_app(&app).await;

    let without = expect_error(register(&app, &token, "ann", None).await, 422).await;
    assert_eq!(
        without["details"]["phone_verification"][0]["error"], "ERR_BLANK",
        "{without}"
    );

    let started = expect_json(start(&app, &token, "+1 (415) 555-0123").await, 200).await;
    assert_eq!(started["phone_number"], "+14•••••••23");
    assert_eq!(started["verified"], false);
    let sent = gateway.last_to("+14155550123");
    assert_eq!(sent.from, FROM);
    let id = id_of(&started);
    let code = sent.code();

    // An unverified verification does not sign anyone up.
    let early = expect_error(register(&app, &token, "ann", Some(&id)).await, 422).await;
    assert_eq!(
        early["details"]["phone_verification"][0]["error"],
        "ERR_INVALID"
    );
    expect_error(confirm(&app, &token, &id, &wrong(&code)).await, 422).await;
    // Another app cannot confirm (nor use) this app's verification.
    let (_other, other_token) = registering_app(&app).await;
    expect_error(confirm(&app, &other_token, &id, &code).await, 404).await;
    let confirmed = expect_json(confirm(&app, &token, &id, &code).await, 200).await;
    assert_eq!(confirmed["verified"], true);
    let foreign = expect_error(register(&app, &other_token, "bea", Some(&id)).await, 422).await;
    assert_eq!(
        foreign["details"]["phone_verification"][0]["error"],
        "ERR_INVALID"
    );

    let token_body = expect_json(register(&app, &token, "ann", Some(&id)).await, 200).await;
    let user_token = token_body["access_token"].as_str().expect("token");
    let phone = expect_json(
        app.get("/api/v1/roost/phone")
            .bearer_auth(user_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(phone["phone_number"], "+14•••••••23");
    // Used once only.
    let again = expect_error(register(&app, &token, "cid", Some(&id)).await, 422).await;
    assert_eq!(
        again["details"]["phone_verification"][0]["error"],
        "ERR_INVALID"
    );

    // Stored: the E.164 form for sending, and a keyed digest (not the number) for lookups.
    let (digest, e164): (String, String) =
        sqlx::query_as("SELECT phone_digest, phone_e164 FROM users WHERE phone_digest IS NOT NULL")
            .fetch_one(&app.db)
            .await
            .expect("ann's number");
    assert_eq!(e164, "+14155550123");
    assert_eq!(digest.len(), 64);
    assert!(!digest.contains("4155550123"));
    let codes_stored_plain: i64 =
        sqlx::query_scalar("SELECT count(*) FROM phone_verifications WHERE code_digest = $1")
            .bind(&code)
            .fetch_one(&app.db)
            .await
            .expect("counts");
    assert_eq!(codes_stored_plain, 0);

    // The number is ann's now: nobody else can verify it.
    let taken = expect_error(start(&app, &token, "+14155550123").await, 422).await;
    assert_eq!(taken["details"]["phone_number"][0]["error"], "ERR_TAKEN");
}

#[sqlx::test]
async fn ten_wrong_codes_lock_the_code_and_sends_are_limited(db: PgPool) {
    let (app, gateway) = app_with_gateway(db, "optional").await;
    let (_oauth, token) = registering_app(&app).await;
    let started = expect_json(start(&app, &token, "+442079460958").await, 200).await;
    let id = id_of(&started);
    let code = gateway.last_to("+442079460958").code();
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let response = confirm(&app, &token, &id, &wrong(&code))
            .await
            .expect("sent");
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [422, 422, 422, 422, 422, 429, 429, 429, 429, 429]);
    // Even the right code no longer works: a new one must be asked for.
    expect_error(confirm(&app, &token, &id, &code).await, 429).await;

    // Three codes per number per hour.
    for _ in 0..2 {
        expect_json(start(&app, &token, "+442079460958").await, 200).await;
    }
    let limited = start(&app, &token, "+442079460958").await.expect("sent");
    assert_eq!(limited.status().as_u16(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(gateway.messages().len(), 3);

    // Ten codes per client address per hour, whatever the numbers.
    for n in 0..7 {
        let number = format!("+3361234560{n}");
        expect_json(start(&app, &token, &number).await, 200).await;
    }
    expect_error(start(&app, &token, "+33612345699").await, 429).await;
    assert_eq!(gateway.messages().len(), 10);
}

#[sqlx::test]
async fn expired_codes_bad_numbers_and_gateway_failures_get_clear_errors(db: PgPool) {
    let (app, gateway) = app_with_gateway(db.clone(), "optional").await;
    let (_oauth, token) = registering_app(&app).await;
    let started = expect_json(start(&app, &token, "+14155550199").await, 200).await;
    let id = id_of(&started);
    let code = gateway.last_to("+14155550199").code();
    sqlx::query("UPDATE phone_verifications SET expires_at = now() - interval '1 minute'")
        .execute(&app.db)
        .await
        .expect("expires");
    let expired = expect_error(confirm(&app, &token, &id, &code).await, 422).await;
    assert!(expired["error"]
        .as_str()
        .expect("error")
        .contains("expired"));

    for bad in ["4155550123", "+1 415 555 01a3", "", &"9".repeat(60)] {
        let refused = expect_error(start(&app, &token, bad).await, 422).await;
        assert_eq!(
            refused["details"]["phone_number"][0]["error"], "ERR_INVALID",
            "{bad}"
        );
    }
    expect_error(confirm(&app, &token, "not-an-id", "123456").await, 404).await;

    // The gateway refuses the number: 503, and the attempt does not count as a send.
    expect_error(start(&app, &token, REFUSED_NUMBER).await, 503).await;
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM phone_verifications WHERE phone_e164 = $1")
            .bind(REFUSED_NUMBER)
            .fetch_one(&app.db)
            .await
            .expect("counts");
    assert_eq!(stored, 0);

    // A server without a gateway says so.
    let plain = TestApp::spawn(db).await;
    let (_o, plain_token) = registering_app(&plain).await;
    let off = expect_error(start(&plain, &plain_token, "+14155550123").await, 422).await;
    assert!(off["error"]
        .as_str()
        .expect("error")
        .contains("not enabled"));
}

#[sqlx::test]
async fn a_signed_in_user_verifies_and_removes_their_number(db: PgPool) {
    let (app, gateway) = app_with_gateway(db, "off").await;
    let user = app.sign_up("dora").await;
    let token = user.access_token.as_str();
    expect_error(
        app.get("/api/v1/roost/phone")
            .bearer_auth(token)
            .send()
            .await,
        404,
    )
    .await;
    let started = expect_json(start(&app, token, "+49 30 901820").await, 200).await;
    let code = gateway.last_to("+4930901820").code();
    expect_json(confirm(&app, token, &id_of(&started), &code).await, 200).await;
    let phone = expect_json(
        app.get("/api/v1/roost/phone")
            .bearer_auth(token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(phone["phone_number"], "+49••••••20");
    assert!(phone["verified_at"].is_string());
    let removed = app
        .delete("/api/v1/roost/phone")
        .bearer_auth(token)
        .send()
        .await
        .expect("sent");
    assert_eq!(removed.status().as_u16(), 204);
    expect_error(
        app.get("/api/v1/roost/phone")
            .bearer_auth(token)
            .send()
            .await,
        404,
    )
    .await;
    // Without a token: 401.
    expect_error(start(&app, "", "+4930901820").await, 401).await;
}

#[sqlx::test]
async fn the_web_sign_up_page_texts_a_code_and_checks_it_with_the_sign_up(db: PgPool) {
    use crate::helpers::web::WebClient;
    use axum::http::StatusCode;
    let (app, gateway) = app_with_gateway(db, "required").await;
    let mut browser = WebClient::new(&app);
    let page = browser.get("/auth/sign_up").await;
    assert!(
        page.body.contains("action=\"/auth/sign_up/phone\""),
        "{}",
        page.body
    );
    let account = [
        ("username", "eve"),
        ("email", "eve@mail.example"),
        ("password", PASSWORD),
        ("agreement", "1"),
    ];
    let without = browser.submit("/auth/sign_up", &account).await;
    assert_eq!(without.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(without.body.contains("A verified phone number is required"));

    let bad = browser
        .submit("/auth/sign_up/phone", &[("phone_number", "555 0123")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("international form"), "{}", bad.body);
    let sent = browser
        .submit(
            "/auth/sign_up/phone",
            &[("phone_number", "+1 415 555 0142")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("+14•••••••42"), "{}", sent.body);
    let marker = "name=\"phone_verification\" value=\"";
    let start = sent.body.find(marker).expect("the verification id") + marker.len();
    let id: String = sent.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let code = gateway.last_to("+14155550142").code();

    let mut with_code: Vec<(&str, &str)> = account.to_vec();
    with_code.push(("phone_verification", &id));
    let wrong_code = wrong(&code);
    with_code.push(("phone_code", &wrong_code));
    let refused = browser.submit("/auth/sign_up", &with_code).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Invalid code"));
    assert!(
        refused.body.contains("name=\"phone_code\""),
        "the code can be entered again"
    );
    with_code.pop();
    with_code.push(("phone_code", &code));
    let created = browser.submit("/auth/sign_up", &with_code).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let number: Option<String> =
        sqlx::query_scalar("SELECT u.phone_e164 FROM users u JOIN accounts a ON a.id = u.account_id WHERE a.username = 'eve'")
            .fetch_one(&app.db)
            .await
            .expect("eve");
    assert_eq!(number.as_deref(), Some("+14155550142"));
}

#[sqlx::test]
async fn sign_in_can_ask_for_a_code_texted_to_the_verified_number(db: PgPool) {
    use crate::helpers::web::WebClient;
    use axum::http::StatusCode;
    let (app, gateway) = app_with_gateway(db, "off").await;
    let user = app.sign_up("fay").await;
    let token = user.access_token.as_str();
    let two_factor = |password: &'static str| {
        app.post("/api/v1/roost/phone/two_factor")
            .bearer_auth(token)
            .form(&[("current_password", password)])
            .send()
    };
    // Without a number there is nothing to text codes to.
    let no_number = expect_error(two_factor(PASSWORD).await, 422).await;
    assert!(no_number["error"]
        .as_str()
        .expect("error")
        .contains("phone number"));
    let started = expect_json(start(&app, token, "+14155550177").await, 200).await;
    let code = gateway.last_to("+14155550177").code();
    expect_json(confirm(&app, token, &id_of(&started), &code).await, 200).await;
    expect_error(two_factor("not my password").await, 422).await;
    let on = two_factor(PASSWORD).await.expect("sent");
    assert_eq!(on.status().as_u16(), 204);
    let phone = expect_json(
        app.get("/api/v1/roost/phone")
            .bearer_auth(token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(phone["two_factor"], true);

    let mut browser = WebClient::new(&app);
    let half = browser.sign_in("fay", PASSWORD).await;
    assert!(half
        .location()
        .unwrap_or_default()
        .starts_with("/auth/two_factor"));
    let asked = browser.get("/auth/two_factor").await;
    assert!(asked.body.contains("Text me a code"), "{}", asked.body);
    let texted = browser.submit("/auth/two_factor/sms", &[]).await;
    assert_eq!(texted.status, StatusCode::OK, "{}", texted.body);
    assert!(texted.body.contains("A code was sent to +14•••••••77"));
    let sign_in_code = gateway.last_to("+14155550177").code();
    let refused = browser
        .submit("/auth/two_factor", &[("code", &wrong(&sign_in_code))])
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let done = browser
        .submit("/auth/two_factor", &[("code", &sign_in_code)])
        .await;
    assert_eq!(done.location(), Some("/home"));
    assert_eq!(browser.get("/home").await.status, StatusCode::OK);

    // A texted code signs in once.
    let mut again = WebClient::new(&app);
    again.sign_in("fay", PASSWORD).await;
    again.get("/auth/two_factor").await;
    let replayed = again
        .submit("/auth/two_factor", &[("code", &sign_in_code)])
        .await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);

    // Removing the number turns SMS sign-in off with it.
    let removed = app
        .delete("/api/v1/roost/phone")
        .bearer_auth(token)
        .send()
        .await
        .expect("sent");
    assert_eq!(removed.status().as_u16(), 204);
    let mut plain = WebClient::new(&app);
    let signed_in = plain.sign_in("fay", PASSWORD).await;
    assert_eq!(signed_in.location(), Some("/home"));
}
