//! The mock inbox farm: many "remote instances" in one process, each a listener on its
//! own 127.0.0.1 port. Each serves actor documents (`GET /users/N`, all with the farm's
//! one RSA key) and accepts inbox POSTs, **verifying every signature for real** against
//! the signer's key (the benchmark's local users share one key pair, handed to the farm).
//! An instance can be slow (added latency) or time out (never answer); a dead instance
//! is simply a port nobody listens on.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::routing::{get, post};
use axum::Router;
use roost::federation::signatures::{self, KeyPair, Policy, VerifyingKey};
use serde_json::json;

/// How one instance of the farm behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers at once.
    Normal,
    /// Answers after this long.
    Slow(Duration),
    /// Accepts the connection and never answers.
    Silent,
    /// Nobody listens on its port: connections are refused.
    Dead,
}

/// What the farm saw, shared by all its instances.
#[derive(Debug, Default)]
pub struct Tally {
    /// Inbox POSTs whose signature verified.
    pub verified: AtomicU64,
    /// Inbox POSTs whose signature did not.
    pub rejected: AtomicU64,
    /// Arrival of each verified POST: (instance index, nanoseconds since `started`).
    pub arrivals: std::sync::Mutex<Vec<(usize, u64)>>,
    /// What each inbox POST carried, in arrival order: the scale tests count
    /// deliveries per activity and instance from it, to find duplicates and losses,
    /// and refusals per sender, since a port may have served an earlier farm whose
    /// deliveries are still being retried.
    pub received: std::sync::Mutex<Vec<Received>>,
}

/// One inbox POST as the scale tests see it.
#[derive(Clone, Debug)]
pub struct Received {
    /// The instance it arrived at.
    pub instance: usize,
    /// Whether its signature verified.
    pub verified: bool,
    /// The activity's `id` and `actor` (empty when the body had none).
    pub activity: String,
    pub actor: String,
    /// Nanoseconds since the farm's `started`.
    pub at_nanos: u64,
}

/// The fields of an activity the farm records; the rest is skipped unread.
#[derive(serde::Deserialize)]
struct ActivityHead {
    #[serde(default)]
    id: String,
    #[serde(default)]
    actor: String,
}

struct Instance {
    index: usize,
    origin: String,
    behaviour: Behaviour,
    actor_key_pem: String,
    signer_key: Arc<VerifyingKey>,
    tally: Arc<Tally>,
    started: Instant,
}

/// A running farm.
pub struct Farm {
    /// `http://127.0.0.1:PORT` of each instance, in order.
    pub origins: Vec<String>,
    pub tally: Arc<Tally>,
    pub started: Instant,
    /// The key pair of every farm actor (for signing activities as them).
    pub actor_keys: Arc<KeyPair>,
    tasks: tokio::task::JoinSet<()>,
}

impl Farm {
    /// Starts one instance per behaviour; signatures of inbox POSTs are verified
    /// against `signer_public_pem`.
    pub async fn start(behaviours: &[Behaviour], signer_public_pem: &str) -> anyhow::Result<Farm> {
        let actor_keys = Arc::new(signatures::generate_rsa_keypair()?);
        let signer_key = Arc::new(VerifyingKey::from_pem(signer_public_pem)?);
        let tally = Arc::new(Tally::default());
        let started = Instant::now();
        let mut origins = Vec::new();
        let mut tasks = tokio::task::JoinSet::new();
        for (index, behaviour) in behaviours.iter().enumerate() {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let origin = format!("http://{}", listener.local_addr()?);
            if *behaviour == Behaviour::Dead {
                drop(listener);
                origins.push(origin);
                continue;
            }
            let instance = Arc::new(Instance {
                index,
                origin: origin.clone(),
                behaviour: *behaviour,
                actor_key_pem: actor_keys.public_pem.clone(),
                signer_key: signer_key.clone(),
                tally: tally.clone(),
                started,
            });
            let app = Router::new()
                .route("/users/{name}", get(actor))
                .route("/inbox", post(inbox))
                .route("/users/{name}/inbox", post(inbox))
                .with_state(instance);
            tasks.spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
            origins.push(origin);
        }
        Ok(Farm {
            origins,
            tally,
            started,
            actor_keys,
            tasks,
        })
    }

