//! Stories (`/api/v1/roost/stories…`): who sees a story (followers, everyone signed
//! in, close friends), the row of stories with unseen ones first, views and the
//! viewers list, replies that arrive as direct messages, deletion, expiry, and bad
//! input. Federation of stories is in `federated_stories`.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::media::{audio_clip, jpeg, png, upload_ok};
use crate::helpers::web::WebClient;
use crate::helpers::{expect_error, expect_json, scalar, TestApp, TestUser, PASSWORD};

/// `user` uploads a picture; returns its media id.
pub async fn picture(app: &TestApp, user: &TestUser) -> String {
    let media = upload_ok(app, user, jpeg(720, 1280), &[("description", "A sunset")]).await;
    media["id"].as_str().expect("media id").to_owned()
}

/// `user` posts a story of a new picture with `fields` (e.g. `audience`); returns it.
pub async fn post_story(app: &TestApp, user: &TestUser, fields: &[(&str, &str)]) -> Value {
    let media_id = picture(app, user).await;
    let mut form = vec![("media_id", media_id.as_str())];
    form.extend_from_slice(fields);
    let posted = app
        .post("/api/v1/roost/stories")
        .bearer_auth(&user.access_token)
        .form(&form)
        .send()
        .await;
    expect_json(posted, 200).await
}

/// `GET path` as `user`, expecting 200.
pub async fn get_ok(app: &TestApp, user: &TestUser, path: &str) -> Value {
    expect_json(
        app.get(path).bearer_auth(&user.access_token).send().await,
        200,
    )
    .await
}

/// The usernames in `user`'s row of stories, in order.
pub async fn tray_of(app: &TestApp, user: &TestUser) -> Vec<(String, bool)> {
    let tray = get_ok(app, user, "/api/v1/roost/stories").await;
    tray.as_array()
        .expect("tray")
        .iter()
        .map(|entry| {
            let name = entry["account"]["acct"].as_str().expect("acct").to_owned();
            (name, entry["seen"].as_bool().expect("seen"))
        })
        .collect()
}

async fn follow_locally(app: &TestApp, follower: &TestUser, target: &TestUser) {
    let path = format!("/api/v1/accounts/{}/follow", target.account_id);
    let followed = app
        .post(&path)
        .bearer_auth(&follower.access_token)
        .send()
        .await;
    assert_eq!(expect_json(followed, 200).await["following"], true);
}

async fn mark_seen(app: &TestApp, user: &TestUser, story: &Value) {
    let path = format!(
        "/api/v1/roost/stories/{}/seen",
        story["id"].as_str().expect("id")
    );
    let seen = app.post(&path).bearer_auth(&user.access_token).send().await;
    assert_eq!(seen.expect("sent").status(), 204);
}

#[sqlx::test]
async fn followers_see_a_story_strangers_do_not_and_unseen_ones_come_first(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let dora = app.sign_up("dora").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    follow_locally(&app, &bob, &alice).await;
    follow_locally(&app, &bob, &dora).await;

    let story = post_story(&app, &alice, &[]).await;
    assert_eq!(story["audience"], "followers");
    assert_eq!(story["duration"], 5);
    assert_eq!(story["media_attachment"]["type"], "image");
    assert_eq!(story["seen"], false);
    let story_path = format!(
        "/api/v1/roost/stories/{}",
        story["id"].as_str().expect("id")
    );

    // bob follows alice: he sees it; carol does not, anywhere.
    assert_eq!(tray_of(&app, &bob).await, [("alice".to_owned(), false)]);
    let alices = format!("/api/v1/roost/accounts/{}/stories", alice.account_id);
    assert_eq!(get_ok(&app, &bob, &alices).await[0]["id"], story["id"]);
    assert!(tray_of(&app, &carol).await.is_empty());
    assert_eq!(get_ok(&app, &carol, &alices).await, serde_json::json!([]));
    let hidden = app
        .get(&story_path)
        .bearer_auth(&carol.access_token)
        .send()
        .await;
    expect_error(hidden, 404).await;
    let hidden_seen = app
        .post(&format!("{story_path}/seen"))
        .bearer_auth(&carol.access_token)
        .send()
        .await;
    expect_error(hidden_seen, 404).await;

    // Once bob has seen alice's story, dora's newer unseen one comes first.
    mark_seen(&app, &bob, &story).await;
    mark_seen(&app, &bob, &story).await;
    post_story(&app, &dora, &[]).await;
    assert_eq!(
        tray_of(&app, &bob).await,
        [("dora".to_owned(), false), ("alice".to_owned(), true)]
    );
    assert_eq!(get_ok(&app, &bob, &story_path).await["seen"], true);

    // The author sees herself first in her own row, and who saw her story (once).
    assert_eq!(tray_of(&app, &alice).await, [("alice".to_owned(), false)]);
    let viewers = get_ok(&app, &alice, &format!("{story_path}/viewers")).await;
    let viewers = viewers.as_array().expect("viewers");
    assert_eq!(viewers.len(), 1, "{viewers:?}");
    assert_eq!(viewers[0]["account"]["acct"], "bob");
    // Nobody else reads the viewers list.
    let prying = app
        .get(&format!("{story_path}/viewers"))
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_error(prying, 404).await;
    // Stories never appear as statuses.
    let home = get_ok(&app, &bob, "/api/v1/timelines/home").await;
    assert_eq!(home, serde_json::json!([]));
}

