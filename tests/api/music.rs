//! Music on posts: a track (title, artist, a link to a music service, artwork, a short
//! audio clip uploaded like media) posted with `music[…]`, shown to Mastodon apps as the
//! status's link card and to Roost's clients as `music`, played on the post's page,
//! checked and bounded, as private as its post, and sent to other servers as a `Link`
//! (and the clip as `Audio`) that another Roost shows as music again.

use reqwest::header::ACCEPT;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::media::{audio_clip, png, upload_ok};
use crate::helpers::peers::{follow, instance, remote_id, second_database, settle};
use crate::helpers::{expect_error, expect_json, scalar, TestApp, TestUser};

const LINK: &str = "https://music.example/track/42";

fn id_of(entity: &Value) -> String {
    entity["id"].as_str().expect("id").to_owned()
}

/// Posts `text` with the `music[…]` fields (and `extra` fields) as `user`.
async fn post_with_music(
    app: &TestApp,
    user: &TestUser,
    music: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> reqwest::Result<reqwest::Response> {
    let mut form: Vec<(String, String)> = vec![("status".into(), "Listening".into())];
    form.extend(
        music
            .iter()
            .map(|(k, v)| (format!("music[{k}]"), (*v).to_owned())),
    );
    form.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    app.post("/api/v1/statuses")
        .bearer_auth(&user.access_token)
        .form(&form)
        .send()
        .await
}

/// Uploads an artwork and a 5 s clip as `user`; returns their ids.
async fn artwork_and_clip(app: &TestApp, user: &TestUser) -> (Value, Value) {
    let artwork = upload_ok(app, user, png(64, 64), &[]).await;
    let clip = upload_ok(app, user, audio_clip(5), &[]).await;
    (artwork, clip)
}

#[sqlx::test]
async fn a_post_with_music_shows_the_track_and_a_link_card_for_mastodon_apps(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let (artwork, clip) = artwork_and_clip(&app, &ann).await;
    assert_eq!(clip["type"], "audio", "{clip}");
    let (artwork_id, clip_id) = (id_of(&artwork), id_of(&clip));
    let music = [
        ("title", "Blue Monday"),
        ("artist", "New Order"),
        ("url", LINK),
        ("artwork_id", artwork_id.as_str()),
        ("clip_id", clip_id.as_str()),
    ];
    let posted = expect_json(post_with_music(&app, &ann, &music, &[]).await, 200).await;
    let track = &posted["music"];
    assert_eq!(track["title"], "Blue Monday", "{posted}");
    assert_eq!(track["artist"], "New Order");
    assert_eq!(track["url"], LINK);
    assert!(
        track["artwork_url"]
            .as_str()
            .is_some_and(|u| u.contains("/system/")),
        "{track}"
    );
    assert_eq!(track["clip"]["url"], clip["url"], "{track}");
    assert!((track["clip"]["duration"].as_f64().expect("duration") - 5.0).abs() < 0.5);
    // Mastodon apps: an ordinary status with a link card, no extra attachment.
    assert_eq!(posted["media_attachments"], serde_json::json!([]));
    assert_eq!(posted["card"]["type"], "link");
    assert_eq!(posted["card"]["title"], "New Order – Blue Monday");
    assert_eq!(posted["card"]["url"], LINK);
    assert_eq!(posted["card"]["image"], track["artwork_url"]);
    let read = app
        .get(&format!("/api/v1/statuses/{}", id_of(&posted)))
        .send()
        .await;
    let read = expect_json(read, 200).await;
    assert_eq!(read["music"], posted["music"]);
    assert_eq!(read["card"], posted["card"]);
    let plain = app.post_status(&ann, &[("status", "no music")]).await;
    let plain = expect_json(
        app.get(&format!("/api/v1/statuses/{plain}")).send().await,
        200,
    )
    .await;
    assert!(
        plain.get("music").is_none() && plain["card"].is_null(),
        "{plain}"
    );

    // The post's page plays the clip.
    let page = app
        .get(&format!("/@ann/{}", id_of(&posted)))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("page");
    assert!(page.contains("New Order – Blue Monday"), "{page}");
    let clip_url = clip["url"].as_str().expect("url");
    assert!(
        page.contains(&format!("<audio src=\"{clip_url}\" controls")),
        "{page}"
    );
    assert!(page.contains(LINK));
}

#[sqlx::test]
async fn music_is_checked_and_bounded_and_a_refused_post_leaves_nothing(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let ann = app.sign_up("ann").await;
    let bob = app.sign_up("bob").await;
    let (artwork, clip) = artwork_and_clip(&app, &ann).await;
    let (artwork_id, clip_id) = (id_of(&artwork), id_of(&clip));
    let bobs = id_of(&upload_ok(&app, &bob, png(8, 8), &[]).await);
    let long_clip = id_of(&upload_ok(&app, &ann, audio_clip(61), &[]).await);
    let long_title = "t".repeat(201);
    let field = |body: Value| {
        let details = body["details"].as_object().expect("details").clone();
        details.keys().next().expect("a field").clone()
    };
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("artist", "A")], "music[title]"),
        (vec![("title", "  "), ("artist", "A")], "music[title]"),
        (vec![("title", "T")], "music[artist]"),
        (
            vec![("title", &long_title), ("artist", "A")],
            "music[title]",
        ),
        (vec![("title", "T\nU"), ("artist", "A")], "music[title]"),
        (
            vec![
                ("title", "T"),
                ("artist", "A"),
                ("url", "http://music.example/1"),
            ],
            "music[url]",
        ),
        (
            vec![
                ("title", "T"),
                ("artist", "A"),
                ("url", "javascript:alert(1)"),
            ],
            "music[url]",
        ),
        (
            vec![("title", "T"), ("artist", "A"), ("artwork_id", &clip_id)],
            "music[artwork_id]",
        ),
        (
            vec![("title", "T"), ("artist", "A"), ("artwork_id", &bobs)],
            "music[artwork_id]",
        ),
        (
            vec![("title", "T"), ("artist", "A"), ("artwork_id", "nonsense")],
            "music[artwork_id]",
        ),
        (
            vec![("title", "T"), ("artist", "A"), ("clip_id", &artwork_id)],
            "music[clip_id]",
        ),
        (
            vec![("title", "T"), ("artist", "A"), ("clip_id", &long_clip)],
            "music[clip_id]",
        ),
    ];
    for (music, expected) in cases {
        let refused = expect_error(post_with_music(&app, &ann, &music, &[]).await, 422).await;
        assert_eq!(field(refused.clone()), expected, "{music:?}: {refused}");
    }
    let scheduled = post_with_music(
        &app,
        &ann,
        &[("title", "T"), ("artist", "A")],
        &[("scheduled_at", "2099-01-01T00:00:00Z")],
    )
    .await;
    expect_error(scheduled, 422).await;
    assert_eq!(scalar(&db, "SELECT count(*) FROM statuses").await, 0);
    assert_eq!(scalar(&db, "SELECT count(*) FROM music_tracks").await, 0);
    // Title and artist alone make a track (no card without a link or clip).
    let bare = post_with_music(&app, &ann, &[("title", "T"), ("artist", "A")], &[]).await;
    let bare = expect_json(bare, 200).await;
    assert_eq!(bare["music"]["title"], "T");
    assert!(bare["card"].is_null(), "{bare}");
}

