//! The public pages a browser gets (landing, about, profiles, posts, tags, feeds), for
//! a signed-out visitor, a follower and a stranger, with their security headers and
//! link-preview metadata. The signed-in app is in `web_app.rs`, real Chromium runs in
//! `browser.rs` and `web_browser.rs`.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::web::{WebClient, BROWSER_ACCEPT};
use crate::helpers::{TestApp, PASSWORD};

#[sqlx::test]
async fn a_signed_out_visitor_gets_the_landing_about_profile_post_tag_and_feed_pages(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let api = app.as_(&alice);
    let _: Value = api
        .patch(
            "/api/v1/accounts/update_credentials",
            &[
                ("display_name", "Alice <Liddell>"),
                ("note", "Curious & curiouser"),
            ],
        )
        .await
        .expect("profile set");
    let public = api
        .post_status("Down the #rabbithole we go")
        .await
        .expect("posted");
    let unlisted = api
        .post_status_with(&[
            ("status", "A quiet unlisted thought"),
            ("visibility", "unlisted"),
        ])
        .await
        .expect("posted");
    let private = api
        .post_status_with(&[
            ("status", "Only for my followers"),
            ("visibility", "private"),
        ])
        .await
        .expect("posted");
    let mut visitor = WebClient::new(&app);

    let landing = visitor.get("/").await;
    assert_eq!(landing.status, StatusCode::OK);
    assert!(landing.header("content-type").starts_with("text/html"));
    assert!(landing.body.contains("Create account") && landing.body.contains("Down the"));
    let policy = landing.header("content-security-policy");
    assert!(
        policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"),
        "{policy}"
    );
    assert_eq!(landing.header("x-frame-options"), "DENY");
    assert_eq!(visitor.get("/about").await.status, StatusCode::OK);

    let profile = visitor.get("/@alice").await;
    assert_eq!(profile.status, StatusCode::OK);
    let name_at = profile
        .body
        .find("Alice")
        .map(|at| &profile.body[at..at + 40]);
    assert!(
        profile.body.contains("Alice &#60;Liddell&#62;"),
        "names are escaped: {name_at:?}"
    );
    assert!(profile.body.contains("Curious &amp; curiouser"));
    assert!(
        profile.body.contains("rabbithole") && profile.body.contains("A quiet unlisted thought")
    );
    assert!(
        !profile.body.contains("Only for my followers"),
        "followers-only posts stay hidden"
    );
    assert!(profile.body.contains("og:title") && profile.body.contains("application/rss+xml"));
    assert!(profile
        .body
        .contains("rel=\"alternate\" type=\"application/activity+json\""));
    assert!(profile.header("vary").contains("Accept"));

    let post = visitor.get(&format!("/@alice/{}", public.id)).await;
    assert_eq!(post.status, StatusCode::OK);
    assert!(post.body.contains("og:description") && post.body.contains("application/json+oembed"));
    assert!(post.body.contains("/tags/rabbithole\""));
    assert_eq!(
        visitor
            .get(&format!("/@alice/{}", unlisted.id))
            .await
            .status,
        StatusCode::OK
    );
    let hidden = visitor.get(&format!("/@alice/{}", private.id)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(!hidden.body.contains("Only for my followers"));
    assert!(
        hidden.header("content-type").starts_with("text/html"),
        "browsers get an HTML 404"
    );

    let tag = visitor.get("/tags/rabbithole").await;
    assert_eq!(tag.status, StatusCode::OK);
    assert!(tag.body.contains("Down the"));

    let feed = visitor.get("/@alice.rss").await;
    assert!(feed
        .header("content-type")
        .starts_with("application/rss+xml"));
    assert!(feed.body.contains("<rss") && feed.body.contains("Down the"));
    assert!(!feed.body.contains("unlisted thought") && !feed.body.contains("followers"));
    let tag_feed = visitor.get("/tags/rabbithole.rss").await;
    assert!(tag_feed.body.contains(&format!("/@alice/{}", public.id)));

    let missing = visitor.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.header("content-type").starts_with("text/html"));
    let api_missing = app.get("/api/v1/no_such_thing").send().await.expect("sent");
    assert_eq!(api_missing.status(), StatusCode::NOT_FOUND);
    let json: Value = api_missing.json().await.expect("json");
    assert!(
        json["error"].is_string(),
        "API clients still get Mastodon's JSON error"
    );
    let actor = app
        .get("/@alice")
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("sent");
    assert!(actor.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .contains("activity+json"));
}

