//! Notifications and read markers (<https://docs.joinmastodon.org/methods/notifications/>,
//! <https://docs.joinmastodon.org/methods/markers/>): HTTP only, the actions are
//! `services::notifications`'. Rendering a notification loads what it names (its
//! account, status and report) in batches; the streaming API renders with the same
//! function ([`render_one`]).

use std::collections::HashMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::empty::Empty;
use crate::api::entities::notification::{Markers, Notification, UnreadCount};
use crate::api::entities::report::Report;
use crate::api::entities::status::{self, Status};
use crate::api::entities::Account;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, string_list, Params};
use crate::auth::scoped::{
    ReadNotifications, ReadStatusesOrNotifications, WriteNotifications, WriteStatuses,
};
use crate::auth::User;
use crate::db::accounts::{self, AccountRow};
use crate::db::notifications::{Filter, NotificationRow};
use crate::db::reports::{self, ReportRow};
use crate::db::statuses;
use crate::domain::filters::FilterContext;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::notifications::{self, MarkerPosition};
use crate::state::AppState;

/// The reports of `admin.report` notifications with their target accounts, by report id.
pub(crate) async fn reports_of(
    state: &AppState,
    rows: &[NotificationRow],
) -> ApiResult<HashMap<i64, (ReportRow, AccountRow)>> {
    let report_ids: Vec<i64> = rows.iter().filter_map(|row| row.report_id).collect();
    if report_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found = reports::find_many(&state.db, &report_ids).await?;
    let target_ids: Vec<i64> = found.iter().map(|r| r.target_account_id).collect();
    let targets: HashMap<i64, AccountRow> = accounts::find_many(&state.db, &target_ids)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    Ok(found
        .into_iter()
        .filter_map(|report| {
            let target = targets.get(&report.target_account_id)?.clone();
            Some((report.id, (report, target)))
        })
        .collect())
}

/// The statuses notifications name, rendered for `viewer`, by id.
pub(crate) async fn statuses_of(
    state: &AppState,
    viewer: i64,
    rows: &[NotificationRow],
) -> ApiResult<HashMap<i64, Status>> {
    let status_ids: Vec<i64> = rows.iter().filter_map(|row| row.status_id).collect();
    let found = statuses::find_many(&state.db, &status_ids).await?;
    let context = FilterContext::Notifications;
    let rendered = status::render_in(state, Some(viewer), found, context).await?;
    Ok(rendered
        .into_iter()
        .map(|status| (status.id.0, status))
        .collect())
}

/// Renders notifications with their accounts, statuses and reports (loaded in
/// batches). A notification whose account, status or report is gone is left out, and
/// so is one whose status a `hide` filter of the `notifications` context matches.
pub(crate) async fn render(
    state: &AppState,
    viewer: i64,
    rows: &[NotificationRow],
) -> ApiResult<Vec<Notification>> {
    let reports = reports_of(state, rows).await?;
    let account_ids: Vec<i64> = rows.iter().map(|row| row.from_account_id).collect();
    let accounts: HashMap<i64, Account> = accounts::find_many(&state.db, &account_ids)
        .await?
        .iter()
        .map(|row| (row.id, Account::from_row(row, &state.config)))
        .collect();
    let statuses = statuses_of(state, viewer, rows).await?;
    let entity = |row: &NotificationRow| {
        let account = accounts.get(&row.from_account_id)?.clone();
        let status = match row.status_id {
            Some(id) => Some(statuses.get(&id)?.clone()),
            None => None,
        };
        let report = match row.report_id {
            Some(id) => {
                let (report, target) = reports.get(&id)?;
                Some(Report::from_row(report, target, &state.config))
            }
            None => None,
        };
        Some(Notification::new(row, account, status, report))
    };
    Ok(rows.iter().filter_map(entity).collect())
}

/// One notification rendered for the streaming API (`None` if it can no longer be shown).
pub(crate) async fn render_one(
    state: &AppState,
    viewer: i64,
    row: NotificationRow,
) -> ApiResult<Option<Notification>> {
    Ok(render(state, viewer, &[row]).await?.pop())
}

/// Filters of the notification lists and counts (v1 and v2).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterParams {
    #[serde(default, deserialize_with = "string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub exclude_types: Option<Vec<String>>,
    /// Only from this account (filtered ones included); an id that does not parse
    /// filters nothing.
    pub account_id: Option<String>,
    /// Also the notifications the user's policy filtered.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    pub include_filtered: Option<bool>,
}

impl FilterParams {
    /// The filter these parameters ask for.
    pub fn filter(&self) -> Filter<'_> {
        notifications::filter(
            self.types.as_deref().unwrap_or_default(),
            self.exclude_types.as_deref().unwrap_or_default(),
            self.account_id.as_deref(),
            self.include_filtered.unwrap_or(false),
        )
    }
}

/// Filters and paging of `GET /api/v1/notifications`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    #[serde(flatten)]
    #[param(ignore)]
    filter: FilterParams,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageParams,
}

