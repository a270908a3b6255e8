//! Posting, reading and deleting statuses; home, public and account timelines with
//! paging; visibility.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::client::entities::ids;
use crate::helpers::{expect_error, expect_json, TestApp, TestUser};

async fn post(
    app: &TestApp,
    user: &TestUser,
    form: &[(&str, &str)],
) -> reqwest::Result<reqwest::Response> {
    app.post("/api/v1/statuses")
        .bearer_auth(&user.access_token)
        .form(form)
        .send()
        .await
}

async fn posted(app: &TestApp, user: &TestUser, text: &str) -> Value {
    expect_json(post(app, user, &[("status", text)]).await, 200).await
}

async fn ids_at(app: &TestApp, user: Option<&TestUser>, path: &str) -> Vec<String> {
    let mut request = app.get(path);
    if let Some(user) = user {
        request = request.bearer_auth(&user.access_token);
    }
    let list = expect_json(request.send().await, 200).await;
    list.as_array()
        .expect("array")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_owned())
        .collect()
}

#[sqlx::test]
async fn a_posted_status_has_mastodons_fields_and_shows_in_the_timelines(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let status = posted(&app, &alice, "Hello <world>\n\nsecond paragraph").await;
    let id = status["id"].as_str().expect("string id").to_owned();
    assert_eq!(
        status["content"],
        "<p>Hello &lt;world&gt;</p><p>second paragraph</p>"
    );
    assert_eq!(status["visibility"], "public");
    assert_eq!(status["account"]["username"], "alice");
    // The author as this post left it (the insert answers it with the counters moved).
    assert_eq!(status["account"]["statuses_count"], 1);
    assert!(status["account"]["last_status_at"].is_string());
    assert_eq!(
        status["uri"],
        format!("{}/users/alice/statuses/{id}", app.base)
    );
    assert_eq!(status["url"], format!("{}/@alice/{id}", app.base));
    for field in ["replies_count", "reblogs_count", "favourites_count"] {
        assert_eq!(status[field], 0, "{field}");
    }
    for field in ["favourited", "reblogged", "bookmarked", "muted"] {
        assert_eq!(status[field], false, "{field}");
    }
    assert!(
        status["reblog"].is_null()
            && status["in_reply_to_id"].is_null()
            && status["edited_at"].is_null()
    );
    assert_eq!(status["media_attachments"], serde_json::json!([]));

    let fetched = expect_json(app.get(&format!("/api/v1/statuses/{id}")).send().await, 200).await;
    assert_eq!(fetched["content"], status["content"]);
    assert!(
        fetched.get("favourited").is_none(),
        "anonymous readers get no viewer flags"
    );
    assert_eq!(
        ids_at(&app, Some(&alice), "/api/v1/timelines/home").await,
        vec![id.clone()]
    );
    assert_eq!(
        ids_at(&app, None, "/api/v1/timelines/public").await,
        vec![id.clone()]
    );
    assert_eq!(
        ids_at(&app, None, "/api/v1/timelines/public?local=true").await,
        vec![id.clone()]
    );
    assert!(ids_at(&app, None, "/api/v1/timelines/public?remote=true")
        .await
        .is_empty());
    assert_eq!(
        ids_at(
            &app,
            None,
            &format!("/api/v1/accounts/{}/statuses", alice.account_id)
        )
        .await,
        vec![id]
    );
    let me = expect_json(
        app.get(&format!("/api/v1/accounts/{}", alice.account_id))
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(me["statuses_count"], 1);
    assert!(me["last_status_at"].is_string());
}

#[sqlx::test]
async fn bad_statuses_are_refused_with_clear_errors(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    expect_error(post(&app, &alice, &[("status", "  ")]).await, 422).await;
    expect_error(
        post(&app, &alice, &[("status", &"a".repeat(501))]).await,
        422,
    )
    .await;
    expect_json(
        post(&app, &alice, &[("status", &"a".repeat(500))]).await,
        200,
    )
    .await;
    expect_error(
        post(
            &app,
            &alice,
            &[("status", "hi"), ("visibility", "everyone")],
        )
        .await,
        422,
    )
    .await;
    expect_error(
        post(
            &app,
            &alice,
            &[("status", "hi"), ("in_reply_to_id", "999999")],
        )
        .await,
        404,
    )
    .await;
    expect_error(
        post(
            &app,
            &alice,
            &[("status", "hi"), ("in_reply_to_id", "nope")],
        )
        .await,
        404,
    )
    .await;
    let anonymous = app
        .post("/api/v1/statuses")
        .form(&[("status", "hi")])
        .send()
        .await;
    expect_error(anonymous, 401).await;
    let read_only = app.create_app("read").await;
    let token = app
        .token_request(
            &read_only,
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await;
    let token = expect_json(Ok(token), 200).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let forbidden = app
        .post("/api/v1/statuses")
        .bearer_auth(token)
        .form(&[("status", "hi")])
        .send()
        .await;
    expect_error(forbidden, 403).await;
}

#[sqlx::test]
async fn replies_count_and_deleting_removes_a_status_everywhere(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let parent = app.as_(&alice).post_status("parent").await.expect("posts");
    let reply = app
        .as_(&bob)
        .reply(&parent, "reply")
        .await
        .expect("replies");
    assert_eq!(reply.in_reply_to_id.as_deref(), Some(parent.id.as_str()));
    assert_eq!(
        reply.in_reply_to_account_id.as_deref(),
        Some(alice.account_id.as_str())
    );
    let parent = app.anonymous().status(&parent).await.expect("public");
    assert_eq!(parent.replies_count, 1);

    let not_hers = app.as_(&alice).delete_status(&reply).await;
    assert_eq!(not_hers.expect_err("not alice's").status, 404);
    let deleted = app.as_(&bob).delete_status(&reply).await.expect("deletes");
    assert_eq!(
        deleted.text.as_deref(),
        Some("reply"),
        "delete returns the source for redrafting"
    );
    let gone = app.anonymous().status(&reply).await.expect_err("deleted");
    assert_eq!(gone.status, 404);
    let public = app.anonymous().public().await.expect("public timeline");
    assert!(!ids(&public).contains(&reply.id.as_str()));
    let parent = app.anonymous().status(&parent).await.expect("public");
    assert_eq!(parent.replies_count, 0);
    let bob_now = app.anonymous().account(&bob).await.expect("bob");
    assert_eq!(bob_now.statuses_count, 0);
    let again = app.as_(&bob).delete_status(&reply).await;
    assert_eq!(again.expect_err("already deleted").status, 404);
}

#[sqlx::test]
async fn followers_only_statuses_reach_followers_and_nobody_else(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let follow = app.as_(&bob).follow(&alice).await.expect("follows");
    assert!(follow.following);
    let private = app
        .as_(&alice)
        .post_status_with(&[("status", "only friends"), ("visibility", "private")])
        .await
        .expect("posts");
    assert_eq!(private.visibility, "private");
    let bobs_home = app.as_(&bob).home().await.expect("home");
    assert_eq!(ids(&bobs_home), [private.id.as_str()]);
    app.as_(&bob)
        .status(&private)
        .await
        .expect("a follower sees it");
    let unseen = app.as_(&carol).status(&private).await.expect_err("hidden");
    assert_eq!(unseen.status, 404);
    let anonymous = app.anonymous().status(&private).await.expect_err("hidden");
    assert_eq!(anonymous.status, 404);
    let public = app.as_(&carol).public().await.expect("public timeline");
    assert!(public.is_empty());
    let for_carol = app
        .as_(&carol)
        .account_statuses(&alice)
        .await
        .expect("list");
    assert!(for_carol.is_empty());
    let for_bob = app.as_(&bob).account_statuses(&alice).await.expect("list");
    assert_eq!(ids(&for_bob), [private.id.as_str()]);
}

#[sqlx::test]
async fn timelines_page_without_gaps_or_duplicates(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let mut posted_ids = Vec::new();
    for n in 0..7 {
        posted_ids.push(
            posted(&app, &alice, &format!("post {n}")).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    posted_ids.reverse();
    let mut seen = Vec::new();
    let mut next = Some(format!("{}/api/v1/timelines/home?limit=3", app.base));
    while let Some(url) = next.take() {
        let response = app
            .client
            .get(&url)
            .bearer_auth(&alice.access_token)
            .send()
            .await
            .expect("sent");
        let link = response
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let page: Value = response.json().await.expect("json");
        let page_ids: Vec<String> = page
            .as_array()
            .expect("array")
            .iter()
            .map(|s| s["id"].as_str().expect("id").to_owned())
            .collect();
        if page_ids.is_empty() {
            break;
        }
        seen.extend(page_ids);
        next = link.and_then(|l| {
            l.split(", ")
                .find(|p| p.ends_with("rel=\"next\""))
                .map(|p| {
                    p.trim_start_matches('<')
                        .split('>')
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                })
        });
        assert!(seen.len() <= 7, "paging does not end");
    }
    assert_eq!(seen, posted_ids);
    let newer = ids_at(
        &app,
        Some(&alice),
        &format!("/api/v1/timelines/home?min_id={}&limit=2", posted_ids[4]),
    )
    .await;
    assert_eq!(newer, vec![posted_ids[2].clone(), posted_ids[3].clone()]);
    let since = ids_at(
        &app,
        Some(&alice),
        &format!("/api/v1/timelines/home?since_id={}&limit=2", posted_ids[4]),
    )
    .await;
    assert_eq!(since, vec![posted_ids[0].clone(), posted_ids[1].clone()]);
}

#[sqlx::test]
async fn the_same_idempotency_key_returns_the_same_status(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let send = || {
        app.post("/api/v1/statuses")
            .bearer_auth(&alice.access_token)
            .header("Idempotency-Key", "abc-123")
            .form(&[("status", "once")])
            .send()
    };
    let first = expect_json(send().await, 200).await;
    let second = expect_json(send().await, 200).await;
    assert_eq!(first["id"], second["id"]);
    assert_eq!(
        ids_at(&app, Some(&alice), "/api/v1/timelines/home")
            .await
            .len(),
        1
    );
}

#[sqlx::test]
async fn editing_keeps_a_history_and_only_the_author_may_edit(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let id = posted(&app, &alice, "first version").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let history = expect_json(
        app.get(&format!("/api/v1/statuses/{id}/history"))
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(
        history.as_array().expect("array").len(),
        1,
        "an unedited status has one version"
    );

    let edit = |user: &TestUser, text: &'static str| {
        app.client
            .put(app.url(&format!("/api/v1/statuses/{id}")))
            .bearer_auth(user.access_token.clone())
            .form(&[("status", text), ("spoiler_text", "cw")])
            .send()
    };
    expect_error(edit(&bob, "hijacked").await, 404).await;
    let edited = expect_json(edit(&alice, "second version").await, 200).await;
    assert_eq!(edited["content"], "<p>second version</p>");
    assert_eq!(edited["spoiler_text"], "cw");
    assert_eq!(edited["sensitive"], true);
    assert!(edited["edited_at"].is_string());
    expect_json(edit(&alice, "third version").await, 200).await;

    let history = expect_json(
        app.get(&format!("/api/v1/statuses/{id}/history"))
            .send()
            .await,
        200,
    )
    .await;
    let contents: Vec<&str> = history
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v["content"].as_str().expect("content"))
        .collect();
    assert_eq!(
        contents,
        vec![
            "<p>first version</p>",
            "<p>second version</p>",
            "<p>third version</p>"
        ]
    );
    assert_eq!(history[0]["account"]["username"], "alice");
    let source = expect_json(
        app.get(&format!("/api/v1/statuses/{id}/source"))
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(
        (source["text"].clone(), source["spoiler_text"].clone()),
        ("third version".into(), "cw".into())
    );
    expect_error(
        app.get(&format!("/api/v1/statuses/{id}/source"))
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        404,
    )
    .await;
    let too_long = app
        .client
        .put(app.url(&format!("/api/v1/statuses/{id}")))
        .bearer_auth(&alice.access_token)
        .form(&[("status", "x".repeat(501))])
        .send()
        .await;
    expect_error(too_long, 422).await;
}

#[sqlx::test]
async fn account_statuses_filter_pinned_replies_and_media(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let first = posted(&app, &alice, "first").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let reply = expect_json(
        post(
            &app,
            &alice,
            &[("status", "reply"), ("in_reply_to_id", &first)],
        )
        .await,
        200,
    )
    .await;
    let pinned = app
        .post(&format!("/api/v1/statuses/{first}/pin"))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(pinned, 200).await;
    let base = format!("/api/v1/accounts/{}/statuses", alice.account_id);
    assert_eq!(
        ids_at(&app, None, &format!("{base}?pinned=true")).await,
        vec![first.clone()]
    );
    let all = ids_at(&app, None, &base).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0], reply["id"].as_str().expect("id"));
    // A self-reply (a thread) is kept by exclude_replies, as in Mastodon.
    assert_eq!(
        ids_at(&app, None, &format!("{base}?exclude_replies=true"))
            .await
            .len(),
        2
    );
    assert!(ids_at(&app, None, &format!("{base}?only_media=true"))
        .await
        .is_empty());
}

#[sqlx::test]
async fn mentions_and_hashtags_are_linked_and_direct_statuses_reach_only_the_mentioned(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let status = posted(
        &app,
        &alice,
        "Hi @bob and @nobody, see https://example.org/a #Rust #rust",
    )
    .await;
    let content = status["content"].as_str().expect("content");
    assert!(
        content.contains(&format!(
            "<a href=\"{}/@bob\" class=\"u-url mention\">@<span>bob</span></a>",
            app.base
        )),
        "{content}"
    );
    assert!(
        content.contains("@nobody"),
        "an unknown mention stays text: {content}"
    );
    assert!(
        content.contains("<a href=\"https://example.org/a\""),
        "{content}"
    );
    assert_eq!(status["mentions"][0]["acct"], "bob");
    assert_eq!(status["mentions"].as_array().expect("array").len(), 1);
    assert_eq!(
        status["tags"],
        serde_json::json!([{"name": "rust", "url": format!("{}/tags/rust", app.base)}])
    );
    let id = status["id"].as_str().expect("id").to_owned();
    assert_eq!(
        ids_at(&app, None, "/api/v1/timelines/tag/Rust").await,
        vec![id.clone()]
    );
    assert!(ids_at(&app, None, "/api/v1/timelines/tag/go")
        .await
        .is_empty());
    assert_eq!(
        ids_at(
            &app,
            None,
            &format!("/api/v1/accounts/{}/statuses?tagged=rust", alice.account_id)
        )
        .await,
        vec![id]
    );

    let direct = expect_json(
        post(
            &app,
            &alice,
            &[("status", "@bob psst"), ("visibility", "direct")],
        )
        .await,
        200,
    )
    .await;
    let direct_id = direct["id"].as_str().expect("id").to_owned();
    let for_bob = app
        .get(&format!("/api/v1/statuses/{direct_id}"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_json(for_bob, 200).await;
    let for_carol = app
        .get(&format!("/api/v1/statuses/{direct_id}"))
        .bearer_auth(&carol.access_token)
        .send()
        .await;
    expect_error(for_carol, 404).await;
    assert!(!ids_at(&app, None, "/api/v1/timelines/public")
        .await
        .contains(&direct_id));
    assert!(!ids_at(
        &app,
        Some(&carol),
        &format!("/api/v1/accounts/{}/statuses", alice.account_id)
    )
    .await
    .contains(&direct_id));
}

#[sqlx::test]
async fn links_count_as_twenty_three_characters(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let long_url = format!("https://example.org/{}", "a".repeat(600));
    let text = format!("{} {long_url}", "x".repeat(476));
    expect_json(post(&app, &alice, &[("status", &text)]).await, 200).await;
    let too_long = format!("{} {long_url}", "x".repeat(477));
    expect_error(post(&app, &alice, &[("status", &too_long)]).await, 422).await;
}

#[sqlx::test]
async fn the_length_limit_is_configurable_and_announced(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--max-status-characters", "10"]).await;
    let alice = app.sign_up("alice").await;
    expect_json(post(&app, &alice, &[("status", "0123456789")]).await, 200).await;
    expect_error(post(&app, &alice, &[("status", "0123456789a")]).await, 422).await;
    let instance = expect_json(app.get("/api/v2/instance").send().await, 200).await;
    assert_eq!(instance["configuration"]["statuses"]["max_characters"], 10);
}

#[sqlx::test]
async fn link_headers_keep_the_filters_and_home_shows_ones_own_replies(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let bobs = posted(&app, &bob, "bob's post").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let reply = expect_json(
        post(
            &app,
            &alice,
            &[("status", "alice answers"), ("in_reply_to_id", &bobs)],
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        ids_at(&app, Some(&alice), "/api/v1/timelines/home").await,
        vec![reply["id"].as_str().expect("id").to_owned()]
    );

    let response = app
        .get("/api/v1/timelines/public?local=true&limit=1")
        .send()
        .await
        .expect("sent");
    let link = response
        .headers()
        .get("link")
        .and_then(|v| v.to_str().ok())
        .expect("Link header")
        .to_owned();
    assert!(
        link.contains("/api/v1/timelines/public?local=true&limit=1&max_id="),
        "{link}"
    );
    let path = format!(
        "/api/v1/accounts/{}/statuses?exclude_replies=true&limit=1",
        bob.account_id
    );
    let response = app.get(&path).send().await.expect("sent");
    let link = response
        .headers()
        .get("link")
        .and_then(|v| v.to_str().ok())
        .expect("Link header")
        .to_owned();
    assert!(link.contains("exclude_replies=true"), "{link}");
}

#[sqlx::test]
async fn a_follow_brings_earlier_statuses_home_and_an_unfollow_takes_them_away(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let (alice_posts, bob_reads) = (app.as_(&alice), app.as_(&bob));
    let earlier = alice_posts
        .post_status("before the follow")
        .await
        .expect("posts");
    let own = bob_reads.post_status("bob's own").await.expect("posts");
    let home = bob_reads.home().await.expect("home");
    assert_eq!(ids(&home), [own.id.as_str()]);
    let follow = bob_reads.follow(&alice).await.expect("follows");
    assert!(follow.following);
    let later = alice_posts
        .post_status("after the follow")
        .await
        .expect("posts");
    let home = bob_reads.home().await.expect("home");
    assert_eq!(ids(&home), [&later.id, &own.id, &earlier.id]);
    let unfollow = bob_reads.unfollow(&alice).await.expect("unfollows");
    assert!(!unfollow.following);
    let home = bob_reads.home().await.expect("home");
    assert_eq!(ids(&home), [own.id.as_str()]);
}

#[sqlx::test]
async fn home_feeds_are_trimmed_to_their_newest_entries(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let depth = roost::maintenance::HOME_FEED_DEPTH;
    // More statuses than a feed keeps, written straight to the table (the fan-out
    // trigger files each one in alice's feed).
    sqlx::query(
        "INSERT INTO statuses (account_id, local, text, content, visibility) \
         SELECT $1, true, 'n' || g, '<p>n' || g || '</p>', 'public' FROM generate_series(1, $2) g",
    )
    .bind(alice.account_id.parse::<i64>().expect("numeric id"))
    .bind(depth + 5)
    .execute(&db)
    .await
    .expect("insert statuses");
    let newest = ids_at(&app, Some(&alice), "/api/v1/timelines/home?limit=1").await;
    assert_eq!(
        roost::maintenance::trim_home_feeds(&db)
            .await
            .expect("trim"),
        5
    );
    let entries: i64 = sqlx::query_scalar("SELECT count(*) FROM home_feed_entries")
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(entries, depth);
    assert_eq!(
        ids_at(&app, Some(&alice), "/api/v1/timelines/home?limit=1").await,
        newest
    );
}

#[sqlx::test]
async fn a_home_page_is_filled_from_past_many_hidden_entries_of_the_feed(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    let follow = app.as_(&alice).follow(&bob).await.expect("follows");
    assert!(follow.following);
    let follow = app.as_(&alice).follow(&carol).await.expect("follows");
    assert!(follow.following);
    let older: Vec<String> = [
        posted(&app, &carol, "carol one").await,
        posted(&app, &carol, "carol two").await,
    ]
    .iter()
    .rev()
    .map(|status| status["id"].as_str().expect("id").to_owned())
    .collect();
    // Many newer statuses by bob (written straight to the table; the fan-out trigger
    // files each in alice's feed), hidden from alice by a mute: more than the first
    // part of the feed a page reads.
    sqlx::query(
        "INSERT INTO statuses (account_id, local, text, content, visibility) \
         SELECT $1, true, 'b' || g, '<p>b' || g || '</p>', 'public' FROM generate_series(1, 120) g",
    )
    .bind(bob.account_id.parse::<i64>().expect("numeric id"))
    .execute(&db)
    .await
    .expect("insert statuses");
    let muted = app
        .post(&format!("/api/v1/accounts/{}/mute", bob.account_id))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    assert_eq!(expect_json(muted, 200).await["muting"], true);
    assert_eq!(
        ids_at(&app, Some(&alice), "/api/v1/timelines/home?limit=5").await,
        older
    );
    // Paging up from carol's first status: her second, then nothing (only muted ones).
    assert_eq!(
        ids_at(
            &app,
            Some(&alice),
            &format!("/api/v1/timelines/home?limit=5&min_id={}", older[1])
        )
        .await,
        vec![older[0].clone()]
    );
    assert_eq!(
        ids_at(
            &app,
            Some(&alice),
            &format!("/api/v1/timelines/home?limit=5&min_id={}", older[0])
        )
        .await,
        Vec::<String>::new()
    );
}

#[sqlx::test]
async fn concurrent_posts_with_the_same_hashtags_in_different_orders_all_succeed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let names: Vec<String> = (0..12).map(|i| format!("#tag{i}")).collect();
    // The tags exist already, so each post locks existing rows.
    let alice = app.sign_up("alice").await;
    posted(&app, &alice, &names.join(" ")).await;
    let mut users = Vec::new();
    for i in 0..4 {
        users.push(app.sign_up(&format!("user{i}")).await);
    }
    let mut texts = Vec::new();
    for k in 0..16 {
        let mut order = names.clone();
        order.rotate_left(k % names.len());
        if k % 2 == 1 {
            order.reverse();
        }
        texts.push(order.join(" "));
    }
    let forms: Vec<[(&str, &str); 1]> = texts
        .iter()
        .map(|text| [("status", text.as_str())])
        .collect();
    let posts = forms
        .iter()
        .enumerate()
        .map(|(k, form)| post(&app, &users[k % users.len()], form));
    for response in futures_util::future::join_all(posts).await {
        let status = expect_json(response, 200).await;
        assert_eq!(status["tags"].as_array().map(Vec::len), Some(12));
    }
}

#[sqlx::test]
async fn a_new_status_is_answered_exactly_as_it_reads_back(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    app.sign_up("bob").await;
    app.sign_up("carol").await;
    let posted = posted(&app, &alice, "@carol @bob #Zed #alpha #zed hello").await;
    assert_eq!(posted["mentions"].as_array().map(Vec::len), Some(2));
    assert_eq!(posted["tags"].as_array().map(Vec::len), Some(2));
    let id = posted["id"].as_str().expect("id");
    let read = expect_json(
        app.get(&format!("/api/v1/statuses/{id}"))
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(posted, read);
}

/// `GET /api/v1/statuses?id[]=…` (Mastodon 4.3): the statuses the caller may see, in
/// the order asked; others (private to someone else, unknown) are left out; at most 20.
#[sqlx::test]
async fn several_statuses_are_fetched_at_once_as_the_caller_may_see_them(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let public = app
        .as_(&alice)
        .post_status("for everyone")
        .await
        .expect("post");
    let private = app
        .as_(&alice)
        .post_status_with(&[("status", "followers only"), ("visibility", "private")])
        .await
        .expect("post");
    let path = format!(
        "/api/v1/statuses?id[]={}&id[]=999999&id[]={}",
        private.id, public.id
    );
    let own: Vec<crate::helpers::client::entities::Status> =
        app.as_(&alice).get(&path).await.expect("alice's view");
    assert_eq!(ids(&own), [private.id.as_str(), public.id.as_str()]);
    let others: Vec<crate::helpers::client::entities::Status> =
        app.as_(&bob).get(&path).await.expect("bob's view");
    assert_eq!(ids(&others), [public.id.as_str()]);
    let anonymous: Vec<crate::helpers::client::entities::Status> =
        app.anonymous().get(&path).await.expect("anonymous view");
    assert_eq!(ids(&anonymous), [public.id.as_str()]);

    let too_many: String = (1..=21).map(|n| format!("id[]={n}&")).collect();
    let refused = app
        .anonymous()
        .get::<Value>(&format!("/api/v1/statuses?{too_many}"))
        .await
        .expect_err("21 ids");
    assert_eq!(refused.status, 422);
}
