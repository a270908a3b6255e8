//! Stories between servers: two Roost instances exchange a story (an `Add` with the
//! story embedded), its view, its deletion and its expiry, and close friends stories
//! reach only the friends; a Pixelfed-style `Add` that carries only a bearcap is
//! fetched with its token; the story document is served to the token's holder only;
//! and a Mastodon client (Mastodon.py) still sees ordinary posts only.

use std::process::Command;

use reqwest::header::{ACCEPT, AUTHORIZATION};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::peers::{follow, instance, remote_id, second_database, settle};
use crate::helpers::signed_remote::Scene;
use crate::helpers::{expect_error, expect_json, scalar, test_python, TestApp, TestUser};
use crate::stories::{get_ok, post_story, tray_of};

/// alice on A, followed by bob and carol on B.
struct Pair {
    a: TestApp,
    b: TestApp,
    alice: TestUser,
    bob: TestUser,
    carol: TestUser,
}

async fn pair(db: PgPool) -> Pair {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let carol = b.sign_up("carol").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    follow(&b, &carol, &alice_on_b).await;
    settle(&[&a, &b]).await;
    Pair {
        a,
        b,
        alice,
        bob,
        carol,
    }
}

#[sqlx::test]
async fn a_story_its_view_deletion_and_expiry_travel_between_instances(db: PgPool) {
    let Pair {
        a,
        b,
        alice,
        bob,
        carol,
    } = pair(db).await;
    a.post_status(&alice, &[("status", "An ordinary post")])
        .await;
    let story = post_story(&a, &alice, &[]).await;
    settle(&[&a, &b]).await;

    let alice_acct = format!("alice@{}", a.domain);
    assert_eq!(tray_of(&b, &bob).await, [(alice_acct.clone(), false)]);
    let tray = get_ok(&b, &bob, "/api/v1/roost/stories").await;
    let alice_on_b = tray[0]["account"]["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/roost/accounts/{alice_on_b}/stories");
    let seen_on_b = get_ok(&b, &bob, &path).await;
    let remote_story = &seen_on_b[0];
    assert_eq!(remote_story["uri"], story["uri"]);
    assert_eq!(remote_story["audience"], "followers");
    assert_eq!(
        remote_story["media_attachment"]["remote_url"],
        story["media_attachment"]["url"]
    );
    // The story came as an Add, and made no status on B.
    let adds = scalar(
        &b.db,
        "SELECT count(*) FROM inbox_activities WHERE activity_type = 'Add'",
    )
    .await;
    assert_eq!(adds, 1);
    let statuses_on_b = scalar(&b.db, "SELECT count(*) FROM statuses").await;
    assert_eq!(statuses_on_b, 1, "only the ordinary post is a status");
    mastodon_py_sees_ordinary_posts_only(&b, &bob, &alice_on_b, "An ordinary post").await;

    // bob's view reaches alice's viewers list.
    let seen = b
        .post(&format!(
            "/api/v1/roost/stories/{}/seen",
            remote_story["id"].as_str().expect("id")
        ))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    assert_eq!(seen.expect("sent").status(), 204);
    settle(&[&a, &b]).await;
    let viewers_path = format!(
        "/api/v1/roost/stories/{}/viewers",
        story["id"].as_str().expect("id")
    );
    let viewers = get_ok(&a, &alice, &viewers_path).await;
    assert_eq!(viewers[0]["account"]["acct"], format!("bob@{}", b.domain));

    // alice deletes it: gone on B too.
    let deleted = a
        .delete(&format!(
            "/api/v1/roost/stories/{}",
            story["id"].as_str().expect("id")
        ))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(deleted, 200).await;
    settle(&[&a, &b]).await;
    assert_eq!(scalar(&b.db, "SELECT count(*) FROM stories").await, 0);

    // Another one expires on A: its Delete removes it from B before B's own clock would.
    let second = post_story(&a, &alice, &[]).await;
    settle(&[&a, &b]).await;
    assert_eq!(tray_of(&b, &carol).await, [(alice_acct, false)]);
    sqlx::query(
        "UPDATE stories SET created_at = now() - interval '2 days', \
         expires_at = now() - interval '1 minute' WHERE id = $1::bigint",
    )
    .bind(second["id"].as_str().expect("id"))
    .execute(&a.db)
    .await
    .expect("ages the story");
    let expired = roost::services::stories::expiry::run_once(&a.state)
        .await
        .expect("expires");
    assert_eq!(expired, 1);
    settle(&[&a, &b]).await;
    assert_eq!(scalar(&b.db, "SELECT count(*) FROM stories").await, 0);
    assert!(tray_of(&b, &carol).await.is_empty());
}

