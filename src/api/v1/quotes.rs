//! Quote posts (Mastodon 4.5): the quotes of a status, revoking one, and who may quote
//! a status. Each handler extracts the request, calls `services::quotes` and renders.
//! Spec: <https://docs.joinmastodon.org/methods/statuses/#quotes>.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use super::statuses::rendered;
use crate::api::entities::status::{self, Status};
use crate::api::paging::{link_header, PageParams};
use crate::api::params::Params;
use crate::auth::scoped::{ReadStatuses, WriteStatuses};
use crate::auth::User;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::{quotes, reply_controls};
use crate::state::AppState;

/// The statuses that quote a status (accepted quotes the caller may see), newest first.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/quotes", tag = "statuses",
    params(("id" = String, Path, description = "Status id"), PageParams),
    security(("bearer" = ["read:statuses"])),
    responses((status = 200, body = Vec<Status>), (status = 401), (status = 404)))]
pub async fn index(
    State(state): State<AppState>,
    user: User<ReadStatuses>,
    Path(id): Path<Id>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let page = params.page(20, 40);
    let rows = quotes::quotes_of(&state, user.account_id, id.0, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        &format!("/api/v1/statuses/{}/quotes", id.0),
        &ids,
        page.limit,
    );
    let shown = status::render(&state, Some(user.account_id), rows).await?;
    Ok((headers, Json(shown)))
}

/// Revokes the caller's approval of a quote of their status; returns the quoting status.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/quotes/{quoting_status_id}/revoke",
    tag = "statuses",
    params(("id" = String, Path, description = "Quoted status id"),
        ("quoting_status_id" = String, Path, description = "Quoting status id")),
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 403), (status = 404)))]
pub async fn revoke(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path((id, quoting)): Path<(Id, Id)>,
) -> ApiResult<Json<Status>> {
    let row = quotes::revoke(&state, user.account_id, id.0, quoting.0).await?;
    rendered(&state, Some(user.account_id), row).await.map(Json)
}

/// Parameters of `PUT /api/v1/statuses/:id/interaction_policy`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct InteractionPolicyParams {
    quote_approval_policy: Option<String>,
    /// Who may reply: `everyone`, `followers`, `mentioned` or `nobody` (Roost).
    reply_policy: Option<String>,
}

/// Changes who may quote and who may reply to one of the caller's statuses; returns
/// the status.
#[utoipa::path(put, path = "/api/v1/statuses/{id}/interaction_policy", tag = "statuses",
    params(("id" = String, Path, description = "Status id")),
    request_body = InteractionPolicyParams, security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 404), (status = 422)))]
pub async fn interaction_policy(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
    Params(params): Params<InteractionPolicyParams>,
) -> ApiResult<Json<Status>> {
    let (quote, reply) = (
        params.quote_approval_policy.as_deref(),
        params.reply_policy.as_deref(),
    );
    let row = reply_controls::set_policies(&state, user.account_id, id.0, quote, reply).await?;
    rendered(&state, Some(user.account_id), row).await.map(Json)
}
