//! Uploads are read as they arrive: a file over `ROOST_MAX_UPLOAD_BYTES` is refused
//! as soon as it passes the limit (the client, still sending, gets the answer), a body
//! declared larger than the request limit is refused before it is read, nothing of a
//! refused upload stays on disk, and accepted files, also ones larger than a part of
//! the store's multipart upload, arrive whole.

use std::time::Duration;

use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::media::{download, png, upload, upload_ok};
use crate::helpers::scalar;
use crate::helpers::{expect_error, TestApp};

const BOUNDARY: &str = "roost-upload-limit-test";
/// The upload limit the tests configure.
const LIMIT: usize = 1024 * 1024;
/// How long a test waits for an answer the server owes.
const ANSWER_DEADLINE: Duration = Duration::from_secs(30);

/// The first bytes of an MP4 file (video is stored as sent).
const MP4_HEAD: &[u8] = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2";

fn part_head() -> String {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.mp4\"\r\n\
         Content-Type: video/mp4\r\n\r\n"
    )
}

fn part_tail() -> String {
    format!("\r\n--{BOUNDARY}--\r\n")
}

/// Opens a connection and sends the head of `POST /api/v2/media` for one file part
/// of `file_len` bytes, then the first `sent` bytes of that file, and nothing more.
async fn start_upload(app: &TestApp, token: &str, file_len: usize, sent: usize) -> TcpStream {
    let body_len = part_head().len() + file_len + part_tail().len();
    let mut stream = TcpStream::connect(&app.domain).await.expect("connects");
    let head = format!(
        "POST /api/v2/media HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {body_len}\r\n\r\n",
        app.domain
    );
    stream.write_all(head.as_bytes()).await.expect("head sent");
    if sent == 0 {
        return stream;
    }
    stream
        .write_all(part_head().as_bytes())
        .await
        .expect("part head sent");
    stream.write_all(MP4_HEAD).await.expect("file sent");
    let chunk = vec![0u8; 64 * 1024];
    let mut left = sent - MP4_HEAD.len();
    while left > 0 {
        let n = left.min(chunk.len());
        stream.write_all(&chunk[..n]).await.expect("file sent");
        left -= n;
    }
    stream
}

/// Reads one HTTP response: (status, head, body). Panics when none comes in time.
async fn read_response(stream: &mut TcpStream) -> (u16, String, String) {
    let read = async {
        let mut received = Vec::new();
        let mut buffer = vec![0u8; 16 * 1024];
        let head_end = loop {
            if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            let n = stream.read(&mut buffer).await.expect("reads the answer");
            assert!(n > 0, "connection closed without an answer");
            received.extend_from_slice(&buffer[..n]);
        };
        let head = String::from_utf8_lossy(&received[..head_end]).to_string();
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .expect("the answer has a Content-Length");
        while received.len() < head_end + length {
            let n = stream.read(&mut buffer).await.expect("reads the body");
            assert!(n > 0, "connection closed in the body");
            received.extend_from_slice(&buffer[..n]);
        }
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .expect("status line");
        let body = String::from_utf8_lossy(&received[head_end..head_end + length]).to_string();
        (status, head, body)
    };
    tokio::time::timeout(ANSWER_DEADLINE, read)
        .await
        .expect("the server answered while the client held back the rest of the body")
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("reads").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

async fn spawn_with_limit(db: PgPool, media_dir: &std::path::Path) -> TestApp {
    let limit = LIMIT.to_string();
    let dir = media_dir.display().to_string();
    TestApp::spawn_with(
        db,
        &["--media-dir", &dir, "--max-upload-bytes", limit.as_str()],
    )
    .await
}

#[sqlx::test]
async fn a_file_over_the_limit_is_refused_before_the_client_has_sent_it_all(db: PgPool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = spawn_with_limit(db.clone(), dir.path()).await;
    let ann = app.sign_up("ann").await;
    // The body (2.5 MiB) is within the request limit (two files plus 1 MiB); the
    // client sends a little more than the file limit and then waits.
    let file_len = LIMIT * 5 / 2;
    let mut stream = start_upload(&app, &ann.access_token, file_len, LIMIT + 64 * 1024).await;
    let (status, _, body) = read_response(&mut stream).await;
    assert_eq!(status, 422, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("JSON error");
    assert_eq!(
        body["details"]["file"][0]["error"], "ERR_TOO_LARGE",
        "{body}"
    );
    drop(stream);

    let health = app.get("/health").send().await.expect("request sent");
    assert_eq!(health.status(), 200);
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM media_attachments").await,
        0
    );
    let left = files_under(dir.path());
    assert!(left.is_empty(), "files were left behind: {left:?}");
    let media = upload_ok(&app, &ann, png(40, 30), &[]).await;
    assert_eq!(media["type"], "image");
}

#[sqlx::test]
async fn a_body_declared_larger_than_the_request_limit_is_refused_before_it_is_read(db: PgPool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = spawn_with_limit(db, dir.path()).await;
    let ann = app.sign_up("ann").await;
    let mut stream = start_upload(&app, &ann.access_token, 80 * LIMIT, 0).await;
    let (status, _, body) = read_response(&mut stream).await;
    assert_eq!(status, 413, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("JSON error");
    assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
    drop(stream);
    let health = app.get("/health").send().await.expect("request sent");
    assert_eq!(health.status(), 200);
}

#[sqlx::test]
async fn a_file_exactly_at_the_limit_is_accepted_and_one_byte_more_is_refused(db: PgPool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = spawn_with_limit(db, dir.path()).await;
    let ann = app.sign_up("ann").await;
    let mut video = MP4_HEAD.to_vec();
    video.resize(LIMIT, 7);
    let media = upload_ok(&app, &ann, video.clone(), &[]).await;
    assert_eq!(media["type"], "video");
    video.push(7);
    let body = expect_error(upload(&app, &ann, video, &[]).await, 422).await;
    assert_eq!(
        body["details"]["file"][0]["error"], "ERR_TOO_LARGE",
        "{body}"
    );
}

#[sqlx::test]
async fn a_video_larger_than_a_store_part_is_stored_whole(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ann = app.sign_up("ann").await;
    // 11 MiB: three parts of the store's multipart copy (5 MiB each).
    let mut video = MP4_HEAD.to_vec();
    video.extend((0..11 * 1024 * 1024).map(|i: usize| (i % 251) as u8));
    let media = upload_ok(&app, &ann, video.clone(), &[]).await;
    assert_eq!(media["type"], "video");
    let (headers, stored) = download(&app, media["url"].as_str().expect("url")).await;
    assert_eq!(headers["content-type"], "video/mp4");
    assert!(stored == video, "the stored video differs from the upload");
}
