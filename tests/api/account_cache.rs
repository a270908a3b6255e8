//! Kept accounts of pages of statuses (`api::entities::account_cache`): a process shows
//! a timeline's authors from memory, yet a new post's count and a profile edit show
//! at once, and an emoji removed by hand in the database (as another process or a
//! tool would) leaves the kept authors that showed it.

use std::time::Duration;

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::media::png;
use crate::helpers::{metric_value, metrics_listener, TestApp, TestUser};
use roost::services::custom_emojis::{self, NewEmoji};

/// How many home reads a warm-up may make before a kept account must be shown.
const WARM_UP_READS: usize = 100;
/// How many reads may still show an emoji removed by hand (see
/// [`emoji_leaves_soon`]).
const NOTIFY_TRIES: usize = 100;

/// The value of `roost_displayed_accounts_total{answer="kept"}` at `metrics_url`.
async fn kept_accounts(metrics_url: &str) -> f64 {
    metric_value(
        metrics_url,
        "roost_displayed_accounts_total{answer=\"kept\"}",
    )
    .await
}

/// Sets `user`'s display name.
async fn rename(app: &TestApp, user: &TestUser, name: &str) {
    let _: Value = app
        .as_(user)
        .patch(
            "/api/v1/accounts/update_credentials",
            &[("display_name", name)],
        )
        .await
        .expect("updated");
}

/// `reader`'s home timeline, newest first.
async fn home(app: &TestApp, reader: &TestUser) -> Vec<Value> {
    app.as_(reader)
        .get("/api/v1/timelines/home")
        .await
        .expect("home timeline")
}

/// Reads `reader`'s home until `metrics_url` counts an account shown from the cache
/// (the cache listens from the first page on, and is used once it does); the last
/// page read.
async fn warm_up(app: &TestApp, reader: &TestUser, metrics_url: &str) -> Vec<Value> {
    for _ in 0..WARM_UP_READS {
        let page = home(app, reader).await;
        if kept_accounts(metrics_url).await > 0.0 {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no account of a page was shown from the cache");
}

async fn post(app: &TestApp, author: &TestUser, text: &str) {
    let _: Value = app
        .as_(author)
        .post("/api/v1/statuses", &[("status", text)])
        .await
        .expect("posted");
}

/// The shortcodes of the emoji the newest status's author shows.
fn author_emoji(page: &[Value]) -> Vec<String> {
    let emojis = page[0]["account"]["emojis"].as_array().expect("emojis");
    (emojis.iter())
        .map(|emoji| emoji["shortcode"].as_str().expect("shortcode").to_owned())
        .collect()
}

/// Reads `reader`'s home until its newest author shows no emoji, at most
/// [`NOTIFY_TRIES`] times: the notification of a change made elsewhere reaches this
/// process a little after its commit. Panics if the emoji stays.
async fn emoji_leaves_soon(app: &TestApp, reader: &TestUser) {
    for _ in 0..NOTIFY_TRIES {
        if author_emoji(&home(app, reader).await).is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the author still shows the removed emoji");
}

#[sqlx::test]
async fn a_kept_author_shows_a_new_posts_count_and_a_profile_edit_at_once(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let metrics_url = metrics_listener(&app).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    app.as_(&bob).follow(&alice).await.expect("followed");
    post(&app, &alice, "one").await;
    let page = warm_up(&app, &bob, &metrics_url).await;
    assert_eq!(page[0]["account"]["statuses_count"], 1);

    // Every write to the row changes its version: the next page reads it again.
    post(&app, &alice, "two").await;
    let page = home(&app, &bob).await;
    assert_eq!(page.len(), 2);
    for status in &page {
        assert_eq!(status["account"]["statuses_count"], 2, "{status}");
    }
    rename(&app, &alice, "Alice Liddell").await;
    let page = home(&app, &bob).await;
    assert_eq!(page[0]["account"]["display_name"], "Alice Liddell");

    // Unchanged, it is kept again.
    let kept = kept_accounts(&metrics_url).await;
    let again = home(&app, &bob).await;
    assert_eq!(again[0]["account"]["display_name"], "Alice Liddell");
    assert!(kept_accounts(&metrics_url).await > kept);
}

#[sqlx::test]
async fn an_emoji_removed_by_hand_leaves_the_kept_authors_that_showed_it(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let metrics_url = metrics_listener(&app).await;
    let new = NewEmoji {
        shortcode: "blobcat",
        image: png(32, 32),
        category: None,
        visible_in_picker: true,
    };
    custom_emojis::add(&app.state, new)
        .await
        .expect("emoji added");
    let alice = app.sign_up("alice").await;
    rename(&app, &alice, "Alice :blobcat:").await;
    post(&app, &alice, "hello").await;
    let page = warm_up(&app, &alice, &metrics_url).await;
    assert_eq!(author_emoji(&page), ["blobcat"]);

    // Removing the emoji leaves the account's row (and so its version) untouched:
    // only `NOTIFY roost_accounts` tells the process.
    sqlx::query("DELETE FROM custom_emojis WHERE shortcode = 'blobcat'")
        .execute(&db)
        .await
        .expect("deleted");
    emoji_leaves_soon(&app, &alice).await;
}
