//! Media uploads (`/api/v2/media`, `/api/v1/media/:id`), attachments on statuses,
//! profile images, serving stored files, and the orphan cleanup.

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::media::{
    contains, dimensions, download, gif, gif_with_xmp, jpeg, jpeg_with_gps, png, solid_png, upload,
    upload_ok, webp, webp_with_gps, GPS_MARKER,
};
use crate::helpers::scalar;
use crate::helpers::{expect_error, expect_json, TestApp};

fn longest_side(media: &Value, size: &str) -> u64 {
    let meta = &media["meta"][size];
    meta["width"]
        .as_u64()
        .expect("width")
        .max(meta["height"].as_u64().expect("height"))
}

#[sqlx::test]
async fn images_of_each_format_get_a_preview_a_blurhash_and_their_size(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let cases = [
        ("jpeg", jpeg(1200, 800), "image/jpeg"),
        ("png", png(900, 1300), "image/png"),
        ("gif", gif(700, 300), "image/gif"),
        ("webp", webp(800, 600), "image/webp"),
    ];
    for (name, bytes, content_type) in cases {
        let (width, height) = dimensions(&bytes);
        let media = upload_ok(&app, &ann, bytes, &[]).await;
        assert_eq!(media["type"], "image", "{name}: {media}");
        assert_eq!(media["meta"]["original"]["width"], width, "{name}");
        assert_eq!(media["meta"]["original"]["height"], height, "{name}");
        assert_eq!(longest_side(&media, "small"), 640, "{name}: {media}");
        assert!(
            media["blurhash"].as_str().is_some_and(|h| h.len() >= 6),
            "{name}: {media}"
        );
        let url = media["url"].as_str().expect("url");
        assert!(url.starts_with(&format!("{}/system/", app.base)), "{url}");
        let (headers, original) = download(&app, url).await;
        assert_eq!(headers["content-type"], content_type, "{name}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(headers["cache-control"]
            .to_str()
            .is_ok_and(|c| c.contains("immutable")));
        assert_eq!(dimensions(&original), (width, height), "{name}");
        let (_, preview) = download(&app, media["preview_url"].as_str().expect("preview")).await;
        let (w, h) = dimensions(&preview);
        assert_eq!(w.max(h), 640, "{name}");
    }
}

#[sqlx::test]
async fn exif_gps_is_removed_and_the_orientation_applied(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let upload_bytes = jpeg_with_gps(400, 200);
    assert!(contains(&upload_bytes, GPS_MARKER));
    let media = upload_ok(&app, &ann, upload_bytes, &[]).await;
    let (_, stored) = download(&app, media["url"].as_str().expect("url")).await;
    assert!(!contains(&stored, GPS_MARKER), "GPS data survived");
    assert!(!contains(&stored, b"Exif\0\0"), "EXIF survived");
    // Orientation 6 means "rotate 90°": the stored image is upright, 200×400.
    assert_eq!(dimensions(&stored), (200, 400));
    assert_eq!(media["meta"]["original"]["width"], 200);
    assert_eq!(media["meta"]["original"]["height"], 400);
}

#[sqlx::test]
async fn metadata_blocks_of_webp_and_gif_are_removed_and_their_frames_kept(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    for (name, bytes, content_type) in [
        ("webp", webp_with_gps(300, 200), "image/webp"),
        ("gif", gif_with_xmp(300, 200), "image/gif"),
    ] {
        assert!(contains(&bytes, GPS_MARKER), "{name}");
        let media = upload_ok(&app, &ann, bytes, &[]).await;
        let (headers, stored) = download(&app, media["url"].as_str().expect("url")).await;
        assert_eq!(headers["content-type"], content_type, "{name}");
        assert!(!contains(&stored, GPS_MARKER), "{name}: metadata survived");
        assert_eq!(dimensions(&stored), (300, 200), "{name}");
    }
}

