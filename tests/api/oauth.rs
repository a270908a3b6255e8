//! OAuth 2: every grant, PKCE, refresh rotation with family revocation, revocation
//! (also across two processes), expiry and scope checks.

use base64::Engine;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::helpers::{expect_error, expect_json, OAuthApp, TestApp, TestUser, PASSWORD};

const CALLBACK: &str = "https://app.example/callback";

/// Submits the sign-in and consent form with the user's credentials.
async fn approve(
    app: &TestApp,
    oauth: &OAuthApp,
    user: &TestUser,
    extra: &[(&str, &str)],
) -> Response {
    let mut form = vec![
        ("response_type", "code"),
        ("client_id", oauth.client_id.as_str()),
        ("login", user.username.as_str()),
        ("password", PASSWORD),
        ("decision", "approve"),
    ];
    form.extend_from_slice(extra);
    app.post("/oauth/authorize")
        .form(&form)
        .send()
        .await
        .expect("sent")
}

/// The query parameters of a redirect's Location.
fn redirect_params(response: &Response) -> Vec<(String, String)> {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "expected a redirect"
    );
    let location = response.headers()["location"].to_str().expect("ascii");
    let url = url::Url::parse(location).expect("absolute location");
    assert!(location.starts_with(CALLBACK), "redirected to {location}");
    url.query_pairs().into_owned().collect()
}

