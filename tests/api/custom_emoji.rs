//! Custom emoji (<https://docs.joinmastodon.org/methods/custom_emojis/>): an admin adds,
//! lists and removes them with `roost admin`, apps read the picker's list, a status's
//! text and content warning and a profile's name, bio and fields carry the emoji they
//! use in `emojis` (unknown shortcodes stay text), Roost's own Notes and actors carry
//! `Emoji` tags, and between two instances a post's emoji arrive pointing at the
//! origin's image.

use std::process::Output;

use reqwest::header::ACCEPT;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::media::{download, gif, jpeg, png};
use crate::helpers::peers::{follow, instance, relationship, remote_id, second_database, settle};
use crate::helpers::shell::{admin, assert_failure, assert_success};
use crate::helpers::{expect_json, TestApp, TestUser};
use roost::services::custom_emojis::{self, NewEmoji};
use roost::services::domains::BlockChanges;

/// Adds a local emoji straight through the service (what `emoji-add` calls).
async fn add_emoji(app: &TestApp, shortcode: &str, image: Vec<u8>, visible: bool) {
    let new = NewEmoji {
        shortcode,
        image,
        category: None,
        visible_in_picker: visible,
    };
    custom_emojis::add(&app.state, new)
        .await
        .expect("emoji added");
}

/// The shortcodes of an entity's `emojis`.
fn shortcodes(entity: &Value) -> Vec<&str> {
    entity["emojis"]
        .as_array()
        .expect("emojis")
        .iter()
        .map(|emoji| emoji["shortcode"].as_str().expect("shortcode"))
        .collect()
}

/// `roost admin --media-dir DIR <args>`.
async fn admin_in(db: &PgPool, media_dir: &str, args: &[&str]) -> Output {
    let mut all = vec!["--media-dir", media_dir];
    all.extend_from_slice(args);
    admin(db, &all).await
}

fn write_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("writes");
    path.display().to_string()
}

#[sqlx::test]
async fn an_admin_adds_lists_and_removes_emoji_from_the_shell_and_apps_see_the_picker(db: PgPool) {
    let media = tempfile::tempdir().expect("media dir");
    let files = tempfile::tempdir().expect("files dir");
    let media_dir = media.path().display().to_string();
    let app = TestApp::spawn_with(db.clone(), &["--media-dir", &media_dir]).await;
    let blobcat = write_file(&files, "blobcat.png", &png(64, 64));
    let party = write_file(&files, "party.gif", &gif(40, 40));
    let add = ["emoji-add", "blobcat", &blobcat, "--category", "Blobs"];
    let added = admin_in(&db, &media_dir, &add).await;
    assert!(assert_success(&added).contains(":blobcat: added"));
    let added = admin_in(&db, &media_dir, &["emoji-add", "party", &party, "--hidden"]).await;
    assert_success(&added);

    let listed = assert_success(&admin_in(&db, &media_dir, &["emoji-list"]).await);
    assert!(listed.contains("blobcat\tBlobs\tvisible\t"), "{listed}");
    assert!(listed.contains("party\t-\thidden\t"), "{listed}");

    // The picker lists enabled, visible local emoji, in Mastodon's shape, without a token.
    let picker = expect_json(app.get("/api/v1/custom_emojis").send().await, 200).await;
    let picker = picker.as_array().expect("list");
    assert_eq!(picker.len(), 1, "{picker:?}");
    let emoji = &picker[0];
    let mut keys: Vec<&String> = emoji.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "category",
            "shortcode",
            "static_url",
            "url",
            "visible_in_picker"
        ]
    );
    assert_eq!(emoji["shortcode"], "blobcat");
    assert_eq!(emoji["category"], "Blobs");
    assert_eq!(emoji["visible_in_picker"], true);
    let url = emoji["url"].as_str().expect("url");
    assert!(url.starts_with(&app.base), "{url}");
    assert_eq!(emoji["static_url"], url, "a PNG is its own still");
    let (headers, bytes) = download(&app, url).await;
    assert_eq!(headers["content-type"], "image/png");
    assert!(bytes.starts_with(b"\x89PNG"));

    let removed = admin_in(&db, &media_dir, &["emoji-remove", "blobcat"]).await;
    assert!(assert_success(&removed).contains(":blobcat: removed"));
    let picker = expect_json(app.get("/api/v1/custom_emojis").send().await, 200).await;
    assert_eq!(picker, serde_json::json!([]));
    let gone = app.client.get(url).send().await.expect("sent");
    assert_eq!(gone.status(), 404, "the file went with the emoji");
    let again = admin_in(&db, &media_dir, &["emoji-remove", "blobcat"]).await;
    assert_failure(&again, "no custom emoji :blobcat:");
}

