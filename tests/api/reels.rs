//! Videos and reels. An uploaded video is described (size as displayed, duration,
//! frame rate, bitrate, codecs), converted to a web-playable MP4 without its metadata
//! and given a poster frame when ffmpeg is installed; without it (`--ffmpeg off`) it
//! is stored as sent with what its MP4 header says. Broken and oversized files are
//! refused or stored as sent, never a server error. A reel is a status with one
//! vertical video within the duration limit, listed in the reels feeds as its
//! visibility allows, an ordinary status with a video for Mastodon apps, and marked
//! `reel` in its Note so another Roost lists it too.

use std::time::Duration;

use reqwest::header::ACCEPT;
use serde_json::Value;
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::media::{
    contains, download, fixture_reel, png, turned_video, upload, upload_ok, video, webm_video,
};
use crate::helpers::peers::{follow, instance, remote_id, second_database, settle};
use crate::helpers::{expect_error, expect_json, scalar, TestApp, TestUser};

/// An instance that never runs ffmpeg.
async fn without_ffmpeg(db: PgPool) -> TestApp {
    TestApp::spawn_with(db, &["--ffmpeg", "off"]).await
}

fn id_of(entity: &Value) -> String {
    entity["id"].as_str().expect("id").to_owned()
}

/// Posts a reel of `media_id` as `user` with `visibility`; returns the response.
async fn post_reel(
    app: &TestApp,
    user: &TestUser,
    media_ids: &[&str],
    visibility: &str,
) -> reqwest::Result<reqwest::Response> {
    let mut form = vec![
        ("status", "My reel".to_owned()),
        ("reel", "true".to_owned()),
        ("visibility", visibility.to_owned()),
    ];
    form.extend(media_ids.iter().map(|id| ("media_ids[]", (*id).to_owned())));
    app.post("/api/v1/statuses")
        .bearer_auth(&user.access_token)
        .form(&form)
        .send()
        .await
}

/// Uploads `bytes` and posts them as a reel; returns the status.
async fn reel_of(app: &TestApp, user: &TestUser, bytes: Vec<u8>, visibility: &str) -> Value {
    let media = upload_ok(app, user, bytes, &[]).await;
    expect_json(
        post_reel(app, user, &[&id_of(&media)], visibility).await,
        200,
    )
    .await
}

/// The ids of the statuses at `path`, as `user` (or anonymous) reads them.
async fn ids_at(app: &TestApp, user: Option<&TestUser>, path: &str) -> Vec<String> {
    let mut request = app.get(path);
    if let Some(user) = user {
        request = request.bearer_auth(&user.access_token);
    }
    let list = expect_json(request.send().await, 200).await;
    list.as_array().expect("list").iter().map(id_of).collect()
}

fn duration_of(media: &Value) -> f64 {
    media["meta"]["original"]["duration"]
        .as_f64()
        .unwrap_or_else(|| panic!("no duration: {media}"))
}

#[sqlx::test]
async fn with_ffmpeg_a_video_is_described_converted_and_given_a_poster_frame(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let media = upload_ok(&app, &ann, video(1600, 900, 2), &[]).await;
    assert_eq!(media["type"], "video", "{media}");
    let original = &media["meta"]["original"];
    // At most 1280 px on the long side, the shape kept.
    assert_eq!(original["width"], 1280, "{media}");
    assert_eq!(original["height"], 720, "{media}");
    assert!((duration_of(&media) - 2.0).abs() < 0.2, "{media}");
    assert_eq!(original["frame_rate"], "10/1", "{media}");
    assert_eq!(original["video_codec"], "h264", "{media}");
    assert_eq!(original["audio_codec"], "aac", "{media}");
    assert!(
        original["bitrate"].as_u64().is_some_and(|b| b > 0),
        "{media}"
    );
    assert!(
        media["blurhash"].as_str().is_some_and(|b| !b.is_empty()),
        "{media}"
    );
    assert_eq!(media["meta"]["small"]["width"], 640, "{media}");

    let url = media["url"].as_str().expect("url");
    assert!(url.ends_with(".mp4"), "{url}");
    let (headers, stored) = download(&app, url).await;
    assert_eq!(headers["content-type"], "video/mp4");
    assert!(!contains(&stored, b"ROOSTSECRETTITLE"), "metadata survived");
    let moov = stored.windows(4).position(|w| w == b"moov").expect("moov");
    let mdat = stored.windows(4).position(|w| w == b"mdat").expect("mdat");
    assert!(
        moov < mdat,
        "not fast-start: the index comes after the data"
    );
    let (headers, poster) = download(&app, media["preview_url"].as_str().expect("poster")).await;
    assert!(headers["content-type"]
        .to_str()
        .expect("type")
        .starts_with("image/"));
    assert!(!poster.is_empty());
}

