//! The web app driven in a real headless Chromium, as a person would use it: sign up,
//! confirm the e-mail address, sign in with a two-factor code, post two photos with descriptions, follow someone,
//! like and comment on their post, see a notification arrive live, edit the profile,
//! sign out — and screenshots of the public pages at phone and desktop widths. Every
//! page must load without a Content-Security-Policy violation or a script error.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::browser::{Browser, DESKTOP, PHONE};
use crate::helpers::mail::confirmed_user;
use crate::helpers::media::jpeg;
use crate::helpers::smtp::SmtpSink;
use crate::helpers::{TestApp, PASSWORD};
use roost::domain::totp;
use roost::services::two_factor;

/// Signs the browser in through the form.
pub async fn sign_in(browser: &Browser, app: &TestApp, login: &str) {
    browser.goto(&app.url("/auth/sign_in")).await;
    browser.fill("#login", login).await;
    browser.fill("#password", PASSWORD).await;
    browser
        .click("form[action='/auth/sign_in'] button[type=submit]")
        .await;
}

/// Waits (bounded) until `script` evaluates to `true` in the page.
pub async fn wait_until(browser: &Browser, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if browser.evaluate(&format!("return ({script});")).await == Value::Bool(true) {
            return;
        }
        if Instant::now() >= deadline {
            let at = browser.current_url().await;
            let text: String = browser.body_text().await.chars().take(600).collect();
            panic!("timed out waiting for {what}; at {at}: {text}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[sqlx::test]
async fn a_person_uses_the_web_app_from_sign_up_to_sign_out_in_chromium(db: PgPool) {
    let sink = SmtpSink::start().await;
    let app = sink.spawn_app(db, &[]).await;
    let alice_token = confirmed_user(&app, &sink, "alice").await;
    let alice = app.with_token(&alice_token);
    let alice_id = alice.me().await.expect("alice").id;
    let hers = alice
        .post_status("Spring is here #garden")
        .await
        .expect("posted");
    let photos = tempfile::tempdir().expect("temp dir");
    let first = photos.path().join("pond.jpg");
    let second = photos.path().join("oak.jpg");
    std::fs::write(&first, jpeg(320, 240)).expect("written");
    std::fs::write(&second, jpeg(240, 320)).expect("written");

    let browser = Browser::open(PHONE).await;
    browser.goto(&app.url("/auth/sign_up")).await;
    browser.fill("#username", "bob").await;
    browser.fill("#email", "bob@mail.example").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("#agreement").await;
    browser
        .click("form[action='/auth/sign_up'] button[type=submit]")
        .await;
    wait_until(
        &browser,
        "location.pathname === '/auth/confirm_email'",
        "the ask to confirm",
    )
    .await;
    let mail = sink.next_mail_to(&app, "bob@mail.example").await;
    browser.goto(&mail.link("/auth/confirmation")).await;
    browser.wait_for_text("confirmed").await;
    sign_in(&browser, &app, "bob").await;
    wait_until(
        &browser,
        "location.pathname === '/home'",
        "the home feed after confirming",
    )
    .await;

    // Two-factor sign-in, turned on for bob; signing in again asks for the code.
    let user = roost::db::users::find_by_login(&app.db, "bob")
        .await
        .expect("reads")
        .expect("bob exists");
    let setup = two_factor::begin_setup(&app.state, &user)
        .await
        .expect("setup");
    let secret = totp::base32_decode(&setup.secret_base32).expect("base32");
    let step = totp::time_step(Utc::now().timestamp());
    two_factor::confirm_setup(
        &app.state,
        &user,
        &totp::code_at(&secret, step - 1, totp::DIGITS),
    )
    .await
    .expect("on");
    browser.click("form[action='/auth/sign_out'] button").await;
    wait_until(
        &browser,
        "location.pathname === '/'",
        "the landing page after sign-out",
    )
    .await;
    sign_in(&browser, &app, "bob").await;
    browser.wait_for("#code").await;
    let code = totp::code_at(
        &secret,
        totp::time_step(Utc::now().timestamp()),
        totp::DIGITS,
    );
    browser.fill("#code", &code).await;
    browser
        .click("form[action='/auth/two_factor'] button")
        .await;
    wait_until(
        &browser,
        "location.pathname === '/home'",
        "home after the code",
    )
    .await;

    // Two photos with their descriptions.
    browser.goto(&app.url("/compose")).await;
    browser
        .find("#photo_0")
        .await
        .send_keys(&first.to_string_lossy())
        .await
        .expect("file chosen");
    browser.fill("#alt_0", "A pond with ducks").await;
    browser
        .find("#photo_1")
        .await
        .send_keys(&second.to_string_lossy())
        .await
        .expect("file chosen");
    browser.fill("#alt_1", "An oak tree in autumn").await;
    browser.fill("#status", "Two photos from the park").await;
    browser
        .click("form[action='/compose'] button[type=submit]")
        .await;
    browser.wait_for("img[alt='A pond with ducks']").await;
    browser.wait_for("img[alt='An oak tree in autumn']").await;
    let mine = browser.current_url().await;

    // Follow alice, like her post and comment on it.
    browser.goto(&app.url("/@alice")).await;
    browser
        .click(&format!(
            "form[action='/actions/accounts/{}/follow'] button",
            alice_id
        ))
        .await;
    browser
        .wait_for(&format!(
            "form[action='/actions/accounts/{}/unfollow']",
            alice_id
        ))
        .await;
    browser
        .goto(&app.url(&format!("/@alice/{}", hers.id)))
        .await;
    browser
        .click(&format!(
            "form[action='/actions/statuses/{}/favourite'] button",
            hers.id
        ))
        .await;
    browser
        .wait_for(&format!(
            "form[action='/actions/statuses/{}/unfavourite']",
            hers.id
        ))
        .await;
    browser.fill("#reply-text", "@alice lovely garden!").await;
    browser.click("#reply button[type=submit]").await;
    browser.wait_for_text("lovely garden!").await;
    let seen: Value = alice
        .get(&format!("/api/v1/statuses/{}", hers.id))
        .await
        .expect("read");
    assert_eq!(seen["favourites_count"], 1);
    assert_eq!(seen["replies_count"], 1);

    // A notification arrives while bob looks at his home feed.
    browser.goto(&app.url("/home")).await;
    wait_until(
        &browser,
        "document.getElementById('unread-count').hidden === true",
        "no unread badge yet",
    )
    .await;
    let bobs_post = mine.rsplit('/').next().expect("id").to_owned();
    alice.favourite(bobs_post.as_str()).await.expect("liked");
    wait_until(
        &browser,
        "(function(){var b=document.getElementById('unread-count');return !b.hidden && b.textContent.trim()==='1';})()",
        "the live unread badge",
    )
    .await;
    browser.goto(&app.url("/notifications")).await;
    browser.wait_for_text("liked your post").await;

    // Edit the profile.
    browser.goto(&app.url("/settings/profile")).await;
    browser.fill("#display_name", "Bob the Birder").await;
    browser.fill("#note", "Watching birds").await;
    browser
        .click("form[action='/settings/profile'] button[type=submit]")
        .await;
    browser.wait_for_text("Saved.").await;
    browser.goto(&app.url("/@bob")).await;
    browser.wait_for_text("Bob the Birder").await;

    browser.click("form[action='/auth/sign_out'] button").await;
    wait_until(&browser, "location.pathname === '/'", "signed out").await;
    browser.goto(&app.url("/home")).await;
    wait_until(
        &browser,
        "location.pathname === '/auth/sign_in'",
        "sign-in asked again",
    )
    .await;

    // The public pages at both widths, signed out.
    for viewport in [PHONE, DESKTOP] {
        browser.set_viewport(viewport).await;
        for (name, path) in [
            ("landing", "/".to_owned()),
            ("profile", "/@bob".to_owned()),
            ("status", format!("/@bob/{bobs_post}")),
            ("tag", "/tags/garden".to_owned()),
        ] {
            browser.goto(&app.url(&path)).await;
            browser.wait_for("main").await;
            browser
                .screenshot(&format!("web-{name}-{}", viewport.name))
                .await;
        }
    }
    browser.assert_no_console_errors().await;
}