/// The signed-in user's notifications, newest first (Link-header paging).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(NotificationParams, FilterParams),
    security(("bearer" = ["read:notifications"])),
    responses((status = 200, description = "Notification entities", body = Vec<Notification>)))]
pub async fn list(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
    Params(params): Params<NotificationParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Notification>>)> {
    let page = params.page.page(40, 80);
    let filter = params.filter.filter();
    let rows = notifications::list(&state, user.account_id, &filter, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let base_url = state.config.base_url();
    let links = link_header(&base_url, "/api/v1/notifications", &ids, page.limit);
    Ok((links, Json(render(&state, user.account_id, &rows).await?)))
}

/// One notification.
#[utoipa::path(get, path = "/api/v1/notifications/{id}", tag = "notifications",
    params(("id" = String, Path, description = "Notification id")), security(("bearer" = ["read:notifications"])),
    responses((status = 200, description = "Notification entity", body = Notification), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Notification>> {
    let row = notifications::find(&state, user.account_id, id).await?;
    let rendered = render_one(&state, user.account_id, row).await?;
    rendered.map(Json).ok_or(ApiError::NotFound)
}

/// Dismisses one notification.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/dismiss", tag = "notifications",
    params(("id" = String, Path, description = "Notification id")), security(("bearer" = ["write:notifications"])),
    responses((status = 200, description = "Empty object", body = Empty), (status = 404)))]
pub async fn dismiss(
    State(state): State<AppState>,
    user: User<WriteNotifications>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    notifications::dismiss(&state, user.account_id, id).await?;
    Ok(Json(Empty {}))
}

/// Dismisses every notification.
#[utoipa::path(post, path = "/api/v1/notifications/clear", tag = "notifications",
    security(("bearer" = ["write:notifications"])),
    responses((status = 200, description = "Empty object", body = Empty)))]
pub async fn clear(
    State(state): State<AppState>,
    user: User<WriteNotifications>,
) -> ApiResult<Json<Empty>> {
    notifications::clear(&state, user.account_id).await?;
    Ok(Json(Empty {}))
}

/// Filters and `limit` of the unread counts (v1 and v2).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnreadParams {
    #[serde(flatten)]
    #[param(ignore)]
    pub filter: FilterParams,
    /// Count at most this many (default 100, at most 1000).
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
}

impl UnreadParams {
    /// `limit`, or the default when absent or not a number.
    pub fn limit(&self) -> i64 {
        self.limit
            .as_deref()
            .and_then(|limit| limit.trim().parse().ok())
            .unwrap_or(notifications::UNREAD_COUNT_LIMIT.0)
    }
}

/// How many notifications are newer than the `notifications` marker (at most `limit`).
#[utoipa::path(get, path = "/api/v1/notifications/unread_count", tag = "notifications",
    params(UnreadParams, FilterParams), security(("bearer" = ["read:notifications"])),
    responses((status = 200, body = UnreadCount)))]
pub async fn unread_count(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
    Params(params): Params<UnreadParams>,
) -> ApiResult<Json<UnreadCount>> {
    let filter = params.filter.filter();
    let count =
        notifications::unread_count(&state, user.account_id, &filter, params.limit()).await?;
    Ok(Json(UnreadCount { count }))
}

/// `timeline[]` of `GET /api/v1/markers`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MarkerQuery {
    #[serde(default, deserialize_with = "string_list")]
    #[param(value_type = Option<Vec<String>>)]
    timeline: Option<Vec<String>>,
}

/// The read markers of the requested timelines (`home`, `notifications`).
#[utoipa::path(get, path = "/api/v1/markers", tag = "markers", params(MarkerQuery),
    security(("bearer" = ["read:statuses", "read:notifications"])), responses((status = 200, body = Markers)))]
pub async fn markers(
    State(state): State<AppState>,
    user: User<ReadStatusesOrNotifications>,
    Params(query): Params<MarkerQuery>,
) -> ApiResult<Json<Markers>> {
    let timelines = query.timeline.unwrap_or_default();
    let found = notifications::markers(&state, user.account_id, &timelines).await?;
    Ok(Json(Markers::from_rows(&found)))
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
    security(("bearer" = ["write:statuses"])), responses((status = 200, body = Markers), (status = 422)))]
pub async fn set_markers(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Params(body): Params<SetMarkers>,
) -> ApiResult<Json<Markers>> {
    let positions: Vec<MarkerPosition<'_>> =
        [("home", &body.home), ("notifications", &body.notifications)]
            .into_iter()
            .filter_map(|(timeline, update)| {
                Some(MarkerPosition {
                    timeline,
                    last_read_id: update.as_ref()?.last_read_id.as_deref(),
                })
            })
            .collect();
    let saved = notifications::set_markers(&state, user.account_id, &positions).await?;
    Ok(Json(Markers::from_rows(&saved)))
}
