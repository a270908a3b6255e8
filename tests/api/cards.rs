//! Link preview cards (`Status.card`, <https://docs.joinmastodon.org/entities/PreviewCard/>):
//! fetched by the queue after posting (never in the posting request), from OpenGraph
//! or oEmbed metadata, one fetch per URL; pages that hang, stream forever, are not
//! HTML or redirect in a loop give no card and no error to the poster.

use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::pages::{Site, OEMBED_TITLE, OG_TITLE};
use crate::helpers::sse::{warm_up, SseReader};
use crate::helpers::{expect_json, TestApp, TestUser};
use roost::services::cards::worker;

/// An instance that fetches cards, with its workers off so the test drives the queue.
async fn app_with_cards(db: PgPool) -> TestApp {
    TestApp::spawn_with(db, &["--workers", "false", "--preview-cards", "true"]).await
}

/// Posts `text` publicly as `user` and returns the status, checking the request did not
/// wait for any page.
async fn post(app: &TestApp, user: &TestUser, text: &str) -> Value {
    let started = Instant::now();
    let status: Value = app
        .as_(user)
        .post("/api/v1/statuses", &[("status", text)])
        .await
        .expect("posted");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "posting waited for a page"
    );
    status
}

async fn card_of(app: &TestApp, user: &TestUser, status: &Value) -> Value {
    let id = status["id"].as_str().expect("id");
    let read: Value = app
        .as_(user)
        .get(&format!("/api/v1/statuses/{id}"))
        .await
        .expect("reads");
    read["card"].clone()
}

/// Runs the card queue until no fetch is due within a few seconds (a busy host's rows
/// wait for its next slot), within a minute.
async fn drain(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        worker::run_once(&app.state).await.expect("fetches");
        let due: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM preview_card_fetches WHERE next_attempt_at < now() + interval '3 seconds'",
        )
        .fetch_one(&app.db)
        .await
        .expect("counts");
        if due == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "the card queue did not drain");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[sqlx::test]
async fn an_opengraph_page_gives_a_card_with_a_stored_image_fetched_once(db: PgPool) {
    let site = Site::start().await;
    let app = app_with_cards(db).await;
    let alice = app.sign_up("alice").await;
    let first = post(&app, &alice, &format!("Look: {}", site.url("/og"))).await;
    assert_eq!(
        first["card"],
        Value::Null,
        "no card before the page is fetched"
    );
    drain(&app).await;
    let card = card_of(&app, &alice, &first).await;
    assert_eq!(card["title"], OG_TITLE);
    assert_eq!(card["description"], "What the page is about");
    assert_eq!(card["provider_name"], "Test site");
    assert_eq!(card["type"], "link");
    assert_eq!(card["url"], site.url("/og"));
    assert_eq!(card["image_description"], "A test picture");
    assert_eq!(card["language"], "en");
    assert_eq!(card["html"], "");
    assert!(card["blurhash"]
        .as_str()
        .is_some_and(|hash| !hash.is_empty()));
    assert_eq!(
        (card["width"].as_i64(), card["height"].as_i64()),
        (Some(400), Some(200))
    );
    let image = card["image"].as_str().expect("an image");
    assert!(
        image.starts_with(&app.base),
        "the image is served by Roost: {image}"
    );
    let served = app.client.get(image).send().await.expect("image answers");
    assert_eq!(served.status(), 200);

    // Another post (by someone else) linking the same page shows the card at once,
    // without a second fetch.
    let bob = app.sign_up("bob").await;
    let second = post(&app, &bob, &format!("Same: {}", site.url("/og"))).await;
    drain(&app).await;
    assert_eq!(card_of(&app, &bob, &second).await["title"], OG_TITLE);
    assert_eq!(site.hits("/og"), 1, "the page is fetched once");
    assert_eq!(site.hits("/image.png"), 1, "the image is fetched once");
    let home: Value = app
        .as_(&bob)
        .get("/api/v1/timelines/home")
        .await
        .expect("home");
    assert_eq!(
        home[0]["card"]["title"], OG_TITLE,
        "timelines carry the card too"
    );
}

#[sqlx::test]
async fn an_oembed_document_names_the_card_and_its_html_is_dropped(db: PgPool) {
    let site = Site::start().await;
    let app = app_with_cards(db).await;
    let alice = app.sign_up("alice").await;
    let status = post(&app, &alice, &format!("Embed {}", site.url("/oembed"))).await;
    drain(&app).await;
    let card = card_of(&app, &alice, &status).await;
    assert_eq!(card["title"], OEMBED_TITLE);
    assert_eq!(card["author_name"], "Ann Author");
    assert_eq!(card["authors"][0]["name"], "Ann Author");
    assert_eq!(card["provider_name"], "Embedder");
    assert_eq!(card["html"], "", "third-party markup never reaches clients");
    assert_eq!(card["image"], Value::Null);
}

#[sqlx::test]
async fn hostile_pages_give_no_card_no_error_and_nothing_hangs(db: PgPool) {
    let site = Site::start().await;
    let app = app_with_cards(db).await;
    let alice = app.sign_up("alice").await;
    let mut statuses = Vec::new();
    for path in ["/hang", "/huge", "/plain", "/loop", "/missing"] {
        statuses.push(post(&app, &alice, &format!("See {}", site.url(path))).await);
    }
    let started = Instant::now();
    drain(&app).await;
    assert!(
        started.elapsed() < Duration::from_secs(45),
        "fetching took {:?}",
        started.elapsed()
    );
    for status in &statuses {
        assert_eq!(
            card_of(&app, &alice, status).await,
            Value::Null,
            "{}",
            status["content"]
        );
    }
    assert!(site.hits("/loop") <= 4, "redirects are bounded");
    let cards: i64 = sqlx::query_scalar("SELECT count(*) FROM preview_cards")
        .fetch_one(&app.db)
        .await
        .expect("counts");
    assert_eq!(cards, 0);
}

