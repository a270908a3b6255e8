//! Reply controls (Roost): the author of a status hides a reply to it from the thread,
//! or shows it again. Each handler extracts the request, calls
//! `services::reply_controls` and renders. Who may reply is set with the status and
//! through `PUT /api/v1/statuses/:id/interaction_policy` (`api::v1::quotes`).

use axum::extract::State;
use axum::Json;

use super::statuses::rendered;
use crate::api::entities::status::Status;
use crate::auth::scoped::WriteStatuses;
use crate::auth::User;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::reply_controls;
use crate::state::AppState;

/// Hides a reply to one of the caller's statuses from its thread, for everyone but
/// the reply's author; returns the reply.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/hide_reply", tag = "statuses",
    params(("id" = String, Path, description = "The reply's id")),
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 403), (status = 404)))]
pub async fn hide(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Status>> {
    let row = reply_controls::set_hidden(&state, user.account_id, id.0, true).await?;
    rendered(&state, Some(user.account_id), row).await.map(Json)
}

/// Shows a hidden reply in its thread again; returns the reply.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/unhide_reply", tag = "statuses",
    params(("id" = String, Path, description = "The reply's id")),
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 403), (status = 404)))]
pub async fn unhide(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Status>> {
    let row = reply_controls::set_hidden(&state, user.account_id, id.0, false).await?;
    rendered(&state, Some(user.account_id), row).await.map(Json)
}
