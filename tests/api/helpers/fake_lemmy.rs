//! A fake Lemmy-like server on loopback for group (FEP-1b12) tests: it serves
//! WebFinger, actors (a `Group` community, `Person` members) and any document a test
//! hands it, records every POST it receives (to read what Roost delivered) and the
//! path of every GET (to see what Roost fetched), and signs
//! activities with its one key, as a real server would deliver them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use axum::extract::{Query, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use super::TestApp;
use roost::federation::signatures::{self, SigningKey};

/// One fake server: its documents by path, and the POSTs it has received.
pub struct FakeLemmy {
    pub base: String,
    key: SigningKey,
    public_pem: String,
    documents: Arc<RwLock<HashMap<String, Value>>>,
    received: Arc<Mutex<Vec<(String, Value)>>>,
    fetched: Arc<Mutex<Vec<String>>>,
}

impl FakeLemmy {
    pub async fn start() -> FakeLemmy {
        let pair = signatures::generate_rsa_keypair().expect("key pair");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let documents = Arc::new(RwLock::new(HashMap::<String, Value>::new()));
        let received = Arc::new(Mutex::new(Vec::new()));
        let fetched = Arc::new(Mutex::new(Vec::new()));
        let handler = {
            let (documents, received) = (documents.clone(), received.clone());
            let fetched = fetched.clone();
            move |query: Query<HashMap<String, String>>, request: Request| {
                let (documents, received) = (documents.clone(), received.clone());
                if request.method() == Method::GET {
                    let path = request.uri().path().to_owned();
                    fetched.lock().expect("fetched lock").push(path);
                }
                async move { answer(&documents, &received, &query, request).await }
            }
        };
        let router = axum::Router::new().fallback(handler);
        // Runs until the test's runtime shuts down.
        tokio::spawn(async move { axum::serve(listener, router).await });
        FakeLemmy {
            base,
            key: SigningKey::from_pem(&pair.private_pem).expect("parses"),
            public_pem: pair.public_pem,
            documents,
            received,
            fetched,
        }
    }

    /// The paths of the GETs received so far, oldest first.
    pub fn fetched_paths(&self) -> Vec<String> {
        self.fetched.lock().expect("fetched lock").clone()
    }

    /// The `user@host` handle of an actor served at `/c/NAME` or `/u/NAME`.
    pub fn handle(&self, name: &str) -> String {
        format!("{name}@{}", self.base.trim_start_matches("http://"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Serves `document` at `path` from now on (a 404 before).
    pub fn serve(&self, path: &str, document: Value) {
        let mut documents = self.documents.write().expect("documents lock");
        documents.insert(path.to_owned(), document);
    }

    /// Serves a Lemmy community `Group` at `/c/NAME` (Lemmy's shape: a shared inbox,
    /// followers, moderators as `attributedTo`) and returns its id.
    pub fn serve_group(&self, name: &str) -> String {
        self.serve_actor("Group", &format!("/c/{name}"), name)
    }

    /// Serves a Lemmy `Person` at `/u/NAME` and returns its id.
    pub fn serve_person(&self, name: &str) -> String {
        self.serve_actor("Person", &format!("/u/{name}"), name)
    }

    fn serve_actor(&self, kind: &str, path: &str, name: &str) -> String {
        let id = self.url(path);
        self.serve(
            path,
            json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": id, "type": kind, "preferredUsername": name, "name": name,
                "inbox": format!("{id}/inbox"), "outbox": format!("{id}/outbox"),
                "followers": format!("{id}/followers"),
                "attributedTo": format!("{id}/moderators"),
                "endpoints": {"sharedInbox": self.url("/inbox")},
                "publicKey": {"id": format!("{id}#main-key"), "owner": id,
                              "publicKeyPem": self.public_pem},
            }),
        );
        id
    }

    /// The bodies of the POSTs received at `path`, oldest first.
    pub fn received_at(&self, path: &str) -> Vec<Value> {
        let received = self.received.lock().expect("received lock");
        let at = received.iter().filter(|(to, _)| to == path);
        at.map(|(_, body)| body.clone()).collect()
    }

    /// POSTs `activity` to `app`'s shared inbox signed by `actor` (an actor of this
    /// server); the answer's status.
    pub async fn deliver(&self, app: &TestApp, actor: &str, activity: &Value) -> StatusCode {
        let body = activity.to_string();
        let url = url::Url::parse(&app.url("/inbox")).expect("inbox URL");
        let key_id = format!("{actor}#main-key");
        let now = chrono::Utc::now();
        let signed = signatures::sign(
            &reqwest::Method::POST,
            &url,
            Some(body.as_bytes()),
            &key_id,
            &self.key,
            now,
        )
        .expect("signs");
        let mut request = app.client.post(url.as_str()).body(body);
        request = request.header(CONTENT_TYPE, "application/activity+json");
        for (name, value) in signed.iter().filter(|(name, _)| *name != "host") {
            request = request.header(name, value);
        }
        let status = request.send().await.expect("sent").status();
        StatusCode::from_u16(status.as_u16()).expect("a status")
    }
}

/// WebFinger for `/c/` and `/u/` actors, a served document, or a recorded POST.
async fn answer(
    documents: &RwLock<HashMap<String, Value>>,
    received: &Mutex<Vec<(String, Value)>>,
    query: &HashMap<String, String>,
    request: Request,
) -> Response {
    let path = request.uri().path().to_owned();
    if request.method() == Method::POST {
        let body = axum::body::to_bytes(request.into_body(), 1 << 20).await;
        let body = body.ok().and_then(|b| serde_json::from_slice(&b).ok());
        let body = body.unwrap_or(Value::Null);
        received.lock().expect("received lock").push((path, body));
        return StatusCode::OK.into_response();
    }
    let documents = documents.read().expect("documents lock");
    if path == "/.well-known/webfinger" {
        let resource = query.get("resource").cloned().unwrap_or_default();
        let name = resource.trim_start_matches("acct:").split('@').next();
        let actor = ["/c/", "/u/"].iter().find_map(|prefix| {
            let path = format!("{prefix}{}", name.unwrap_or_default());
            documents.get(&path).map(|actor| actor["id"].clone())
        });
        return match actor {
            Some(id) => json_response(&json!({"subject": resource, "links": [
                {"rel": "self", "type": "application/activity+json", "href": id}]})),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    match documents.get(&path) {
        Some(document) => json_response(document),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn json_response(document: &Value) -> Response {
    let headers = [(CONTENT_TYPE, "application/activity+json")];
    (headers, document.to_string()).into_response()
}
