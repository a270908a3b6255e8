//! Inbound HTTP signatures, checked with an implementation other than Roost's: every
//! request here is signed by `tests/clients/sign_request.py` (Python `cryptography`),
//! for an actor that a small fake server, started in the test on loopback, serves.
//! Roost fetches that actor over http because tests run it with `--insecure-http`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tempfile::NamedTempFile;
use tokio::net::TcpListener;
use tokio::process::Command;

use crate::helpers::{expect_json, test_python, TestApp};
use roost::federation::inbox_worker;

const SIGN_REQUEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/sign_request.py");

/// Prints a fresh RSA-2048 key pair as JSON: the private key (PKCS#8) and public (SPKI).
const GENERATE_KEY: &str = "
import json, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
json.dump({
    'private': key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode(),
    'public': key.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
}, sys.stdout)
";

async fn python(args: &[&str]) -> Value {
    let output = Command::new(test_python()).args(args).output().await;
    let output = output.expect("python runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "python failed: {stderr}");
    serde_json::from_slice(&output.stdout).expect("python prints JSON")
}

/// An RSA key pair made by Python; the private half sits in a PEM file for
/// `sign_request.py --private-key`.
struct PythonKey {
    private_pem: NamedTempFile,
    public_pem: String,
}

impl PythonKey {
    async fn generate() -> PythonKey {
        let pair = python(&["-c", GENERATE_KEY]).await;
        let private_pem = NamedTempFile::new().expect("temporary file");
        let private = pair["private"].as_str().expect("private key");
        std::fs::write(private_pem.path(), private).expect("writes the key");
        PythonKey {
            private_pem,
            public_pem: pair["public"].as_str().expect("public key").to_owned(),
        }
    }
}

/// A remote server that serves one actor, `mallory`, with whichever key it is told.
struct FakeRemote {
    base: String,
    served_key: Arc<RwLock<String>>,
    actor_fetches: Arc<AtomicUsize>,
}

impl FakeRemote {
    async fn start(key: &PythonKey) -> FakeRemote {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let served_key = Arc::new(RwLock::new(key.public_pem.clone()));
        let actor_fetches = Arc::new(AtomicUsize::new(0));
        let actor = {
            let (base, served_key, fetches) =
                (base.clone(), served_key.clone(), actor_fetches.clone());
            move || async move {
                fetches.fetch_add(1, Ordering::SeqCst);
                let pem = served_key.read().expect("key lock").clone();
                let id = format!("{base}/users/mallory");
                let document = json!({
                    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                    "id": id,
                    "type": "Person",
                    "preferredUsername": "mallory",
                    "inbox": format!("{id}/inbox"),
                    "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem },
                });
                (
                    [(CONTENT_TYPE, "application/activity+json")],
                    document.to_string(),
                )
            }
        };
        let router = axum::Router::new().route("/users/mallory", get(actor));
        // Runs until the test's runtime shuts down.
        tokio::spawn(async move { axum::serve(listener, router).await });
        FakeRemote {
            base,
            served_key,
            actor_fetches,
        }
    }

    fn actor(&self) -> String {
        format!("{}/users/mallory", self.base)
    }

    fn key_id(&self) -> String {
        format!("{}#main-key", self.actor())
    }

    fn serve_key(&self, key: &PythonKey) {
        *self.served_key.write().expect("key lock") = key.public_pem.clone();
    }

    fn actor_fetches(&self) -> usize {
        self.actor_fetches.load(Ordering::SeqCst)
    }
}

/// A POST as `sign_request.py` signed it; alter it to forge the cases Roost must refuse.
struct SignedPost {
    url: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl SignedPost {
    fn without(mut self, header: &str) -> Self {
        self.headers
            .retain(|(name, _)| !name.eq_ignore_ascii_case(header));
        self
    }

    /// Sends the request and asserts the status (the body, Roost's reason, on mismatch).
    async fn expect(&self, app: &TestApp, status: StatusCode) {
        let mut request = app.client.post(&self.url).body(self.body.clone());
        request = request.header(CONTENT_TYPE, "application/activity+json");
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("request sent");
        let actual = response.status();
        let reason = response.text().await.expect("body read");
        assert_eq!(actual, status, "answered {actual}: {reason}");
    }
}

/// A running Roost with user `alice`, and a fake remote whose `mallory` signs with `key`.
struct Scene {
    app: TestApp,
    alice_id: String,
    remote: FakeRemote,
    key: PythonKey,
}

impl Scene {
    async fn new(db: PgPool) -> Scene {
        let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
        let alice_id = app.sign_up("alice").await.account_id;
        let key = PythonKey::generate().await;
        let remote = FakeRemote::start(&key).await;
        Scene {
            app,
            alice_id,
            remote,
            key,
        }
    }

    /// An activity by mallory with a fresh id.
    fn activity(&self, kind: &str, object: Value) -> String {
        let id = format!("{}/activities/{}", self.remote.base, uuid::Uuid::new_v4());
        let actor = self.remote.actor();
        let activity = json!({ "@context": "https://www.w3.org/ns/activitystreams",
            "id": id, "type": kind, "actor": actor, "object": object });
        activity.to_string()
    }

    fn follow_of_alice(&self) -> String {
        self.activity("Follow", json!(self.app.url("/users/alice")))
    }

    /// An activity type Roost does not know.
    fn bite_of_alice(&self) -> String {
        self.activity("Bite", json!(self.app.url("/users/alice")))
    }

    /// `body` signed by mallory's current key for a POST to `path`.
    async fn signed(&self, path: &str, body: &str) -> SignedPost {
        self.signed_with(&self.key, path, body, None).await
    }

    /// `body` signed by `sign_request.py` with `key`, under mallory's keyId, for a POST
    /// to `path` at `date` (default: now).
    async fn signed_with(
        &self,
        key: &PythonKey,
        path: &str,
        body: &str,
        date: Option<&str>,
    ) -> SignedPost {
        let (url, key_id) = (self.app.url(path), self.remote.key_id());
        let key_file = key.private_pem.path().to_str().expect("UTF-8 path");
        let mut args = vec![
            SIGN_REQUEST,
            "POST",
            &url,
            "--body",
            body,
            "--key-id",
            &key_id,
        ];
        args.extend(["--private-key", key_file]);
        args.extend(date.map(|date| ["--date", date]).into_iter().flatten());
        let signed = python(&args).await;
        let headers = signed["headers"].as_object().expect("headers").iter();
        SignedPost {
            url,
            // reqwest sends the same Host itself.
            headers: headers
                .filter(|(name, _)| !name.eq_ignore_ascii_case("host"))
                .map(|(name, value)| (name.clone(), value.as_str().expect("text").to_owned()))
                .collect(),
            body: body.to_owned(),
        }
    }

    async fn stored_activities(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM inbox_activities")
            .fetch_one(&self.app.db)
            .await
            .expect("counts")
    }

    async fn assert_refused(&self, post: &SignedPost) {
        post.expect(&self.app, StatusCode::UNAUTHORIZED).await;
        assert_eq!(self.stored_activities().await, 0, "refused yet stored");
    }
}

async fn a_signed_follow_makes_mallory_a_follower_through(db: PgPool, path: &str) {
    let scene = Scene::new(db).await;
    let follow = scene.follow_of_alice();
    let post = scene.signed(path, &follow).await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    let follow: Value = serde_json::from_str(&follow).expect("JSON");
    let stored: (String, String, Value) = sqlx::query_as(
        "SELECT activity_type, actor_ap_id, payload FROM inbox_activities WHERE activity_id = $1",
    )
    .bind(follow["id"].as_str().expect("id"))
    .fetch_one(&scene.app.db)
    .await
    .expect("the Follow is stored");
    let expected = ("Follow".to_owned(), scene.remote.actor(), follow.clone());
    assert_eq!(stored, expected);

    inbox_worker::run_once(&scene.app.state)
        .await
        .expect("processes");
    let followers_path = format!("/api/v1/accounts/{}/followers", scene.alice_id);
    let followers = expect_json(scene.app.get(&followers_path).send().await, 200).await;
    let accts: Vec<&str> = followers
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["acct"].as_str())
        .collect();
    let remote_domain = scene.remote.base.trim_start_matches("http://");
    assert_eq!(accts, [format!("mallory@{remote_domain}")]);

    let queued: Vec<(String, String)> =
        sqlx::query_as("SELECT inbox_url, payload FROM deliveries WHERE state = 'pending'")
            .fetch_all(&scene.app.db)
            .await
            .expect("reads deliveries");
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].0, format!("{}/inbox", scene.remote.actor()));
    let accept: Value = serde_json::from_str(&queued[0].1).expect("JSON payload");
    assert_eq!(accept["type"], "Accept");
    assert_eq!(accept["actor"], scene.app.url("/users/alice"));
    assert_eq!(accept["object"]["id"], follow["id"], "{accept}");
}