#[sqlx::test]
async fn a_close_friends_story_reaches_the_friend_on_another_instance_only(db: PgPool) {
    let Pair {
        a,
        b,
        alice,
        bob,
        carol,
    } = pair(db).await;
    let bob_on_a = remote_id(&a, &alice, &format!("bob@{}", b.domain)).await;
    let added = a
        .post("/api/v1/roost/close_friends")
        .bearer_auth(&alice.access_token)
        .form(&[("account_ids[]", bob_on_a.as_str())])
        .send()
        .await;
    expect_json(added, 200).await;
    let story = post_story(&a, &alice, &[("audience", "close_friends")]).await;
    settle(&[&a, &b]).await;

    assert_eq!(tray_of(&b, &bob).await.len(), 1);
    assert!(tray_of(&b, &carol).await.is_empty());
    let on_b = get_ok(&b, &bob, "/api/v1/roost/stories").await;
    let alice_on_b = on_b[0]["account"]["id"].as_str().expect("id").to_owned();
    let stories = get_ok(
        &b,
        &bob,
        &format!("/api/v1/roost/accounts/{alice_on_b}/stories"),
    )
    .await;
    assert_eq!(stories[0]["uri"], story["uri"]);
    assert_eq!(stories[0]["audience"], "close_friends");
    let for_carol = get_ok(
        &b,
        &carol,
        &format!("/api/v1/roost/accounts/{alice_on_b}/stories"),
    )
    .await;
    assert_eq!(for_carol, json!([]));
}

#[sqlx::test]
async fn the_story_document_is_served_to_the_holder_of_its_token_only(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let story = post_story(&app, &alice, &[]).await;
    let uri = story["uri"].as_str().expect("uri");
    let token: String =
        sqlx::query_scalar("SELECT bearer_token FROM stories WHERE id = $1::bigint")
            .bind(story["id"].as_str().expect("id"))
            .fetch_one(&app.db)
            .await
            .expect("token");
    let fetch = |token: Option<String>| {
        let mut request = app
            .client
            .get(uri)
            .header(ACCEPT, "application/activity+json");
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        async move { request.send().await }
    };
    let document = expect_json(fetch(Some(token.clone())).await, 200).await;
    assert_eq!(document["type"], "Story");
    assert_eq!(document["id"], uri);
    assert_eq!(document["attributedTo"], app.url("/users/alice"));
    assert_eq!(document["attachment"]["type"], "Image");
    assert_eq!(
        document["attachment"]["url"],
        story["media_attachment"]["url"]
    );
    assert!(document["expiresAt"].is_string());
    expect_error(fetch(None).await, 404).await;
    expect_error(fetch(Some("wrong-token".into())).await, 404).await;
}

