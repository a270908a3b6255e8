//! Interaction requests (a Roost extension from GoToSocial's client API, for quotes):
//! the quotes of the caller's statuses awaiting their review, and authorizing or
//! rejecting one. Each handler extracts the request, calls
//! `services::interaction_requests` and renders.
//! Spec: <https://docs.gotosocial.org/en/latest/api/swagger/> (`interaction_requests`).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::interaction_request::{self, InteractionRequest};
use crate::api::paging::{link_header, path_with_filters, PageParams};
use crate::api::params::{lenient_opt_bool, Params};
use crate::auth::scoped::{ReadNotifications, WriteStatuses};
use crate::auth::User;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::interaction_requests::{self as requests, Request};
use crate::state::AppState;

/// Filters of `GET /api/v1/interaction_requests`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsParams {
    /// Only requests about this status of the caller's.
    status_id: Option<String>,
    /// Pending quotes (Roost's only kind); `false` leaves them out. Default `true`.
    /// GoToSocial's `favourites`, `replies` and `reblogs` (kinds Roost never makes
    /// pending) are ignored.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    quotes: Option<bool>,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageParams,
}

/// The pending interaction requests on the caller's statuses, newest first.
#[utoipa::path(get, path = "/api/v1/interaction_requests", tag = "interaction_requests",
    params(RequestsParams, PageParams), security(("bearer" = ["read:notifications"])),
    responses((status = 200, body = Vec<InteractionRequest>), (status = 401)))]
pub async fn index(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
    Params(params): Params<RequestsParams>,
) -> ApiResult<(HeaderMap, Json<Vec<InteractionRequest>>)> {
    let page = params.page.page(40, 80);
    let status_id = match params.status_id.as_deref().filter(|id| !id.is_empty()) {
        Some(id) => Some(id.parse::<Id>().map_err(|_| ApiError::NotFound)?.0),
        None => None,
    };
    let quotes = params.quotes.unwrap_or(true);
    let found = requests::pending(&state, user.account_id, status_id, quotes, &page).await?;
    let ids: Vec<i64> = found.iter().map(|r| r.row.quote.status_id).collect();
    let path = path_with_filters(
        "/api/v1/interaction_requests",
        &[
            ("status_id", status_id.map(|id| id.to_string())),
            ("quotes", (!quotes).then(|| "false".to_owned())),
        ],
    );
    let headers = link_header(&state.config.base_url(), &path, &ids, page.limit);
    let shown = interaction_request::render(&state, user.account_id, found).await?;
    Ok((headers, Json(shown)))
}

/// One interaction request on the caller's statuses, pending or decided.
#[utoipa::path(get, path = "/api/v1/interaction_requests/{id}", tag = "interaction_requests",
    params(("id" = String, Path, description = "Interaction request id")),
    security(("bearer" = ["read:notifications"])),
    responses((status = 200, body = InteractionRequest), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
    Path(id): Path<Id>,
) -> ApiResult<Json<InteractionRequest>> {
    let found = requests::get(&state, user.account_id, id.0).await?;
    one(&state, user.account_id, found).await
}

/// Authorizes a pending request: the quote is accepted.
#[utoipa::path(post, path = "/api/v1/interaction_requests/{id}/authorize",
    tag = "interaction_requests",
    params(("id" = String, Path, description = "Interaction request id")),
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = InteractionRequest), (status = 404), (status = 422)))]
pub async fn authorize(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<InteractionRequest>> {
    let decided = requests::authorize(&state, user.account_id, id.0).await?;
    one(&state, user.account_id, decided).await
}

/// Rejects a pending request: the quote is rejected.
#[utoipa::path(post, path = "/api/v1/interaction_requests/{id}/reject",
    tag = "interaction_requests",
    params(("id" = String, Path, description = "Interaction request id")),
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = InteractionRequest), (status = 404), (status = 422)))]
pub async fn reject(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<InteractionRequest>> {
    let decided = requests::reject(&state, user.account_id, id.0).await?;
    one(&state, user.account_id, decided).await
}

async fn one(
    state: &AppState,
    viewer: i64,
    request: Request,
) -> ApiResult<Json<InteractionRequest>> {
    let mut shown = interaction_request::render(state, viewer, vec![request]).await?;
    shown.pop().map(Json).ok_or(ApiError::NotFound)
}
