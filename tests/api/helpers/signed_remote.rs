//! A fake remote server for inbound-signature tests: `mallory`'s actor document served
//! on loopback with whichever key a test chooses, and requests signed by
//! `tests/clients/sign_request.py` (Python `cryptography`), an implementation other
//! than Roost's. [`Scene`] puts a Roost with `alice` and that remote together.

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

use super::{test_python, TestApp, TestUser};

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

/// Runs the test Python with `args` and parses what it prints as JSON.
async fn python(args: &[&str]) -> Value {
    let output = Command::new(test_python()).args(args).output().await;
    let output = output.expect("python runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "python failed: {stderr}");
    serde_json::from_slice(&output.stdout).expect("python prints JSON")
}

/// An RSA key pair made by Python; the private half sits in a PEM file for
/// `sign_request.py --private-key`.
pub struct PythonKey {
    private_pem: NamedTempFile,
    public_pem: String,
}

impl PythonKey {
    /// The public key (PEM SubjectPublicKeyInfo), for actor documents.
    pub fn public_key_pem(&self) -> &str {
        &self.public_pem
    }

    /// The private key's PEM file (PKCS#8), for signers other than `sign_request.py`.
    pub fn private_pem_path(&self) -> &std::path::Path {
        self.private_pem.path()
    }

    pub async fn generate() -> PythonKey {
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
pub struct FakeRemote {
    pub base: String,
    served_key: Arc<RwLock<String>>,
    actor_fetches: Arc<AtomicUsize>,
    documents: Arc<RwLock<HashMap<String, Value>>>,
}

impl FakeRemote {
    pub async fn start(key: &PythonKey) -> FakeRemote {
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
    pub fn serve(&self, path: &str, document: Value) {
        let mut documents = self.documents.write().expect("documents lock");
        documents.insert(path.to_owned(), document);
    }

    pub fn actor(&self) -> String {
        format!("{}/users/mallory", self.base)
    }

    pub fn key_id(&self) -> String {
        format!("{}#main-key", self.actor())
    }

    pub fn serve_key(&self, key: &PythonKey) {
        *self.served_key.write().expect("key lock") = key.public_pem.clone();
    }

    pub fn actor_fetches(&self) -> usize {
        self.actor_fetches.load(Ordering::SeqCst)
    }
}

/// A POST as `sign_request.py` signed it; alter it to forge the cases Roost must refuse.
pub struct SignedPost {
    /// Where it goes; a test may point it elsewhere to forge another path.
    pub url: String,
    headers: Vec<(String, String)>,
    /// The body as signed; a test may swap it to forge a changed body.
    pub body: String,
}

impl SignedPost {
    pub fn without(mut self, header: &str) -> Self {
        self.headers
            .retain(|(name, _)| !name.eq_ignore_ascii_case(header));
        self
    }

    /// What a replayer can do to a captured request without the key: call the
    /// algorithm `hs2019` and add a fresh `created` parameter, which is not signed.
    pub fn replayed_with_fresh_created(mut self) -> Self {
        replay_with_fresh_created(&mut self.headers);
        self
    }

    /// Sends the request and asserts the status (the body, Roost's reason, on mismatch).
    pub async fn expect(&self, app: &TestApp, status: StatusCode) {
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
pub fn replay_with_fresh_created(headers: &mut [(String, String)]) {
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

/// An HTTP date `seconds` ago, as a `Date` header carries it.
pub fn http_date_ago(seconds: u64) -> String {
    httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(seconds))
}

/// A running Roost with user `alice`, and a fake remote whose `mallory` signs with `key`.
pub struct Scene {
    pub app: TestApp,
    pub alice: TestUser,
    pub alice_id: String,
    pub remote: FakeRemote,
    pub key: PythonKey,
}

impl Scene {
    pub async fn new(db: PgPool) -> Scene {
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
    pub fn activity(&self, kind: &str, object: Value) -> String {
        self.activity_by(&self.remote.actor(), kind, object)
    }

    /// An activity by `actor` (an actor id on the fake remote) with a fresh id.
    pub fn activity_by(&self, actor: &str, kind: &str, object: Value) -> String {
        let id = format!("{}/activities/{}", self.remote.base, uuid::Uuid::new_v4());
        let activity = json!({ "@context": "https://www.w3.org/ns/activitystreams",
            "id": id, "type": kind, "actor": actor, "object": object });
        activity.to_string()
    }

    pub fn follow_of_alice(&self) -> String {
        self.activity("Follow", json!(self.app.url("/users/alice")))
    }

    /// An activity type Roost does not know.
    pub fn bite_of_alice(&self) -> String {
        self.activity("Bite", json!(self.app.url("/users/alice")))
    }

    /// `body` signed by mallory's current key for a POST to `path`.
    pub async fn signed(&self, path: &str, body: &str) -> SignedPost {
        self.signed_with(&self.key, path, body, None).await
    }

    /// `body` signed by `sign_request.py` with `key`, under mallory's keyId, for a POST
    /// to `path` at `date` (default: now).
    pub async fn signed_with(
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
    pub async fn signed_post(
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
    pub async fn signed_get(&self, path: &str, date: Option<&str>) -> Vec<(String, String)> {
        let url = self.app.url(path);
        let key_id = self.remote.key_id();
        self.sign(&self.key, &key_id, &["GET", &url], date).await
    }

    /// `body` signed now for a POST to `path` with mallory's key under `key_id`: the
    /// key of another actor of the fake remote that publishes mallory's key as its own.
    pub async fn signed_as(&self, key_id: &str, path: &str, body: &str) -> SignedPost {
        self.signed_post(&self.key, key_id, path, body, None).await
    }

    /// Mallory's current public key (PEM), for other actors the fake remote serves.
    pub fn public_key_pem(&self) -> &str {
        &self.key.public_pem
    }

    /// Runs `sign_request.py` with `args` under `key_id` and returns the headers to
    /// send, without `Host` (reqwest sends the same one itself).
    pub async fn sign(
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

    pub async fn stored_activities(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM inbox_activities")
            .fetch_one(&self.app.db)
            .await
            .expect("counts")
    }

    pub async fn assert_refused(&self, post: &SignedPost) {
        post.expect(&self.app, StatusCode::UNAUTHORIZED).await;
        assert_eq!(self.stored_activities().await, 0, "refused yet stored");
    }
}
