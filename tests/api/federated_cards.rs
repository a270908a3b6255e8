//! Preview cards between Roost instances: the origin fetches the page once, holds the
//! post's `Create` until the card is there and sends the card inside the Note; every
//! follower's server shows it without fetching the page (no preview storm).

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::pages::{Site, OG_TITLE};
use crate::helpers::peers::{follow, remote_id, second_database, settle};
use crate::helpers::{expect_json, TestApp, TestUser};
use roost::services::cards::worker;

/// Instances besides the origin, and followers on each (50 in all).
const INSTANCES: usize = 10;
const FOLLOWERS_EACH: usize = 5;

/// An instance that would fetch cards itself, with its workers off.
async fn instance(db: PgPool) -> TestApp {
    TestApp::spawn_with(db, &["--workers", "false", "--preview-cards", "true"]).await
}

async fn home_of(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let home = app
        .get("/api/v1/timelines/home")
        .bearer_auth(&user.access_token)
        .send()
        .await;
    expect_json(home, 200)
        .await
        .as_array()
        .expect("list")
        .clone()
}

async fn queued_fetches(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM preview_card_fetches")
        .fetch_one(&app.db)
        .await
        .expect("counts")
}

#[sqlx::test]
async fn a_post_with_a_link_reaches_50_followers_on_10_instances_and_the_page_is_fetched_once(
    db: PgPool,
) {
    let site = Site::start().await;
    let origin = instance(db.clone()).await;
    let alice = origin.sign_up("alice").await;
    let handle = format!("alice@{}", origin.domain);
    let mut peers = Vec::new();
    for n in 0..INSTANCES {
        let peer = instance(second_database(&db, &format!("c{n}")).await).await;
        let mut followers = Vec::new();
        for f in 0..FOLLOWERS_EACH {
            let user = peer.sign_up(&format!("reader{f}")).await;
            let alice_there = remote_id(&peer, &user, &handle).await;
            follow(&peer, &user, &alice_there).await;
            followers.push(user);
        }
        peers.push((peer, followers));
    }
    let mut everyone: Vec<&TestApp> = peers.iter().map(|(peer, _)| peer).collect();
    everyone.push(&origin);
    settle(&everyone).await;
    let count: Value = origin
        .as_(&alice)
        .get("/api/v1/accounts/verify_credentials")
        .await
        .expect("me");
    assert_eq!(
        count["followers_count"],
        (INSTANCES * FOLLOWERS_EACH) as i64
    );

    let text = format!("Worth reading: {}", site.url("/og"));
    let posted: Value = origin
        .as_(&alice)
        .post("/api/v1/statuses", &[("status", text.as_str())])
        .await
        .expect("posted");
    // The Create waits for the card (the workers are off, so the test fetches it).
    worker::run_once(&origin.state)
        .await
        .expect("fetches the card");
    settle(&everyone).await;
    for (peer, followers) in &peers {
        for follower in followers {
            let home = home_of(peer, follower).await;
            let card = &home.first().expect("the post arrived")["card"];
            assert_eq!(card["title"], OG_TITLE, "on {}", peer.domain);
            let image = card["image"].as_str().expect("an image");
            assert!(
                image.starts_with(&origin.base),
                "the origin's copy: {image}"
            );
        }
        worker::run_once(&peer.state)
            .await
            .expect("nothing to fetch");
        assert_eq!(
            queued_fetches(peer).await,
            0,
            "{} fetches nothing",
            peer.domain
        );
    }
    // The Note served at the status's id carries the card as a `Link` attachment too.
    let note = origin
        .client
        .get(posted["uri"].as_str().expect("uri"))
        .header("Accept", "application/activity+json")
        .send()
        .await;
    let note = expect_json(note, 200).await;
    let link = note["attachment"]
        .as_array()
        .and_then(|items| items.iter().find(|item| item["type"] == "Link"))
        .expect("a Link attachment")
        .clone();
    assert_eq!(link["name"], OG_TITLE);
    assert_eq!(link["href"], site.url("/og"));
    assert_eq!(link["image"]["type"], "Image");
    assert_eq!(
        site.hits("/og"),
        1,
        "the page is fetched once for all 50 followers"
    );
    assert_eq!(site.hits("/image.png"), 1);
}