#[sqlx::test]
async fn music_on_a_followers_only_post_is_seen_by_followers_only(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let fan = app.sign_up("fan").await;
    let stranger = app.sign_up("stranger").await;
    follow(&app, &fan, &ann.account_id).await;
    let music = [("title", "Secret Song"), ("artist", "Ann"), ("url", LINK)];
    let posted = post_with_music(&app, &ann, &music, &[("visibility", "private")]).await;
    let path = format!(
        "/api/v1/statuses/{}",
        id_of(&expect_json(posted, 200).await)
    );
    let seen = app.get(&path).bearer_auth(&fan.access_token).send().await;
    assert_eq!(
        expect_json(seen, 200).await["music"]["title"],
        "Secret Song"
    );
    expect_error(
        app.get(&path)
            .bearer_auth(&stranger.access_token)
            .send()
            .await,
        404,
    )
    .await;
    expect_error(app.get(&path).send().await, 404).await;
}

#[sqlx::test]
async fn music_reaches_another_roost_as_music_and_others_as_a_link_and_an_audio(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;
    let (artwork, clip) = artwork_and_clip(&a, &alice).await;
    let (artwork_id, clip_id) = (id_of(&artwork), id_of(&clip));
    let music = [
        ("title", "Blue Monday"),
        ("artist", "New Order"),
        ("url", LINK),
        ("artwork_id", artwork_id.as_str()),
        ("clip_id", clip_id.as_str()),
    ];
    let posted = expect_json(post_with_music(&a, &alice, &music, &[]).await, 200).await;
    settle(&[&a, &b]).await;

    let note = a
        .client
        .get(posted["uri"].as_str().expect("uri"))
        .header(ACCEPT, "application/activity+json")
        .send()
        .await;
    let note = expect_json(note, 200).await;
    let attachments = note["attachment"].as_array().expect("attachments");
    let link = attachments
        .iter()
        .find(|a| a["type"] == "Link")
        .expect("a Link");
    assert_eq!(link["href"], LINK, "{note}");
    assert_eq!(link["name"], "New Order – Blue Monday");
    assert_eq!(link["mediaType"], "text/html");
    assert_eq!(link["musicTitle"], "Blue Monday");
    assert_eq!(link["image"]["url"], posted["music"]["artwork_url"]);
    let audio = attachments
        .iter()
        .find(|a| a["type"] == "Audio")
        .expect("an Audio");
    assert_eq!(audio["url"], clip["url"], "{note}");

    let home = b
        .get("/api/v1/timelines/home")
        .bearer_auth(&bob.access_token);
    let home = expect_json(home.send().await, 200).await;
    let shown = home
        .as_array()
        .expect("list")
        .iter()
        .find(|s| s["uri"] == posted["uri"])
        .unwrap_or_else(|| panic!("the post reached bob: {home}"))
        .clone();
    assert_eq!(shown["music"]["title"], "Blue Monday", "{shown}");
    assert_eq!(shown["music"]["artist"], "New Order");
    assert_eq!(shown["music"]["url"], LINK);
    assert_eq!(
        shown["music"]["artwork_url"],
        posted["music"]["artwork_url"]
    );
    assert_eq!(shown["music"]["clip"]["url"], clip["url"]);
    assert_eq!(shown["card"]["title"], "New Order – Blue Monday", "{shown}");
    // The clip plays as the track's, not again as an attachment of the post.
    assert_eq!(shown["media_attachments"], serde_json::json!([]), "{shown}");

    // An edit sends the track again; the copy keeps it (once).
    let edited = a
        .put(&format!("/api/v1/statuses/{}", id_of(&posted)))
        .bearer_auth(&alice.access_token)
        .form(&[("status", "Still listening")])
        .send()
        .await;
    assert_eq!(
        expect_json(edited, 200).await["music"]["title"],
        "Blue Monday"
    );
    settle(&[&a, &b]).await;
    let again = b.get(&format!("/api/v1/statuses/{}", id_of(&shown)));
    let again = expect_json(again.bearer_auth(&bob.access_token).send().await, 200).await;
    assert!(again["content"]
        .as_str()
        .expect("content")
        .contains("Still listening"));
    assert_eq!(again["music"]["title"], "Blue Monday", "{again}");
    assert_eq!(
        scalar(&b.db, "SELECT count(*) FROM status_music_tracks").await,
        1
    );
    // The track the edit replaced is gone, not left behind.
    assert_eq!(scalar(&b.db, "SELECT count(*) FROM music_tracks").await, 1);
}