#[sqlx::test]
async fn followers_only_and_direct_posts_show_to_whom_they_are_for_and_to_nobody_else(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let _carol = app.sign_up("carol").await;
    app.as_(&bob).follow(&alice).await.expect("followed");
    let api = app.as_(&alice);
    let private = api
        .post_status_with(&[("status", "For followers only"), ("visibility", "private")])
        .await
        .expect("posted");
    let direct = api
        .post_status_with(&[("status", "@bob a secret note"), ("visibility", "direct")])
        .await
        .expect("posted");

    let mut follower = WebClient::new(&app);
    assert_eq!(
        follower.sign_in("bob", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let mut stranger = WebClient::new(&app);
    assert_eq!(
        stranger.sign_in("carol", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let mut visitor = WebClient::new(&app);

    let seen_by_follower = follower.get("/@alice").await;
    assert!(seen_by_follower.body.contains("For followers only"));
    assert_eq!(
        follower
            .get(&format!("/@alice/{}", private.id))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        follower.get(&format!("/@alice/{}", direct.id)).await.status,
        StatusCode::OK
    );

    for other in [&mut stranger, &mut visitor] {
        let profile = other.get("/@alice").await;
        assert!(
            !profile.body.contains("For followers only") && !profile.body.contains("secret note")
        );
        assert_eq!(
            other.get(&format!("/@alice/{}", private.id)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            other.get(&format!("/@alice/{}", direct.id)).await.status,
            StatusCode::NOT_FOUND
        );
    }
    let home = follower.get("/home").await;
    assert!(
        home.body.contains("For followers only"),
        "the follower's home feed has it"
    );
}

#[sqlx::test]
async fn accounts_that_are_not_indexable_ask_search_engines_to_stay_away(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let post = app.as_(&alice).post_status("hello").await.expect("posted");
    let mut visitor = WebClient::new(&app);
    for (indexable, expected) in [("true", false), ("false", true)] {
        let _: Value = app
            .as_(&alice)
            .patch(
                "/api/v1/accounts/update_credentials",
                &[("indexable", indexable)],
            )
            .await
            .expect("set");
        for path in ["/@alice".to_owned(), format!("/@alice/{}", post.id)] {
            let page = visitor.get(&path).await;
            assert_eq!(
                page.body.contains("name=\"robots\" content=\"noindex"),
                expected,
                "{path} indexable={indexable}"
            );
        }
    }
}

#[sqlx::test]
async fn the_assets_are_fingerprinted_and_cached_and_unknown_ones_are_not_found(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let mut visitor = WebClient::new(&app);
    let landing = visitor.get("/").await;
    let css = landing
        .body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("stylesheet linked")
        .to_owned();
    assert!(css.starts_with("/assets/app-") && css.ends_with(".css"));
    let response = app.get(&css).send().await.expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["cache-control"]
        .to_str()
        .unwrap_or_default()
        .contains("immutable"));
    let old = app
        .get("/assets/app-0000000000.css")
        .send()
        .await
        .expect("sent");
    assert_eq!(old.status(), StatusCode::NOT_FOUND);
    let page = app
        .get("/@nobody")
        .header("accept", BROWSER_ACCEPT)
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn a_post_page_lists_who_liked_it_newest_first(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let post = app
        .as_(&alice)
        .post_status("Tea at six")
        .await
        .expect("posted");
    let mut visitor = WebClient::new(&app);
    let path = format!("/@alice/{}", post.id);
    let before = visitor.get(&path).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(!before.body.contains("Liked by"), "no likes, no list");

    for name in ["hatter", "hare"] {
        let liker = app.sign_up(name).await;
        app.as_(&liker).favourite(&post).await.expect("liked");
    }
    let page = visitor.get(&path).await.body;
    let listed = page.find("Liked by").expect("the likers are listed");
    let hare = page[listed..].find("/@hare").expect("hare is listed");
    let hatter = page[listed..].find("/@hatter").expect("hatter is listed");
    assert!(hare < hatter, "newest like first");
}
