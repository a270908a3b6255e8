//! Notifications and read markers (<https://docs.joinmastodon.org/methods/notifications/>,
//! <https://docs.joinmastodon.org/methods/markers/>).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::entities::report::Report;
use crate::api::entities::status;
use crate::api::entities::{timestamp, Account};
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{string_list, Params};
use crate::auth::CurrentUser;
use crate::db::notifications::{self, Filter, NotificationRow};
use crate::db::{accounts, reports, statuses};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The reports of `admin.report` notifications, rendered, by report id.
async fn reports_of(state: &AppState, rows: &[NotificationRow]) -> ApiResult<HashMap<i64, Value>> {
    let report_ids: Vec<i64> = rows.iter().filter_map(|row| row.report_id).collect();
    if report_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found = reports::find_many(&state.db, &report_ids).await?;
    let target_ids: Vec<i64> = found.iter().map(|r| r.target_account_id).collect();
    let targets = accounts::find_many(&state.db, &target_ids).await?;
    let mut out = HashMap::new();
    for report in &found {
        if let Some(target) = targets.iter().find(|t| t.id == report.target_account_id) {
            let entity = Report::from_row(report, target, &state.config);
            out.insert(
                report.id,
                serde_json::to_value(entity).map_err(anyhow::Error::from)?,
            );
        }
    }
    Ok(out)
}

/// Renders notifications with their accounts, statuses and reports (loaded in batches).
async fn render(state: &AppState, viewer: i64, rows: &[NotificationRow]) -> ApiResult<Vec<Value>> {
    let reports = reports_of(state, rows).await?;
    let account_ids: Vec<i64> = rows.iter().map(|row| row.from_account_id).collect();
    let accounts: HashMap<i64, Account> = accounts::find_many(&state.db, &account_ids)
        .await?
        .iter()
        .map(|row| (row.id, Account::from_row(row, &state.config)))
        .collect();
    let status_ids: Vec<i64> = rows.iter().filter_map(|row| row.status_id).collect();
    let found = statuses::find_many(&state.db, &status_ids).await?;
    let rendered = status::render(state, Some(viewer), found).await?;
    let statuses: HashMap<String, Value> = rendered
        .into_iter()
        .map(|status| {
            (
                status.id.to_string(),
                serde_json::to_value(status).unwrap_or(Value::Null),
            )
        })
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(account) = accounts.get(&row.from_account_id) else {
            continue;
        };
        let mut entity = json!({
            "id": Id(row.id),
            "type": row.r#type,
            "created_at": timestamp(row.created_at),
            "group_key": format!("ungrouped-{}", row.id),
            "account": account,
        });
        if let Some(status_id) = row.status_id {
            let Some(status) = statuses.get(&status_id.to_string()) else {
                continue;
            };
            entity["status"] = status.clone();
        }
        if let Some(report_id) = row.report_id {
            let Some(report) = reports.get(&report_id) else {
                continue;
            };
            entity["report"] = report.clone();
        }
        out.push(entity);
    }
    Ok(out)
}

/// One notification rendered for the streaming API (`None` if it can no longer be shown).
pub(crate) async fn render_one(
    state: &AppState,
    viewer: i64,
    row: NotificationRow,
) -> ApiResult<Option<Value>> {
    Ok(render(state, viewer, &[row]).await?.pop())
}

/// Filters of `GET /api/v1/notifications`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    #[serde(default, deserialize_with = "string_list")]
    #[param(value_type = Option<Vec<String>>)]
    types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "string_list")]
    #[param(value_type = Option<Vec<String>>)]
    exclude_types: Option<Vec<String>>,
    account_id: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageParams,
}

/// The signed-in user's notifications, newest first (Link-header paging).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(NotificationParams),
    security(("bearer" = ["read:notifications"])),
    responses((status = 200, description = "Notification entities", body = Vec<Object>)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<NotificationParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    user.token.require_scope(&["read:notifications"])?;
    let page = params.page.page(40, 80);
    let types = params.types.unwrap_or_default();
    let exclude_types = params.exclude_types.unwrap_or_default();
    let from_account_id = params
        .account_id
        .as_deref()
        .and_then(|id| id.parse::<Id>().ok())
        .map(|id| id.0);
    let filter = Filter {
        types: &types,
        exclude_types: &exclude_types,
        from_account_id,
    };
    let rows = notifications::page(&state.db, user.account_id, &filter, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let rendered = render(&state, user.account_id, &rows).await?;
    Ok((
        link_header(
            &state.config.base_url(),
            "/api/v1/notifications",
            &ids,
            page.limit,
        ),
        Json(rendered),
    ))
}

async fn owned(state: &AppState, user: &CurrentUser, id: &str) -> ApiResult<NotificationRow> {
    let id: Id = id.parse().map_err(|_| ApiError::NotFound)?;
    notifications::find(&state.db, user.account_id, id.0)
        .await?
        .ok_or(ApiError::NotFound)
}

/// One notification.
#[utoipa::path(get, path = "/api/v1/notifications/{id}", tag = "notifications",
    params(("id" = String, Path, description = "Notification id")), security(("bearer" = ["read:notifications"])),
    responses((status = 200, description = "Notification entity", body = Object), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    user.token.require_scope(&["read:notifications"])?;
    let row = owned(&state, &user, &id).await?;
    let mut rendered = render(&state, user.account_id, &[row]).await?;
    rendered.pop().map(Json).ok_or(ApiError::NotFound)
}

/// Dismisses one notification.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/dismiss", tag = "notifications",
    params(("id" = String, Path, description = "Notification id")), security(("bearer" = ["write:notifications"])),
    responses((status = 200, description = "Empty object"), (status = 404)))]