fn param(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

async fn exchange(
    app: &TestApp,
    oauth: &OAuthApp,
    code: &str,
    redirect_uri: &str,
    extra: &[(&str, &str)],
) -> Response {
    let mut params = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    params.extend_from_slice(extra);
    app.token_request(oauth, &params).await
}

fn access_token(token: &Value) -> String {
    token["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

#[sqlx::test]
async fn client_credentials_give_an_app_token_that_is_not_a_user(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let oauth = app.create_app("read write").await;
    let token = app.app_token(&oauth, "read").await;
    let me = expect_json(
        app.get("/api/v1/apps/verify_credentials")
            .bearer_auth(&token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(me["name"], "Test app");
    expect_error(
        app.get("/api/v1/accounts/verify_credentials")
            .bearer_auth(&token)
            .send()
            .await,
        422,
    )
    .await;
}

#[sqlx::test]
async fn the_password_grant_accepts_email_or_username_and_refuses_a_wrong_password(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("alice").await;
    for login in ["alice@mail.example", "ALICE"] {
        let response = app
            .token_request(
                &user.app,
                &[
                    ("grant_type", "password"),
                    ("username", login),
                    ("password", PASSWORD),
                    ("scope", "read"),
                ],
            )
            .await;
        let token = expect_json(Ok(response), 200).await;
        assert_eq!(token["token_type"], "Bearer");
        assert_eq!(token["scope"], "read");
        assert!(token["refresh_token"].is_string());
        assert_eq!(
            app.verify_status(&access_token(&token)).await,
            StatusCode::OK
        );
    }
    let wrong = app
        .token_request(
            &user.app,
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "wrong password"),
            ],
        )
        .await;
    assert_eq!(expect_json(Ok(wrong), 400).await["error"], "invalid_grant");
    let nobody = app
        .token_request(
            &user.app,
            &[
                ("grant_type", "password"),
                ("username", "nobody"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(expect_json(Ok(nobody), 400).await["error"], "invalid_grant");
}

#[sqlx::test]
async fn a_wrong_client_secret_or_unknown_client_is_invalid_client_and_basic_auth_works(
    db: PgPool,
) {
    let app = TestApp::spawn(db).await;
    let oauth = app.create_app("read").await;
    let forged = OAuthApp {
        client_secret: "not-the-secret".into(),
        ..oauth.clone()
    };
    let response = app
        .token_request(&forged, &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(
        expect_json(Ok(response), 401).await["error"],
        "invalid_client"
    );
    let unknown = OAuthApp {
        client_id: "nope".into(),
        ..oauth.clone()
    };
    let response = app
        .token_request(&unknown, &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(
        expect_json(Ok(response), 401).await["error"],
        "invalid_client"
    );
    let basic = app
        .post("/oauth/token")
        .basic_auth(&oauth.client_id, Some(&oauth.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await;
    expect_json(basic, 200).await;
    let unsupported = app
        .token_request(&oauth, &[("grant_type", "implicit")])
        .await;
    assert_eq!(
        expect_json(Ok(unsupported), 400).await["error"],
        "unsupported_grant_type"
    );
}

#[sqlx::test]
async fn scopes_beyond_the_app_are_refused_and_narrower_scopes_are_enforced(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("bob").await;
    let narrow_app = app.create_app("read").await;
    let response = app
        .token_request(
            &narrow_app,
            &[
                ("grant_type", "password"),
                ("username", "bob"),
                ("password", PASSWORD),
                ("scope", "read write"),
            ],
        )
        .await;
    assert_eq!(
        expect_json(Ok(response), 400).await["error"],
        "invalid_scope"
    );
    let response = app
        .token_request(
            &user.app,
            &[
                ("grant_type", "password"),
                ("username", "bob"),
                ("password", PASSWORD),
                ("scope", "write:statuses"),
            ],
        )
        .await;
    let token = access_token(&expect_json(Ok(response), 200).await);
    assert_eq!(app.verify_status(&token).await, StatusCode::FORBIDDEN);
    let update = app
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&token)
        .form(&[("display_name", "B")])
        .send()
        .await;
    expect_error(update, 403).await;
    let writer = app.with_token(&token);
    let posted = writer.post_status("scoped").await;
    assert_eq!(
        posted.expect("write:statuses may post").content,
        "<p>scoped</p>"
    );
    // Optional-token endpoints check the scope of a token that is sent.
    assert_outside_scope(writer.get::<Value>("/api/v1/timelines/public").await);
    app.anonymous()
        .get::<Value>("/api/v1/timelines/public")
        .await
        .expect("anonymous readers need no scope");

    let alice = app.sign_up("alice").await;
    let read_only = app.password_token(&user.app, "bob", PASSWORD, "read").await;
    let reader = app.with_token(&read_only);
    assert_outside_scope(reader.post_status("not allowed").await);
    assert_outside_scope(reader.follow(&alice).await);
    // The scope is checked by the extractor, before the body or the path: a blank status
    // or an unknown account is still 403 (in a handler it would be 422 or 404).
    assert_outside_scope(reader.post_status("").await);
    assert_outside_scope(reader.follow("99999999").await);
}

/// Asserts Mastodon's answer to a token without the endpoint's scope.
fn assert_outside_scope<T: std::fmt::Debug>(answer: crate::helpers::client::ApiResult<T>) {
    let refused = answer.expect_err("outside the token's scopes");
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.error,
        "This action is outside the authorized scopes"
    );
}

#[sqlx::test]
async fn the_authorization_code_flow_signs_in_on_the_page_and_exchanges_the_code_once(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("carol").await;
    let oauth = &user.app;
    let page = app
        .get("/oauth/authorize")
        .query(&[
            ("response_type", "code"),
            ("client_id", &oauth.client_id),
            ("redirect_uri", CALLBACK),
            ("scope", "read write"),
            ("state", "xyz"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert!(
        html.contains("<form")
            && html.contains("name=\"password\"")
            && html.contains("value=\"xyz\"")
    );

    let response = approve(
        &app,
        oauth,
        &user,
        &[
            ("redirect_uri", CALLBACK),
            ("scope", "read write"),
            ("state", "xyz"),
        ],
    )
    .await;
    let params = redirect_params(&response);
    assert_eq!(param(&params, "state").as_deref(), Some("xyz"));
    let code = param(&params, "code").expect("code");

    // Another redirect URI is refused without spending the code (RFC 6749 §4.1.3).
    let wrong_uri = exchange(&app, oauth, &code, "urn:ietf:wg:oauth:2.0:oob", &[]).await;
    expect_invalid_grant(wrong_uri).await;

    let token = expect_json(Ok(exchange(&app, oauth, &code, CALLBACK, &[]).await), 200).await;
    assert_eq!(token["scope"], "read write");
    let first = access_token(&token);
    assert_eq!(app.verify_status(&first).await, StatusCode::OK);

    // Replaying a spent code fails and revokes what it issued (RFC 6749 §4.1.2).
    let replay = exchange(&app, oauth, &code, CALLBACK, &[]).await;
    assert_eq!(expect_json(Ok(replay), 400).await["error"], "invalid_grant");
    assert_eq!(app.verify_status(&first).await, StatusCode::UNAUTHORIZED);
}

fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[sqlx::test]
async fn pkce_s256_binds_the_code_to_its_verifier(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("dave").await;
    let oauth = &user.app;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = pkce_challenge(verifier);
    let with_challenge = [
        ("redirect_uri", CALLBACK),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];

    let code = param(
        &redirect_params(&approve(&app, oauth, &user, &with_challenge).await),
        "code",
    )
    .expect("code");
    let wrong = exchange(
        &app,
        oauth,
        &code,
        CALLBACK,
        &[(
            "code_verifier",
            "a-completely-different-verifier-of-enough-length",
        )],
    )
    .await;
    assert_eq!(expect_json(Ok(wrong), 400).await["error"], "invalid_grant");
    let missing = exchange(&app, oauth, &code, CALLBACK, &[]).await;
    assert_eq!(
        expect_json(Ok(missing), 400).await["error"],
        "invalid_grant"
    );

    // Neither attempt spent the code: a public client (no secret) may exchange it
    // with the right verifier.
    let public = app
        .post("/oauth/token")
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("client_id", &oauth.client_id),
            ("code_verifier", verifier),
        ])
        .send()
        .await;
    let token = expect_json(public, 200).await;
    assert_eq!(
        app.verify_status(&access_token(&token)).await,
        StatusCode::OK
    );

    let plain = app
        .get("/oauth/authorize")
        .query(&[
            ("response_type", "code"),
            ("client_id", &oauth.client_id),
            ("redirect_uri", CALLBACK),
            ("code_challenge", &challenge),
            ("code_challenge_method", "plain"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(plain.status(), StatusCode::BAD_REQUEST);
}

#[sqlx::test]
async fn the_sign_in_page_handles_oob_denial_bad_passwords_and_unregistered_redirects(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("erin").await;
    let oauth = &user.app;

    let oob = approve(
        &app,
        oauth,
        &user,
        &[("redirect_uri", "urn:ietf:wg:oauth:2.0:oob")],
    )
    .await;
    assert_eq!(oob.status(), StatusCode::OK);
    let html = oob.text().await.expect("body");
    let code = html
        .split("<code id=\"code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("code shown");
    let token = exchange(&app, oauth, code, "urn:ietf:wg:oauth:2.0:oob", &[]).await;
    expect_json(Ok(token), 200).await;

    let deny = app
        .post("/oauth/authorize")
        .form(&[
            ("response_type", "code"),
            ("client_id", &oauth.client_id),
            ("redirect_uri", CALLBACK),
            ("state", "s1"),
            ("decision", "deny"),
        ])
        .send()
        .await
        .expect("sent");
    let params = redirect_params(&deny);
    assert_eq!(param(&params, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&params, "state").as_deref(), Some("s1"));

    let bad_password = app
        .post("/oauth/authorize")
        .form(&[
            ("response_type", "code"),
            ("client_id", &oauth.client_id),
            ("redirect_uri", CALLBACK),
            ("login", "erin"),
            ("password", "wrong password"),
            ("decision", "approve"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(bad_password.status(), StatusCode::UNAUTHORIZED);
    assert!(bad_password.headers().get("location").is_none());

    let evil = app
        .get("/oauth/authorize")
        .query(&[
            ("response_type", "code"),
            ("client_id", &oauth.client_id),
            ("redirect_uri", "https://evil.example/cb"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(evil.status(), StatusCode::BAD_REQUEST);
    assert!(evil.headers().get("location").is_none());
}

#[sqlx::test]
async fn refresh_tokens_rotate_and_reusing_a_spent_one_revokes_the_whole_family(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("frank").await;
    let refreshed = app
        .token_request(
            &user.app,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &user.refresh_token),
            ],
        )
        .await;
    let refreshed = expect_json(Ok(refreshed), 200).await;
    let new_access = access_token(&refreshed);
    let new_refresh = refreshed["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_owned();
    assert_ne!(new_refresh, user.refresh_token);
    assert_eq!(app.verify_status(&new_access).await, StatusCode::OK);

    let reuse = app
        .token_request(
            &user.app,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &user.refresh_token),
            ],
        )
        .await;
    assert_eq!(expect_json(Ok(reuse), 400).await["error"], "invalid_grant");
    assert_eq!(
        app.verify_status(&new_access).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.verify_status(&user.access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let after = app
        .token_request(
            &user.app,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &new_refresh),
            ],
        )
        .await;
    assert_eq!(expect_json(Ok(after), 400).await["error"], "invalid_grant");
}

#[sqlx::test]
async fn revoking_an_access_token_takes_effect_at_once_on_every_process(db: PgPool) {
    let first = TestApp::spawn(db.clone()).await;
    // A second process of the same instance: same database, secret and domain.
    let second = TestApp::spawn_with(db, &["--domain", &first.domain]).await;
    let user = first.sign_up("grace").await;
    let token = second
        .token_request(
            &user.app,
            &[
                ("grant_type", "password"),
                ("username", "grace"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let token = access_token(&expect_json(Ok(token), 200).await);
    // Both processes share the database and the secret: each accepts the token.
    assert_eq!(second.verify_status(&token).await, StatusCode::OK);
    let revoke = first
        .post("/oauth/revoke")
        .form(&[
            ("client_id", user.app.client_id.as_str()),
            ("client_secret", &user.app.client_secret),
            ("token", &token),
        ])
        .send()
        .await;
    assert_eq!(expect_json(revoke, 200).await, serde_json::json!({}));
    assert_eq!(first.verify_status(&token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(second.verify_status(&token).await, StatusCode::UNAUTHORIZED);
    // The registration token is another family and still works.
    assert_eq!(
        second.verify_status(&user.access_token).await,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn revoking_a_refresh_token_revokes_its_family_and_other_apps_cannot_revoke(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("heidi").await;
    let other = app.create_app("read").await;
    let foreign = app
        .post("/oauth/revoke")
        .form(&[
            ("client_id", other.client_id.as_str()),
            ("client_secret", &other.client_secret),
            ("token", &user.refresh_token),
        ])
        .send()
        .await;
    expect_json(foreign, 200).await;
    assert_eq!(app.verify_status(&user.access_token).await, StatusCode::OK);

    let own = app
        .post("/oauth/revoke")
        .form(&[
            ("client_id", user.app.client_id.as_str()),
            ("client_secret", &user.app.client_secret),
            ("token", &user.refresh_token),
        ])
        .send()
        .await;
    expect_json(own, 200).await;
    assert_eq!(
        app.verify_status(&user.access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let unknown = app
        .post("/oauth/revoke")
        .form(&[
            ("client_id", user.app.client_id.as_str()),
            ("client_secret", &user.app.client_secret),
            ("token", "never-issued"),
        ])
        .send()
        .await;
    expect_json(unknown, 200).await;
}

#[sqlx::test]
async fn an_expired_access_token_is_refused(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--access-token-ttl", "0"]).await;
    let oauth = app.create_app("read write").await;
    let token = app
        .token_request(&oauth, &[("grant_type", "client_credentials")])
        .await;
    let token = expect_json(Ok(token), 200).await;
    assert_eq!(token["expires_in"], 0);
    let check = app
        .get("/api/v1/apps/verify_credentials")
        .bearer_auth(access_token(&token))
        .send()
        .await;
    expect_error(check, 401).await;
}

#[sqlx::test]
async fn a_token_in_the_access_token_query_parameter_is_accepted_like_a_header(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("judy").await;
    let me = app
        .get("/api/v1/accounts/verify_credentials")
        .query(&[("access_token", &user.access_token)])
        .send()
        .await;
    assert_eq!(expect_json(me, 200).await["username"], "judy");
    let forged = app
        .get("/api/v1/accounts/verify_credentials")
        .query(&[("access_token", "forged")])
        .send()
        .await;
    expect_error(forged, 401).await;
}

/// Asserts RFC 6749's `invalid_grant` in Doorkeeper's shape (400, `error` and
/// `error_description`).
async fn expect_invalid_grant(response: Response) {
    let body = expect_json(Ok(response), 400).await;
    assert_eq!(body["error"], "invalid_grant", "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "no error_description: {body}"
    );
}

async fn refresh(app: &TestApp, oauth: &OAuthApp, token: &str, extra: &[(&str, &str)]) -> Response {
    let mut params = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    params.extend_from_slice(extra);
    app.token_request(oauth, &params).await
}

#[sqlx::test]
async fn a_refresh_token_presented_by_another_app_is_refused_without_being_spent(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("ivan").await;
    let other = app.create_app("read write follow push").await;

    expect_invalid_grant(refresh(&app, &other, &user.refresh_token, &[]).await).await;
    // Nor does asking its own app for more than it was granted spend it.
    let wider = refresh(
        &app,
        &user.app,
        &user.refresh_token,
        &[("scope", "admin:read")],
    )
    .await;
    assert_eq!(expect_json(Ok(wider), 400).await["error"], "invalid_scope");
    assert_eq!(app.verify_status(&user.access_token).await, StatusCode::OK);

    let renewed = refresh(&app, &user.app, &user.refresh_token, &[]).await;
    let renewed = expect_json(Ok(renewed), 200).await;
    assert_eq!(
        app.verify_status(&access_token(&renewed)).await,
        StatusCode::OK
    );
    // The other app presenting the now spent token is not "reuse" by the owner: the
    // family survives.
    expect_invalid_grant(refresh(&app, &other, &user.refresh_token, &[]).await).await;
    assert_eq!(
        app.verify_status(&access_token(&renewed)).await,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn an_authorization_code_presented_by_another_app_is_refused_and_still_works_for_its_own(
    db: PgPool,
) {
    let app = TestApp::spawn(db).await;
    let user = app.sign_up("judith").await;
    let other = app.create_app("read write follow push").await;
    let code = param(
        &redirect_params(&approve(&app, &user.app, &user, &[("redirect_uri", CALLBACK)]).await),
        "code",
    )
    .expect("code");

    expect_invalid_grant(exchange(&app, &other, &code, CALLBACK, &[]).await).await;

    let token = expect_json(
        Ok(exchange(&app, &user.app, &code, CALLBACK, &[]).await),
        200,
    )
    .await;
    let access = access_token(&token);
    assert_eq!(app.verify_status(&access).await, StatusCode::OK);
    // Another app replaying the spent code does not revoke what it issued.
    expect_invalid_grant(exchange(&app, &other, &code, CALLBACK, &[]).await).await;
    assert_eq!(app.verify_status(&access).await, StatusCode::OK);
}
