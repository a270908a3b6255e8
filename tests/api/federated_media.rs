//! Media between two Roost instances: a post's attachments (with alt text and
//! blurhash) reach a remote follower as references to the origin's files, the actor
//! document carries `icon` and `image`, and a new avatar travels in `Update(Person)`.

use reqwest::header::ACCEPT;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::media::{download, jpeg, png, upload_ok};
use crate::helpers::peers::{follow, instance, relationship, remote_id, second_database, settle};
use crate::helpers::scalar;
use crate::helpers::{expect_json, TestApp, TestUser};

/// alice on A, followed by bob on B; returns alice's account id as B knows it.
async fn alice_followed_by_bob(db: PgPool) -> (TestApp, TestApp, TestUser, TestUser, String) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;
    assert_eq!(relationship(&b, &bob, &alice_on_b).await["following"], true);
    (a, b, alice, bob, alice_on_b)
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

#[sqlx::test]
async fn a_post_with_two_images_reaches_a_follower_with_alt_text_and_blurhash(db: PgPool) {
    let (a, b, alice, bob, _) = alice_followed_by_bob(db).await;
    let first = upload_ok(
        &a,
        &alice,
        jpeg(1000, 600),
        &[("description", "A red door")],
    )
    .await;
    let second = upload_ok(
        &a,
        &alice,
        png(300, 500),
        &[("description", "A blue window")],
    )
    .await;
    let ids = [&first, &second].map(|m| m["id"].as_str().expect("id").to_owned());
    let form = [
        ("status", "Two pictures"),
        ("media_ids[]", ids[0].as_str()),
        ("media_ids[]", ids[1].as_str()),
    ];
    let posted = a
        .post("/api/v1/statuses")
        .bearer_auth(&alice.access_token)
        .form(&form)
        .send()
        .await;
    let posted = expect_json(posted, 200).await;
    // The Note served at the status's id carries the attachments too.
    let note = a
        .client
        .get(posted["uri"].as_str().expect("uri"))
        .header(ACCEPT, "application/activity+json")
        .send()
        .await;
    let note = expect_json(note, 200).await;
    assert_eq!(note["attachment"][0]["type"], "Document", "{note}");
    assert_eq!(note["attachment"][0]["mediaType"], "image/jpeg");
    assert_eq!(note["attachment"][0]["name"], "A red door");
    assert_eq!(note["attachment"][0]["width"], 1000);
    assert_eq!(note["attachment"][1]["height"], 500);
    settle(&[&a, &b]).await;

    let home = home_of(&b, &bob).await;
    let seen = home
        .iter()
        .find(|s| s["uri"] == posted["uri"])
        .unwrap_or_else(|| panic!("the post reached bob: {home:?}"));
    let media = seen["media_attachments"].as_array().expect("media");
    assert_eq!(media.len(), 2, "{seen}");
    for (shown, original) in media.iter().zip([&first, &second]) {
        assert_eq!(shown["type"], "image");
        assert_eq!(shown["description"], original["description"]);
        assert_eq!(shown["blurhash"], original["blurhash"]);
        assert_eq!(shown["remote_url"], original["url"]);
        assert_eq!(shown["url"], original["url"]);
        assert_eq!(shown["meta"]["original"], original["meta"]["original"]);
    }
    // The remote reference points at A's file, which A serves.
    download(&b, media[0]["url"].as_str().expect("url")).await;
}

#[sqlx::test]
async fn an_avatar_change_reaches_followers_through_update_person(db: PgPool) {
    let (a, b, alice, bob, alice_on_b) = alice_followed_by_bob(db).await;
    let before = expect_json(
        b.get(&format!("/api/v1/accounts/{alice_on_b}"))
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert!(before["avatar"]
        .as_str()
        .is_some_and(|a| a.ends_with("/avatars/original/missing.png")));
    let form = reqwest::multipart::Form::new()
        .part(
            "avatar",
            reqwest::multipart::Part::bytes(png(200, 200)).file_name("me.png"),
        )
        .part(
            "header",
            reqwest::multipart::Part::bytes(jpeg(1500, 500)).file_name("h.jpeg"),
        )
        .text("display_name", "Alice in pictures");
    let updated = a
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&alice.access_token)
        .multipart(form)
        .send()
        .await;
    let updated = expect_json(updated, 200).await;
    let actor = a
        .get("/users/alice")
        .header(ACCEPT, "application/activity+json")
        .send()
        .await;
    let actor = expect_json(actor, 200).await;
    assert_eq!(actor["icon"]["url"], updated["avatar"], "{actor}");
    assert_eq!(actor["icon"]["mediaType"], "image/png");
    assert_eq!(actor["image"]["url"], updated["header"]);
    settle(&[&a, &b]).await;

    let after = expect_json(
        b.get(&format!("/api/v1/accounts/{alice_on_b}"))
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        200,
    )
    .await;
    assert_eq!(after["display_name"], "Alice in pictures");
    assert_eq!(after["avatar"], updated["avatar"]);
    assert_eq!(after["header"], updated["header"]);
    let applied = scalar(
        &b.db,
        "SELECT count(*) FROM inbox_activities \
         WHERE activity_type = 'Update' AND payload->'object'->>'type' = 'Person' \
           AND processed_at IS NOT NULL AND last_error IS NULL",
    )
    .await;
    assert_eq!(applied, 1, "B applied one Update(Person)");
}

