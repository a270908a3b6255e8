//! A small relay on loopback for relay tests, in either of the two styles servers
//! meet: a Mastodon-style relay (pub-relay, Activity-Relay), subscribed by a `Follow`
//! of `as:Public` delivered to its `/inbox`, which forwards each subscriber's public
//! `Create` (and `Update`, `Delete`, `Announce`) as it is, re-signed with its own key,
//! to every other subscriber; and a LitePub relay (Pleroma's), subscribed by a
//! `Follow` of its actor, which sends every other subscriber its own `Announce` of the
//! post's id. It answers every signed `Follow` with a signed `Accept`, forgets a
//! subscriber on `Undo`, records every POST, and signs with Roost's signing code.
//! Forwarding happens inside the POST that brought the activity, so a drained delivery
//! queue means the relay has passed everything on.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use roost::federation::signatures::{self, SigningKey};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// How the relay passes posts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Forward the activity as received, re-signed.
    Mastodon,
    /// Send an `Announce` of the post's id.
    LitePub,
}

/// One subscribed server: its actor (the instance actor) and where to deliver.
#[derive(Clone, Debug)]
struct Subscriber {
    actor: String,
    inbox: String,
}

#[derive(Clone)]
struct Shared {
    base: String,
    style: Style,
    key: Arc<SigningKey>,
    public_pem: String,
    http: reqwest::Client,
    subscribers: Arc<Mutex<Vec<Subscriber>>>,
    received: Arc<Mutex<Vec<Value>>>,
}

/// The running relay.
pub struct TestRelay {
    pub base: String,
    shared: Shared,
}

impl TestRelay {
    pub async fn start(style: Style) -> TestRelay {
        let pair = signatures::generate_rsa_keypair().expect("key pair");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let shared = Shared {
            base: base.clone(),
            style,
            key: Arc::new(SigningKey::from_pem(&pair.private_pem).expect("parses")),
            public_pem: pair.public_pem,
            http: reqwest::Client::new(),
            subscribers: Arc::default(),
            received: Arc::default(),
        };
        let router = axum::Router::new()
            .route("/actor", get(actor))
            .route("/inbox", post(inbox))
            .with_state(shared.clone());
        // Runs until the test's runtime shuts down.
        tokio::spawn(async move { axum::serve(listener, router).await });
        TestRelay { base, shared }
    }

    /// What an admin gives Roost: the inbox of a Mastodon-style relay, the actor of a
    /// LitePub one.
    pub fn subscription_url(&self) -> String {
        match self.shared.style {
            Style::Mastodon => format!("{}/inbox", self.base),
            Style::LitePub => self.actor_id(),
        }
    }

    pub fn actor_id(&self) -> String {
        format!("{}/actor", self.base)
    }

    /// The bodies of the POSTs received of type `kind`, oldest first.
    pub fn received(&self, kind: &str) -> Vec<Value> {
        let received = self.shared.received.lock().expect("received lock");
        received
            .iter()
            .filter(|activity| activity["type"] == kind)
            .cloned()
            .collect()
    }

    /// How many servers are subscribed.
    pub fn subscribers(&self) -> usize {
        self.shared.subscribers.lock().expect("lock").len()
    }

    /// Sends the relay's own `Announce` of `object` to the inbox `inbox` (whether
    /// subscribed or not); the answer's status.
    pub async fn announce_to(&self, inbox: &str, object: &str) -> StatusCode {
        let announce = announce(&self.shared, object);
        deliver(&self.shared, inbox, &announce.to_string()).await
    }

    /// Sends the relay's `Reject` of the `Follow` `follow_id` to `inbox`.
    pub async fn reject_to(&self, inbox: &str, follow_id: &str) -> StatusCode {
        let reject = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/reject/{}", self.base, uuid::Uuid::new_v4()),
            "type": "Reject", "actor": self.actor_id(), "object": follow_id,
        });
        deliver(&self.shared, inbox, &reject.to_string()).await
    }

    /// POSTs `activity` as it is to `inbox`, signed by the relay (a forward).
    pub async fn forward_to(&self, inbox: &str, activity: &Value) -> StatusCode {
        deliver(&self.shared, inbox, &activity.to_string()).await
    }
}

async fn actor(State(shared): State<Shared>) -> Response {
    let id = format!("{}/actor", shared.base);
    let document = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id, "type": "Application", "preferredUsername": "relay", "name": "Test relay",
        "inbox": format!("{}/inbox", shared.base),
        "followers": format!("{id}/followers"),
        "endpoints": {"sharedInbox": format!("{}/inbox", shared.base)},
        "publicKey": {"id": format!("{id}#main-key"), "owner": id,
                      "publicKeyPem": shared.public_pem},
    });
    let headers = [(CONTENT_TYPE, "application/activity+json")];
    (headers, document.to_string()).into_response()
}

