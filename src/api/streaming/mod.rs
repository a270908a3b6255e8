//! Mastodon's streaming API over Server-Sent Events: `GET /api/v1/streaming/user`,
//! `/public`, `/public/local`, `/hashtag?tag=` and `/health`; the WebSocket form at
//! `/api/v1/streaming` is in [`socket`], and the rendering of event payloads in
//! [`prepare`]. Spec: <https://docs.joinmastodon.org/methods/streaming/>.
//!
//! Not here: the LISTEN hub, the prepared events and their filter, the connection
//! caps (`crate::events`). Each connection takes a slot (429 over a cap), subscribes
//! to the hub and sends the prepared events its stream wants; a subscriber that falls
//! behind is disconnected rather than buffered without bound.

pub mod prepare;
pub mod socket;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::api::ClientIp;
use crate::auth::scoped::ReadStatusesOrNotifications;
use crate::auth::{MaybeToken, User};
use crate::error::{ApiError, ApiResult};
use crate::events::slots::{Holder, Slot};
use crate::events::{Subscriber, Subscription};
use crate::state::AppState;

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

/// Subscribes `viewer` to the hub of `state`, which starts listening with the first
/// subscriber, preparing events with [`prepare::Renderer`].
fn subscribe(state: &AppState, viewer: Option<i64>, slot: Slot) -> Subscriber {
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

/// `GET /api/v1/streaming/user`: the signed-in user's home updates and notifications.
#[utoipa::path(get, path = "/api/v1/streaming/user", tag = "streaming",
    security(("bearer" = ["read:statuses", "read:notifications"])),
    responses((status = 200, description = "text/event-stream of update, status.update, delete and notification events"), (status = 429, description = "Too many streaming connections (see ROOST_STREAMING_MAX_*)")))]
pub async fn user(
    State(state): State<AppState>,
    ip: ClientIp,
    user: User<ReadStatusesOrNotifications>,
) -> ApiResult<impl IntoResponse> {
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
