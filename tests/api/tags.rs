//! Hashtags and followed hashtags (<https://docs.joinmastodon.org/methods/tags/>,
//! <https://docs.joinmastodon.org/methods/followed_tags/>): a hashtag with its week of
//! use, following it (its public posts, local and from another server, come into the
//! home timeline and stream), the list of followed hashtags, and bad names.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::client::entities::ids;
use crate::helpers::peers::{instance, second_database, settle};
use crate::helpers::sse::SseReader;
use crate::helpers::TestApp;

#[sqlx::test]
async fn a_hashtag_shows_its_week_of_use_and_whether_it_is_followed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    app.as_(&alice)
        .post_status("#Rust is fun")
        .await
        .expect("posted");
    app.as_(&bob)
        .post_status("more #rust")
        .await
        .expect("posted");

    let tag: Value = app.anonymous().get("/api/v1/tags/RUST").await.expect("tag");
    assert_eq!(tag["name"], "rust");
    assert!(tag["url"].as_str().expect("url").ends_with("/tags/rust"));
    let history = tag["history"].as_array().expect("history");
    assert_eq!(history.len(), 7);
    assert_eq!(history[0]["uses"], "2");
    assert_eq!(history[0]["accounts"], "2");
    assert_eq!(history[1]["uses"], "0");
    assert!(tag.get("following").is_none(), "no token, no following");

    let unused: Value = app
        .as_(&alice)
        .get("/api/v1/tags/nobodyusesthis")
        .await
        .expect("tag");
    assert_eq!(unused["following"], false);
    assert_eq!(unused["history"][0]["uses"], "0");
    let invalid = app.anonymous().get::<Value>("/api/v1/tags/12345").await;
    assert_eq!(invalid.expect_err("digits only").status, 404);
    let refused = app
        .as_(&alice)
        .post::<Value>("/api/v1/tags/no%20space/follow", &[])
        .await;
    assert_eq!(refused.expect_err("invalid").status, 422);
}

#[sqlx::test]
async fn a_followed_hashtags_public_posts_come_home(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let followed: Value = app
        .as_(&alice)
        .post("/api/v1/tags/Cats/follow", &[])
        .await
        .expect("followed");
    assert_eq!(followed["following"], true);
    let mut home = SseReader::open(&app, "/api/v1/streaming/user", &alice).await;

    // The stream starts listening with its first subscriber: post until one arrives.
    let mut streamed = None;
    for attempt in 0..20 {
        let text = format!("look at my #cats {attempt}");
        let id = app.as_(&bob).post_status(&text).await.expect("posted").id;
        let next = tokio::time::timeout(std::time::Duration::from_millis(700), home.next()).await;
        if let Ok(Some((event, data))) = next {
            if event == "update" && data.contains(&id) {
                streamed = Some(id);
                break;
            }
        }
    }
    let streamed = streamed.expect("a followed hashtag's post on the user stream");
    let private = app
        .as_(&bob)
        .post_status_with(&[("status", "#cats for friends"), ("visibility", "private")])
        .await
        .expect("posted");
    let untagged = app.as_(&bob).post_status("no tag").await.expect("posted");
    let timeline = app.as_(&alice).home().await.expect("home");
    let shown = ids(&timeline);
    assert!(shown.contains(&streamed.as_str()), "{shown:?}");
    assert!(!shown.contains(&private.id.as_str()), "only public posts");
    assert!(!shown.contains(&untagged.id.as_str()));

    let listed: Vec<Value> = app
        .as_(&alice)
        .get("/api/v1/followed_tags")
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "cats");
    assert_eq!(listed[0]["following"], true);

    let unfollowed: Value = app
        .as_(&alice)
        .post("/api/v1/tags/cats/unfollow", &[])
        .await
        .expect("unfollowed");
    assert_eq!(unfollowed["following"], false);
    let timeline = app.as_(&alice).home().await.expect("home");
    assert!(
        !ids(&timeline).contains(&streamed.as_str()),
        "gone with the follow"
    );
    let listed: Vec<Value> = app
        .as_(&alice)
        .get("/api/v1/followed_tags")
        .await
        .expect("list");
    assert!(listed.is_empty());
}

#[sqlx::test]
async fn a_followed_hashtag_brings_posts_from_another_server(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let carol = a.sign_up("carol").await;
    // Carol follows bob, so bob's posts reach A; alice only follows the hashtag.
    let bob_on_a = crate::helpers::peers::remote_id(&a, &carol, &format!("bob@{}", b.domain)).await;
    a.as_(&carol).follow(&bob_on_a).await.expect("follows");
    settle(&[&a, &b]).await;
    a.as_(&alice)
        .post::<Value>("/api/v1/tags/fediverse/follow", &[])
        .await
        .expect("followed");

    b.as_(&bob)
        .post_status("hello #Fediverse")
        .await
        .expect("posted");
    settle(&[&a, &b]).await;
    let timeline = a.as_(&alice).home().await.expect("home");
    let texts: Vec<&str> = timeline.iter().map(|s| s.content.as_str()).collect();
    assert_eq!(timeline.len(), 1, "{texts:?}");
    assert!(texts[0].contains("hello"), "{texts:?}");
    assert_eq!(timeline[0].account.acct, format!("bob@{}", b.domain));
}