#[sqlx::test]
async fn a_close_friends_story_reaches_close_friends_only(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    follow_locally(&app, &bob, &alice).await;
    follow_locally(&app, &carol, &alice).await;
    let added = app
        .post("/api/v1/roost/close_friends")
        .bearer_auth(&alice.access_token)
        .form(&[("account_ids[]", bob.account_id.as_str())])
        .send()
        .await;
    expect_json(added, 200).await;
    let friends = get_ok(&app, &alice, "/api/v1/roost/close_friends").await;
    assert_eq!(friends[0]["acct"], "bob");

    let story = post_story(&app, &alice, &[("audience", "close_friends")]).await;
    assert_eq!(story["audience"], "close_friends");
    assert_eq!(tray_of(&app, &bob).await, [("alice".to_owned(), false)]);
    assert!(tray_of(&app, &carol).await.is_empty());

    // A public story is for everyone signed in, followers or not.
    let dave = app.sign_up("dave").await;
    let public = post_story(&app, &alice, &[("audience", "public")]).await;
    let path = format!(
        "/api/v1/roost/stories/{}",
        public["id"].as_str().expect("id")
    );
    assert_eq!(get_ok(&app, &dave, &path).await["audience"], "public");
    // …but a block shuts it.
    let blocked = app
        .post(&format!("/api/v1/accounts/{}/block", dave.account_id))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(blocked, 200).await;
    expect_error(
        app.get(&path).bearer_auth(&dave.access_token).send().await,
        404,
    )
    .await;

    // Removing bob from close friends: the list is empty again.
    let removed = app
        .delete("/api/v1/roost/close_friends")
        .bearer_auth(&alice.access_token)
        .form(&[("account_ids[]", bob.account_id.as_str())])
        .send()
        .await;
    expect_json(removed, 200).await;
    let friends = get_ok(&app, &alice, "/api/v1/roost/close_friends").await;
    assert_eq!(friends, serde_json::json!([]));
}

#[sqlx::test]
async fn a_reply_to_a_story_is_a_direct_message_to_its_author(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    follow_locally(&app, &bob, &alice).await;
    let story = post_story(&app, &alice, &[]).await;
    let path = format!(
        "/api/v1/roost/stories/{}/reply",
        story["id"].as_str().expect("id")
    );
    let replied = app
        .post(&path)
        .bearer_auth(&bob.access_token)
        .form(&[("status", "Lovely sunset!")])
        .send()
        .await;
    let reply = expect_json(replied, 200).await;
    assert_eq!(reply["visibility"], "direct");
    assert_eq!(reply["mentions"][0]["acct"], "alice");
    let conversations = get_ok(&app, &alice, "/api/v1/conversations").await;
    let last = &conversations[0]["last_status"];
    assert_eq!(last["id"], reply["id"], "{conversations}");
    assert!(last["content"]
        .as_str()
        .is_some_and(|html| html.contains("Lovely sunset!")));

    // No reply to one's own story, none when replies are off, none empty.
    let own = app
        .post(&path)
        .bearer_auth(&alice.access_token)
        .form(&[("status", "me")])
        .send()
        .await;
    expect_error(own, 403).await;
    let empty = app
        .post(&path)
        .bearer_auth(&bob.access_token)
        .form(&[("status", "  ")])
        .send()
        .await;
    expect_error(empty, 422).await;
    let closed = post_story(&app, &alice, &[("can_reply", "false")]).await;
    let closed_path = format!(
        "/api/v1/roost/stories/{}/reply",
        closed["id"].as_str().expect("id")
    );
    let refused = app
        .post(&closed_path)
        .bearer_auth(&bob.access_token)
        .form(&[("status", "hi")])
        .send()
        .await;
    expect_error(refused, 403).await;
}