#[sqlx::test]
async fn a_python_signed_follow_to_a_personal_inbox_makes_a_remote_follower(db: PgPool) {
    a_signed_follow_makes_mallory_a_follower_through(db, "/users/alice/inbox").await;
}

#[sqlx::test]
async fn a_python_signed_follow_to_the_shared_inbox_makes_a_remote_follower(db: PgPool) {
    a_signed_follow_makes_mallory_a_follower_through(db, "/inbox").await;
}

/// The signature covers the path as sent, trailing slash included, although the
/// request is routed like the path without it.
#[sqlx::test]
async fn a_python_signed_follow_to_an_inbox_path_with_a_trailing_slash_is_verified(db: PgPool) {
    a_signed_follow_makes_mallory_a_follower_through(db, "/users/alice/inbox/").await;
}

#[sqlx::test]
async fn a_body_changed_after_signing_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let mut post = scene.signed("/inbox", &scene.follow_of_alice()).await;
    post.body = scene.follow_of_alice();
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn a_signed_request_whose_digest_header_was_removed_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let post = scene.signed("/inbox", &scene.follow_of_alice()).await;
    scene.assert_refused(&post.without("Digest")).await;
}

#[sqlx::test]
async fn a_signature_by_another_key_than_the_actors_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let other = PythonKey::generate().await;
    let follow = scene.follow_of_alice();
    let post = scene.signed_with(&other, "/inbox", &follow, None).await;
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn a_signature_dated_two_hours_ago_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let two_hours_ago = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(7200));
    let follow = scene.follow_of_alice();
    let post = scene
        .signed_with(&scene.key, "/inbox", &follow, Some(&two_hours_ago))
        .await;
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn a_request_without_a_signature_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let post = scene.signed("/inbox", &scene.follow_of_alice()).await;
    scene.assert_refused(&post.without("Signature")).await;
}