#[sqlx::test]
async fn a_pixelfed_style_add_with_only_a_bearcap_is_fetched_with_its_token(db: PgPool) {
    let scene = Scene::new(db).await;
    let story_path = "/stories/mallory/987";
    let story_id = format!("{}{story_path}", scene.remote.base);
    let alice_actor = scene.app.url("/users/alice");
    scene.remote.serve(
        story_path,
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": story_id,
            "type": "Story",
            "to": [alice_actor],
            "attributedTo": scene.remote.actor(),
            "published": chrono::Utc::now().to_rfc3339(),
            "expiresAt": (chrono::Utc::now() + chrono::Duration::hours(20)).to_rfc3339(),
            "duration": 7,
            "can_reply": false,
            "can_react": true,
            "attachment": {
                "type": "Image",
                "url": format!("{}/storage/story.jpg", scene.remote.base),
                "mediaType": "image/jpeg"
            }
        }),
    );
    let bearcap = format!("bear:?t=0123456789abcdef&u={story_id}");
    let mut add: Value = serde_json::from_str(&scene.activity(
        "Add",
        json!({ "id": story_id, "type": "Story", "object": bearcap }),
    ))
    .expect("json");
    add["to"] = json!([alice_actor]);
    let body = add.to_string();
    scene
        .signed("/inbox", &body)
        .await
        .expect(&scene.app, reqwest::StatusCode::ACCEPTED)
        .await;
    roost::federation::inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");

    let tray = get_ok(&scene.app, &scene.alice, "/api/v1/roost/stories").await;
    assert_eq!(tray[0]["account"]["username"], "mallory", "{tray}");
    let mallory = tray[0]["account"]["id"].as_str().expect("id");
    let stories = get_ok(
        &scene.app,
        &scene.alice,
        &format!("/api/v1/roost/accounts/{mallory}/stories"),
    )
    .await;
    assert_eq!(stories[0]["uri"], story_id);
    assert_eq!(stories[0]["duration"], 7);
    assert_eq!(stories[0]["can_reply"], false);
    assert_eq!(stories[0]["audience"], "close_friends");
    assert_eq!(stories[0]["media_attachment"]["type"], "image");
}