#[sqlx::test]
async fn truncated_garbage_oversized_and_bomb_files_get_422_and_nothing_is_stored(db: PgPool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_arg = dir.path().display().to_string();
    let app = TestApp::spawn_with(
        db.clone(),
        &[
            "--media-dir",
            &dir_arg,
            "--max-upload-bytes",
            "200000",
            "--max-image-pixels",
            "1000000",
        ],
    )
    .await;
    let ann = app.sign_up("ann").await;
    let mut truncated = jpeg(300, 300);
    truncated.truncate(truncated.len() / 2);
    let mut oversized = png(10, 10);
    oversized.resize(250_000, 0);
    let bomb = solid_png(2000, 2000);
    assert!(bomb.len() < 200_000, "the bomb is small: {}", bomb.len());
    let cases = [
        ("truncated", truncated),
        (
            "garbage",
            b"<html><script>alert(1)</script></html>".to_vec(),
        ),
        ("oversized", oversized),
        // 2000×2000 of one colour compresses to a few KiB but decodes to 16 MB.
        ("bomb", bomb),
        ("empty", Vec::new()),
    ];
    for (name, bytes) in cases {
        let body = expect_error(upload(&app, &ann, bytes, &[]).await, 422).await;
        let error = body["error"].as_str().unwrap_or_default();
        if name == "bomb" {
            assert!(error.contains("pixels"), "{name}: {body}");
        }
    }
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM media_attachments").await,
        0
    );
    let files = walk(dir.path());
    assert!(files.is_empty(), "files were stored: {files:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("reads").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[sqlx::test]
async fn alt_text_and_focus_round_trip_and_reach_the_status(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let media = upload_ok(&app, &ann, png(64, 48), &[("description", "A grey cat")]).await;
    assert_eq!(media["description"], "A grey cat");
    let id = media["id"].as_str().expect("id");
    let path = format!("/api/v1/media/{id}");
    let updated = app
        .client
        .put(app.url(&path))
        .bearer_auth(&ann.access_token)
        .form(&[("description", "A grey cat asleep"), ("focus", "0.5,-0.25")])
        .send()
        .await;
    let updated = expect_json(updated, 200).await;
    assert_eq!(updated["description"], "A grey cat asleep");
    assert_eq!(updated["meta"]["focus"]["x"], 0.5);
    assert_eq!(updated["meta"]["focus"]["y"], -0.25);
    let shown = expect_json(
        app.get(&path).bearer_auth(&ann.access_token).send().await,
        200,
    )
    .await;
    assert_eq!(shown["description"], "A grey cat asleep");
    let status = app
        .post("/api/v1/statuses")
        .bearer_auth(&ann.access_token)
        .form(&[("status", ""), ("media_ids[]", id)])
        .send()
        .await;
    let status = expect_json(status, 200).await;
    let attached = &status["media_attachments"];
    assert_eq!(attached.as_array().map(Vec::len), Some(1), "{status}");
    assert_eq!(attached[0]["id"], id);
    assert_eq!(attached[0]["description"], "A grey cat asleep");
    let again = app
        .client
        .put(app.url(&path))
        .bearer_auth(&ann.access_token)
        .form(&[("description", "changed after posting")])
        .send()
        .await;
    expect_error(again, 404).await;
    let bad_focus = upload(&app, &ann, png(8, 8), &[("focus", "3,0")]).await;
    expect_error(bad_focus, 422).await;
    let in_use = app
        .delete(&path)
        .bearer_auth(&ann.access_token)
        .send()
        .await;
    expect_error(in_use, 422).await;
}

#[sqlx::test]
async fn an_unattached_upload_can_be_deleted_with_its_files(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let bob = app.sign_up("bob").await;
    let media = upload_ok(&app, &ann, png(700, 100), &[]).await;
    let path = format!("/api/v1/media/{}", media["id"].as_str().expect("id"));
    let strangers = app
        .delete(&path)
        .bearer_auth(&bob.access_token)
        .send()
        .await;
    expect_error(strangers, 404).await;
    let deleted = app
        .delete(&path)
        .bearer_auth(&ann.access_token)
        .send()
        .await;
    assert_eq!(expect_json(deleted, 200).await, serde_json::json!({}));
    for url in [&media["url"], &media["preview_url"]] {
        let gone = app.client.get(url.as_str().expect("url")).send().await;
        assert_eq!(gone.expect("sent").status(), 404);
    }
    let again = app.get(&path).bearer_auth(&ann.access_token).send().await;
    expect_error(again, 404).await;
}

#[sqlx::test]
async fn someone_elses_used_or_too_many_media_ids_are_refused(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let ann = app.sign_up("ann").await;
    let bob = app.sign_up("bob").await;
    let bobs = upload_ok(&app, &bob, png(16, 16), &[]).await;
    let post = |user: &crate::helpers::TestUser, ids: Vec<String>| {
        let mut form = vec![("status".to_owned(), "hello".to_owned())];
        form.extend(ids.into_iter().map(|id| ("media_ids[]".to_owned(), id)));
        app.post("/api/v1/statuses")
            .bearer_auth(&user.access_token)
            .form(&form)
            .send()
    };
    let bobs_id = bobs["id"].as_str().expect("id").to_owned();
    expect_error(post(&ann, vec![bobs_id.clone()]).await, 422).await;
    let mut five = Vec::new();
    for _ in 0..5 {
        let media = upload_ok(&app, &ann, png(8, 8), &[]).await;
        five.push(media["id"].as_str().expect("id").to_owned());
    }
    expect_error(post(&ann, five.clone()).await, 422).await;
    expect_json(post(&ann, five[..2].to_vec()).await, 200).await;
    // Already attached: not reusable in another status.
    expect_error(post(&ann, vec![five[0].clone()]).await, 422).await;
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM statuses").await,
        1,
        "refused posts left no status"
    );
    let strangers = app
        .get(&format!("/api/v1/media/{bobs_id}"))
        .bearer_auth(&ann.access_token)
        .send()
        .await;
    expect_error(strangers, 404).await;
}

