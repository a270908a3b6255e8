//! Mastodon's streaming API over a WebSocket (`GET /api/v1/streaming`): the token as
//! `access_token` or in `Sec-WebSocket-Protocol`, streams chosen with `stream=` and
//! changed with `{"type":"subscribe"|"unsubscribe","stream":…,"tag":…,"list":…}`
//! messages, events sent as `{stream, event, payload}` with the channel's label as
//! `stream` (see [`super::channel`]); a refused subscription is answered with
//! `{"error":…,"status":…}`, as Mastodon's streaming server does.
//! Spec: <https://docs.joinmastodon.org/methods/streaming/#websocket>.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;

use super::channel::{self, Channel, ChannelParams};
use super::{reserve, subscribe};
use crate::api::ClientIp;
use crate::auth::extractor::TokenInfo;
use crate::auth::MaybeToken;
use crate::error::{ApiError, ApiResult};
use crate::events::slots::Slot;
use crate::events::Prepared;
use crate::state::AppState;

/// Query of the WebSocket endpoint: the first channel and its parameters.
#[derive(Debug, Deserialize)]
pub struct SocketQuery {
    stream: Option<String>,
    #[serde(flatten)]
    params: ChannelParams,
}

/// Channels one socket may have open at once.
const MAX_CHANNELS: usize = 16;

/// `GET /api/v1/streaming` upgraded to a WebSocket: the token comes as
/// `access_token` or in `Sec-WebSocket-Protocol`; streams are chosen with `stream=`
/// and changed with `{"type":"subscribe"|"unsubscribe","stream":…,"tag":…}` messages.
#[utoipa::path(get, path = "/api/v1/streaming", tag = "streaming",
    params(("stream" = Option<String>, Query, description = "user, user:notification, public, public:media, public:local, public:local:media, public:remote, public:remote:media, hashtag, hashtag:local, list, direct"),
           ("tag" = Option<String>, Query, description = "For hashtag streams"),
           ("list" = Option<String>, Query, description = "For the list stream")),
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
    let mut initial = Vec::new();
    if let Some(name) = query.stream.as_deref() {
        initial.push(channel::open(&state, name, &query.params, token.as_ref()).await?);
    }
    let slot = reserve(&state, token.as_ref().and_then(|t| t.account_id), ip)?;
    let upgrade = match protocol {
        Some(protocol) => upgrade.protocols([protocol]),
        None => upgrade,
    };
    Ok(upgrade
        .on_upgrade(move |socket| serve_socket(socket, state, token, initial, slot))
        .into_response())
}

async fn serve_socket(
    mut socket: axum::extract::ws::WebSocket,
    state: AppState,
    token: Option<TokenInfo>,
    mut channels: Vec<Channel>,
    slot: Slot,
) {
    use axum::extract::ws::Message;
    let viewer = token.as_ref().and_then(|t| t.account_id);
    let mut subscriber = subscribe(&state, viewer, slot);
    let mut heartbeat = tokio::time::interval(Duration::from_secs(30));
    loop {
        tokio::select! {
            prepared = subscriber.events.recv() => {
                let Ok(prepared) = prepared else { return };
                if !send_prepared(&mut socket, &prepared, viewer, &channels).await {
                    return;
                }
            }
            incoming = socket.recv() => {
                let Some(Ok(message)) = incoming else { return };
                if let Message::Text(text) = message {
                    let refused = handle_command(&state, &text, token.as_ref(), &mut channels).await;
                    if let Err(error) = refused {
                        if socket.send(refusal(&error)).await.is_err() {
                            return;
                        }
                    }
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

/// Sends `prepared` once per open channel that wants it; false when the socket is
/// gone.
async fn send_prepared(
    socket: &mut axum::extract::ws::WebSocket,
    prepared: &Arc<Prepared>,
    viewer: Option<i64>,
    channels: &[Channel],
) -> bool {
    for channel in channels {
        if let Some((event, payload)) = prepared.for_subscriber(viewer, &channel.subscription) {
            let mut message = serde_json::json!({ "stream": channel.label, "event": event });
            // An event without payload (`filters_changed`) has no `payload`, as Mastodon's.
            if !payload.is_empty() {
                message["payload"] = payload.into();
            }
            let text = axum::extract::ws::Message::Text(message.to_string().into());
            if socket.send(text).await.is_err() {
                return false;
            }
        }
    }
    true
}

/// A client's `subscribe` or `unsubscribe` message.
#[derive(Debug, Deserialize)]
struct Command {
    #[serde(rename = "type")]
    kind: String,
    stream: String,
    #[serde(flatten)]
    params: ChannelParams,
}

/// Applies a client's `subscribe` / `unsubscribe` message (messages that are neither
/// are ignored); the error says why a subscription was refused.
async fn handle_command(
    state: &AppState,
    text: &str,
    token: Option<&TokenInfo>,
    channels: &mut Vec<Channel>,
) -> ApiResult<()> {
    let Ok(command) = serde_json::from_str::<Command>(text) else {
        return Ok(());
    };
    let wanted = || channel::open(state, &command.stream, &command.params, token);
    match command.kind.as_str() {
        "subscribe" => {
            let opened = wanted().await?;
            if !channels.iter().any(|open| open.label == opened.label) {
                if channels.len() >= MAX_CHANNELS {
                    return Err(ApiError::BadRequest("Too many streams".into()));
                }
                channels.push(opened);
            }
        }
        "unsubscribe" => {
            // An unknown or refused channel is simply not open.
            if let Ok(closed) = wanted().await {
                channels.retain(|open| open.label != closed.label);
            }
        }
        _ => {}
    }
    Ok(())
}

/// The message answering a refused subscription: `{"error": …, "status": …}`.
fn refusal(error: &ApiError) -> axum::extract::ws::Message {
    let status = error.status();
    if status.is_server_error() {
        tracing::warn!(%error, "stream subscription failed");
    }
    let text = if status.is_server_error() {
        "Internal server error".to_owned()
    } else {
        error.to_string()
    };
    let message = serde_json::json!({ "error": text, "status": status.as_u16() });
    axum::extract::ws::Message::Text(message.to_string().into())
}
