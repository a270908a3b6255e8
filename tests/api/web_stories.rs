//! Stories in the web app, in a real headless Chromium: alice posts a story from the
//! "New story" page (a photo and her close friends), bob — a close friend who follows
//! her — sees her ring on his home page, opens it, replies, and his ring turns seen;
//! alice sees bob among the viewers. Also the pages' refusals without a browser.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::browser::{Browser, DESKTOP};
use crate::helpers::media::jpeg;
use crate::helpers::web::WebClient;
use crate::helpers::{expect_json, TestApp, PASSWORD};
use crate::web_browser::{sign_in, wait_until};

#[sqlx::test]
async fn a_story_is_posted_watched_and_answered_in_chromium(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let followed = app
        .post(&format!("/api/v1/accounts/{}/follow", alice.account_id))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(followed, 200).await;
    let added = app
        .post("/api/v1/roost/close_friends")
        .bearer_auth(&alice.access_token)
        .form(&[("account_ids[]", bob.account_id.as_str())])
        .send()
        .await;
    expect_json(added, 200).await;
    let photos = tempfile::tempdir().expect("temp dir");
    let photo = photos.path().join("beach.jpg");
    std::fs::write(&photo, jpeg(360, 640)).expect("written");

    // alice shares a photo with her close friends.
    let browser = Browser::open(DESKTOP).await;
    sign_in(&browser, &app, "alice").await;
    wait_until(&browser, "location.pathname === '/home'", "alice's home").await;
    browser.click("a.story-ring.new").await;
    browser
        .find("#media")
        .await
        .send_keys(&photo.to_string_lossy())
        .await
        .expect("file chosen");
    browser
        .evaluate("document.querySelector('#audience').value = 'close_friends'; return true;")
        .await;
    browser
        .click("form[action='/stories/new'] button[type=submit]")
        .await;
    browser.wait_for("figure.story-media img").await;
    assert!(browser
        .body_text()
        .await
        .contains("Nobody has seen it yet."));
    browser.assert_no_console_errors().await;
    browser.goto(&app.url("/auth/sign_out")).await;
    let stories = app
        .get(&format!(
            "/api/v1/roost/accounts/{}/stories",
            alice.account_id
        ))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    let stories = expect_json(stories, 200).await;
    assert_eq!(stories[0]["audience"], "close_friends", "{stories}");

    // bob sees alice's ring, watches, replies; the ring turns seen.
    let bobs = Browser::open(DESKTOP).await;
    sign_in(&bobs, &app, "bob").await;
    wait_until(&bobs, "location.pathname === '/home'", "bob's home").await;
    let ring = format!("a.story-ring[href='/stories/{}']", alice.account_id);
    bobs.wait_for(&ring).await;
    assert_eq!(
        bobs.evaluate(&format!(
            "return document.querySelector(\"{ring}\").classList.contains('seen');"
        ))
        .await,
        Value::Bool(false)
    );
    bobs.click(&ring).await;
    bobs.wait_for("figure.story-media img").await;
    bobs.fill("#story-reply", "What a beach!").await;
    bobs.click("form[action$='/reply'] button[type=submit]")
        .await;
    bobs.wait_for_text("Your reply was sent as a direct message.")
        .await;
    bobs.goto(&app.url("/home")).await;
    bobs.wait_for(&format!("{ring}.seen")).await;
    bobs.assert_no_console_errors().await;

    // The reply is a direct message to alice; bob is among the viewers.
    let conversations = app
        .get("/api/v1/conversations")
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    let conversations = expect_json(conversations, 200).await;
    assert!(conversations[0]["last_status"]["content"]
        .as_str()
        .is_some_and(|html| html.contains("What a beach!")));
    let viewers = app
        .get(&format!(
            "/api/v1/roost/stories/{}/viewers",
            stories[0]["id"].as_str().expect("id")
        ))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    assert_eq!(expect_json(viewers, 200).await[0]["account"]["acct"], "bob");
}

#[sqlx::test]
async fn the_story_pages_refuse_strangers_forged_forms_and_empty_uploads(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    app.sign_up("carol").await;
    let media = crate::helpers::media::upload_ok(&app, &alice, jpeg(100, 200), &[]).await;
    let story = app
        .post("/api/v1/roost/stories")
        .bearer_auth(&alice.access_token)
        .form(&[("media_id", media["id"].as_str().expect("id"))])
        .send()
        .await;
    let story = expect_json(story, 200).await;
    let story_id = story["id"].as_str().expect("id");

    // A visitor is sent to sign in; carol (no follower) finds nothing to watch.
    let mut visitor = WebClient::new(&app);
    let page = visitor.get(&format!("/stories/{}", alice.account_id)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let mut carol = WebClient::new(&app);
    carol.sign_in("carol", PASSWORD).await;
    let page = carol.get(&format!("/stories/{}", alice.account_id)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // A reply without the form token, and a delete by someone else, are refused.
    let forged = carol
        .post_raw(&format!("/stories/{story_id}/reply"), &[("status", "hi")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    carol.get("/home").await;
    let deleted = carol
        .submit(&format!("/stories/{story_id}/delete"), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::NOT_FOUND);
    // The new story form without a file says why.
    carol.get("/stories/new").await;
    let empty = carol
        .submit_multipart(
            "/stories/new",
            reqwest::multipart::Form::new().text("audience", "followers"),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Choose a photo or a video"));
}