#[sqlx::test]
async fn video_and_audio_are_stored_as_sent_with_their_type_checked(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let mut mp4 = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    mp4.extend([0u8; 64]);
    let mut mp3 = b"ID3\x04\0\0\0\0\0\0".to_vec();
    mp3.extend([0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0]);
    let mut webm = b"\x1A\x45\xDF\xA3\x9f\x42\x86\x81\x01\x42\x82\x84webm".to_vec();
    webm.extend([0u8; 32]);
    let ogg = b"OggS\0\x02\0\0\0\0\0\0\0\0rest".to_vec();
    let cases = [
        (mp4, "video", "video/mp4"),
        (mp3, "audio", "audio/mpeg"),
        (webm, "video", "video/webm"),
        (ogg, "audio", "audio/ogg"),
    ];
    for (bytes, kind, content_type) in cases {
        let media = upload_ok(&app, &ann, bytes.clone(), &[]).await;
        assert_eq!(media["type"], kind, "{media}");
        let (headers, stored) = download(&app, media["url"].as_str().expect("url")).await;
        assert_eq!(headers["content-type"], content_type);
        assert_eq!(stored, bytes);
    }
}

#[sqlx::test]
async fn avatar_and_header_uploads_show_on_the_account(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let before = expect_json(
        app.get("/api/v1/accounts/verify_credentials")
            .bearer_auth(&ann.access_token)
            .send()
            .await,
        200,
    )
    .await;
    let missing = before["avatar"].as_str().expect("avatar");
    assert!(missing.ends_with("/avatars/original/missing.png"));
    let (headers, _) = download(&app, missing).await;
    assert_eq!(headers["content-type"], "image/png");
    let form = reqwest::multipart::Form::new()
        .part(
            "avatar",
            reqwest::multipart::Part::bytes(jpeg_with_gps(300, 200)).file_name("me.png"),
        )
        .part(
            "header",
            reqwest::multipart::Part::bytes(png(1500, 500)).file_name("h.jpg"),
        )
        .text("display_name", "Ann");
    let account = app
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&ann.access_token)
        .multipart(form)
        .send()
        .await;
    let account = expect_json(account, 200).await;
    assert_eq!(account["display_name"], "Ann");
    let avatar = account["avatar"].as_str().expect("avatar");
    assert!(
        avatar.starts_with(&format!("{}/system/accounts/", app.base)),
        "{avatar}"
    );
    let (headers, stored) = download(&app, avatar).await;
    assert_eq!(headers["content-type"], "image/jpeg");
    assert!(!contains(&stored, GPS_MARKER));
    let (headers, _) = download(&app, account["header"].as_str().expect("header")).await;
    assert_eq!(headers["content-type"], "image/png");
    let garbage = reqwest::multipart::Form::new().part(
        "avatar",
        reqwest::multipart::Part::bytes(b"not an image".to_vec()).file_name("a.png"),
    );
    let refused = app
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&ann.access_token)
        .multipart(garbage)
        .send()
        .await;
    expect_error(refused, 422).await;
}