#[sqlx::test]
async fn a_deleted_or_expired_story_is_gone_with_its_media(db: PgPool) {
    let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    follow_locally(&app, &bob, &alice).await;
    let first = post_story(&app, &alice, &[]).await;
    let second = post_story(&app, &alice, &[]).await;
    let first_path = format!(
        "/api/v1/roost/stories/{}",
        first["id"].as_str().expect("id")
    );

    // Only the author deletes.
    expect_error(
        app.delete(&first_path)
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        404,
    )
    .await;
    expect_json(
        app.delete(&first_path)
            .bearer_auth(&alice.access_token)
            .send()
            .await,
        200,
    )
    .await;
    expect_error(
        app.get(&first_path)
            .bearer_auth(&bob.access_token)
            .send()
            .await,
        404,
    )
    .await;

    // The second one's time runs out: it disappears at once and the worker removes it.
    let id = second["id"].as_str().expect("id");
    sqlx::query(
        "UPDATE stories SET created_at = now() - interval '25 hours', \
         expires_at = now() - interval '1 hour' WHERE id = $1::bigint",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .expect("ages the story");
    assert!(tray_of(&app, &bob).await.is_empty());
    let removed = roost::services::stories::expiry::run_once(&app.state)
        .await
        .expect("expires");
    assert_eq!(removed, 1);
    assert_eq!(scalar(&app.db, "SELECT count(*) FROM stories").await, 0);
    // The pictures are detached, for the orphan sweep.
    let attached = scalar(
        &app.db,
        "SELECT count(*) FROM media_attachments WHERE story_id IS NOT NULL",
    )
    .await;
    assert_eq!(attached, 0);
}

#[sqlx::test]
async fn bad_story_input_gets_clear_errors(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let post = |form: Vec<(&'static str, String)>, token: String| {
        let request = app
            .post("/api/v1/roost/stories")
            .bearer_auth(token)
            .form(&form);
        async move { request.send().await }
    };
    // No media, someone else's media, a malformed id.
    let missing = post(vec![], alice.access_token.clone()).await;
    assert_eq!(
        expect_error(missing, 422).await["details"]["media_id"][0]["error"],
        "ERR_BLANK"
    );
    let bobs = picture(&app, &bob).await;
    expect_error(
        post(vec![("media_id", bobs)], alice.access_token.clone()).await,
        422,
    )
    .await;
    expect_error(
        post(vec![("media_id", "x1".into())], alice.access_token.clone()).await,
        422,
    )
    .await;
    // A bad audience or duration.
    let mine = picture(&app, &alice).await;
    let audience = vec![("media_id", mine.clone()), ("audience", "everyone".into())];
    expect_error(post(audience, alice.access_token.clone()).await, 422).await;
    let long = vec![("media_id", mine.clone()), ("duration", "61".into())];
    let refused = expect_error(post(long, alice.access_token.clone()).await, 422).await;
    assert_eq!(
        refused["details"]["duration"][0]["error"], "ERR_INVALID",
        "{refused}"
    );
    // Audio alone is no story.
    let mut mp3 = b"ID3\x04\0\0\0\0\0\0".to_vec();
    mp3.extend([0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0]);
    let audio = upload_ok(&app, &alice, mp3, &[]).await;
    let audio_id = audio["id"].as_str().expect("id").to_owned();
    expect_error(
        post(vec![("media_id", audio_id)], alice.access_token.clone()).await,
        422,
    )
    .await;
    // The same upload cannot make two stories, nor then a post.
    let first = post(vec![("media_id", mine.clone())], alice.access_token.clone()).await;
    expect_json(first, 200).await;
    expect_error(
        post(vec![("media_id", mine.clone())], alice.access_token.clone()).await,
        422,
    )
    .await;
    let reused = app
        .post("/api/v1/statuses")
        .bearer_auth(&alice.access_token)
        .form(&[("status", "again"), ("media_ids[]", mine.as_str())])
        .send()
        .await;
    expect_error(reused, 422).await;
    // Unknown stories, garbage ids, no token.
    let unknown = app
        .get("/api/v1/roost/stories/123456789")
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_error(unknown, 404).await;
    let garbage = app
        .get("/api/v1/roost/stories/abc")
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_error(garbage, 404).await;
    expect_error(app.get("/api/v1/roost/stories").send().await, 401).await;
    // Close friends: not oneself, not unknown accounts.
    let me = app
        .post("/api/v1/roost/close_friends")
        .bearer_auth(&alice.access_token)
        .form(&[("account_ids[]", alice.account_id.as_str())])
        .send()
        .await;
    expect_error(me, 422).await;
    let nobody = app
        .post("/api/v1/roost/close_friends")
        .bearer_auth(&alice.access_token)
        .form(&[("account_ids[]", "999999999")])
        .send()
        .await;
    expect_error(nobody, 404).await;
}

/// `user` uploads an artwork and a 5-second clip; returns their ids.
pub async fn artwork_and_clip(app: &TestApp, user: &TestUser) -> (String, String) {
    let artwork = upload_ok(app, user, png(64, 64), &[]).await;
    let clip = upload_ok(app, user, audio_clip(5), &[]).await;
    let id = |media: &Value| media["id"].as_str().expect("media id").to_owned();
    (id(&artwork), id(&clip))
}

/// The `music[…]` fields of a story with a song, its artwork and its clip.
pub fn song_fields<'a>(artwork_id: &'a str, clip_id: &'a str) -> [(&'static str, &'a str); 5] {
    [
        ("music[title]", "Blue Monday"),
        ("music[artist]", "New Order"),
        ("music[url]", "https://music.example/track/42"),
        ("music[artwork_id]", artwork_id),
        ("music[clip_id]", clip_id),
    ]
}