#[sqlx::test]
async fn private_posts_media_links_and_mentions_get_no_card(db: PgPool) {
    let site = Site::start().await;
    let app = app_with_cards(db).await;
    let alice = app.sign_up("alice").await;
    app.sign_up("bob").await;
    let private: Value = app
        .as_(&alice)
        .post(
            "/api/v1/statuses",
            &[
                ("status", format!("Secret {}", site.url("/og")).as_str()),
                ("visibility", "private"),
            ],
        )
        .await
        .expect("posted");
    let picture = post(&app, &alice, &format!("Picture {}", site.url("/image.png"))).await;
    let mention = post(&app, &alice, "Hello @bob #tag").await;
    drain(&app).await;
    for status in [&private, &picture, &mention] {
        assert_eq!(card_of(&app, &alice, status).await, Value::Null);
    }
    assert_eq!(
        site.hits("/og"),
        0,
        "the link of a private post is not fetched"
    );
    assert_eq!(
        site.hits("/image.png"),
        0,
        "links to media files are not fetched"
    );
}

#[sqlx::test]
async fn the_link_timeline_still_lists_statuses_with_cards(db: PgPool) {
    let site = Site::start().await;
    let app = app_with_cards(db).await;
    let alice = app.sign_up("alice").await;
    let status = post(&app, &alice, &format!("Read {}", site.url("/og"))).await;
    drain(&app).await;
    let listed = app
        .get("/api/v1/timelines/link")
        .query(&[("url", site.url("/og"))])
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    let listed = expect_json(listed, 200).await;
    assert_eq!(listed[0]["id"], status["id"]);
    assert_eq!(listed[0]["card"]["title"], OG_TITLE);
}

#[sqlx::test]
async fn the_arrival_of_a_card_is_streamed_as_a_status_update(db: PgPool) {
    let site = Site::start().await;
    let app = app_with_cards(db).await;
    let alice = app.sign_up("alice").await;
    let mut home = SseReader::open(&app, "/api/v1/streaming/user", &alice).await;
    warm_up(&app, &alice, &mut home).await;
    let status = post(&app, &alice, &format!("Streamed {}", site.url("/og"))).await;
    drain(&app).await;
    let id = status["id"].as_str().expect("id").to_owned();
    let updated = home
        .expect("status.update", |s| s["id"] == id.as_str())
        .await;
    assert_eq!(updated["card"]["title"], OG_TITLE);
}

#[sqlx::test]
async fn an_unlisted_post_gets_a_card_but_stays_out_of_the_link_timeline(db: PgPool) {
    let site = Site::start().await;
    let app = app_with_cards(db).await;
    let alice = app.sign_up("alice").await;
    let unlisted: Value = app
        .as_(&alice)
        .post(
            "/api/v1/statuses",
            &[
                ("status", format!("Quietly {}", site.url("/og")).as_str()),
                ("visibility", "unlisted"),
            ],
        )
        .await
        .expect("posted");
    drain(&app).await;
    assert_eq!(card_of(&app, &alice, &unlisted).await["title"], OG_TITLE);
    let listed = app
        .get("/api/v1/timelines/link")
        .query(&[("url", site.url("/og"))])
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(listed, 404).await;

    let public = post(&app, &alice, &format!("Loudly {}", site.url("/og"))).await;
    let listed = app
        .get("/api/v1/timelines/link")
        .query(&[("url", site.url("/og"))])
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    let listed = expect_json(listed, 200).await;
    let ids: Vec<&Value> = listed
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| &s["id"])
        .collect();
    assert_eq!(ids, [&public["id"]], "only the public post is listed");
    assert_eq!(site.hits("/og"), 1, "one fetch for both");
}

#[sqlx::test]
async fn an_edit_that_changes_the_link_changes_the_card(db: PgPool) {
    let site = Site::start().await;
    let app = app_with_cards(db).await;
    let alice = app.sign_up("alice").await;
    let status = post(&app, &alice, &format!("First {}", site.url("/og"))).await;
    drain(&app).await;
    assert_eq!(card_of(&app, &alice, &status).await["title"], OG_TITLE);
    let id = status["id"].as_str().expect("id");
    let path = format!("/api/v1/statuses/{id}");
    let _: Value = app
        .as_(&alice)
        .put(
            &path,
            &[(
                "status",
                format!("Same link, new words {}", site.url("/og")).as_str(),
            )],
        )
        .await
        .expect("edited");
    assert_eq!(
        card_of(&app, &alice, &status).await["title"],
        OG_TITLE,
        "kept"
    );
    let _: Value = app
        .as_(&alice)
        .put(
            &path,
            &[("status", format!("Better {}", site.url("/oembed")).as_str())],
        )
        .await
        .expect("edited");
    drain(&app).await;
    assert_eq!(
        card_of(&app, &alice, &status).await["title"],
        OEMBED_TITLE,
        "the new link's card"
    );
    let _: Value = app
        .as_(&alice)
        .put(&path, &[("status", "No link any more")])
        .await
        .expect("edited");
    assert_eq!(card_of(&app, &alice, &status).await, Value::Null);
    assert_eq!(site.hits("/og"), 1, "the first page is not fetched again");
}
