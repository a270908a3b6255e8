//! Reels and music in the web app, in a real headless Chromium: ann posts a vertical
//! video from the composer as a reel with a song, and bob finds it in the reels feed
//! (the "Reels" link of the menu) with a playable video and the song's link; ann
//! shares a story with a song and bob's story page names it. Also the composer's
//! refusals (a landscape video as a reel, a song without an artist), which keep what
//! was typed.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::browser::{Browser, DESKTOP};
use crate::helpers::media::{fixture_reel, jpeg, video};
use crate::helpers::web::WebClient;
use crate::helpers::{expect_json, scalar, TestApp, PASSWORD};
use crate::web_browser::{sign_in, wait_until};

const SONG_LINK: &str = "https://music.example/track/7";

#[sqlx::test]
async fn a_reel_with_a_song_is_posted_and_watched_in_chromium(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let bob = app.sign_up("bob").await;
    let followed = app
        .post(&format!("/api/v1/accounts/{}/follow", ann.account_id))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(followed, 200).await;
    let files = tempfile::tempdir().expect("temp dir");
    let clip = files.path().join("dance.mp4");
    std::fs::write(&clip, fixture_reel()).expect("written");
    let photo = files.path().join("sky.jpg");
    std::fs::write(&photo, jpeg(360, 640)).expect("written");

    // ann: the composer, a video, a song, "Post as a reel".
    let browser = Browser::open(DESKTOP).await;
    sign_in(&browser, &app, "ann").await;
    wait_until(&browser, "location.pathname === '/home'", "ann's home").await;
    browser.goto(&app.url("/compose")).await;
    browser
        .find("#photo_0")
        .await
        .send_keys(&clip.to_string_lossy())
        .await
        .expect("file chosen");
    browser.fill("#status", "Friday dance").await;
    browser.click(".music-fields summary").await;
    browser.fill("#music_title", "Blue Monday").await;
    browser.fill("#music_artist", "New Order").await;
    browser.fill("#music_url", SONG_LINK).await;
    browser.click("#reel").await;
    browser
        .click("form[action='/compose'] button[type=submit]")
        .await;
    wait_until(
        &browser,
        "/^\\/@ann\\/\\d+$/.test(location.pathname)",
        "the new post's page",
    )
    .await;
    assert!(browser
        .body_text()
        .await
        .contains("New Order – Blue Monday"));
    browser.assert_no_console_errors().await;

    // A story with a song, from the story form.
    browser.goto(&app.url("/stories/new")).await;
    browser
        .find("#media")
        .await
        .send_keys(&photo.to_string_lossy())
        .await
        .expect("file chosen");
    browser.click(".music-fields summary").await;
    browser.fill("#music_title", "Ceremony").await;
    browser.fill("#music_artist", "New Order").await;
    browser
        .click("form[action='/stories/new'] button[type=submit]")
        .await;
    browser.wait_for("figure.story-media img").await;
    assert!(browser.body_text().await.contains("New Order – Ceremony"));
    browser.assert_no_console_errors().await;

    // What the API says ann made.
    let reels = app
        .get("/api/v1/roost/reels")
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    let reels = expect_json(reels, 200).await;
    assert_eq!(reels.as_array().map(Vec::len), Some(1), "{reels}");
    assert_eq!(reels[0]["music"]["url"], SONG_LINK, "{reels}");
    assert_eq!(reels[0]["media_attachments"][0]["type"], "video");

    // bob: the Reels link, the video plays in the page, the song links out.
    let bobs = Browser::open(DESKTOP).await;
    sign_in(&bobs, &app, "bob").await;
    wait_until(&bobs, "location.pathname === '/home'", "bob's home").await;
    bobs.click("nav.site-nav a[href='/reels']").await;
    wait_until(&bobs, "location.pathname === '/reels'", "the reels feed").await;
    bobs.wait_for(".reels video").await;
    let playable = bobs
        .evaluate(
            "const v = document.querySelector('.reels video'); \
             return new Promise(done => { \
               if (v.readyState >= 1) { done(v.videoHeight > v.videoWidth); return; } \
               v.addEventListener('loadedmetadata', () => done(v.videoHeight > v.videoWidth)); \
               v.addEventListener('error', () => done('error')); \
               v.preload = 'metadata'; v.load(); \
               setTimeout(() => done('timeout'), 10000); });",
        )
        .await;
    assert_eq!(playable, Value::Bool(true), "a vertical video that loads");
    let song = bobs
        .evaluate(&format!(
            "return document.querySelector(\".reels .music a[href='{SONG_LINK}']\")?.textContent;"
        ))
        .await;
    assert_eq!(song, Value::String("New Order – Blue Monday".into()));
    bobs.assert_no_console_errors().await;
    // And ann's story on bob's side names its song.
    bobs.goto(&app.url(&format!("/stories/{}", ann.account_id)))
        .await;
    bobs.wait_for("figure.story-media img").await;
    assert!(bobs.body_text().await.contains("♪ New Order – Ceremony"));
}

#[sqlx::test]
async fn the_composer_refuses_a_landscape_reel_and_a_song_without_artist(db: PgPool) {
    let app = TestApp::spawn(db).await;
    app.sign_up("ann").await;
    let mut web = WebClient::new(&app);
    web.sign_in("ann", PASSWORD).await;
    web.get("/compose").await;
    let landscape = reqwest::multipart::Part::bytes(video(160, 90, 1))
        .file_name("wide.mp4")
        .mime_str("video/mp4")
        .expect("mime");
    let form = reqwest::multipart::Form::new()
        .text("status", "Wide")
        .text("reel", "true")
        .part("photo_0", landscape);
    let refused = web.submit_multipart("/compose", form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("A reel is a vertical video"),
        "{}",
        refused.body
    );
    assert!(refused
        .body
        .contains("id=\"reel\" name=\"reel\" type=\"checkbox\" value=\"true\" checked"));

    let form = reqwest::multipart::Form::new()
        .text("status", "A song")
        .text("music[title]", "Blue Monday");
    let refused = web.submit_multipart("/compose", form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("music[artist] can&#39;t be blank"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"Blue Monday\""),
        "what was typed stays"
    );
    assert_eq!(scalar(&app.db, "SELECT count(*) FROM statuses").await, 0);
}
