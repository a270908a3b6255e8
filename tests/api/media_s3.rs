//! Media in S3-compatible storage, against a real S3 server on loopback: moto's
//! server mode (`python -m moto.server`, installed in `.venv` by `scripts/test`),
//! started per test on a free port.

use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::process::{Child, Command};

use crate::helpers::media::{contains, download, jpeg_with_gps, png, upload_ok, GPS_MARKER};
use crate::helpers::{test_python, TestApp};

const BUCKET: &str = "roost-media";

/// A running moto S3 server with the bucket created; stopped when dropped.
struct S3Server {
    endpoint: String,
    _process: Child,
}

impl S3Server {
    async fn start() -> S3Server {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
            listener.local_addr().expect("address").port()
        };
        let process = Command::new(test_python())
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("moto starts (scripts/test installs it into .venv)");
        let endpoint = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            // moto accepts unsigned requests: create the bucket as soon as it listens.
            let created = client.put(format!("{endpoint}/{BUCKET}")).send().await;
            if created.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            assert!(Instant::now() < deadline, "moto did not start in 60 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Publicly readable, as a bucket behind ROOST_S3_PUBLIC_URL must be.
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": format!("arn:aws:s3:::{BUCKET}/*"),
            }],
        });
        let set = client
            .put(format!("{endpoint}/{BUCKET}?policy"))
            .header("content-type", "application/json")
            .body(policy.to_string())
            .send()
            .await
            .expect("policy sent");
        assert!(set.status().is_success(), "bucket policy: {}", set.status());
        S3Server {
            endpoint,
            _process: process,
        }
    }

    /// The stored object at `key`, read straight from the server.
    async fn object(&self, key: &str) -> reqwest::Response {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .get(format!("{}/{BUCKET}/{key}", self.endpoint))
            .send()
            .await
            .expect("sent")
    }
}

async fn spawn_on_s3(db: PgPool, s3: &S3Server, public_url: &str) -> TestApp {
    TestApp::spawn_with(
        db,
        &[
            "--media-storage",
            "s3",
            "--s3-endpoint",
            &s3.endpoint,
            "--s3-bucket",
            BUCKET,
            "--s3-region",
            "us-east-1",
            "--s3-access-key-id",
            "testing",
            "--s3-secret-access-key",
            "testing",
            "--s3-public-url",
            public_url,
        ],
    )
    .await
}

/// The storage key of a media URL under `base`.
fn key_of<'a>(url: &'a str, base: &str) -> &'a str {
    url.strip_prefix(base)
        .expect("url under the base")
        .trim_start_matches('/')
}

#[sqlx::test]
async fn uploads_are_stored_in_an_s3_bucket_and_served_through_roost(db: PgPool) {
    let s3 = S3Server::start().await;
    let app = spawn_on_s3(db.clone(), &s3, "").await;
    let ann = app.sign_up("ann").await;
    let media = upload_ok(&app, &ann, jpeg_with_gps(900, 700), &[]).await;
    let url = media["url"].as_str().expect("url");
    let base = format!("{}/system", app.base);
    let key = key_of(url, &base);
    let (headers, served) = download(&app, url).await;
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(!contains(&served, GPS_MARKER));
    let object = s3.object(key).await;
    assert_eq!(object.status(), 200, "{key} is in the bucket");
    assert_eq!(object.headers()["content-type"], "image/jpeg");
    assert_eq!(object.bytes().await.expect("body").to_vec(), served);
    let preview_key = key_of(media["preview_url"].as_str().expect("preview"), &base);
    assert_eq!(s3.object(preview_key).await.status(), 200);

    sqlx::query("UPDATE media_attachments SET created_at = now() - interval '2 days'")
        .execute(&db)
        .await
        .expect("backdates");
    let removed = roost::maintenance::remove_orphaned_media(&app.state)
        .await
        .expect("cleans");
    assert_eq!(removed, 1);
    assert_eq!(
        s3.object(key).await.status(),
        404,
        "the orphan left the bucket"
    );
    assert_eq!(s3.object(preview_key).await.status(), 404);
}

#[sqlx::test]
async fn with_a_public_url_media_urls_point_at_the_bucket(db: PgPool) {
    let s3 = S3Server::start().await;
    let public = format!("{}/{BUCKET}", s3.endpoint);
    let app = spawn_on_s3(db, &s3, &public).await;
    let ann = app.sign_up("ann").await;
    let media = upload_ok(&app, &ann, png(50, 40), &[]).await;
    let url = media["url"].as_str().expect("url");
    assert!(
        url.starts_with(&format!("{public}/media_attachments/")),
        "{url}"
    );
    let object = s3.object(key_of(url, &public)).await;
    assert_eq!(object.status(), 200);
    assert_eq!(object.headers()["content-type"], "image/png");
    assert!(object.headers()["cache-control"]
        .to_str()
        .is_ok_and(|c| c.contains("immutable")));
}

/// Runs `roost doctor` with the media store in `bucket` of `s3`; returns its exit
/// status and output.
async fn doctor_on(db: &PgPool, s3: &S3Server, bucket: &str) -> (i32, String) {
    let url = crate::helpers::shell::test_database_url(db);
    let output = Command::new(env!("CARGO_BIN_EXE_roost"))
        .args([
            "doctor",
            "--media-storage",
            "s3",
            "--s3-endpoint",
            &s3.endpoint,
        ])
        .args(["--s3-bucket", bucket, "--s3-region", "us-east-1"])
        .args([
            "--s3-access-key-id",
            "testing",
            "--s3-secret-access-key",
            "testing",
        ])
        .args(["--database-url", &url, "--ffmpeg", "off"])
        .env("ROOST_LOG", "error")
        .output()
        .await
        .expect("roost doctor runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code().unwrap_or(-1), text)
}

#[sqlx::test]
async fn roost_doctor_probes_the_bucket_and_leaves_nothing_in_it(db: PgPool) {
    let s3 = S3Server::start().await;
    let (_, output) = doctor_on(&db, &s3, BUCKET).await;
    let line = output
        .lines()
        .find(|line| line.contains("media store"))
        .unwrap_or_else(|| panic!("no media store line in:\n{output}"));
    assert!(line.starts_with("ok"), "{output}");
    assert!(
        line.contains(&format!(
            "bucket {BUCKET} takes, returns and deletes a file"
        )),
        "{line}"
    );
    let listing = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!(
            "{}/{BUCKET}?list-type=2&prefix=doctor/",
            s3.endpoint
        ))
        .send()
        .await
        .expect("listed")
        .text()
        .await
        .expect("text");
    assert!(listing.contains("<KeyCount>0</KeyCount>"), "{listing}");

    let (status, output) = doctor_on(&db, &s3, "no-such-bucket").await;
    assert_eq!(status, 1, "{output}");
    let line = output
        .lines()
        .find(|line| line.starts_with("FAIL") && line.contains("media store"))
        .unwrap_or_else(|| panic!("no failed media store line in:\n{output}"));
    assert!(line.contains("bucket no-such-bucket"), "{line}");
    assert!(output.contains("fix: check ROOST_S3_ENDPOINT"), "{output}");
}
