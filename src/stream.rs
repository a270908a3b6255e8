//! Live events for clients (Mastodon's streaming API, Server-Sent Events form):
//! `GET /api/v1/streaming/user`, `/public`, `/public/local`, `/hashtag?tag=` and
//! `/health` (<https://docs.joinmastodon.org/methods/streaming/>).
//!
//! Events cross processes through PostgreSQL: triggers NOTIFY `roost_stream` with ids
//! when statuses and notifications change (see the migration), each process LISTENs
//! once and fans events out through a bounded broadcast channel, and every subscriber
//! loads and filters what it may see. A subscriber that falls behind is disconnected
//! rather than buffered without bound.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::IntoResponse;
use serde::Deserialize;
use tokio::sync::broadcast;

use crate::api::entities::status;
use crate::auth::{CurrentUser, MaybeToken};
use crate::db::{notifications, statuses};
use crate::error::ApiResult;
use crate::state::AppState;

/// The NOTIFY channel.
pub const CHANNEL: &str = "roost_stream";
/// Events buffered per process; a slower subscriber is dropped.
const BUFFER: usize = 1024;

/// One change, as announced by the database.
#[derive(Clone, Debug, Deserialize)]
pub struct Change {
    /// `update`, `delete`, `status.update` or `notification`.
    pub k: String,
    /// The status, for status events.
    pub s: Option<i64>,
    /// The notification, for notification events.
    pub n: Option<i64>,
    /// The notified account, for notification events.
    pub a: Option<i64>,
}

/// The per-process fan-out of database changes. The LISTEN connection is opened
/// with the first streaming client, so processes nobody streams from hold none.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<Change>,
    listening: std::sync::Arc<std::sync::Once>,
}

impl Hub {
    /// A hub with nobody listening yet.
    pub fn new() -> Hub {
        let (sender, _) = broadcast::channel(BUFFER);
        Hub {
            sender,
            listening: std::sync::Arc::new(std::sync::Once::new()),
        }
    }

    /// A receiver of every change from now on; starts listening on first use.
    pub fn subscribe(&self, db: &sqlx::PgPool) -> broadcast::Receiver<Change> {
        let receiver = self.sender.subscribe();
        self.listening.call_once(|| {
            tokio::spawn(self.clone().run(db.clone()));
        });
        receiver
    }

    /// Listens to `roost_stream` until the process ends (while anyone holds the hub),
    /// reconnecting on errors.
    async fn run(self, db: sqlx::PgPool) {
        loop {
            let Some(mut listener) = crate::db::listen(&db, CHANNEL).await else {
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            };
            while let Ok(notification) = listener.recv().await {
                if let Ok(change) = serde_json::from_str::<Change>(notification.payload()) {
                    let _ = self.sender.send(change);
                }
            }
        }
    }
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new()
    }
}

/// Which stream a subscriber asked for.
#[derive(Clone, Debug)]
enum Subscription {
    User(i64),
    Public { local_only: bool },
    Hashtag(String),
}

/// What one change means for one subscriber, rendered; `None` when nothing.
async fn render_for(
    state: &AppState,
    viewer: Option<i64>,
    subscription: &Subscription,
    change: &Change,
) -> Option<(&'static str, String)> {
    match change.k.as_str() {
        "notification" => {
            let Subscription::User(me) = subscription else {
                return None;
            };
            if change.a != Some(*me) {
                return None;
            }
            let row = notifications::find(&state.db, *me, change.n?)
                .await
                .ok()??;
            let rendered = crate::api::v1::notifications::render_one(state, *me, row)
                .await
                .ok()??;
            Some(("notification", rendered.to_string()))
        }
        "delete" => Some(("delete", change.s?.to_string())),
        kind @ ("update" | "status.update") => {
            let kind: &'static str = if kind == "update" {
                "update"
            } else {
                "status.update"
            };
            let id = change.s?;
            let row = statuses::find_visible(&state.db, viewer, id).await.ok()??;
            if !in_stream(state, subscription, &row).await {
                return None;
            }
            // Mutes and domain blocks hide from every stream (blocks: `find_visible`).
            if !crate::db::hiding::shown_in_feeds(&state.db, viewer, id)
                .await
                .ok()?
            {
                return None;
            }
            let rendered = status::render(state, viewer, vec![row]).await.ok()?.pop()?;
            let data = serde_json::to_string(&rendered).ok()?;
            Some((kind, data))
        }
        _ => None,
    }
}