#[sqlx::test]
async fn with_ffmpeg_a_webm_video_becomes_an_mp4_and_a_phone_s_turned_video_reads_upright(
    db: PgPool,
) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let media = upload_ok(&app, &ann, webm_video(160, 90, 1), &[]).await;
    assert_eq!(media["type"], "video", "{media}");
    assert!(
        media["url"].as_str().expect("url").ends_with(".mp4"),
        "{media}"
    );
    assert_eq!(media["meta"]["original"]["width"], 160, "{media}");
    assert_eq!(media["meta"]["original"]["video_codec"], "h264", "{media}");

    let turned = upload_ok(&app, &ann, turned_video(160, 90, 1), &[]).await;
    assert_eq!(turned["meta"]["original"]["width"], 90, "{turned}");
    assert_eq!(turned["meta"]["original"]["height"], 160, "{turned}");
    let reel = post_reel(&app, &ann, &[&id_of(&turned)], "public").await;
    expect_json(reel, 200).await;
}

#[sqlx::test]
async fn without_ffmpeg_a_phone_s_turned_video_reads_upright_from_its_header(db: PgPool) {
    let app = without_ffmpeg(db).await;
    let ann = app.sign_up("ann").await;
    let turned = upload_ok(&app, &ann, turned_video(160, 90, 1), &[]).await;
    assert_eq!(turned["meta"]["original"]["width"], 90, "{turned}");
    assert_eq!(turned["meta"]["original"]["height"], 160, "{turned}");
}

#[sqlx::test]
async fn without_ffmpeg_a_video_is_stored_as_sent_with_what_its_mp4_header_says(db: PgPool) {
    let app = without_ffmpeg(db).await;
    let ann = app.sign_up("ann").await;
    let sent = fixture_reel();
    let media = upload_ok(&app, &ann, sent.clone(), &[]).await;
    assert_eq!(media["type"], "video", "{media}");
    assert_eq!(media["meta"]["original"]["width"], 90, "{media}");
    assert_eq!(media["meta"]["original"]["height"], 160, "{media}");
    assert!((duration_of(&media) - 2.0).abs() < 0.2, "{media}");
    assert!(
        media["meta"]["original"].get("video_codec").is_none(),
        "{media}"
    );
    let (_, stored) = download(&app, media["url"].as_str().expect("url")).await;
    assert!(stored == sent, "the video was not stored as sent");
}

#[sqlx::test]
async fn a_broken_video_is_stored_as_sent_never_a_server_error_and_cannot_be_a_reel(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let mut garbage = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    garbage.extend((0..4096).map(|i: u32| (i * 7 % 251) as u8));
    let media = upload_ok(&app, &ann, garbage.clone(), &[]).await;
    assert_eq!(media["type"], "video", "{media}");
    assert!(media["meta"].get("original").is_none(), "{media}");
    let (_, stored) = download(&app, media["url"].as_str().expect("url")).await;
    assert!(stored == garbage);
    let refused = expect_error(
        post_reel(&app, &ann, &[&id_of(&media)], "public").await,
        422,
    )
    .await;
    assert!(
        refused["error"].as_str().expect("error").contains("size"),
        "{refused}"
    );

    // A real video cut in half: whatever can be read of it, never a 500.
    let mut cut = fixture_reel();
    cut.truncate(cut.len() / 2);
    let answer = upload(&app, &ann, cut, &[]).await.expect("request sent");
    assert!(
        answer.status() == 200 || answer.status() == 422,
        "{}",
        answer.status()
    );
    let health = app.get("/health").send().await.expect("request sent");
    assert_eq!(health.status(), 200);
}

