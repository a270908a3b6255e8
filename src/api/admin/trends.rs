//! Staff review of trends (<https://docs.joinmastodon.org/methods/admin/trends/>):
//! `GET /api/v1/admin/trends/tags|statuses|links` list every candidate (approved,
//! pending or rejected), best first; `POST …/:id/approve` and `…/:id/reject` decide
//! (Mastodon's routes for its admin interface, undocumented but stable). Moderators and
//! admins (Mastodon's `manage_taxonomies`). What trends is `services::trends`'.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::{ReadTags, Staff, WriteTags};
use crate::api::entities::admin::AdminTag;
use crate::api::entities::preview_card::AdminTrendsLink;
use crate::api::entities::status::{render, Status};
use crate::api::params::Params;
use crate::api::v1::trends::TrendsParams;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::trends::{self as service, Reviewed};
use crate::state::AppState;

/// A trending status as staff see it: the Status and whether it awaits review.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AdminTrendsStatus {
    #[serde(flatten)]
    pub status: Status,
    pub requires_review: bool,
}

/// Trending hashtags, reviewed or not.
#[utoipa::path(get, path = "/api/v1/admin/trends/tags", tag = "admin", params(TrendsParams),
    security(("bearer" = ["admin:read"])), responses((status = 200, body = [AdminTag]), (status = 403)))]
pub async fn tags(
    State(state): State<AppState>,
    _staff: Staff<ReadTags>,
    Params(params): Params<TrendsParams>,
) -> ApiResult<Json<Vec<AdminTag>>> {
    let views = service::admin_tags(&state, params.page(10, 20)).await?;
    let config = &state.config;
    Ok(Json(
        views
            .iter()
            .map(|view| AdminTag::from_view(view, config))
            .collect(),
    ))
}

/// Trending statuses, reviewed or not.
#[utoipa::path(get, path = "/api/v1/admin/trends/statuses", tag = "admin", params(TrendsParams),
    security(("bearer" = ["admin:read"])), responses((status = 200, body = [AdminTrendsStatus]), (status = 403)))]
pub async fn statuses(
    State(state): State<AppState>,
    staff: Staff<ReadTags>,
    Params(params): Params<TrendsParams>,
) -> ApiResult<Json<Vec<AdminTrendsStatus>>> {
    let reviewed = service::admin_statuses(&state, params.page(20, 40)).await?;
    Ok(Json(
        rendered_statuses(&state, staff.account_id, reviewed).await?,
    ))
}

/// Trending links, reviewed or not.
#[utoipa::path(get, path = "/api/v1/admin/trends/links", tag = "admin", params(TrendsParams),
    security(("bearer" = ["admin:read"])), responses((status = 200, body = [AdminTrendsLink]), (status = 403)))]
pub async fn links(
    State(state): State<AppState>,
    _staff: Staff<ReadTags>,
    Params(params): Params<TrendsParams>,
) -> ApiResult<Json<Vec<AdminTrendsLink>>> {
    let links = service::admin_links(&state, params.page(10, 20)).await?;
    let config = &state.config;
    Ok(Json(
        links
            .iter()
            .map(|link| AdminTrendsLink::from_reviewed(link, config))
            .collect(),
    ))
}

/// Lets a hashtag trend.
#[utoipa::path(post, path = "/api/v1/admin/trends/tags/{id}/approve", tag = "admin",
    params(("id" = String, Path, description = "Tag id")), security(("bearer" = ["admin:write"])),
    responses((status = 200, body = AdminTag), (status = 404)))]
pub async fn approve_tag(
    state: State<AppState>,
    _staff: Staff<WriteTags>,
    id: Path<Id>,
) -> ApiResult<Json<AdminTag>> {
    review_tag(state, id, true).await
}

/// Keeps a hashtag from trending.
#[utoipa::path(post, path = "/api/v1/admin/trends/tags/{id}/reject", tag = "admin",
    params(("id" = String, Path, description = "Tag id")), security(("bearer" = ["admin:write"])),
    responses((status = 200, body = AdminTag), (status = 404)))]