    /// Stops every instance.
    pub fn stop(mut self) {
        self.tasks.abort_all();
    }
}

/// `http://127.0.0.1:PORT/users/NAME`.
pub fn actor_id(origin: &str, name: &str) -> String {
    format!("{origin}/users/{name}")
}

async fn actor(
    State(instance): State<Arc<Instance>>,
    Path(name): Path<String>,
) -> axum::Json<serde_json::Value> {
    let id = actor_id(&instance.origin, &name);
    axum::Json(json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": name,
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "endpoints": {"sharedInbox": format!("{}/inbox", instance.origin)},
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": instance.actor_key_pem},
    }))
}

async fn inbox(
    State(instance): State<Arc<Instance>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    match instance.behaviour {
        Behaviour::Normal => {}
        Behaviour::Slow(delay) => tokio::time::sleep(delay).await,
        Behaviour::Silent => std::future::pending::<()>().await,
        // A dead instance has no listener, so no request reaches this handler.
        Behaviour::Dead => return StatusCode::SERVICE_UNAVAILABLE,
    }
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let policy = Policy {
        require_host: false,
        ..Policy::default()
    };
    let verified = signatures::verify(
        &method,
        path,
        &headers,
        &body,
        &instance.signer_key,
        chrono::Utc::now(),
        &policy,
    );
    let nanos = u64::try_from(instance.started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let head = serde_json::from_slice::<ActivityHead>(&body).unwrap_or(ActivityHead {
        id: String::new(),
        actor: String::new(),
    });
    if let Ok(mut received) = instance.tally.received.lock() {
        received.push(Received {
            instance: instance.index,
            verified: verified.is_ok(),
            activity: head.id,
            actor: head.actor,
            at_nanos: nanos,
        });
    }
    if verified.is_ok() {
        instance.tally.verified.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut arrivals) = instance.tally.arrivals.lock() {
            arrivals.push((instance.index, nanos));
        }
        StatusCode::ACCEPTED
    } else {
        instance.tally.rejected.fetch_add(1, Ordering::Relaxed);
        StatusCode::UNAUTHORIZED
    }
}

/// A request signed ahead of time: the load generator then only sends it, so signing
/// does not compete with the server for the CPU during the measurement.
#[derive(Clone, Debug)]
pub struct Presigned {
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// A signed `Create(Note)` (the `n`-th) from the farm actor `farm_actor` to `inbox`.
pub fn presign_create(
    farm_actor: &str,
    inbox: &url::Url,
    n: u64,
    key: &signatures::SigningKey,
) -> anyhow::Result<Presigned> {
    let note_id = format!("{farm_actor}/notes/{n}");
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note_id}/activity"),
        "type": "Create",
        "actor": farm_actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": farm_actor,
            "content": format!("<p>benchmark note {n}</p>"),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "published": chrono::Utc::now().to_rfc3339(),
        },
    })
    .to_string();
    presign(farm_actor, inbox, body, key)
}

/// `body` (an activity of `farm_actor`) POSTed to `inbox`, signed as that actor.
pub fn presign(
    farm_actor: &str,
    inbox: &url::Url,
    body: String,
    key: &signatures::SigningKey,
) -> anyhow::Result<Presigned> {
    let key_id = format!("{farm_actor}#main-key");
    let signed = signatures::sign(
        &reqwest::Method::POST,
        inbox,
        Some(body.as_bytes()),
        &key_id,
        key,
        chrono::Utc::now(),
    )?;
    let mut headers: Vec<(&'static str, String)> = signed
        .iter()
        .filter(|(name, _)| *name != "host")
        .map(|(name, value)| (name, value.to_owned()))
        .collect();
    headers.push(("content-type", "application/activity+json".to_owned()));
    Ok(Presigned { headers, body })
}

impl Presigned {
    /// The request, ready to send.
    pub fn request(&self, client: &reqwest::Client, inbox: &url::Url) -> reqwest::RequestBuilder {
        self.headers
            .iter()
            .fold(client.post(inbox.clone()), |request, (name, value)| {
                request.header(*name, value)
            })
            .body(self.body.clone())
    }
}