#[sqlx::test]
async fn a_signature_for_another_path_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let follow = scene.follow_of_alice();
    let mut post = scene.signed("/users/alice/inbox", &follow).await;
    post.url = scene.app.url("/inbox");
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn an_activity_whose_actor_is_not_the_key_owner_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let mut follow: Value = serde_json::from_str(&scene.follow_of_alice()).expect("JSON");
    follow["actor"] = json!(format!("{}/users/eve", scene.remote.base));
    let post = scene.signed("/inbox", &follow.to_string()).await;
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn an_activity_whose_id_is_on_another_server_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let mut follow: Value = serde_json::from_str(&scene.follow_of_alice()).expect("JSON");
    follow["id"] = json!("https://victim.example/activities/1");
    let post = scene.signed("/inbox", &follow.to_string()).await;
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn a_create_of_a_note_attributed_to_someone_else_is_refused(db: PgPool) {
    let scene = Scene::new(db).await;
    let note = json!({
        "id": format!("{}/notes/1", scene.remote.base),
        "type": "Note",
        "attributedTo": format!("{}/users/eve", scene.remote.base),
        "content": "<p>words put in eve's mouth</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    });
    let create = scene.activity("Create", note);
    let post = scene.signed("/inbox", &create).await;
    scene.assert_refused(&post).await;
}

#[sqlx::test]
async fn the_same_signed_activity_posted_twice_is_accepted_twice_and_stored_once(db: PgPool) {
    let scene = Scene::new(db).await;
    let post = scene.signed("/inbox", &scene.follow_of_alice()).await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    assert_eq!(scene.stored_activities().await, 1);
}

#[sqlx::test]
async fn an_activity_of_an_unknown_type_is_accepted_and_stored(db: PgPool) {
    let scene = Scene::new(db).await;
    let post = scene
        .signed("/users/alice/inbox", &scene.bite_of_alice())
        .await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    let kinds: Vec<String> = sqlx::query_scalar("SELECT activity_type FROM inbox_activities")
        .fetch_all(&scene.app.db)
        .await
        .expect("reads");
    assert_eq!(kinds, ["Bite"]);
}

#[sqlx::test]
async fn a_signed_body_that_is_not_json_is_a_bad_request(db: PgPool) {
    let scene = Scene::new(db).await;
    let post = scene.signed("/inbox", "{\"type\": \"Follow\",").await;
    post.expect(&scene.app, StatusCode::BAD_REQUEST).await;
    assert_eq!(scene.stored_activities().await, 0);
}

#[sqlx::test]
async fn a_body_over_one_mebibyte_is_too_large(db: PgPool) {
    let scene = Scene::new(db).await;
    // Too large for a command-line argument to the signer: sent unsigned, as the size is
    // checked before anything else.
    let padding = "x".repeat(1024 * 1024);
    let mut follow: Value = serde_json::from_str(&scene.follow_of_alice()).expect("JSON");
    follow["padding"] = json!(padding);
    let post = SignedPost {
        url: scene.app.url("/inbox"),
        headers: Vec::new(),
        body: follow.to_string(),
    };
    post.expect(&scene.app, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(scene.stored_activities().await, 0);
}

#[sqlx::test]
async fn the_inbox_of_an_unknown_user_is_not_found(db: PgPool) {
    let scene = Scene::new(db).await;
    let follow = scene.activity("Follow", json!(scene.app.url("/users/nobody")));
    let post = scene.signed("/users/nobody/inbox", &follow).await;
    post.expect(&scene.app, StatusCode::NOT_FOUND).await;
    assert_eq!(scene.stored_activities().await, 0);
}

#[sqlx::test]
async fn a_rotated_key_is_refetched_once_and_not_again_within_ten_minutes(db: PgPool) {
    let mut scene = Scene::new(db).await;
    let first = scene.signed("/inbox", &scene.follow_of_alice()).await;
    first.expect(&scene.app, StatusCode::ACCEPTED).await;
    assert_eq!(scene.remote.actor_fetches(), 1);

    scene.key = PythonKey::generate().await;
    scene.remote.serve_key(&scene.key);
    let rotated = scene.signed("/inbox", &scene.bite_of_alice()).await;
    rotated.expect(&scene.app, StatusCode::ACCEPTED).await;
    assert_eq!(scene.remote.actor_fetches(), 2, "refetched once");
    let again = scene.signed("/inbox", &scene.bite_of_alice()).await;
    again.expect(&scene.app, StatusCode::ACCEPTED).await;
    assert_eq!(scene.remote.actor_fetches(), 2, "the new key is cached");

    scene.key = PythonKey::generate().await;
    scene.remote.serve_key(&scene.key);
    let too_soon = scene.signed("/inbox", &scene.bite_of_alice()).await;
    too_soon.expect(&scene.app, StatusCode::UNAUTHORIZED).await;
    assert_eq!(scene.remote.actor_fetches(), 2, "no refetch within 10 min");
    assert_eq!(scene.stored_activities().await, 3);
}

#[sqlx::test]
async fn an_announce_embedding_another_authors_note_is_accepted(db: PgPool) {
    let scene = Scene::new(db).await;
    let note = json!({
        "id": "https://elsewhere.example/notes/1",
        "type": "Note",
        "attributedTo": "https://elsewhere.example/users/eve",
        "content": "<p>worth sharing</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    });
    let post = scene
        .signed("/inbox", &scene.activity("Announce", note))
        .await;
    post.expect(&scene.app, StatusCode::ACCEPTED).await;
    assert_eq!(scene.stored_activities().await, 1);
}