/// Whether a visible status belongs on the subscribed stream.
async fn in_stream(
    state: &AppState,
    subscription: &Subscription,
    row: &statuses::StatusRow,
) -> bool {
    match subscription {
        Subscription::User(me) => {
            if row.account_id == *me {
                return true;
            }
            crate::db::follows::find_pair(&state.db, *me, row.account_id)
                .await
                .ok()
                .flatten()
                .is_some_and(|f| f.accepted && (row.reblog_of_id.is_none() || f.show_reblogs))
        }
        Subscription::Public { local_only } => {
            row.visibility == "public"
                && row.reblog_of_id.is_none()
                && (!local_only || row.local)
                && !author_is_silenced(state, row).await
        }
        Subscription::Hashtag(tag) => {
            row.visibility == "public"
                && !author_is_silenced(state, row).await
                && statuses::tags(&state.db, &[row.id])
                    .await
                    .is_ok_and(|tags| tags.iter().any(|(_, name)| name.eq_ignore_ascii_case(tag)))
        }
    }
}

/// Silenced authors (one by one or with their domain) stay out of public streams, as
/// out of public timelines. When in doubt (database error), the post is left out.
async fn author_is_silenced(state: &AppState, row: &statuses::StatusRow) -> bool {
    crate::db::accounts::find_by_id(&state.db, row.account_id)
        .await
        .ok()
        .flatten()
        .is_none_or(|author| author.silenced_at.is_some())
}

fn sse(state: AppState, viewer: Option<i64>, subscription: Subscription) -> impl IntoResponse {
    let receiver = state.stream.subscribe(&state.db);
    let events = futures_util::stream::unfold(
        (receiver, state, subscription),
        move |(mut receiver, state, subscription)| async move {
            loop {
                match receiver.recv().await {
                    Ok(change) => {
                        if let Some((name, data)) =
                            render_for(&state, viewer, &subscription, &change).await
                        {
                            let event = SseEvent::default().event(name).data(data);
                            return Some((
                                Ok::<_, Infallible>(event),
                                (receiver, state, subscription),
                            ));
                        }
                    }
                    // Too slow to keep up, or shutting down: end the stream.
                    Err(_) => return None,
                }
            }
        },
    );
    Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("thump"),
    )
}

/// `GET /api/v1/streaming/user`: the signed-in user's home updates and notifications.
#[utoipa::path(get, path = "/api/v1/streaming/user", tag = "streaming",
    security(("bearer" = ["read:statuses", "read:notifications"])),
    responses((status = 200, description = "text/event-stream of update, status.update, delete and notification events")))]
pub async fn user(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<impl IntoResponse> {
    user.token
        .require_scope(&["read:statuses", "read:notifications"])?;
    Ok(sse(
        state,
        Some(user.account_id),
        Subscription::User(user.account_id),
    ))
}

/// `GET /api/v1/streaming/public`.
#[utoipa::path(get, path = "/api/v1/streaming/public", tag = "streaming",
    responses((status = 200, description = "text/event-stream of public statuses")))]
pub async fn public(
    State(state): State<AppState>,
    MaybeToken(token): MaybeToken,
) -> ApiResult<impl IntoResponse> {
    let viewer = token.and_then(|t| t.account_id);
    Ok(sse(
        state,
        viewer,
        Subscription::Public { local_only: false },
    ))
}

/// `GET /api/v1/streaming/public/local`.
#[utoipa::path(get, path = "/api/v1/streaming/public/local", tag = "streaming",
    responses((status = 200, description = "text/event-stream of local public statuses")))]
pub async fn public_local(
    State(state): State<AppState>,
    MaybeToken(token): MaybeToken,
) -> ApiResult<impl IntoResponse> {
    let viewer = token.and_then(|t| t.account_id);
    Ok(sse(
        state,
        viewer,
        Subscription::Public { local_only: true },
    ))
}

/// `?tag=` of the hashtag stream.
#[derive(Debug, Deserialize)]
pub struct TagQuery {
    tag: Option<String>,
}

/// `GET /api/v1/streaming/hashtag?tag=…`.
#[utoipa::path(get, path = "/api/v1/streaming/hashtag", tag = "streaming",
    params(("tag" = String, Query, description = "Hashtag without #")),
    responses((status = 200, description = "text/event-stream of public statuses with the tag"), (status = 400)))]
pub async fn hashtag(
    State(state): State<AppState>,
    MaybeToken(token): MaybeToken,
    Query(query): Query<TagQuery>,
) -> ApiResult<impl IntoResponse> {
    let viewer = token.and_then(|t| t.account_id);
    let tag = query
        .tag
        .unwrap_or_default()
        .trim_start_matches('#')
        .to_owned();
    if tag.is_empty() || tag.chars().count() > 100 {
        return Err(crate::error::ApiError::BadRequest("tag is required".into()));
    }
    Ok(sse(state, viewer, Subscription::Hashtag(tag)))
}

