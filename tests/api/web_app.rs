//! The signed-in web app without a browser: sessions and their CSRF tokens, sign-up,
//! two-factor sign-in, posting photos with descriptions, the buttons, the settings, the
//! OAuth consent of a signed-in visitor, and the event stream opened with the session
//! cookie. Each action is checked through the client API as well, so the pages and the
//! apps see one truth.

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::media::jpeg;
use crate::helpers::web::{csrf_token, WebClient};
use crate::helpers::{TestApp, PASSWORD};
use roost::domain::totp;

#[sqlx::test]
async fn signing_in_needs_the_form_token_and_a_revoked_session_is_signed_out_at_once(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("alice").await;
    let mut browser = WebClient::new(&app);
    browser.get("/auth/sign_in").await;
    let forged = browser
        .post_raw(
            "/auth/sign_in",
            &[
                ("login", "alice"),
                ("password", PASSWORD),
                ("authenticity_token", "forged"),
            ],
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "a form without the right token is refused"
    );
    assert!(!browser.has_session());

    let wrong = browser
        .submit(
            "/auth/sign_in",
            &[("login", "alice"), ("password", "not it at all")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Invalid e-mail address or password."));

    let right = browser.sign_in("alice", PASSWORD).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert_eq!(right.location(), Some("/home"));
    let cookie = right.header("set-cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(browser.get("/home").await.status, StatusCode::OK);
    let landing = browser.get("/").await;
    assert_eq!(
        landing.location(),
        Some("/home"),
        "signed in, / is the home feed"
    );

    let mut other = WebClient::new(&app);
    other.sign_in("alice", PASSWORD).await;
    let security = browser.get("/settings/security").await;
    let rows = security.body.matches("/revoke\"").count();
    assert!(rows >= 2, "both browsers are listed");
    let other_id: i64 = sqlx::query_scalar("SELECT max(id) FROM web_sessions")
        .fetch_one(&app.db)
        .await
        .expect("id");
    let revoked = browser
        .submit(&format!("/settings/sessions/{other_id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let after = other.get("/home").await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "the revoked browser is signed out"
    );
    assert!(after
        .location()
        .unwrap_or_default()
        .starts_with("/auth/sign_in"));

    browser.get("/home").await;
    let out = browser.submit("/auth/sign_out", &[]).await;
    assert_eq!(out.location(), Some("/"));
    assert_eq!(browser.get("/home").await.status, StatusCode::SEE_OTHER);
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM web_sessions")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(sessions, 0, "sign-out deletes the session row");
}

#[sqlx::test]
async fn signing_up_on_the_web_follows_the_registration_mode(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let mut browser = WebClient::new(&app);
    browser.get("/auth/sign_up").await;
    let missing_agreement = browser
        .submit(
            "/auth/sign_up",
            &[
                ("username", "dora"),
                ("email", "dora@mail.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(missing_agreement.status, StatusCode::UNPROCESSABLE_ENTITY);
    let short = browser
        .submit(
            "/auth/sign_up",
            &[
                ("username", "dora"),
                ("email", "dora@mail.example"),
                ("password", "short"),
                ("agreement", "1"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("Password is too short"));
    assert!(
        short.body.contains("value=\"dora\""),
        "what was typed stays"
    );
    let created = browser
        .submit(
            "/auth/sign_up",
            &[
                ("username", "dora"),
                ("email", "dora@mail.example"),
                ("password", PASSWORD),
                ("agreement", "1"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    assert!(
        browser.has_session(),
        "on an open server the new user is signed in"
    );
    let me = browser.get("/home").await;
    assert!(me.body.contains("href=\"/@dora\""));
    app.stop().await;

    let closed = TestApp::spawn_with(db, &["--registration", "closed"]).await;
    let mut browser = WebClient::new(&closed);
    let page = browser.get("/auth/sign_up").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("not accepting new accounts"));
}

#[sqlx::test]
async fn approval_mode_sign_ups_wait_for_a_moderator_before_signing_in(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--registration", "approval"]).await;
    let mut browser = WebClient::new(&app);
    browser.get("/auth/sign_up").await;
    let created = browser
        .submit(
            "/auth/sign_up",
            &[
                ("username", "erin"),
                ("email", "erin@mail.example"),
                ("password", PASSWORD),
                ("reason", "I like birds"),
                ("agreement", "1"),
            ],
        )
        .await;
    assert_eq!(created.location(), Some("/auth/pending"));
    assert!(!browser.has_session());
    let refused = browser.sign_in("erin", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("pending approval"));
}

/// The current code of a base32 secret.
fn code_now(secret_base32: &str, offset: i64) -> String {
    let secret = totp::base32_decode(secret_base32).expect("base32");
    let step = totp::time_step(Utc::now().timestamp());
    totp::code_at(&secret, step + offset, totp::DIGITS)
}

#[sqlx::test]
async fn two_factor_sign_in_is_turned_on_in_the_settings_and_asked_for_at_sign_in(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("fran").await;
    let mut browser = WebClient::new(&app);
    browser.sign_in("fran", PASSWORD).await;
    browser.get("/settings/two_factor").await;
    let setup = browser.submit("/settings/two_factor/setup", &[]).await;
    assert!(setup.body.contains("<svg"), "a QR code is shown");
    let secret = setup
        .body
        .split("id=\"two-factor-secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the key is shown")
        .to_owned();
    let enabled = browser
        .submit(
            "/settings/two_factor/confirm",
            &[("code", &code_now(&secret, -1))],
        )
        .await;
    assert_eq!(enabled.status, StatusCode::OK);
    assert!(enabled.body.contains("id=\"recovery-codes\""));
    let recovery = enabled
        .body
        .split("<li><code>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("a recovery code")
        .to_owned();

    let mut second = WebClient::new(&app);
    let half = second.sign_in("fran", PASSWORD).await;
    assert!(half
        .location()
        .unwrap_or_default()
        .starts_with("/auth/two_factor"));
    let early = second.get("/home").await;
    assert_eq!(
        early.status,
        StatusCode::SEE_OTHER,
        "nothing is open before the code"
    );
    second.get("/auth/two_factor").await;
    let wrong = second
        .submit("/auth/two_factor", &[("code", "000000")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let done = second
        .submit("/auth/two_factor", &[("code", &recovery)])
        .await;
    assert_eq!(done.location(), Some("/home"));
    assert_eq!(second.get("/home").await.status, StatusCode::OK);

    let grant = app
        .token_request(
            &user.app,
            &[
                ("grant_type", "password"),
                ("username", "fran@mail.example"),
                ("password", PASSWORD),
                ("scope", "read"),
            ],
        )
        .await;
    assert_eq!(
        grant.status(),
        StatusCode::BAD_REQUEST,
        "the password grant needs the code too"
    );
}

#[sqlx::test]
async fn a_signed_in_user_posts_photos_with_descriptions_likes_follows_and_edits_the_profile(
    db: PgPool,
) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let hers = app
        .as_(&alice)
        .post_status("A photo-free hello")
        .await
        .expect("posted");
    let mut browser = WebClient::new(&app);
    browser.sign_in("bob", PASSWORD).await;
    browser.get("/compose").await;
    let form = reqwest::multipart::Form::new()
        .text("status", "Two photos from the park")
        .text("visibility", "public")
        .part(
            "photo_0",
            reqwest::multipart::Part::bytes(jpeg(64, 48))
                .file_name("a.jpg")
                .mime_str("image/jpeg")
                .expect("mime"),
        )
        .text("alt_0", "A pond with ducks")
        .part(
            "photo_1",
            reqwest::multipart::Part::bytes(jpeg(48, 64))
                .file_name("b.jpg")
                .mime_str("image/jpeg")
                .expect("mime"),
        )
        .text("alt_1", "An oak tree in autumn");
    let posted = browser.submit_multipart("/compose", form).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let page_path = posted.location().expect("to the new post").to_owned();
    let page = browser.get(&page_path).await;
    assert!(
        page.body.contains("alt=\"A pond with ducks\"")
            && page.body.contains("alt=\"An oak tree in autumn\"")
    );
    let id = page_path.rsplit('/').next().expect("id");
    let seen: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{id}"))
        .await
        .expect("visible");
    assert_eq!(seen["media_attachments"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        seen["media_attachments"][0]["description"],
        "A pond with ducks"
    );

    browser.get(&format!("/@alice/{}", hers.id)).await;
    let liked = browser
        .submit(&format!("/actions/statuses/{}/favourite", hers.id), &[])
        .await;
    assert_eq!(liked.status, StatusCode::SEE_OTHER);
    let reply = browser
        .submit(
            "/compose",
            &[
                ("status", "@alice lovely!"),
                ("in_reply_to_id", &hers.id),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let after: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{}", hers.id))
        .await
        .expect("read");
    assert_eq!(after["favourites_count"], 1);
    assert_eq!(after["replies_count"], 1);

    let profile = browser.get("/@alice").await;
    let alice_id = &alice.account_id;
    assert!(profile
        .body
        .contains(&format!("/actions/accounts/{alice_id}/follow")));
    browser
        .submit(&format!("/actions/accounts/{alice_id}/follow"), &[])
        .await;
    let relation: Value = app
        .as_(&bob)
        .get(&format!("/api/v1/accounts/relationships?id[]={alice_id}"))
        .await
        .expect("read");
    assert_eq!(relation[0]["following"], true);
    let notified = browser.get("/notifications").await;
    assert_eq!(notified.status, StatusCode::OK);

    browser.get("/settings/profile").await;
    let form = reqwest::multipart::Form::new()
        .text("display_name", "Bob the Birder")
        .text("note", "Watching birds & people")
        .text("field_name_0", "Site")
        .text("field_value_0", "https://bob.example")
        .text("discoverable", "1")
        .text("indexable", "1");
    let saved = browser.submit_multipart("/settings/profile", form).await;
    assert_eq!(saved.location(), Some("/settings/profile?saved=1"));
    let me: Value = app
        .as_(&bob)
        .get("/api/v1/accounts/verify_credentials")
        .await
        .expect("read");
    assert_eq!(me["display_name"], "Bob the Birder");
    assert_eq!(me["fields"][0]["name"], "Site");
    assert_eq!(me["locked"], false);
}

#[sqlx::test]
async fn the_buttons_refuse_a_visitor_and_a_form_from_another_page(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    app.sign_up("bob").await;
    let hers = app.as_(&alice).post_status("hello").await.expect("posted");
    let mut visitor = WebClient::new(&app);
    visitor.get("/").await;
    let anonymous = visitor
        .submit(&format!("/actions/statuses/{}/favourite", hers.id), &[])
        .await;
    assert_eq!(anonymous.status, StatusCode::FORBIDDEN);
    let mut bob = WebClient::new(&app);
    bob.sign_in("bob", PASSWORD).await;
    let forged = bob
        .post_raw(
            &format!("/actions/statuses/{}/favourite", hers.id),
            &[("authenticity_token", "x")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let status: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{}", hers.id))
        .await
        .expect("read");
    assert_eq!(status["favourites_count"], 0);
    bob.get("/home").await;
    let unknown = bob
        .submit(&format!("/actions/statuses/{}/explode", hers.id), &[])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn changing_the_password_signs_out_other_browsers_and_apps(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("gina").await;
    let mut browser = WebClient::new(&app);
    browser.sign_in("gina", PASSWORD).await;
    let mut other = WebClient::new(&app);
    other.sign_in("gina", PASSWORD).await;
    browser.get("/settings/security").await;
    let wrong = browser
        .submit(
            "/settings/password",
            &[
                ("current_password", "nope nope nope"),
                ("password", "a brand new secret"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    browser.get("/settings/security").await;
    let changed = browser
        .submit(
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("password", "a brand new secret"),
            ],
        )
        .await;
    assert_eq!(changed.location(), Some("/settings/security?saved=1"));
    assert_eq!(
        browser.get("/home").await.status,
        StatusCode::OK,
        "this browser stays signed in"
    );
    assert_eq!(other.get("/home").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.verify_status(&user.access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let mut fresh = WebClient::new(&app);
    assert_eq!(
        fresh.sign_in("gina", "a brand new secret").await.status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test]
async fn a_signed_in_visitor_authorizes_an_app_with_one_click_and_can_revoke_it(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("hana").await;
    let mut browser = WebClient::new(&app);
    browser.sign_in("hana", PASSWORD).await;
    let query = format!(
        "/oauth/authorize?response_type=code&client_id={}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read",
        user.app.client_id
    );
    let consent = browser.get(&query).await;
    assert_eq!(consent.status, StatusCode::OK);
    assert!(
        !consent.body.contains("name=\"password\""),
        "no password when signed in"
    );
    assert!(csrf_token(&consent.body).is_some());
    let forged = browser
        .post_raw(
            "/oauth/authorize",
            &[
                ("response_type", "code"),
                ("client_id", &user.app.client_id),
                ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
                ("scope", "read"),
                ("decision", "approve"),
                ("authenticity_token", "x"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    browser.get(&query).await;
    let approved = browser
        .submit(
            "/oauth/authorize",
            &[
                ("response_type", "code"),
                ("client_id", &user.app.client_id),
                ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
                ("scope", "read"),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK);
    assert!(approved.body.contains("<code id=\"code\">"));

    let security = browser.get("/settings/security").await;
    let app_id: i64 = sqlx::query_scalar("SELECT id FROM oauth_apps WHERE client_id = $1")
        .bind(&user.app.client_id)
        .fetch_one(&app.db)
        .await
        .expect("app");
    assert!(security
        .body
        .contains(&format!("/settings/apps/{app_id}/revoke")));
    browser
        .submit(&format!("/settings/apps/{app_id}/revoke"), &[])
        .await;
    assert_eq!(
        app.verify_status(&user.access_token).await,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test]
async fn the_pages_script_streams_notifications_with_the_session_cookie(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("ivy").await;
    let mut browser = WebClient::new(&app);
    browser.sign_in("ivy", PASSWORD).await;
    let response = app
        .get("/api/v1/streaming/user/notification")
        .header("cookie", browser.cookies())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/event-stream"));
    let anonymous = app
        .get("/api/v1/streaming/user/notification")
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let cookie_on_api = app
        .get("/api/v1/accounts/verify_credentials")
        .header("cookie", browser.cookies())
        .send()
        .await
        .expect("sent");
    assert_eq!(
        cookie_on_api.status(),
        StatusCode::UNAUTHORIZED,
        "a cookie opens no other API call"
    );
}