async fn inbox(State(shared): State<Shared>, request: Request) -> StatusCode {
    let signed = request.headers().contains_key("signature")
        || request.headers().contains_key("signature-input");
    if !signed {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(body) = axum::body::to_bytes(request.into_body(), 1 << 20).await else {
        return StatusCode::PAYLOAD_TOO_LARGE;
    };
    let Ok(activity) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    shared.received.lock().expect("lock").push(activity.clone());
    let sender = id_of(&activity["actor"]).unwrap_or_default().to_owned();
    match activity["type"].as_str().unwrap_or_default() {
        "Follow" => subscribe(&shared, &sender, &activity).await,
        "Undo" => {
            let mut subscribers = shared.subscribers.lock().expect("lock");
            subscribers.retain(|subscriber| subscriber.actor != sender);
            StatusCode::ACCEPTED
        }
        "Create" | "Update" | "Delete" | "Announce" => {
            pass_on(&shared, &sender, &activity, &body).await;
            StatusCode::ACCEPTED
        }
        _ => StatusCode::ACCEPTED,
    }
}

/// Stores the follower's inbox (read from its actor) and accepts its `Follow`.
async fn subscribe(shared: &Shared, follower: &str, follow: &Value) -> StatusCode {
    let fetched = shared
        .http
        .get(follower)
        .header("accept", "application/activity+json")
        .send()
        .await;
    let Ok(document) = fetched.expect("the follower answers").json::<Value>().await else {
        return StatusCode::BAD_REQUEST;
    };
    let inbox = document["endpoints"]["sharedInbox"]
        .as_str()
        .or(document["inbox"].as_str())
        .expect("the follower has an inbox")
        .to_owned();
    shared.subscribers.lock().expect("lock").push(Subscriber {
        actor: follower.to_owned(),
        inbox: inbox.clone(),
    });
    let accept = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/accept/{}", shared.base, uuid::Uuid::new_v4()),
        "type": "Accept", "actor": format!("{}/actor", shared.base),
        "to": [follower], "object": follow,
    });
    deliver(shared, &inbox, &accept.to_string()).await;
    StatusCode::ACCEPTED
}

/// Forwards (Mastodon style) or announces (LitePub style) `activity` to every
/// subscriber but the server it came from.
async fn pass_on(shared: &Shared, sender: &str, activity: &Value, body: &[u8]) {
    let sender_host = url::Url::parse(sender).ok().map(|url| url.origin());
    let targets: Vec<Subscriber> = {
        let subscribers = shared.subscribers.lock().expect("lock");
        subscribers
            .iter()
            .filter(|s| url::Url::parse(&s.actor).ok().map(|url| url.origin()) != sender_host)
            .cloned()
            .collect()
    };
    let payload = match shared.style {
        Style::Mastodon => String::from_utf8_lossy(body).into_owned(),
        Style::LitePub if activity["type"] == "Create" => {
            let object = id_of(&activity["object"]).unwrap_or_default();
            announce(shared, object).to_string()
        }
        Style::LitePub => return,
    };
    for target in targets {
        deliver(shared, &target.inbox, &payload).await;
    }
}

fn announce(shared: &Shared, object: &str) -> Value {
    let actor = format!("{}/actor", shared.base);
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/announce/{}", shared.base, uuid::Uuid::new_v4()),
        "type": "Announce", "actor": actor,
        "to": [format!("{actor}/followers")], "cc": [PUBLIC],
        "object": object,
    })
}

/// POSTs `body` to `inbox`, signed with the relay's key (draft-cavage).
async fn deliver(shared: &Shared, inbox: &str, body: &str) -> StatusCode {
    let url = url::Url::parse(inbox).expect("inbox URL");
    let key_id = format!("{}/actor#main-key", shared.base);
    let now = chrono::Utc::now();
    let method = reqwest::Method::POST;
    let signed = signatures::sign(
        &method,
        &url,
        Some(body.as_bytes()),
        &key_id,
        &shared.key,
        now,
    )
    .expect("signs");
    let mut request = shared.http.post(url.as_str()).body(body.to_owned());
    request = request.header(CONTENT_TYPE, "application/activity+json");
    for (name, value) in signed.iter().filter(|(name, _)| *name != "host") {
        request = request.header(name, value);
    }
    let status = request.send().await.expect("sent").status();
    StatusCode::from_u16(status.as_u16()).expect("a status")
}

fn id_of(value: &Value) -> Option<&str> {
    value.as_str().or_else(|| value["id"].as_str())
}