pub async fn dismiss(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    user.token.require_scope(&["write:notifications"])?;
    let row = owned(&state, &user, &id).await?;
    notifications::dismiss(&state.db, user.account_id, row.id).await?;
    Ok(Json(json!({})))
}

/// Dismisses every notification.
#[utoipa::path(post, path = "/api/v1/notifications/clear", tag = "notifications",
    security(("bearer" = ["write:notifications"])), responses((status = 200, description = "Empty object")))]
pub async fn clear(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    user.token.require_scope(&["write:notifications"])?;
    notifications::clear(&state.db, user.account_id).await?;
    Ok(Json(json!({})))
}

/// How many notifications are newer than the `notifications` marker (at most 1000).
#[utoipa::path(get, path = "/api/v1/notifications/unread_count", tag = "notifications",
    security(("bearer" = ["read:notifications"])), responses((status = 200, description = "{\"count\": N}", body = Object)))]
pub async fn unread_count(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Value>> {
    user.token.require_scope(&["read:notifications"])?;
    let count = notifications::unread_count(&state.db, user.account_id, 1000).await?;
    Ok(Json(json!({ "count": count })))
}

/// `timeline[]` of `GET /api/v1/markers`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MarkerQuery {
    #[serde(default, deserialize_with = "string_list")]
    #[param(value_type = Option<Vec<String>>)]
    timeline: Option<Vec<String>>,
}

fn marker_json(marker: &notifications::MarkerRow) -> Value {
    json!({
        "last_read_id": marker.last_read_id.to_string(),
        "version": marker.version,
        "updated_at": timestamp(marker.updated_at),
    })
}

/// The read markers of the requested timelines (`home`, `notifications`).
#[utoipa::path(get, path = "/api/v1/markers", tag = "markers", params(MarkerQuery),
    security(("bearer" = ["read:statuses", "read:notifications"])), responses((status = 200, body = Object)))]
pub async fn markers(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(query): Params<MarkerQuery>,
) -> ApiResult<Json<Value>> {
    user.token
        .require_scope(&["read:statuses", "read:notifications"])?;
    let timelines: Vec<String> = query
        .timeline
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t == "home" || t == "notifications")
        .collect();
    let found = notifications::markers(&state.db, user.account_id, &timelines).await?;
    let out: Map<String, Value> = found
        .iter()
        .map(|m| (m.timeline.clone(), marker_json(m)))
        .collect();
    Ok(Json(Value::Object(out)))
}

/// One marker to set.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MarkerUpdate {
    last_read_id: Option<String>,
}

/// Body of `POST /api/v1/markers`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SetMarkers {
    home: Option<MarkerUpdate>,
    notifications: Option<MarkerUpdate>,
}

/// Saves read positions ("mark as read").
#[utoipa::path(post, path = "/api/v1/markers", tag = "markers", request_body = SetMarkers,
    security(("bearer" = ["write:statuses"])), responses((status = 200, body = Object), (status = 422)))]
pub async fn set_markers(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(body): Params<SetMarkers>,
) -> ApiResult<Json<Value>> {
    user.token.require_scope(&["write:statuses"])?;
    let mut out = Map::new();
    for (timeline, update) in [("home", body.home), ("notifications", body.notifications)] {
        let Some(update) = update else {
            continue;
        };
        let last_read: Id = update
            .last_read_id
            .as_deref()
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| {
                ApiError::validation("last_read_id", "ERR_INVALID", "last_read_id is invalid")
            })?;
        let marker =
            notifications::set_marker(&state.db, user.account_id, timeline, last_read.0).await?;
        out.insert(timeline.to_owned(), marker_json(&marker));
    }
    if out.is_empty() {
        return Err(ApiError::validation(
            "timeline",
            "ERR_BLANK",
            "Give home or notifications",
        ));
    }
    Ok(Json(Value::Object(out)))
}