/// Sends, with chunked transfer encoding (no length declared), the head of a
/// multipart upload of a video its client means to be 2 GB long, then `sent` bytes of
/// it, and reads the answer that comes while the client still holds back the rest.
async fn stream_a_huge_video(app: &TestApp, token: &str, sent: usize) -> (u16, String) {
    let boundary = "roost-reel-test";
    let mut stream = TcpStream::connect(&app.domain).await.expect("connects");
    let head = format!(
        "POST /api/v2/media HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n\
         Transfer-Encoding: chunked\r\n\r\n",
        app.domain
    );
    stream.write_all(head.as_bytes()).await.expect("head sent");
    let part = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.mp4\"\r\n\
         Content-Type: video/mp4\r\n\r\n"
    );
    let mut first = part.into_bytes();
    first.extend(b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2");
    let chunk = |bytes: &[u8]| {
        let mut framed = format!("{:x}\r\n", bytes.len()).into_bytes();
        framed.extend(bytes);
        framed.extend(b"\r\n");
        framed
    };
    stream.write_all(&chunk(&first)).await.expect("sent");
    let zeros = vec![0u8; 64 * 1024];
    for _ in 0..sent / zeros.len() {
        if stream.write_all(&chunk(&zeros)).await.is_err() {
            break;
        }
    }
    let read = async {
        let mut received = Vec::new();
        let mut buffer = vec![0u8; 16 * 1024];
        while !String::from_utf8_lossy(&received).contains("\"error\"") {
            let n = stream.read(&mut buffer).await.expect("reads the answer");
            assert!(n > 0, "closed without an answer");
            received.extend_from_slice(&buffer[..n]);
        }
        String::from_utf8_lossy(&received).to_string()
    };
    let answer = tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("the server answered before the client sent everything");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("status line");
    (status, answer)
}

#[sqlx::test]
async fn a_2_gb_video_is_refused_with_a_4xx_before_it_is_sent(db: PgPool) {
    let app = TestApp::spawn_with(db.clone(), &["--max-upload-bytes", "1048576"]).await;
    let ann = app.sign_up("ann").await;
    // Declared: refused before a byte of the body is read.
    let mut declared = TcpStream::connect(&app.domain).await.expect("connects");
    let head = format!(
        "POST /api/v2/media HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\n\r\n",
        app.domain,
        ann.access_token,
        2u64 << 30
    );
    declared.write_all(head.as_bytes()).await.expect("sent");
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(30), declared.read(&mut answer))
        .await
        .expect("answered at once")
        .expect("reads");
    let answer = String::from_utf8_lossy(&answer[..n]).to_string();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Streamed without a length: refused as soon as it passes the limit.
    let (status, answer) = stream_a_huge_video(&app, &ann.access_token, 1536 * 1024).await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer.contains("ERR_TOO_LARGE"), "{answer}");
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM media_attachments").await,
        0
    );
    let health = app.get("/health").send().await.expect("request sent");
    assert_eq!(health.status(), 200);
}

#[sqlx::test]
async fn a_vertical_video_posts_as_a_reel_that_mastodon_apps_see_as_a_status_with_a_video(
    db: PgPool,
) {
    let app = without_ffmpeg(db).await;
    let ann = app.sign_up("ann").await;
    let plain = app.post_status(&ann, &[("status", "not a reel")]).await;
    let reel = reel_of(&app, &ann, fixture_reel(), "public").await;
    assert_eq!(reel["media_attachments"][0]["type"], "video", "{reel}");
    assert_eq!(reel["content"], "<p>My reel</p>", "{reel}");
    let shown = app
        .get(&format!("/api/v1/statuses/{}", id_of(&reel)))
        .send()
        .await;
    assert_eq!(
        expect_json(shown, 200).await["media_attachments"][0]["type"],
        "video"
    );

    let feed = ids_at(&app, None, "/api/v1/roost/reels").await;
    assert_eq!(feed, [id_of(&reel)]);
    let own = ids_at(
        &app,
        None,
        &format!("/api/v1/roost/accounts/{}/reels", ann.account_id),
    )
    .await;
    assert_eq!(own, [id_of(&reel)]);
    let public = ids_at(&app, None, "/api/v1/timelines/public").await;
    assert!(
        public.contains(&id_of(&reel)) && public.contains(&plain),
        "{public:?}"
    );
    expect_error(
        app.get("/api/v1/roost/accounts/999999/reels").send().await,
        404,
    )
    .await;
}

