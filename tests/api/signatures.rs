//! Inbound HTTP signatures, checked with an implementation other than Roost's: every
//! request here is signed by `tests/clients/sign_request.py` (Python `cryptography`),
//! for an actor that a small fake server, started in the test on loopback, serves.
//! Roost fetches that actor over http because tests run it with `--insecure-http`.

use std::collections::HashMap;
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

use crate::helpers::{expect_json, test_python, TestApp, TestUser};
use roost::federation::inbox;

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

/// A remote server that serves one actor, `mallory`, with whichever key it is told,
/// and any other JSON document a test hands it ([`FakeRemote::serve`]); every other
/// path (WebFinger included) is 404.
pub(crate) struct FakeRemote {
    pub(crate) base: String,
    served_key: Arc<RwLock<String>>,
    actor_fetches: Arc<AtomicUsize>,
    documents: Arc<RwLock<HashMap<String, Value>>>,
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
        let documents = Arc::new(RwLock::new(HashMap::<String, Value>::new()));
        let document = {
            let documents = documents.clone();
            move |uri: axum::http::Uri| async move {
                let found = documents
                    .read()
                    .expect("documents lock")
                    .get(uri.path())
                    .cloned();
                match found {
                    Some(document) => (
                        StatusCode::OK,
                        [(CONTENT_TYPE, "application/activity+json")],
                        document.to_string(),
                    ),
                    None => (
                        StatusCode::NOT_FOUND,
                        [(CONTENT_TYPE, "application/json")],
                        "{}".to_owned(),
                    ),
                }
            }
        };
        let router = axum::Router::new()
            .route("/users/mallory", get(actor))
            .fallback(document);
        // Runs until the test's runtime shuts down.
        tokio::spawn(async move { axum::serve(listener, router).await });
        FakeRemote {
            base,
            served_key,
            actor_fetches,
            documents,
        }
    }

    /// Serves `document` as `application/activity+json` at `path` from now on.
    pub(crate) fn serve(&self, path: &str, document: Value) {
        let mut documents = self.documents.write().expect("documents lock");
        documents.insert(path.to_owned(), document);
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
pub(crate) struct SignedPost {
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

    /// What a replayer can do to a captured request without the key: call the
    /// algorithm `hs2019` and add a fresh `created` parameter, which is not signed.
    fn replayed_with_fresh_created(mut self) -> Self {
        replay_with_fresh_created(&mut self.headers);
        self
    }

    /// Sends the request and asserts the status (the body, Roost's reason, on mismatch).
    pub(crate) async fn expect(&self, app: &TestApp, status: StatusCode) {
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

/// Rewrites the `Signature` header as a replayer would: `algorithm="hs2019"` and an
/// unsigned `created` of now; the signed headers and the signature stay as captured.
fn replay_with_fresh_created(headers: &mut [(String, String)]) {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let (_, signature) = headers
        .iter_mut()
        .find(|(name, _)| name.eq_ignore_ascii_case("signature"))
        .expect("signed");
    assert!(
        signature.contains(r#"algorithm="rsa-sha256""#),
        "{signature}"
    );
    *signature = format!(
        "{},created={now}",
        signature.replace(r#"algorithm="rsa-sha256""#, r#"algorithm="hs2019""#)
    );
}

fn http_date_ago(seconds: u64) -> String {
    httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(seconds))
}

/// A running Roost with user `alice`, and a fake remote whose `mallory` signs with `key`.
pub(crate) struct Scene {
    pub(crate) app: TestApp,
    pub(crate) alice: TestUser,
    alice_id: String,
    pub(crate) remote: FakeRemote,
    key: PythonKey,
}

impl Scene {
    pub(crate) async fn new(db: PgPool) -> Scene {
        let app = TestApp::spawn_with(db, &["--workers", "false"]).await;
        let alice = app.sign_up("alice").await;
        let alice_id = alice.account_id.clone();
        let key = PythonKey::generate().await;
        let remote = FakeRemote::start(&key).await;
        Scene {
            app,
            alice,
            alice_id,
            remote,
            key,
        }
    }

    /// An activity by mallory with a fresh id.
    fn activity(&self, kind: &str, object: Value) -> String {
        self.activity_by(&self.remote.actor(), kind, object)
    }

    /// An activity by `actor` (an actor id on the fake remote) with a fresh id.
    pub(crate) fn activity_by(&self, actor: &str, kind: &str, object: Value) -> String {
        let id = format!("{}/activities/{}", self.remote.base, uuid::Uuid::new_v4());
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
        let key_id = self.remote.key_id();
        self.signed_post(key, &key_id, path, body, date).await
    }

    /// `body` signed by `key` under `key_id` for a POST to `path` at `date` (default: now).
    async fn signed_post(
        &self,
        key: &PythonKey,
        key_id: &str,
        path: &str,
        body: &str,
        date: Option<&str>,
    ) -> SignedPost {
        // Passed in a file: a command line cannot hold bodies of a mebibyte.
        let body_file = NamedTempFile::new().expect("temporary file");
        std::fs::write(body_file.path(), body).expect("writes the body");
        let body_path = body_file.path().to_str().expect("UTF-8 path");
        let url = self.app.url(path);
        let args = ["POST", &url, "--body-file", body_path];
        SignedPost {
            headers: self.sign(key, key_id, &args, date).await,
            url,
            body: body.to_owned(),
        }
    }

    /// Headers of a GET of `path` signed by mallory's key at `date` (default: now).
    async fn signed_get(&self, path: &str, date: Option<&str>) -> Vec<(String, String)> {
        let url = self.app.url(path);
        let key_id = self.remote.key_id();
        self.sign(&self.key, &key_id, &["GET", &url], date).await
    }

    /// `body` signed now for a POST to `path` with mallory's key under `key_id`: the
    /// key of another actor of the fake remote that publishes mallory's key as its own.
    pub(crate) async fn signed_as(&self, key_id: &str, path: &str, body: &str) -> SignedPost {
        self.signed_post(&self.key, key_id, path, body, None).await
    }

    /// Mallory's current public key (PEM), for other actors the fake remote serves.
    pub(crate) fn public_key_pem(&self) -> &str {
        &self.key.public_pem
    }

    /// Runs `sign_request.py` with `args` under `key_id` and returns the headers to
    /// send, without `Host` (reqwest sends the same one itself).
    async fn sign(
        &self,
        key: &PythonKey,
        key_id: &str,
        args: &[&str],
        date: Option<&str>,
    ) -> Vec<(String, String)> {
        let key_file = key.private_pem.path().to_str().expect("UTF-8 path");
        let mut command = vec![SIGN_REQUEST];
        command.extend(args);
        command.extend(["--key-id", key_id, "--private-key", key_file]);
        command.extend(date.map(|date| ["--date", date]).into_iter().flatten());
        let signed = python(&command).await;
        let headers = signed["headers"].as_object().expect("headers").iter();
        headers
            .filter(|(name, _)| !name.eq_ignore_ascii_case("host"))
            .map(|(name, value)| (name.clone(), value.as_str().expect("text").to_owned()))
            .collect()
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

    inbox::worker::run_once(&scene.app.state)
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
async fn a_signed_body_over_one_mebibyte_is_too_large(db: PgPool) {
    let scene = Scene::new(db).await;
    let padding = "x".repeat(1024 * 1024);
    let mut follow: Value = serde_json::from_str(&scene.follow_of_alice()).expect("JSON");
    follow["padding"] = json!(padding);
    let post = scene.signed("/inbox", &follow.to_string()).await;
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

/// The number of favourites alice's status `id` has, as the API reports it.
async fn favourites_of(scene: &Scene, id: &str) -> i64 {
    let response = scene
        .app
        .get(&format!("/api/v1/statuses/{id}"))
        .bearer_auth(&scene.alice.access_token)
        .send()
        .await;
    expect_json(response, 200).await["favourites_count"]
        .as_i64()
        .expect("count")
}

#[sqlx::test]
async fn a_like_signed_three_hours_ago_is_refused_even_with_a_fresh_unsigned_created(db: PgPool) {
    let scene = Scene::new(db).await;
    let status = scene
        .app
        .post_status(&scene.alice, &[("status", "like me")])
        .await;
    let like = scene.activity(
        "Like",
        json!(scene.app.url(&format!("/users/alice/statuses/{status}"))),
    );
    let captured = scene
        .signed_with(&scene.key, "/inbox", &like, Some(&http_date_ago(3 * 3600)))
        .await;
    scene
        .assert_refused(&captured.replayed_with_fresh_created())
        .await;
    inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
    assert_eq!(favourites_of(&scene, &status).await, 0);

    // The same Like signed now is applied: the refusal was about time alone.
    let fresh = scene.signed("/inbox", &like).await;
    fresh.expect(&scene.app, StatusCode::ACCEPTED).await;
    inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
    assert_eq!(favourites_of(&scene, &status).await, 1);
}

/// Mallory follows alice (accepted at once), and alice posts a followers-only status.
async fn followers_only_status_mallory_may_see(scene: &Scene) -> String {
    let follow = scene.signed("/inbox", &scene.follow_of_alice()).await;
    follow.expect(&scene.app, StatusCode::ACCEPTED).await;
    inbox::worker::run_once(&scene.app.state)
        .await
        .expect("processes");
    let form = [("status", "for my followers"), ("visibility", "private")];
    let id = scene.app.post_status(&scene.alice, &form).await;
    format!("/users/alice/statuses/{id}")
}

async fn get_note(scene: &Scene, path: &str, headers: &[(String, String)]) -> StatusCode {
    let mut request = scene
        .app
        .get(path)
        .header("accept", "application/activity+json");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.send().await.expect("request sent").status()
}

#[sqlx::test]
async fn a_signed_get_dated_a_month_ago_does_not_show_a_followers_only_note_even_with_a_fresh_unsigned_created(
    db: PgPool,
) {
    let scene = Scene::new(db).await;
    let path = followers_only_status_mallory_may_see(&scene).await;
    let fresh = scene.signed_get(&path, None).await;
    assert_eq!(get_note(&scene, &path, &fresh).await, StatusCode::OK);

    let mut captured = scene
        .signed_get(&path, Some(&http_date_ago(30 * 24 * 3600)))
        .await;
    assert_eq!(
        get_note(&scene, &path, &captured).await,
        StatusCode::NOT_FOUND
    );
    replay_with_fresh_created(&mut captured);
    assert_eq!(
        get_note(&scene, &path, &captured).await,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn a_signed_get_older_than_the_window_does_not_show_a_followers_only_note(db: PgPool) {
    let scene = Scene::new(db).await;
    let path = followers_only_status_mallory_may_see(&scene).await;
    let two_hours_ago = scene
        .signed_get(&path, Some(&http_date_ago(2 * 3600)))
        .await;
    assert_eq!(
        get_note(&scene, &path, &two_hours_ago).await,
        StatusCode::NOT_FOUND
    );
}

/// Posts `body` to `path` with `headers` and no signature unless they carry one.
async fn post_raw(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, Value) {
    let mut request = app
        .post(path)
        .header(CONTENT_TYPE, "application/activity+json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status();
    (status, response.json().await.expect("a JSON error"))
}

#[sqlx::test]
async fn an_unsigned_malformed_body_is_refused_as_not_signed_on_both_inboxes(db: PgPool) {
    let scene = Scene::new(db).await;
    for path in ["/inbox", "/users/alice/inbox"] {
        let (status, body) = post_raw(&scene.app, path, &[], "{\"type\": \"Follow\",").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        assert_eq!(body, json!({"error": "Request not signed"}), "{path}");
    }
    assert_eq!(scene.stored_activities().await, 0);
}

#[sqlx::test]
async fn an_unparseable_signature_is_refused_before_the_body_is_judged(db: PgPool) {
    let scene = Scene::new(db).await;
    for path in ["/inbox", "/users/alice/inbox"] {
        let headers = [("signature", "this is not a signature")];
        let (status, body) = post_raw(&scene.app, path, &headers, "not json").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        assert!(body["error"].as_str().is_some(), "{path}: {body}");
    }
    assert_eq!(scene.stored_activities().await, 0);
}