/// `GET /api/v1/streaming/health`.
#[utoipa::path(get, path = "/api/v1/streaming/health", tag = "streaming",
    responses((status = 200, description = "OK")))]
pub async fn health() -> &'static str {
    "OK"
}

/// Query of the WebSocket endpoint.
#[derive(Debug, Deserialize)]
pub struct SocketQuery {
    stream: Option<String>,
    tag: Option<String>,
}

/// Parses Mastodon's stream names (`user`, `user:notification`, `public`,
/// `public:local`, `hashtag`, `hashtag:local`) into a subscription.
fn subscription(
    name: &str,
    tag: Option<&str>,
    viewer: Option<i64>,
) -> Option<(String, Subscription)> {
    let sub = match name {
        "user" | "user:notification" => Subscription::User(viewer?),
        "public" => Subscription::Public { local_only: false },
        "public:local" => Subscription::Public { local_only: true },
        "hashtag" | "hashtag:local" => {
            let tag = tag?.trim_start_matches('#');
            if tag.is_empty() || tag.chars().count() > 100 {
                return None;
            }
            Subscription::Hashtag(tag.to_owned())
        }
        _ => return None,
    };
    Some((name.to_owned(), sub))
}

/// `GET /api/v1/streaming` upgraded to a WebSocket: the token comes as
/// `access_token` or in `Sec-WebSocket-Protocol`; streams are chosen with `stream=`
/// and changed with `{"type":"subscribe"|"unsubscribe","stream":…,"tag":…}` messages.
#[utoipa::path(get, path = "/api/v1/streaming", tag = "streaming",
    params(("stream" = Option<String>, Query, description = "user, user:notification, public, public:local, hashtag, hashtag:local"),
           ("tag" = Option<String>, Query, description = "For hashtag streams")),
    responses((status = 101, description = "WebSocket of {stream, event, payload} messages")))]
pub async fn websocket(
    State(state): State<AppState>,
    MaybeToken(token): MaybeToken,
    Query(query): Query<SocketQuery>,
    headers: axum::http::HeaderMap,
    upgrade: axum::extract::ws::WebSocketUpgrade,
) -> ApiResult<axum::response::Response> {
    let protocol = headers
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    let token = match (token, &protocol) {
        (Some(token), _) => Some(token),
        (None, Some(candidate)) => {
            Some(crate::auth::extractor::authenticate_token(&state, candidate).await?)
        }
        (None, None) => None,
    };
    let viewer = token.and_then(|t| t.account_id);
    let mut initial = Vec::new();
    if let Some(name) = query.stream.as_deref() {
        initial.extend(subscription(name, query.tag.as_deref(), viewer));
    }
    let upgrade = match protocol {
        Some(protocol) => upgrade.protocols([protocol]),
        None => upgrade,
    };
    Ok(upgrade
        .on_upgrade(move |socket| serve_socket(socket, state, viewer, initial))
        .into_response())
}

async fn serve_socket(
    mut socket: axum::extract::ws::WebSocket,
    state: AppState,
    viewer: Option<i64>,
    mut subscriptions: Vec<(String, Subscription)>,
) {
    use axum::extract::ws::Message;
    let mut receiver = state.stream.subscribe(&state.db);
    let mut heartbeat = tokio::time::interval(Duration::from_secs(30));
    loop {
        tokio::select! {
            change = receiver.recv() => {
                let Ok(change) = change else { return };
                for (name, sub) in &subscriptions {
                    if let Some((event, payload)) = render_for(&state, viewer, sub, &change).await {
                        let message = serde_json::json!({ "stream": name.split(':').collect::<Vec<_>>(), "event": event, "payload": payload });
                        if socket.send(Message::Text(message.to_string().into())).await.is_err() {
                            return;
                        }
                    }
                }
            }
            incoming = socket.recv() => {
                let Some(Ok(message)) = incoming else { return };
                if let Message::Text(text) = message {
                    handle_command(&text, viewer, &mut subscriptions);
                }
            }
            _ = heartbeat.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Applies a client's `subscribe` / `unsubscribe` message (others are ignored).
fn handle_command(
    text: &str,
    viewer: Option<i64>,
    subscriptions: &mut Vec<(String, Subscription)>,
) {
    let Ok(command) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let Some(name) = command["stream"].as_str() else {
        return;
    };
    match command["type"].as_str() {
        Some("subscribe") if subscriptions.len() < 16 => {
            if let Some(sub) = subscription(name, command["tag"].as_str(), viewer) {
                if !subscriptions.iter().any(|(existing, _)| existing == name) {
                    subscriptions.push(sub);
                }
            }
        }
        Some("unsubscribe") => subscriptions.retain(|(existing, _)| existing != name),
        _ => {}
    }
}
