//! Live events for clients (Mastodon's streaming API, Server-Sent Events and
//! WebSocket forms): `GET /api/v1/streaming/user`, `/public`, `/public/local`,
//! `/hashtag?tag=`, `/health` and the WebSocket at `/api/v1/streaming`
//! (<https://docs.joinmastodon.org/methods/streaming/>).
//!
//! Events cross processes through PostgreSQL: triggers NOTIFY `roost_stream` with ids
//! when statuses and notifications change (see the `stream_events` migration). In
//! each process one task ([`hub`]) prepares every change once — the status rendered
//! once, who may receive it decided once — and broadcasts it through a bounded
//! channel; each subscriber filters the prepared event in memory ([`event`]), so an
//! event costs a subscriber no database query. A subscriber that falls behind is
//! disconnected rather than buffered without bound. Connections are capped per
//! address and account ([`slots`]).

pub mod event;
pub mod hub;
pub mod slots;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::api::ClientIp;
use crate::auth::{CurrentUser, MaybeToken};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
pub use event::Subscription;
pub use hub::{Hub, CHANNEL};
use slots::{Holder, Slot};

/// Takes a connection slot for a viewer (or, without a token, for its address);
/// 429 when a cap is reached.
fn reserve(state: &AppState, viewer: Option<i64>, ip: ClientIp) -> ApiResult<Slot> {
    let holder = match viewer {
        Some(account) => Holder::Account(account),
        None => Holder::Anonymous(ip.0),
    };
    state.stream.reserve(holder).map_err(|refused| {
        tracing::info!(%refused, "streaming connection refused");
        ApiError::RateLimited(axum::http::HeaderMap::new())
    })
}

fn sse(
    state: AppState,
    viewer: Option<i64>,
    subscription: Subscription,
    slot: Slot,
) -> impl IntoResponse {
    let subscriber = state.stream.subscribe(&state, viewer, slot);
    let events = futures_util::stream::unfold(
        (subscriber, subscription),
        move |(mut subscriber, subscription)| async move {
            loop {
                match subscriber.events.recv().await {
                    Ok(prepared) => {
                        if let Some((name, data)) = prepared.for_subscriber(viewer, &subscription) {
                            let event = SseEvent::default().event(name).data(data);
                            return Some((Ok::<_, Infallible>(event), (subscriber, subscription)));
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
    responses((status = 200, description = "text/event-stream of update, status.update, delete and notification events"), (status = 429, description = "Too many streaming connections (see ROOST_STREAMING_MAX_*)")))]
pub async fn user(
    State(state): State<AppState>,
    ip: ClientIp,
    user: CurrentUser,
) -> ApiResult<impl IntoResponse> {
    user.token
        .require_scope(&["read:statuses", "read:notifications"])?;
    let slot = reserve(&state, Some(user.account_id), ip)?;
    Ok(sse(
        state,
        Some(user.account_id),
        Subscription::User(user.account_id),
        slot,
    ))
}

/// `GET /api/v1/streaming/public`.
#[utoipa::path(get, path = "/api/v1/streaming/public", tag = "streaming",
    responses((status = 200, description = "text/event-stream of public statuses"), (status = 429, description = "Too many streaming connections (see ROOST_STREAMING_MAX_*)")))]
pub async fn public(
    State(state): State<AppState>,
    ip: ClientIp,
    MaybeToken(token): MaybeToken,
) -> ApiResult<impl IntoResponse> {
    let viewer = token.and_then(|t| t.account_id);
    let slot = reserve(&state, viewer, ip)?;
    Ok(sse(
        state,
        viewer,
        Subscription::Public { local_only: false },
        slot,
    ))
}

/// `GET /api/v1/streaming/public/local`.
#[utoipa::path(get, path = "/api/v1/streaming/public/local", tag = "streaming",
    responses((status = 200, description = "text/event-stream of local public statuses"), (status = 429, description = "Too many streaming connections (see ROOST_STREAMING_MAX_*)")))]
pub async fn public_local(
    State(state): State<AppState>,
    ip: ClientIp,
    MaybeToken(token): MaybeToken,
) -> ApiResult<impl IntoResponse> {
    let viewer = token.and_then(|t| t.account_id);
    let slot = reserve(&state, viewer, ip)?;
    Ok(sse(
        state,
        viewer,
        Subscription::Public { local_only: true },
        slot,
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
    responses((status = 200, description = "text/event-stream of public statuses with the tag"), (status = 400), (status = 429, description = "Too many streaming connections (see ROOST_STREAMING_MAX_*)")))]
pub async fn hashtag(
    State(state): State<AppState>,
    ip: ClientIp,
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
    let slot = reserve(&state, viewer, ip)?;
    Ok(sse(state, viewer, Subscription::hashtag(&tag), slot))
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
            Subscription::hashtag(tag)
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
    responses((status = 101, description = "WebSocket of {stream, event, payload} messages"), (status = 429, description = "Too many streaming connections (see ROOST_STREAMING_MAX_*)")))]
pub async fn websocket(
    State(state): State<AppState>,
    ip: ClientIp,
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
    let slot = reserve(&state, viewer, ip)?;
    let mut initial = Vec::new();
    if let Some(name) = query.stream.as_deref() {
        initial.extend(subscription(name, query.tag.as_deref(), viewer));
    }
    let upgrade = match protocol {
        Some(protocol) => upgrade.protocols([protocol]),
        None => upgrade,
    };
    Ok(upgrade
        .on_upgrade(move |socket| serve_socket(socket, state, viewer, initial, slot))
        .into_response())
}

async fn serve_socket(
    mut socket: axum::extract::ws::WebSocket,
    state: AppState,
    viewer: Option<i64>,
    mut subscriptions: Vec<(String, Subscription)>,
    slot: Slot,
) {
    use axum::extract::ws::Message;
    let mut subscriber = state.stream.subscribe(&state, viewer, slot);
    let mut heartbeat = tokio::time::interval(Duration::from_secs(30));
    loop {
        tokio::select! {
            prepared = subscriber.events.recv() => {
                let Ok(prepared) = prepared else { return };
                if !send_prepared(&mut socket, &prepared, viewer, &subscriptions).await {
                    return;
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

/// Sends `prepared` once per subscribed stream that wants it; false when the socket
/// is gone.
async fn send_prepared(
    socket: &mut axum::extract::ws::WebSocket,
    prepared: &Arc<event::Prepared>,
    viewer: Option<i64>,
    subscriptions: &[(String, Subscription)],
) -> bool {
    for (name, subscription) in subscriptions {
        if let Some((event, payload)) = prepared.for_subscriber(viewer, subscription) {
            let message = serde_json::json!({ "stream": name.split(':').collect::<Vec<_>>(), "event": event, "payload": payload });
            let text = axum::extract::ws::Message::Text(message.to_string().into());
            if socket.send(text).await.is_err() {
                return false;
            }
        }
    }
    true
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