#[sqlx::test]
async fn an_actor_update_about_someone_else_is_ignored(db: PgPool) {
    let (a, b, _alice, _bob, _) = alice_followed_by_bob(db).await;
    a.sign_up("carol").await;
    let alice_ap_id = format!("{}/users/alice", a.base);
    let alice_on_b = roost::db::accounts::find_by_ap_id(&b.db, &alice_ap_id)
        .await
        .expect("query")
        .expect("alice is known on B");
    let mut forged = expect_json(
        a.get("/users/carol")
            .header(ACCEPT, "application/activity+json")
            .send()
            .await,
        200,
    )
    .await;
    forged["name"] = "Carol, renamed by alice".into();
    let outcome = roost::services::profile::receive_actor_update(&b.state, &alice_on_b, &forged)
        .await
        .map_err(roost::federation::inbound::Skip::from);
    assert!(
        matches!(outcome, Err(roost::federation::inbound::Skip::Ignored(_))),
        "{outcome:?}"
    );
    let stored = scalar(
        &b.db,
        "SELECT count(*) FROM accounts WHERE display_name = 'Carol, renamed by alice'",
    )
    .await;
    assert_eq!(stored, 0);
}

#[sqlx::test]
async fn an_album_of_twenty_images_travels_as_one_note_to_an_instance_that_keeps_four(db: PgPool) {
    let a = TestApp::spawn_with(
        db.clone(),
        &["--workers", "false", "--max-media-attachments", "20"],
    )
    .await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;
    let instance_info: Value = a
        .as_(&alice)
        .get("/api/v2/instance")
        .await
        .expect("instance");
    assert_eq!(
        instance_info["configuration"]["statuses"]["max_media_attachments"],
        20
    );
    let mut ids = Vec::new();
    for n in 0..21 {
        let description = format!("picture {n}");
        let media = upload_ok(&a, &alice, png(4, 4), &[("description", &description)]).await;
        ids.push(media["id"].as_str().expect("id").to_owned());
    }
    let form_with = |count: usize| {
        let mut form = vec![("status", "An album")];
        form.extend(
            ids.iter()
                .take(count)
                .map(|id| ("media_ids[]", id.as_str())),
        );
        form
    };
    let too_many = a.as_(&alice).post_status_with(&form_with(21)).await;
    assert_eq!(too_many.expect_err("21 is over").status.as_u16(), 422);
    let posted = a
        .as_(&alice)
        .post_status_with(&form_with(20))
        .await
        .expect("posted");
    assert_eq!(posted.media_attachments.len(), 20);
    settle(&[&a, &b]).await;

    let home = home_of(&b, &bob).await;
    let album = &home[0];
    assert_eq!(
        album["content"].as_str().map(|c| c.contains("An album")),
        Some(true)
    );
    let received = album["media_attachments"].as_array().expect("media");
    assert_eq!(received.len(), 20, "the whole album, though B posts only 4");
    let descriptions: Vec<&str> = received
        .iter()
        .map(|m| m["description"].as_str().expect("alt text"))
        .collect();
    let wanted: Vec<String> = (0..20).map(|n| format!("picture {n}")).collect();
    assert_eq!(descriptions, wanted, "in the order posted");
    assert_eq!(
        scalar(
            &a.db,
            "SELECT count(*) FROM deliveries WHERE payload::jsonb ->> 'type' = 'Create' \
             AND jsonb_array_length(payload::jsonb -> 'object' -> 'attachment') = 20"
        )
        .await,
        1,
        "one Create carrying the whole album"
    );
}
