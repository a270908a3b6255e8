//! Roost's public pages in a real headless Chromium (see `helpers::browser`), and the
//! checks the browser tests rely on: that a screenshot is a real rendering and that
//! the console shows Content-Security-Policy violations and script errors.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::browser::{check_rendering, Browser, DESKTOP, PHONE};
use crate::helpers::TestApp;

#[sqlx::test]
async fn a_profile_and_a_post_show_their_author_and_text_in_chromium_at_phone_and_desktop_widths(
    db: PgPool,
) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let form = [("display_name", "Alice Liddell")];
    let _: Value = app
        .as_(&alice)
        .patch("/api/v1/accounts/update_credentials", &form)
        .await
        .expect("the display name is set");
    let post = app
        .as_(&alice)
        .post_status("Down the rabbit hole, in a real browser")
        .await
        .expect("posted");

    let browser = Browser::open(PHONE).await;
    for viewport in [PHONE, DESKTOP] {
        browser.set_viewport(viewport).await;
        browser.goto(&app.url("/@alice")).await;
        browser.wait_for_text("Alice Liddell").await;
        browser
            .screenshot(&format!("public-profile-{}", viewport.name))
            .await;

        browser
            .goto(&app.url(&format!("/@alice/{}", post.id)))
            .await;
        browser
            .wait_for_text("Down the rabbit hole, in a real browser")
            .await;
        assert!(
            browser.body_text().await.contains("alice"),
            "the status page names its author"
        );
        browser
            .screenshot(&format!("public-status-{}", viewport.name))
            .await;
    }
    browser.assert_no_console_errors().await;
}

#[tokio::test]
async fn the_console_check_sees_a_script_blocked_by_the_content_security_policy_and_a_script_error()
{
    let browser = Browser::open(DESKTOP).await;
    // An inline script the page's policy forbids, then an allowed one that throws.
    let page = "data:text/html,<meta http-equiv='Content-Security-Policy' \
                content=\"script-src 'nonce-ok'\"><p>policy test</p>\
                <script>document.title = 'ran'</script>\
                <script nonce='ok'>missingFunction()</script>";
    browser.goto(page).await;
    browser.wait_for_text("policy test").await;

    let entries = browser.console().await;
    assert!(
        entries.iter().any(|entry| entry.is_csp_violation()),
        "a CSP violation is reported: {entries:?}"
    );
    assert!(
        entries
            .iter()
            .any(|entry| entry.is_script_error() && entry.message.contains("missingFunction")),
        "the script error is reported: {entries:?}"
    );
    let failure = tokio::spawn(async move { browser.assert_no_console_errors().await }).await;
    assert!(failure.is_err(), "assert_no_console_errors fails on them");
}

#[tokio::test]
async fn the_browser_fills_a_field_clicks_a_button_and_waits_for_what_the_page_writes() {
    let browser = Browser::open(PHONE).await;
    let page = "data:text/html,<meta name='viewport' content='width=device-width'>\
                <label>Name <input id='name' value='old'></label>\
                <button id='greet' onclick=\"setTimeout(() => document.getElementById('out')\
                .textContent = 'Hello, ' + document.getElementById('name').value, 300)\">Greet</button>\
                <p id='out'></p>";
    browser.goto(page).await;
    browser.fill("#name", "Ada").await;
    browser.click("#greet").await;
    browser.wait_for_text("Hello, Ada").await;
    assert_eq!(
        browser.text("#out").await,
        "Hello, Ada",
        "the old value was replaced"
    );
    assert!(browser.current_url().await.starts_with("data:text/html"));
    assert_eq!(browser.evaluate("return window.innerWidth").await, 390);
    browser.screenshot("browser-helpers-phone").await;
    browser.assert_no_console_errors().await;
}

#[test]
fn a_flat_or_wrongly_sized_screenshot_is_not_a_rendering() {
    let png = |image: image::RgbImage| {
        let mut bytes = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut bytes, image::ImageFormat::Png)
            .expect("encodes");
        bytes.into_inner()
    };
    let blank = png(image::RgbImage::from_pixel(
        390,
        844,
        image::Rgb([255, 255, 255]),
    ));
    let mut drawn = image::RgbImage::from_pixel(390, 844, image::Rgb([255, 255, 255]));
    for x in 20..120 {
        for y in 30..40 {
            drawn.put_pixel(x, y, image::Rgb([20, 20, 20]));
        }
    }
    let drawn = png(drawn);

    assert!(check_rendering(&drawn, 390, 844).is_ok());
    let flat = check_rendering(&blank, 390, 844).expect_err("a blank page is refused");
    assert!(flat.contains("flat colour"), "{flat}");
    let size = check_rendering(&drawn, 1366, 900).expect_err("a wrong size is refused");
    assert!(size.contains("390×844"), "{size}");
    assert!(check_rendering(b"not a png", 390, 844).is_err());
}
