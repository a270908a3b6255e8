//! Scheduled statuses (<https://docs.joinmastodon.org/methods/scheduled_statuses/>):
//! the signed-in user's posts waiting for their time. Each handler extracts its input,
//! calls `services::scheduled_statuses` and renders; scheduling itself is
//! `POST /api/v1/statuses` with `scheduled_at`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::empty::Empty;
use crate::api::entities::scheduled_status::ScheduledStatus;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::Params;
use crate::auth::scoped::{ReadStatuses, WriteStatuses};
use crate::auth::User;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::scheduled_statuses as service;
use crate::state::AppState;

/// The user's scheduled statuses, newest first (20 by default, 40 at most).
#[utoipa::path(get, path = "/api/v1/scheduled_statuses", tag = "scheduled_statuses",
    params(PageParams), security(("bearer" = ["read:statuses"])),
    responses((status = 200, body = Vec<ScheduledStatus>)))]
pub async fn index(
    State(state): State<AppState>,
    user: User<ReadStatuses>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<ScheduledStatus>>)> {
    let page = params.page(20, 40);
    let kept = service::list(&state, user.account_id, &page).await?;
    let ids: Vec<i64> = kept.iter().map(|k| k.row.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/scheduled_statuses",
        &ids,
        page.limit,
    );
    let rendered = kept
        .iter()
        .map(|k| ScheduledStatus::from_scheduled(k, &state.config));
    Ok((headers, Json(rendered.collect())))
}

/// One of the user's scheduled statuses.
#[utoipa::path(get, path = "/api/v1/scheduled_statuses/{id}", tag = "scheduled_statuses",
    params(("id" = String, Path, description = "Scheduled status id")),
    security(("bearer" = ["read:statuses"])),
    responses((status = 200, body = ScheduledStatus), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<ReadStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<ScheduledStatus>> {
    let kept = service::show(&state, user.account_id, id.0).await?;
    Ok(Json(ScheduledStatus::from_scheduled(&kept, &state.config)))
}

/// The body of `PUT /api/v1/scheduled_statuses/:id`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RescheduleParams {
    /// The new time (ISO 8601), at least five minutes ahead.
    scheduled_at: Option<String>,
}

/// Moves a scheduled status to another time.
#[utoipa::path(put, path = "/api/v1/scheduled_statuses/{id}", tag = "scheduled_statuses",
    params(("id" = String, Path, description = "Scheduled status id")),
    request_body = RescheduleParams, security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = ScheduledStatus), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
    Params(params): Params<RescheduleParams>,
) -> ApiResult<Json<ScheduledStatus>> {
    let at = params.scheduled_at.as_deref();
    let kept = service::reschedule(&state, user.account_id, id.0, at).await?;
    Ok(Json(ScheduledStatus::from_scheduled(&kept, &state.config)))
}

/// Cancels a scheduled status (its uploads are free again).
#[utoipa::path(delete, path = "/api/v1/scheduled_statuses/{id}", tag = "scheduled_statuses",
    params(("id" = String, Path, description = "Scheduled status id")),
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::cancel(&state, user.account_id, id.0).await?;
    Ok(Json(Empty {}))
}
