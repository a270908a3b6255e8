//! Mastodon's streaming API over a WebSocket (`GET /api/v1/streaming`): the token as
//! `access_token` or in `Sec-WebSocket-Protocol`, streams chosen with `stream=` and
//! changed with `{"type":"subscribe"|"unsubscribe","stream":…,"tag":…}` messages,
//! events sent as `{stream, event, payload}`.
//! Spec: <https://docs.joinmastodon.org/methods/streaming/#websocket>.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;

use super::{reserve, subscribe};
use crate::api::ClientIp;
use crate::auth::MaybeToken;
use crate::error::ApiResult;
use crate::events::slots::Slot;
use crate::events::{Prepared, Subscription};
use crate::state::AppState;

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
    let mut subscriber = subscribe(&state, viewer, slot);
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
    prepared: &Arc<Prepared>,
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