/// Mastodon.py, as bob on `app`, sees alice's one ordinary post (`text`) in his home
/// timeline and on her profile, and nothing made of her stories.
async fn mastodon_py_sees_ordinary_posts_only(
    app: &TestApp,
    bob: &TestUser,
    alice_id: &str,
    text: &str,
) {
    let python = test_python();
    let script = format!(
        "{}/tests/clients/mastodon_py_stories.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let args = [
        script,
        app.base.clone(),
        bob.access_token.clone(),
        alice_id.to_owned(),
        text.to_owned(),
    ];
    let output = tokio::task::spawn_blocking(move || Command::new(python).args(args).output())
        .await
        .expect("joins")
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("mastodon_py_stories: ok"),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

#[sqlx::test]
async fn a_story_s_music_reaches_another_roost_and_goes_when_the_story_expires(db: PgPool) {
    let Pair {
        a, b, alice, bob, ..
    } = pair(db).await;
    let (artwork_id, clip_id) = crate::stories::artwork_and_clip(&a, &alice).await;
    let story = post_story(
        &a,
        &alice,
        &crate::stories::song_fields(&artwork_id, &clip_id),
    )
    .await;
    settle(&[&a, &b]).await;

    // The Add carries the track beside the picture, in Roost's `music`.
    let add: Value =
        sqlx::query_scalar("SELECT payload FROM inbox_activities WHERE activity_type = 'Add'")
            .fetch_one(&b.db)
            .await
            .expect("the Add on B");
    let object = &add["object"];
    assert_eq!(object["attachment"]["type"], "Image", "{add}");
    let music = object["music"].as_array().expect("music attachments");
    let link = music.iter().find(|m| m["type"] == "Link").expect("a Link");
    assert_eq!(link["musicTitle"], "Blue Monday");
    assert_eq!(link["href"], "https://music.example/track/42");

    let tray = get_ok(&b, &bob, "/api/v1/roost/stories").await;
    let alice_on_b = tray[0]["account"]["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/roost/accounts/{alice_on_b}/stories");
    let seen_on_b = get_ok(&b, &bob, &path).await;
    let track = &seen_on_b[0]["music"];
    assert_eq!(track["title"], "Blue Monday", "{seen_on_b}");
    assert_eq!(track["artist"], "New Order");
    assert_eq!(track["url"], "https://music.example/track/42");
    assert_eq!(track["artwork_url"], story["music"]["artwork_url"]);
    assert_eq!(track["clip"]["url"], story["music"]["clip"]["url"]);

    // It expires on A: the story and its track are gone on both sides.
    sqlx::query(
        "UPDATE stories SET created_at = now() - interval '2 days', \
         expires_at = now() - interval '1 minute' WHERE id = $1::bigint",
    )
    .bind(story["id"].as_str().expect("id"))
    .execute(&a.db)
    .await
    .expect("ages the story");
    roost::services::stories::expiry::run_once(&a.state)
        .await
        .expect("expires");
    settle(&[&a, &b]).await;
    for side in [&a, &b] {
        assert_eq!(scalar(&side.db, "SELECT count(*) FROM stories").await, 0);
        assert_eq!(
            scalar(&side.db, "SELECT count(*) FROM music_tracks").await,
            0
        );
    }
}

#[sqlx::test]
async fn a_pixelfed_reply_and_reaction_to_a_story_arrive_as_direct_messages(db: PgPool) {
    let scene = Scene::new(db).await;
    let story = post_story(&scene.app, &scene.alice, &[("audience", "public")]).await;
    let silent = post_story(
        &scene.app,
        &scene.alice,
        &[("audience", "public"), ("can_reply", "false")],
    )
    .await;
    let alice_actor = scene.app.url("/users/alice");
    // Pixelfed's shape: the answer at the top of the activity, no object.
    let answer = |kind: &str, story: &Value, content: &str, id: Option<String>| {
        let mut activity: Value =
            serde_json::from_str(&scene.activity(kind, Value::Null)).expect("json");
        let object = activity.as_object_mut().expect("object");
        object.remove("object");
        if let Some(id) = id {
            object.insert("id".into(), json!(id));
        }
        object.insert("to".into(), json!(alice_actor));
        object.insert("inReplyTo".into(), story["uri"].clone());
        object.insert("content".into(), json!(content));
        activity.to_string()
    };
    let reply_id = format!("{}/stories/reply/1/activity", scene.remote.base);
    let sent = [
        answer(
            "Story:Reply",
            &story,
            "What a view!",
            Some(reply_id.clone()),
        ),
        // The same reply again (a redelivery) is stored once.
        answer("Story:Reply", &story, "What a view!", Some(reply_id)),
        answer("Story:Reaction", &story, "🔥", None),
        // Ignored: a story that takes no replies, an empty text.
        answer("Story:Reply", &silent, "Hello?", None),
        answer("Story:Reply", &story, "<p> </p>", None),
    ];
    for body in &sent {
        scene
            .signed("/inbox", body)
            .await
            .expect(&scene.app, reqwest::StatusCode::ACCEPTED)
            .await;
    }
    // An answer whose id is on another server is refused at the door.
    let spoofed = answer(
        "Story:Reply",
        &story,
        "Spoofed",
        Some("https://elsewhere.example/r/1".into()),
    );
    scene
        .signed("/inbox", &spoofed)
        .await
        .expect(&scene.app, reqwest::StatusCode::UNAUTHORIZED)
        .await;
    roost::federation::inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");

    let direct = scalar(
        &scene.app.db,
        "SELECT count(*) FROM statuses WHERE visibility = 'direct' AND NOT local",
    )
    .await;
    assert_eq!(direct, 2, "the reply and the reaction, once each");
    let conversations = get_ok(&scene.app, &scene.alice, "/api/v1/conversations").await;
    let texts: Vec<String> = conversations
        .as_array()
        .expect("list")
        .iter()
        .map(|c| {
            c["last_status"]["content"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    // Each answer opens a conversation, as separate direct messages do.
    assert_eq!(texts.len(), 2, "{conversations}");
    assert!(texts[0].contains("🔥"), "{texts:?}");
    assert!(texts[1].contains("What a view!"), "{texts:?}");
    // Nothing of the ignored ones was stored.
    let ignored = scalar(
        &scene.app.db,
        "SELECT count(*) FROM statuses WHERE content LIKE '%Hello?%'",
    )
    .await;
    assert_eq!(ignored, 0);
}