#[sqlx::test]
async fn a_story_plays_music_checked_as_a_post_s_and_its_track_goes_with_it(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    follow_locally(&app, &bob, &alice).await;
    let (artwork_id, clip_id) = artwork_and_clip(&app, &alice).await;

    // Refused tracks leave neither a story nor a track behind.
    let picture_id = picture(&app, &alice).await;
    let own_picture = [
        ("media_id", picture_id.as_str()),
        ("music[title]", "T"),
        ("music[artist]", "A"),
        ("music[artwork_id]", picture_id.as_str()),
    ];
    let refused = app
        .post("/api/v1/roost/stories")
        .bearer_auth(&alice.access_token)
        .form(&own_picture)
        .send()
        .await;
    let refused = expect_error(refused, 422).await;
    assert!(
        refused["details"]["music[artwork_id]"].is_array(),
        "{refused}"
    );
    let plain_http = [
        ("music[title]", "T"),
        ("music[artist]", "A"),
        ("music[url]", "http://music.example/1"),
    ];
    let mut form = vec![("media_id", picture_id.as_str())];
    form.extend_from_slice(&plain_http);
    let refused = app
        .post("/api/v1/roost/stories")
        .bearer_auth(&alice.access_token)
        .form(&form)
        .send()
        .await;
    let refused = expect_error(refused, 422).await;
    assert!(refused["details"]["music[url]"].is_array(), "{refused}");
    assert_eq!(scalar(&app.db, "SELECT count(*) FROM stories").await, 0);
    assert_eq!(
        scalar(&app.db, "SELECT count(*) FROM music_tracks").await,
        0
    );

    let story = post_story(&app, &alice, &song_fields(&artwork_id, &clip_id)).await;
    let track = &story["music"];
    assert_eq!(track["title"], "Blue Monday", "{story}");
    assert_eq!(track["artist"], "New Order");
    assert_eq!(track["url"], "https://music.example/track/42");
    assert!(track["artwork_url"]
        .as_str()
        .is_some_and(|u| u.contains("/system/")));
    assert!((track["clip"]["duration"].as_f64().expect("duration") - 5.0).abs() < 0.5);
    // A follower sees the track with the story; a story without one has no `music`.
    let path = format!("/api/v1/roost/accounts/{}/stories", alice.account_id);
    let seen = get_ok(&app, &bob, &path).await;
    assert_eq!(seen[0]["music"], story["music"], "{seen}");
    let silent = post_story(&app, &alice, &[]).await;
    assert!(silent.get("music").is_none(), "{silent}");

    // The story's page plays the clip.
    let mut web = WebClient::new(&app);
    web.sign_in("bob", PASSWORD).await;
    let story_id = story["id"].as_str().expect("id");
    let page = web
        .get(&format!("/stories/{}?story={story_id}", alice.account_id))
        .await
        .body;
    assert!(page.contains("New Order – Blue Monday"), "{page}");
    let clip_url = track["clip"]["url"].as_str().expect("clip url");
    assert!(
        page.contains(&format!("<audio src=\"{clip_url}\"")),
        "{page}"
    );

    // Deleted, the story takes its track along; its uploads become orphans.
    let deleted = app
        .delete(&format!(
            "/api/v1/roost/stories/{}",
            story["id"].as_str().expect("id")
        ))
        .bearer_auth(&alice.access_token)
        .send()
        .await;
    expect_json(deleted, 200).await;
    assert_eq!(
        scalar(&app.db, "SELECT count(*) FROM music_tracks").await,
        0
    );
}
