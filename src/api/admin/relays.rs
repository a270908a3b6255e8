//! Relays (admins only): a Roost extension of Mastodon's admin API, which has relays
//! only in its web admin. The actions are `services::relays`'.
//! See docs/api.md ("Admin: relays") and docs/admin.md ("Relays").

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::{ReadRelays, Staff, WriteRelays};
use crate::api::entities::admin::{Empty, Relay};
use crate::api::params::Params;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::relays as service;
use crate::state::AppState;

/// Parameters of adding a relay.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RelayParams {
    /// A Mastodon-style relay's inbox (`https://relay.example/inbox`) or a LitePub
    /// relay's actor (`https://relay.example/actor`).
    inbox_url: Option<String>,
}

/// Lists the relays, oldest first.
#[utoipa::path(get, path = "/api/v1/admin/relays", tag = "admin",
    security(("bearer" = ["admin:read"])), responses((status = 200, body = [Relay]), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    _staff: Staff<ReadRelays>,
) -> ApiResult<Json<Vec<Relay>>> {
    let rows = service::list(&state).await?;
    Ok(Json(rows.iter().map(Relay::from_row).collect()))
}

/// Adds a relay and subscribes to it (the relay is `pending` until it accepts).
#[utoipa::path(post, path = "/api/v1/admin/relays", tag = "admin", request_body = RelayParams,
    security(("bearer" = ["admin:write"])), responses((status = 200, body = Relay), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    _staff: Staff<WriteRelays>,
    Params(params): Params<RelayParams>,
) -> ApiResult<Json<Relay>> {
    let url = params.inbox_url.unwrap_or_default();
    Ok(Json(Relay::from_row(&service::add(&state, &url).await?)))
}

/// Subscribes to a relay again (a new `Follow`).
#[utoipa::path(post, path = "/api/v1/admin/relays/{id}/enable", tag = "admin",
    params(("id" = String, Path, description = "Relay id")),
    security(("bearer" = ["admin:write"])), responses((status = 200, body = Relay), (status = 404)))]
pub async fn enable(
    State(state): State<AppState>,
    _staff: Staff<WriteRelays>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Relay>> {
    Ok(Json(Relay::from_row(&service::enable(&state, id.0).await?)))
}

/// Ends the subscription to a relay (an `Undo` of its `Follow`); it stays listed, idle.
#[utoipa::path(post, path = "/api/v1/admin/relays/{id}/disable", tag = "admin",
    params(("id" = String, Path, description = "Relay id")),
    security(("bearer" = ["admin:write"])), responses((status = 200, body = Relay), (status = 404)))]
pub async fn disable(
    State(state): State<AppState>,
    _staff: Staff<WriteRelays>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Relay>> {
    Ok(Json(Relay::from_row(
        &service::disable(&state, id.0).await?,
    )))
}

/// Ends the subscription to a relay and removes it.
#[utoipa::path(delete, path = "/api/v1/admin/relays/{id}", tag = "admin",
    params(("id" = String, Path, description = "Relay id")),
    security(("bearer" = ["admin:write"])), responses((status = 200, body = Empty), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    _staff: Staff<WriteRelays>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::remove(&state, id.0).await?;
    Ok(Json(Empty {}))
}