#[sqlx::test]
async fn bad_files_and_bad_shortcodes_are_refused_with_a_clear_error(db: PgPool) {
    let media = tempfile::tempdir().expect("media dir");
    let files = tempfile::tempdir().expect("files dir");
    let media_dir = media.path().display().to_string();
    let text = write_file(&files, "notes.txt", b"not an image at all");
    let photo = write_file(&files, "photo.jpg", &jpeg(50, 50));
    let noise: Vec<u8> = (0..400 * 400 * 3)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let big_image = image::RgbImage::from_raw(400, 400, noise).expect("image");
    let mut big = Vec::new();
    image::DynamicImage::ImageRgb8(big_image)
        .write_to(&mut std::io::Cursor::new(&mut big), image::ImageFormat::Png)
        .expect("encodes");
    assert!(
        big.len() > 256 * 1024,
        "the noise PNG must be over the limit"
    );
    let big = write_file(&files, "big.png", &big);
    let fine = write_file(&files, "fine.png", &png(32, 32));

    let refused = admin_in(&db, &media_dir, &["emoji-add", "notes", &text]).await;
    assert_failure(&refused, "File type is not supported");
    let refused = admin_in(&db, &media_dir, &["emoji-add", "photo", &photo]).await;
    assert_failure(&refused, "File type is not supported");
    let refused = admin_in(&db, &media_dir, &["emoji-add", "big", &big]).await;
    assert_failure(&refused, "File is larger than 262144 bytes");
    let missing = admin_in(
        &db,
        &media_dir,
        &["emoji-add", "gone", "/nonexistent/x.png"],
    )
    .await;
    assert_failure(&missing, "cannot open /nonexistent/x.png");
    for bad in ["a", "blob-cat", "blöb"] {
        let refused = admin_in(&db, &media_dir, &["emoji-add", bad, &fine]).await;
        assert_failure(&refused, "Shortcode must be 2 to 64 letters");
    }
    assert_success(&admin_in(&db, &media_dir, &["emoji-add", "fine", &fine]).await);
    let twice = admin_in(&db, &media_dir, &["emoji-add", "fine", &fine]).await;
    assert_failure(&twice, "Shortcode has already been taken");
    let listed = assert_success(&admin_in(&db, &media_dir, &["emoji-list"]).await);
    assert_eq!(listed.lines().count(), 1, "only the good one: {listed}");
    // Nothing of the refused files was left in the media directory.
    let folders = std::fs::read_dir(media.path().join("custom_emojis")).expect("folder");
    assert_eq!(folders.count(), 1);
}

#[sqlx::test]
async fn a_status_shows_the_known_emoji_of_its_text_and_content_warning(db: PgPool) {
    let app = TestApp::spawn(db).await;
    add_emoji(&app, "blobcat", png(32, 32), true).await;
    add_emoji(&app, "party", gif(32, 32), false).await;
    let alice = app.sign_up("alice").await;
    let form = [
        (
            "status",
            "Hello :blobcat: and :nosuchemoji: :blobcat:, at 12:30:45",
        ),
        ("spoiler_text", "cw :party:"),
    ];
    let posted: Value = app
        .as_(&alice)
        .post("/api/v1/statuses", &form)
        .await
        .expect("posted");
    assert_eq!(shortcodes(&posted), ["blobcat", "party"]);
    let party = &posted["emojis"][1];
    assert_eq!(
        party["visible_in_picker"], false,
        "hidden from the picker, still shown"
    );
    let still = party["static_url"].as_str().expect("static_url");
    assert_ne!(party["url"], still, "an animated GIF gets a still copy");
    let (headers, bytes) = download(&app, still).await;
    assert_eq!(headers["content-type"], "image/png");
    assert!(bytes.starts_with(b"\x89PNG"));
    let (headers, _) = download(&app, party["url"].as_str().expect("url")).await;
    assert_eq!(headers["content-type"], "image/gif");

    // Read back alone and on a timeline (the page's batch), the same emoji.
    let id = posted["id"].as_str().expect("id");
    let shown: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{id}"))
        .await
        .expect("shown");
    assert_eq!(shown["emojis"], posted["emojis"]);
    let public = expect_json(app.get("/api/v1/timelines/public").send().await, 200).await;
    assert_eq!(public[0]["emojis"], posted["emojis"]);

    // An edit that drops one drops it from `emojis`.
    let edited: Value = app
        .as_(&alice)
        .put(
            &format!("/api/v1/statuses/{id}"),
            &[("status", "Just :party:"), ("spoiler_text", "")],
        )
        .await
        .expect("edited");
    assert_eq!(shortcodes(&edited), ["party"]);
    let shown: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/statuses/{id}"))
        .await
        .expect("shown");
    assert_eq!(shortcodes(&shown), ["party"]);

    // A status without emoji and one naming only unknown ones have none.
    let plain: Value = app
        .as_(&alice)
        .post("/api/v1/statuses", &[("status", ":nope: hi")])
        .await
        .expect("posted");
    assert_eq!(shortcodes(&plain), Vec::<&str>::new());
}

