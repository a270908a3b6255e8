//! The root `Subscription` type and its WebSocket endpoint (`GET /api/graphql/ws`,
//! the graphql-transport-ws protocol, or the older graphql-ws one): the signed-in
//! user's new notifications and the new posts of their home feed, fed by the
//! streaming API's hub (`events::Hub`), so both APIs share one LISTEN connection and
//! one set of connection caps: the connection takes a slot (429 over a cap), and so
//! does each subscription (a `RATE_LIMITED` error over a cap).
//!
//! The token comes in the `Authorization` header of the upgrade request or in the
//! `connection_init` payload (`{"Authorization": "Bearer …"}`, or `{"token": "…"}`).
//! Each event the hub prepared names a notification or a post; it is loaded and
//! rendered again for the subscriber, so a selection may ask for any field.
//!
//! Not here: the hub, the event filter (`events::Prepared::for_subscriber`).
//! Spec: <https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md>.

use async_graphql::{Context, Data, Subscription};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::Response;
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::context::{failure, signed_in, state, Caller, GraphResult};
use super::limits::MAX_BODY_BYTES;
use super::types::{Notification, Post};
use crate::api::entities::status;
use crate::api::streaming::{reserve, subscribe};
use crate::api::v1::notifications::render_one;
use crate::api::ClientIp;
use crate::auth::extractor::authenticate_token;
use crate::auth::scoped::{ReadNotifications, ReadStatuses};
use crate::auth::MaybeToken;
use crate::domain::filters::FilterContext;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::events::{Subscriber, Subscription as Channel};
use crate::services::{notifications, statuses};
use crate::state::AppState;

/// The root of every subscription.
pub struct SubscriptionRoot;

/// What a subscription waits for.
#[derive(Clone, Copy)]
enum Wanted {
    Notifications,
    HomePosts,
}

#[Subscription]
impl SubscriptionRoot {
    /// The signed-in user's notifications as they arrive (scope `read:notifications`).
    async fn notifications(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = GraphResult<Notification>>> {
        let viewer = signed_in::<ReadNotifications>(ctx)?;
        let feed = Feed::open(ctx, viewer, Wanted::Notifications)?;
        Ok(futures_util::stream::unfold(feed, |mut feed| async move {
            let item = feed.next_notification().await?;
            Some((item, feed))
        }))
    }

    /// New posts of the signed-in user's home feed as they arrive (scope
    /// `read:statuses`).
    async fn home_feed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = GraphResult<Post>>> {
        let viewer = signed_in::<ReadStatuses>(ctx)?;
        let feed = Feed::open(ctx, viewer, Wanted::HomePosts)?;
        Ok(futures_util::stream::unfold(feed, |mut feed| async move {
            let item = feed.next_post().await?;
            Some((item, feed))
        }))
    }
}

/// One subscription's place on the hub.
struct Feed {
    state: AppState,
    viewer: i64,
    channel: Channel,
    subscriber: Subscriber,
}

/// The id in an event's payload (a rendered entity).
#[derive(Deserialize)]
struct Named {
    id: String,
}

impl Feed {
    fn open(ctx: &Context<'_>, viewer: i64, wanted: Wanted) -> GraphResult<Feed> {
        let state = state(ctx)?.clone();
        let ip = ctx.data::<ClientIp>().map_err(|_| {
            failure(ApiError::Internal(anyhow::anyhow!(
                "no client address in a subscription"
            )))
        })?;
        let slot = reserve(&state, Some(viewer), *ip).map_err(failure)?;
        let subscriber = subscribe(&state, Some(viewer), slot);
        let channel = Channel::User {
            viewer,
            notifications_only: matches!(wanted, Wanted::Notifications),
        };
        Ok(Feed {
            state,
            viewer,
            channel,
            subscriber,
        })
    }

    /// The id named by the next event called `name` for this subscriber; `None` when
    /// the hub closed or this subscriber fell behind (the subscription ends, as a
    /// streaming connection that falls behind is closed).
    async fn next_id(&mut self, name: &str) -> Option<i64> {
        loop {
            let prepared = match self.subscriber.events.recv().await {
                Ok(prepared) => prepared,
                Err(RecvError::Lagged(_) | RecvError::Closed) => return None,
            };
            let Some((event, payload)) = prepared.for_subscriber(Some(self.viewer), &self.channel)
            else {
                continue;
            };
            if event != name {
                continue;
            }
            let id = serde_json::from_str::<Named>(payload)
                .ok()
                .and_then(|named| named.id.parse::<Id>().ok());
            if let Some(id) = id {
                return Some(id.0);
            }
        }
    }