pub async fn reject_tag(
    state: State<AppState>,
    _staff: Staff<WriteTags>,
    id: Path<Id>,
) -> ApiResult<Json<AdminTag>> {
    review_tag(state, id, false).await
}

async fn review_tag(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    trendable: bool,
) -> ApiResult<Json<AdminTag>> {
    let view = service::review_tag(&state, id.0, trendable).await?;
    Ok(Json(AdminTag::from_view(&view, &state.config)))
}

/// Lets a status trend.
#[utoipa::path(post, path = "/api/v1/admin/trends/statuses/{id}/approve", tag = "admin",
    params(("id" = String, Path, description = "Status id")), security(("bearer" = ["admin:write"])),
    responses((status = 200, body = AdminTrendsStatus), (status = 404)))]
pub async fn approve_status(
    state: State<AppState>,
    staff: Staff<WriteTags>,
    id: Path<Id>,
) -> ApiResult<Json<AdminTrendsStatus>> {
    review_status(state, staff, id, true).await
}

/// Keeps a status from trending.
#[utoipa::path(post, path = "/api/v1/admin/trends/statuses/{id}/reject", tag = "admin",
    params(("id" = String, Path, description = "Status id")), security(("bearer" = ["admin:write"])),
    responses((status = 200, body = AdminTrendsStatus), (status = 404)))]
pub async fn reject_status(
    state: State<AppState>,
    staff: Staff<WriteTags>,
    id: Path<Id>,
) -> ApiResult<Json<AdminTrendsStatus>> {
    review_status(state, staff, id, false).await
}

async fn review_status(
    State(state): State<AppState>,
    staff: Staff<WriteTags>,
    Path(id): Path<Id>,
    trendable: bool,
) -> ApiResult<Json<AdminTrendsStatus>> {
    let reviewed = service::review_status(&state, id.0, trendable).await?;
    let mut rendered = rendered_statuses(&state, staff.account_id, vec![reviewed]).await?;
    rendered.pop().map(Json).ok_or(ApiError::NotFound)
}

/// Lets a link trend (`id`: its card's).
#[utoipa::path(post, path = "/api/v1/admin/trends/links/{id}/approve", tag = "admin",
    params(("id" = String, Path, description = "Link (preview card) id")),
    security(("bearer" = ["admin:write"])), responses((status = 200, body = AdminTrendsLink), (status = 404)))]
pub async fn approve_link(
    state: State<AppState>,
    _staff: Staff<WriteTags>,
    id: Path<Id>,
) -> ApiResult<Json<AdminTrendsLink>> {
    review_link(state, id, true).await
}

/// Keeps a link from trending.
#[utoipa::path(post, path = "/api/v1/admin/trends/links/{id}/reject", tag = "admin",
    params(("id" = String, Path, description = "Link (preview card) id")),
    security(("bearer" = ["admin:write"])), responses((status = 200, body = AdminTrendsLink), (status = 404)))]
pub async fn reject_link(
    state: State<AppState>,
    _staff: Staff<WriteTags>,
    id: Path<Id>,
) -> ApiResult<Json<AdminTrendsLink>> {
    review_link(state, id, false).await
}

async fn review_link(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    trendable: bool,
) -> ApiResult<Json<AdminTrendsLink>> {
    let reviewed = service::review_link(&state, id.0, trendable).await?;
    Ok(Json(AdminTrendsLink::from_reviewed(
        &reviewed,
        &state.config,
    )))
}

/// Renders statuses for a staff member (candidates are public, so they see them all).
async fn rendered_statuses(
    state: &AppState,
    viewer: i64,
    reviewed: Vec<Reviewed<crate::db::statuses::StatusRow>>,
) -> ApiResult<Vec<AdminTrendsStatus>> {
    let pending: std::collections::HashMap<i64, bool> = reviewed
        .iter()
        .map(|r| (r.trend.id, r.requires_review()))
        .collect();
    let rows = reviewed.into_iter().map(|r| r.trend).collect();
    let statuses = render(state, Some(viewer), rows).await?;
    Ok(statuses
        .into_iter()
        .map(|status| AdminTrendsStatus {
            requires_review: pending.get(&status.id.0).copied().unwrap_or(false),
            status,
        })
        .collect())
}