#[sqlx::test]
async fn the_emoji_of_poll_options_are_the_status_s_and_the_poll_s(db: PgPool) {
    let app = TestApp::spawn(db).await;
    add_emoji(&app, "blobcat", png(32, 32), true).await;
    add_emoji(&app, "party", png(32, 32), true).await;
    let alice = app.sign_up("alice").await;
    let form = [
        ("status", "Which one? :party:"),
        ("poll[options][]", ":blobcat: this"),
        ("poll[options][]", "that"),
        ("poll[expires_in]", "3600"),
    ];
    let posted: Value = app
        .as_(&alice)
        .post("/api/v1/statuses", &form)
        .await
        .expect("posted");
    assert_eq!(shortcodes(&posted), ["blobcat", "party"]);
    assert_eq!(shortcodes(&posted["poll"]), ["blobcat"], "{posted}");
    let poll_id = posted["poll"]["id"].as_str().expect("poll id");
    let poll: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/polls/{poll_id}"))
        .await
        .expect("poll");
    assert_eq!(shortcodes(&poll), ["blobcat"]);
    let id = posted["id"].as_str().expect("id");
    let note = app
        .get(&format!("/users/alice/statuses/{id}"))
        .header("accept", "application/activity+json")
        .send()
        .await;
    let note = expect_json(note, 200).await;
    let emoji_tags: Vec<&str> = (note["tag"].as_array().expect("tags").iter())
        .filter(|tag| tag["type"] == "Emoji")
        .map(|tag| tag["name"].as_str().expect("name"))
        .collect();
    assert_eq!(emoji_tags, [":blobcat:", ":party:"], "{note}");
}

#[sqlx::test]
async fn a_profile_shows_its_emoji_and_its_actor_and_notes_carry_emoji_tags(db: PgPool) {
    let app = TestApp::spawn(db).await;
    add_emoji(&app, "blobcat", png(32, 32), true).await;
    add_emoji(&app, "party", gif(32, 32), true).await;
    add_emoji(&app, "wave", png(16, 16), true).await;
    let alice = app.sign_up("alice").await;
    let form = [
        ("display_name", "Alice :blobcat:"),
        ("note", "I like :party: and :unknown:"),
        ("fields_attributes[0][name]", "Mood :wave:"),
        ("fields_attributes[0][value]", "fine"),
    ];
    let me: Value = app
        .as_(&alice)
        .patch("/api/v1/accounts/update_credentials", &form)
        .await
        .expect("updated");
    assert_eq!(shortcodes(&me), ["blobcat", "party", "wave"]);
    let shown: Value = app
        .as_(&alice)
        .get(&format!("/api/v1/accounts/{}", alice.account_id))
        .await
        .expect("shown");
    assert_eq!(shown["emojis"], me["emojis"]);
    // The author of a status shows them too.
    let posted: Value = app
        .as_(&alice)
        .post("/api/v1/statuses", &[("status", "hi")])
        .await
        .expect("posted");
    assert_eq!(shortcodes(&posted["account"]), ["blobcat", "party", "wave"]);

    // The actor document carries one Emoji tag per emoji, as Mastodon sends them.
    let actor = app
        .get("/users/alice")
        .header(ACCEPT, "application/activity+json")
        .send()
        .await;
    let actor = expect_json(actor, 200).await;
    let tags = actor["tag"].as_array().expect("tags");
    let blobcat = tags
        .iter()
        .find(|t| t["name"] == ":blobcat:")
        .expect("blobcat tag");
    assert_eq!(blobcat["type"], "Emoji");
    assert_eq!(blobcat["icon"]["type"], "Image");
    assert_eq!(blobcat["icon"]["mediaType"], "image/png");
    assert_eq!(blobcat["icon"]["url"], me["emojis"][0]["url"]);
    assert!(blobcat["id"]
        .as_str()
        .is_some_and(|id| id.starts_with(&format!("{}/emojis/", app.base))));
    assert!(blobcat["updated"].is_string());
    // Its id serves the same Emoji.
    let served = app
        .client
        .get(blobcat["id"].as_str().expect("id"))
        .header(ACCEPT, "application/activity+json")
        .send()
        .await;
    let served = expect_json(served, 200).await;
    assert_eq!(served["name"], ":blobcat:");
    assert_eq!(served["icon"], blobcat["icon"]);
    let unknown = app.get("/emojis/12345").send().await.expect("sent");
    assert_eq!(unknown.status(), 404);

    // So does the Note of a status using one.
    let posted: Value = app
        .as_(&alice)
        .post("/api/v1/statuses", &[("status", "Party :party:")])
        .await
        .expect("posted");
    let note = app
        .client
        .get(posted["uri"].as_str().expect("uri"))
        .header(ACCEPT, "application/activity+json")
        .send()
        .await;
    let note = expect_json(note, 200).await;
    let emoji_tags: Vec<&Value> = note["tag"]
        .as_array()
        .expect("tags")
        .iter()
        .filter(|t| t["type"] == "Emoji")
        .collect();
    assert_eq!(emoji_tags.len(), 1, "{note}");
    assert_eq!(emoji_tags[0]["name"], ":party:");
    assert_eq!(emoji_tags[0]["icon"]["mediaType"], "image/gif");
}

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