#[sqlx::test]
async fn uploads_never_attached_are_removed_after_a_day(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let ann = app.sign_up("ann").await;
    let orphan = upload_ok(&app, &ann, png(700, 700), &[]).await;
    let fresh = upload_ok(&app, &ann, png(20, 20), &[]).await;
    let used = upload_ok(&app, &ann, png(20, 20), &[]).await;
    let used_id = used["id"].as_str().expect("id");
    app.post_status(&ann, &[("status", "with media"), ("media_ids[]", used_id)])
        .await;
    sqlx::query(
        "UPDATE media_attachments SET created_at = now() - interval '2 days' WHERE id <> $1",
    )
    .bind(
        fresh["id"]
            .as_str()
            .expect("id")
            .parse::<i64>()
            .expect("number"),
    )
    .execute(&db)
    .await
    .expect("backdates");
    let removed = roost::maintenance::remove_orphaned_media(&app.state)
        .await
        .expect("cleans");
    assert_eq!(removed, 1);
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM media_attachments").await,
        2
    );
    for url in [&orphan["url"], &orphan["preview_url"]] {
        let gone = app.client.get(url.as_str().expect("url")).send().await;
        assert_eq!(gone.expect("sent").status(), 404);
    }
    download(&app, used["url"].as_str().expect("url")).await;
}

#[sqlx::test]
async fn only_media_keeps_the_statuses_with_attachments(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let media = upload_ok(&app, &ann, png(32, 32), &[]).await;
    let id = media["id"].as_str().expect("id");
    let with_media = expect_json(
        app.post("/api/v1/statuses")
            .bearer_auth(&ann.access_token)
            .form(&[("status", "look #cats"), ("media_ids[]", id)])
            .send()
            .await,
        200,
    )
    .await;
    app.post_status(&ann, &[("status", "just text #cats")])
        .await;
    let ids = |list: Value| -> Vec<String> {
        list.as_array()
            .expect("list")
            .iter()
            .map(|s| s["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let expected = vec![with_media["id"].as_str().expect("id").to_owned()];
    for path in [
        format!(
            "/api/v1/accounts/{}/statuses?only_media=true",
            ann.account_id
        ),
        "/api/v1/timelines/public?only_media=true".to_owned(),
        "/api/v1/timelines/tag/cats?only_media=true".to_owned(),
    ] {
        let list = expect_json(app.get(&path).send().await, 200).await;
        assert_eq!(ids(list), expected, "{path}");
    }
    let all = expect_json(app.get("/api/v1/timelines/tag/cats").send().await, 200).await;
    assert_eq!(ids(all).len(), 2);
    app.stop().await;
}

/// `DELETE /api/v1/profile/avatar` and `/header` (Mastodon 4.2) bring the placeholder
/// back, delete the stored file, leave the other image alone, succeed again when there
/// is nothing left to remove, and need `write:accounts`.
#[sqlx::test]
async fn avatar_and_header_can_be_removed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    let form = reqwest::multipart::Form::new()
        .part(
            "avatar",
            reqwest::multipart::Part::bytes(png(64, 64)).file_name("a.png"),
        )
        .part(
            "header",
            reqwest::multipart::Part::bytes(png(300, 100)).file_name("h.png"),
        );
    let response = app
        .patch("/api/v1/accounts/update_credentials")
        .bearer_auth(&ann.access_token)
        .multipart(form)
        .send()
        .await;
    let account = expect_json(response, 200).await;
    let avatar = account["avatar"].as_str().expect("avatar").to_owned();
    let header = account["header"].as_str().expect("header").to_owned();
    download(&app, &avatar).await;

    let remove = |which: &'static str, token: String| {
        let request = app
            .delete(&format!("/api/v1/profile/{which}"))
            .bearer_auth(token);
        async move { request.send().await }
    };
    let account = expect_json(remove("avatar", ann.access_token.clone()).await, 200).await;
    let placeholder = account["avatar"].as_str().expect("avatar");
    assert!(
        placeholder.ends_with("/avatars/original/missing.png"),
        "{placeholder}"
    );
    assert_eq!(account["header"], header.as_str(), "the header stays");
    assert_eq!(
        account["source"]["privacy"], "public",
        "a CredentialAccount"
    );
    let gone = app.client.get(&avatar).send().await.expect("request sent");
    assert_eq!(gone.status(), 404, "the old avatar file is deleted");
    expect_json(remove("avatar", ann.access_token.clone()).await, 200).await;

    let read_only = app.create_app("read").await;
    let token = app
        .password_token(&read_only, "ann", crate::helpers::PASSWORD, "read")
        .await;
    expect_error(remove("header", token).await, 403).await;
    let account = expect_json(remove("header", ann.access_token.clone()).await, 200).await;
    let placeholder = account["header"].as_str().expect("header");
    assert!(
        placeholder.ends_with("/headers/original/missing.png"),
        "{placeholder}"
    );
}