#[sqlx::test]
async fn a_reel_must_be_one_vertical_video_of_known_size_within_the_duration_limit(db: PgPool) {
    let app = TestApp::spawn_with(db.clone(), &["--reel-max-seconds", "3"]).await;
    let ann = app.sign_up("ann").await;
    let reason = |body: Value| body["error"].as_str().expect("error").to_owned();
    let landscape = upload_ok(&app, &ann, video(160, 90, 1), &[]).await;
    let refused = expect_error(
        post_reel(&app, &ann, &[&id_of(&landscape)], "public").await,
        422,
    );
    assert!(reason(refused.await).contains("vertical"));
    let long = upload_ok(&app, &ann, video(90, 160, 5), &[]).await;
    let refused = expect_error(post_reel(&app, &ann, &[&id_of(&long)], "public").await, 422);
    assert!(reason(refused.await).contains("3 seconds"));
    let picture = upload_ok(&app, &ann, png(90, 160), &[]).await;
    let refused = expect_error(
        post_reel(&app, &ann, &[&id_of(&picture)], "public").await,
        422,
    );
    assert!(reason(refused.await).contains("one video"));
    expect_error(post_reel(&app, &ann, &[], "public").await, 422).await;
    let first = upload_ok(&app, &ann, video(90, 160, 1), &[]).await;
    let second = upload_ok(&app, &ann, video(90, 160, 1), &[]).await;
    let two = [id_of(&first), id_of(&second)];
    let refused = post_reel(&app, &ann, &[&two[0], &two[1]], "public").await;
    expect_error(refused, 422).await;
    let scheduled = app
        .post("/api/v1/statuses")
        .bearer_auth(&ann.access_token)
        .form(&[
            ("reel", "true"),
            ("media_ids[]", two[0].as_str()),
            ("scheduled_at", "2099-01-01T00:00:00Z"),
        ])
        .send()
        .await;
    expect_error(scheduled, 422).await;
    assert_eq!(scalar(&db, "SELECT count(*) FROM statuses").await, 0);
    assert_eq!(scalar(&db, "SELECT count(*) FROM reels").await, 0);

    let fits = reel_of(&app, &ann, video(90, 160, 2), "public").await;
    assert_eq!(
        ids_at(&app, None, "/api/v1/roost/reels").await,
        [id_of(&fits)]
    );
}

