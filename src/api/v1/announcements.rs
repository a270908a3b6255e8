//! `GET /api/v1/announcements`, `POST /api/v1/announcements/:id/dismiss`,
//! `PUT`/`DELETE /api/v1/announcements/:id/reactions/:name`
//! (<https://docs.joinmastodon.org/methods/announcements/>).

use axum::extract::State;
use axum::Json;

use crate::api::entities::announcement::Announcement;
use crate::api::entities::empty::Empty;
use crate::auth::scoped::{Read, WriteAccounts, WriteFavourites};
use crate::auth::User;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::announcements as service;
use crate::state::AppState;

/// The current announcements, read or not.
#[utoipa::path(get, path = "/api/v1/announcements", tag = "announcements",
    security(("bearer" = ["read"])),
    responses((status = 200, description = "Announcement entities", body = Vec<Announcement>)))]
pub async fn index(
    State(state): State<AppState>,
    user: User<Read>,
) -> ApiResult<Json<Vec<Announcement>>> {
    let listing = service::current(&state, user.account_id).await?;
    Ok(Json(Announcement::all(&listing, &state.config)))
}

/// Marks an announcement read.
#[utoipa::path(post, path = "/api/v1/announcements/{id}/dismiss", tag = "announcements",
    params(("id" = String, Path, description = "Announcement id")),
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, description = "Empty object", body = Empty),
        (status = 404, description = "No such current announcement")))]
pub async fn dismiss(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::dismiss(&state, user.account_id, id.0).await?;
    Ok(Json(Empty {}))
}

/// Reacts with a unicode emoji or a local custom emoji's shortcode.
#[utoipa::path(put, path = "/api/v1/announcements/{id}/reactions/{name}", tag = "announcements",
    params(("id" = String, Path, description = "Announcement id"),
        ("name" = String, Path, description = "Unicode emoji or custom emoji shortcode")),
    security(("bearer" = ["write:favourites"])),
    responses((status = 200, description = "Empty object", body = Empty),
        (status = 404, description = "No such current announcement"),
        (status = 422, description = "Unknown emoji or too many reactions")))]
pub async fn react(
    State(state): State<AppState>,
    user: User<WriteFavourites>,
    Path((id, name)): Path<(Id, String)>,
) -> ApiResult<Json<Empty>> {
    service::react(&state, user.account_id, id.0, &name).await?;
    Ok(Json(Empty {}))
}

/// Takes a reaction back.
#[utoipa::path(delete, path = "/api/v1/announcements/{id}/reactions/{name}", tag = "announcements",
    params(("id" = String, Path, description = "Announcement id"),
        ("name" = String, Path, description = "Unicode emoji or custom emoji shortcode")),
    security(("bearer" = ["write:favourites"])),
    responses((status = 200, description = "Empty object", body = Empty),
        (status = 404, description = "No such current announcement")))]
pub async fn unreact(
    State(state): State<AppState>,
    user: User<WriteFavourites>,
    Path((id, name)): Path<(Id, String)>,
) -> ApiResult<Json<Empty>> {
    service::unreact(&state, user.account_id, id.0, &name).await?;
    Ok(Json(Empty {}))
}