#[sqlx::test]
async fn a_post_and_a_profile_with_custom_emoji_reach_another_instance_pointing_at_the_origin(
    db: PgPool,
) {
    let (a, b, alice, bob, alice_on_b) = alice_followed_by_bob(db).await;
    add_emoji(&a, "blobcat", png(32, 32), true).await;
    add_emoji(&a, "party", gif(32, 32), true).await;
    let posted: Value = a
        .as_(&alice)
        .post("/api/v1/statuses", &[("status", "Hello :blobcat:")])
        .await
        .expect("posted");
    let origin_url = posted["emojis"][0]["url"].as_str().expect("url").to_owned();
    settle(&[&a, &b]).await;

    let home: Value = b
        .as_(&bob)
        .get("/api/v1/timelines/home")
        .await
        .expect("home");
    let received = &home[0];
    assert_eq!(received["uri"], posted["uri"]);
    assert_eq!(shortcodes(received), ["blobcat"]);
    assert_eq!(
        received["emojis"][0]["url"],
        origin_url.as_str(),
        "by reference, not copied"
    );
    assert_eq!(received["emojis"][0]["static_url"], origin_url.as_str());
    let (headers, _) = download(&b, &origin_url).await;
    assert_eq!(headers["content-type"], "image/png");
    // B's own picker does not offer A's emoji.
    let picker = expect_json(b.get("/api/v1/custom_emojis").send().await, 200).await;
    assert_eq!(picker, serde_json::json!([]));

    // An edit (Update of the Note) refreshes the emoji.
    let id = posted["id"].as_str().expect("id");
    let edit = [("status", "Now :party: instead")];
    let _: Value = a
        .as_(&alice)
        .put(&format!("/api/v1/statuses/{id}"), &edit)
        .await
        .expect("edited");
    settle(&[&a, &b]).await;
    let home: Value = b
        .as_(&bob)
        .get("/api/v1/timelines/home")
        .await
        .expect("home");
    assert_eq!(shortcodes(&home[0]), ["party"]);
    assert!(home[0]["emojis"][0]["url"]
        .as_str()
        .is_some_and(|u| u.starts_with(&a.base)));

    // A profile change (Update of the Person) brings the display name's emoji along.
    let me: Value = a
        .as_(&alice)
        .patch(
            "/api/v1/accounts/update_credentials",
            &[("display_name", "Alice :blobcat:")],
        )
        .await
        .expect("updated");
    settle(&[&a, &b]).await;
    let alice_seen: Value = b
        .as_(&bob)
        .get(&format!("/api/v1/accounts/{alice_on_b}"))
        .await
        .expect("shown");
    assert_eq!(alice_seen["display_name"], "Alice :blobcat:");
    assert_eq!(shortcodes(&alice_seen), ["blobcat"]);
    assert_eq!(alice_seen["emojis"][0]["url"], me["emojis"][0]["url"]);

    // Once B rejects A's media, A's emoji are not kept either (as its attachments).
    let changes = BlockChanges {
        severity: Some("noop".into()),
        reject_media: Some(true),
        ..BlockChanges::default()
    };
    roost::services::domains::block(&b.state, Some(&a.domain), &changes)
        .await
        .expect("blocked");
    let _: Value = a
        .as_(&alice)
        .post("/api/v1/statuses", &[("status", "Again :blobcat:")])
        .await
        .expect("posted");
    settle(&[&a, &b]).await;
    let home: Value = b
        .as_(&bob)
        .get("/api/v1/timelines/home")
        .await
        .expect("home");
    assert_eq!(home[0]["content"], "<p>Again :blobcat:</p>");
    assert_eq!(shortcodes(&home[0]), Vec::<&str>::new());
}