#[sqlx::test]
async fn an_edit_keeps_a_reel_one_vertical_video(db: PgPool) {
    let app = without_ffmpeg(db).await;
    let ann = app.sign_up("ann").await;
    let reel = reel_of(&app, &ann, fixture_reel(), "public").await;
    let video_id = reel["media_attachments"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let picture = id_of(&upload_ok(&app, &ann, png(90, 160), &[]).await);
    let path = format!("/api/v1/statuses/{}", id_of(&reel));
    let edit = |form: Vec<(&'static str, String)>| {
        app.put(&path)
            .bearer_auth(&ann.access_token)
            .form(&form)
            .send()
    };
    let to_picture = edit(vec![
        ("status", "now a photo".into()),
        ("media_ids[]", picture),
    ]);
    expect_error(to_picture.await, 422).await;
    let to_nothing = edit(vec![
        ("status", "no video".into()),
        ("media_ids[]", String::new()),
    ]);
    expect_error(to_nothing.await, 422).await;
    let text_only = expect_json(edit(vec![("status", "new words".into())]).await, 200).await;
    assert_eq!(text_only["media_attachments"][0]["id"], video_id.as_str());
    let same = edit(vec![
        ("status", "again".into()),
        ("media_ids[]", video_id.clone()),
    ]);
    expect_json(same.await, 200).await;
    assert_eq!(
        ids_at(&app, None, "/api/v1/roost/reels").await,
        [id_of(&reel)]
    );
}

#[sqlx::test]
async fn followers_only_reels_are_shown_to_followers_only(db: PgPool) {
    let app = without_ffmpeg(db).await;
    let ann = app.sign_up("ann").await;
    let fan = app.sign_up("fan").await;
    let stranger = app.sign_up("stranger").await;
    follow(&app, &fan, &ann.account_id).await;
    let public = id_of(&reel_of(&app, &ann, fixture_reel(), "public").await);
    let private = id_of(&reel_of(&app, &ann, fixture_reel(), "private").await);
    let unlisted = id_of(&reel_of(&app, &ann, fixture_reel(), "unlisted").await);
    let direct = id_of(&reel_of(&app, &ann, fixture_reel(), "direct").await);

    let feed = "/api/v1/roost/reels";
    assert_eq!(
        ids_at(&app, Some(&fan), feed).await,
        [unlisted.as_str(), private.as_str(), public.as_str()]
    );
    assert_eq!(ids_at(&app, Some(&stranger), feed).await, [public.as_str()]);
    assert_eq!(ids_at(&app, None, feed).await, [public.as_str()]);
    assert_eq!(
        ids_at(&app, Some(&ann), feed).await,
        [unlisted.as_str(), private.as_str(), public.as_str()]
    );

    let page = format!("/api/v1/roost/accounts/{}/reels", ann.account_id);
    assert_eq!(
        ids_at(&app, Some(&fan), &page).await,
        [unlisted.as_str(), private.as_str(), public.as_str()]
    );
    assert_eq!(
        ids_at(&app, Some(&stranger), &page).await,
        [unlisted.as_str(), public.as_str()]
    );
    assert_eq!(
        ids_at(&app, Some(&ann), &page).await,
        [
            direct.as_str(),
            unlisted.as_str(),
            private.as_str(),
            public.as_str()
        ]
    );
}

#[sqlx::test]
async fn the_reels_feed_pages_newest_first_with_link_headers(db: PgPool) {
    let app = without_ffmpeg(db).await;
    let ann = app.sign_up("ann").await;
    let mut posted = Vec::new();
    for _ in 0..3 {
        posted.push(id_of(&reel_of(&app, &ann, fixture_reel(), "public").await));
    }
    let first = app
        .get("/api/v1/roost/reels?limit=2")
        .send()
        .await
        .expect("sent");
    let link = first.headers()["link"].to_str().expect("link").to_owned();
    let page: Value = first.json().await.expect("JSON");
    let page: Vec<String> = page.as_array().expect("list").iter().map(id_of).collect();
    assert_eq!(page, [posted[2].clone(), posted[1].clone()]);
    let next = link
        .split(',')
        .find(|part| part.contains("rel=\"next\""))
        .and_then(|part| part.split(['<', '>']).nth(1))
        .expect("a next link")
        .to_owned();
    assert!(next.contains(&format!("max_id={}", posted[1])), "{next}");
    let rest = expect_json(app.client.get(&next).send().await, 200).await;
    let rest: Vec<String> = rest.as_array().expect("list").iter().map(id_of).collect();
    assert_eq!(rest, [posted[0].clone()]);
}

#[sqlx::test]
async fn a_reel_reaches_another_roost_as_a_reel_and_others_as_a_note_with_a_video(db: PgPool) {
    let a = instance(db.clone()).await;
    let b = instance(second_database(&db, "b").await).await;
    let alice = a.sign_up("alice").await;
    let bob = b.sign_up("bob").await;
    let alice_on_b = remote_id(&b, &bob, &format!("alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    settle(&[&a, &b]).await;
    let reel = reel_of(&a, &alice, fixture_reel(), "public").await;
    let plain = a.post_status(&alice, &[("status", "words only")]).await;
    settle(&[&a, &b]).await;

    let note = a
        .client
        .get(reel["uri"].as_str().expect("uri"))
        .header(ACCEPT, "application/activity+json")
        .send()
        .await;
    let note = expect_json(note, 200).await;
    assert_eq!(note["type"], "Note", "{note}");
    assert_eq!(note["reel"], true, "{note}");
    assert_eq!(note["attachment"][0]["mediaType"], "video/mp4", "{note}");
    assert_eq!(note["attachment"][0]["height"], 160, "{note}");
    let context = note["@context"].to_string();
    assert!(context.contains("roost:reel"), "{context}");
    let plain = expect_json(
        a.get(&format!("/api/v1/statuses/{plain}")).send().await,
        200,
    )
    .await;
    let plain_note = a
        .client
        .get(plain["uri"].as_str().expect("uri"))
        .header(ACCEPT, "application/activity+json")
        .send()
        .await;
    assert!(expect_json(plain_note, 200).await.get("reel").is_none());

    let on_b = ids_at(&b, Some(&bob), "/api/v1/roost/reels").await;
    assert_eq!(on_b.len(), 1, "{on_b:?}");
    let shown = b
        .get(&format!("/api/v1/statuses/{}", on_b[0]))
        .bearer_auth(&bob.access_token);
    let shown = expect_json(shown.send().await, 200).await;
    assert_eq!(shown["uri"], reel["uri"]);
    assert_eq!(shown["media_attachments"][0]["type"], "video");
}
