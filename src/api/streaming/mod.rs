//! Mastodon's streaming API over Server-Sent Events: `GET /api/v1/streaming/user`
//! (`/notification`), `/public` (`/local`, `/remote`, `?only_media=`), `/hashtag`
//! (`/local`) `?tag=`, `/list?list=`, `/direct` and `/health`; the WebSocket form at
//! `/api/v1/streaming` is in [`socket`], the channels both open in [`channel`], and the
//! rendering of event payloads in [`prepare`].
//! Spec: <https://docs.joinmastodon.org/methods/streaming/>.
//!
//! Not here: the LISTEN hub, the prepared events and their filter, the connection
//! caps (`crate::events`). Each connection takes a slot (429 over a cap), subscribes
//! to the hub and sends the prepared events its stream wants; a subscriber that falls
//! behind is disconnected rather than buffered without bound.

pub mod channel;
pub mod prepare;
pub mod socket;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use self::channel::ChannelParams;
use crate::api::ClientIp;
use crate::auth::extractor::TokenInfo;
use crate::auth::MaybeToken;
use crate::error::{ApiError, ApiResult};
use crate::events::slots::{Holder, Slot};
use crate::events::{Subscriber, Subscription};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::IntoResponse;

/// Takes a connection slot for a viewer (or, without a token, for its address);
/// 429 when a cap is reached. GraphQL subscriptions take theirs here too.
pub(crate) fn reserve(state: &AppState, viewer: Option<i64>, ip: ClientIp) -> ApiResult<Slot> {
    let holder = match viewer {
        Some(account) => Holder::Account(account),
        None => Holder::Anonymous(ip.0),
    };
    state.stream.reserve(holder).map_err(|refused| {
        tracing::info!(%refused, "streaming connection refused");
        ApiError::RateLimited(axum::http::HeaderMap::new())
    })
}

/// Subscribes `viewer` to the hub of `state`, which starts listening with the first
/// subscriber, preparing events with [`prepare::Renderer`]. GraphQL subscriptions
/// subscribe here too, so both APIs share one hub and its caps.
pub(crate) fn subscribe(state: &AppState, viewer: Option<i64>, slot: Slot) -> Subscriber {
    let preparer = || Arc::new(prepare::Renderer::new(state.clone())) as Arc<_>;
    state.stream.subscribe(&state.db, preparer, viewer, slot)
}

fn sse(
    state: AppState,
    viewer: Option<i64>,
    subscription: Subscription,
    slot: Slot,
) -> impl IntoResponse {
    let subscriber = subscribe(&state, viewer, slot);
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

/// Opens channel `name` and streams it as Server-Sent Events.
async fn open_sse(
    state: AppState,
    ip: ClientIp,
    token: Option<TokenInfo>,
    name: &str,
    params: &ChannelParams,
) -> ApiResult<impl IntoResponse> {
    let opened = channel::open(&state, name, params, token.as_ref()).await?;
    let viewer = token.and_then(|t| t.account_id);
    let slot = reserve(&state, viewer, ip)?;
    Ok(sse(state, viewer, opened.subscription, slot))
}

/// Declares a Server-Sent Events endpoint: its path below `/api/v1/streaming/`, the
/// channel it opens (`only_media` picks the `:media` form where there is one) and its
/// documentation.
macro_rules! sse_endpoint {
    ($(#[doc = $doc:literal] $name:ident, $path:literal, $description:literal;)+) => {$(
        #[doc = $doc]
        #[utoipa::path(get, path = concat!("/api/v1/streaming/", $path), tag = "streaming",
            params(("tag" = Option<String>, Query, description = "Hashtag without # (hashtag streams)"),
                   ("list" = Option<String>, Query, description = "List id (list stream)"),
                   ("only_media" = Option<bool>, Query, description = "Only statuses with media (public streams)")),
            responses((status = 200, description = $description),
                (status = 400, description = "Missing tag"), (status = 401), (status = 404, description = "Unknown list"),
                (status = 429, description = "Too many streaming connections (see ROOST_STREAMING_MAX_*)")))]
        pub async fn $name(
            State(state): State<AppState>,
            ip: ClientIp,
            MaybeToken(token): MaybeToken,
            crate::web::session::StreamSession(session): crate::web::session::StreamSession,
            Query(params): Query<ChannelParams>,
        ) -> ApiResult<impl IntoResponse> {
            // A browser signed in to the web pages streams with its session cookie.
            let token = token.or(session);
            let only_media = params.only_media.unwrap_or(false);
            let name = channel::name_of_path($path, only_media).ok_or(ApiError::NotFound)?;
            open_sse(state, ip, token, &name, &params).await
        }
    )+};
}

sse_endpoint! {
    /// `GET /api/v1/streaming/user`: the signed-in user's home updates and notifications.
    user, "user", "text/event-stream of update, status.update, delete and notification events";
    /// `GET /api/v1/streaming/user/notification`: the signed-in user's notifications only.
    user_notification, "user/notification", "text/event-stream of notification events";
    /// `GET /api/v1/streaming/public`.
    public, "public", "text/event-stream of public statuses";
    /// `GET /api/v1/streaming/public/local`.
    public_local, "public/local", "text/event-stream of local public statuses";
    /// `GET /api/v1/streaming/public/remote`.
    public_remote, "public/remote", "text/event-stream of remote public statuses";
    /// `GET /api/v1/streaming/hashtag?tag=…`.
    hashtag, "hashtag", "text/event-stream of public statuses with the tag";
    /// `GET /api/v1/streaming/hashtag/local?tag=…`.
    hashtag_local, "hashtag/local", "text/event-stream of local public statuses with the tag";
    /// `GET /api/v1/streaming/list?list=…`: one of the signed-in user's lists.
    list, "list", "text/event-stream of the list's statuses";
    /// `GET /api/v1/streaming/direct`: the signed-in user's conversations.
    direct, "direct", "text/event-stream of conversation events (and deletes of direct messages)";
}

/// `GET /api/v1/streaming/health`.
#[utoipa::path(get, path = "/api/v1/streaming/health", tag = "streaming",
    responses((status = 200, description = "OK")))]
pub async fn health() -> &'static str {
    "OK"
}