    async fn next_notification(&mut self) -> Option<GraphResult<Notification>> {
        loop {
            let id = self.next_id("notification").await?;
            let row = match notifications::find(&self.state, self.viewer, Id(id)).await {
                Ok(row) => row,
                // Dismissed before it could be read: nothing to send.
                Err(ApiError::NotFound) => continue,
                Err(error) => return Some(Err(failure(error))),
            };
            match render_one(&self.state, self.viewer, row).await {
                Ok(Some(entity)) => return Some(Ok(Notification(entity))),
                Ok(None) => continue,
                Err(error) => return Some(Err(failure(error))),
            }
        }
    }

    async fn next_post(&mut self) -> Option<GraphResult<Post>> {
        loop {
            let id = self.next_id("update").await?;
            let viewer = Some(self.viewer);
            let row = match statuses::visible(&self.state, viewer, id).await {
                Ok(row) => row,
                Err(ApiError::NotFound) => continue,
                Err(error) => return Some(Err(failure(error))),
            };
            match status::render_in(&self.state, viewer, vec![row], FilterContext::Home).await {
                Ok(mut shown) => match shown.pop() {
                    Some(post) => return Some(Ok(Post(post))),
                    // A `hide` filter matched it.
                    None => continue,
                },
                Err(error) => return Some(Err(failure(error))),
            }
        }
    }
}

/// `GET /api/graphql/ws`: a WebSocket speaking graphql-transport-ws (or graphql-ws)
/// for subscriptions (and queries and mutations). Messages larger than the HTTP
/// endpoint's body limit are refused.
#[utoipa::path(get, path = "/api/graphql/ws", tag = "graphql", operation_id = "graphql_websocket",
    responses((status = 101, description = "WebSocket speaking graphql-transport-ws; the token in the Authorization header or in connection_init"),
        (status = 400, description = "No graphql-transport-ws or graphql-ws subprotocol"),
        (status = 401, description = "An invalid token in the Authorization header")))]
pub async fn websocket(
    State(state): State<AppState>,
    MaybeToken(token): MaybeToken,
    ip: ClientIp,
    protocol: Result<GraphQLProtocol, axum::http::StatusCode>,
    upgrade: WebSocketUpgrade,
) -> ApiResult<Response> {
    let protocol = protocol.map_err(|_| {
        ApiError::BadRequest("Ask for the graphql-transport-ws (or graphql-ws) subprotocol".into())
    })?;
    // The connection itself holds a slot (the account's when the upgrade request
    // carries a token, its address's otherwise), as a streaming connection does.
    let slot = reserve(&state, token.as_ref().and_then(|t| t.account_id), ip)?;
    let mut data = Data::default();
    data.insert(state.clone());
    data.insert(ip);
    data.insert(Caller { token });
    Ok(upgrade
        .max_message_size(MAX_BODY_BYTES)
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            GraphQLWebSocket::new(socket, super::schema::shared().clone(), protocol)
                .with_data(data)
                .on_connection_init(move |payload| connection_init(state, payload))
                .serve()
                .await;
            drop(slot);
        }))
}

/// The caller a `connection_init` payload names: its token, verified as a header's
/// would be (an invalid one closes the connection); no token keeps the upgrade
/// request's caller.
async fn connection_init(state: AppState, payload: serde_json::Value) -> GraphResult<Data> {
    let mut data = Data::default();
    let token = payload_token(&payload);
    if let Some(token) = token {
        let info = authenticate_token(&state, &token).await.map_err(failure)?;
        data.insert(Caller { token: Some(info) });
    }
    Ok(data)
}

/// `Authorization: Bearer …` (any case of the key) or `token` in the payload.
fn payload_token(payload: &serde_json::Value) -> Option<String> {
    let object = payload.as_object()?;
    let header = object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, value)| value.as_str())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    let bare = object.get("token").and_then(|value| value.as_str());
    header
        .or(bare)
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::payload_token;
    use serde_json::json;

    #[test]
    fn the_token_comes_from_a_bearer_header_or_a_token_key() {
        let header = json!({ "authorization": "Bearer abc" });
        assert_eq!(payload_token(&header).as_deref(), Some("abc"));
        let bare = json!({ "token": "xyz" });
        assert_eq!(payload_token(&bare).as_deref(), Some("xyz"));
        assert_eq!(
            payload_token(&json!({ "Authorization": "Basic abc" })),
            None
        );
        assert_eq!(payload_token(&json!(null)), None);
    }
}
