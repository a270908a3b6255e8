//! Grouped notifications, `/api/v2/notifications…`
//! (<https://docs.joinmastodon.org/methods/grouped_notifications/>): HTTP only, the
//! groups are `services::notifications::grouped`'s. Rendering loads every account,
//! status and report a page names once.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use super::notifications::{reports_of, statuses_of, FilterParams, UnreadParams};
use crate::api::entities::empty::Empty;
use crate::api::entities::notification::UnreadCount;
use crate::api::entities::notification_group::{
    GroupedNotificationsResults, NotificationGroup, PartialAccountWithAvatar,
};
use crate::api::entities::report::Report;
use crate::api::entities::status::Status;
use crate::api::entities::Account;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{string_list, Params};
use crate::auth::scoped::{ReadNotifications, WriteNotifications};
use crate::auth::User;
use crate::db::accounts;
use crate::db::notifications::NotificationRow;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::notifications::grouped::{self, Group};
use crate::state::AppState;

/// How the accounts of a page are given (`expand_accounts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expand {
    /// Every account in full (`full`, the default).
    Full,
    /// Each group's newest account in full, the others in `partial_accounts`.
    PartialAvatars,
}

/// Parameters of `GET /api/v2/notifications` besides the filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupedParams {
    #[serde(flatten)]
    #[param(ignore)]
    filter: FilterParams,
    /// The kinds the client groups (default: `favourite`, `reblog`, `follow`).
    #[serde(default, deserialize_with = "string_list")]
    #[param(value_type = Option<Vec<String>>)]
    grouped_types: Option<Vec<String>>,
    /// `full` (default) or `partial_avatars`.
    expand_accounts: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageParams,
}

impl GroupedParams {
    fn expand(&self) -> ApiResult<Expand> {
        match self.expand_accounts.as_deref() {
            None | Some("full") => Ok(Expand::Full),
            Some("partial_avatars") => Ok(Expand::PartialAvatars),
            Some(other) => Err(ApiError::BadRequest(format!(
                "Invalid value for 'expand_accounts': '{other}', allowed values are 'full' and 'partial_avatars'"
            ))),
        }
    }
}

/// The accounts a page names: in full (each group's newest sample account, or all of
/// them with [`Expand::Full`]) and in short (the other sample accounts).
fn sample_ids(groups: &[Group], expand: Expand) -> (Vec<i64>, Vec<i64>) {
    let (mut full, mut partial) = (Vec::new(), Vec::new());
    for group in groups {
        for (index, id) in group.sample_account_ids.iter().enumerate() {
            if expand == Expand::PartialAvatars && index > 0 {
                partial.push(*id);
            } else {
                full.push(*id);
            }
        }
    }
    (full, partial)
}

/// Renders groups with the accounts, statuses and reports they name (each once).
async fn render(
    state: &AppState,
    viewer: i64,
    groups: &[Group],
    expand: Expand,
) -> ApiResult<GroupedNotificationsResults> {
    let heads: Vec<NotificationRow> = groups.iter().map(|group| group.head.clone()).collect();
    let statuses = statuses_of(state, viewer, &heads).await?;
    let reports = reports_of(state, &heads).await?;
    let (mut full_ids, partial_ids) = sample_ids(groups, expand);
    let mut entities = Vec::with_capacity(groups.len());
    let mut named: Vec<Status> = Vec::new();
    for group in groups {
        let status = group.head.status_id.and_then(|id| statuses.get(&id));
        if let Some(status) = status.filter(|status| !named.iter().any(|s| s.id == status.id)) {
            full_ids.push(status.account.id.0);
            named.push(status.clone());
        }
        let report = group.head.report_id.and_then(|id| reports.get(&id));
        let report = report.map(|(report, target)| {
            full_ids.push(target.id);
            Report::from_row(report, target, &state.config)
        });
        entities.push(NotificationGroup::new(group, report));
    }
    let accounts = accounts_by_id(state, &full_ids, &partial_ids).await?;
    let partial_accounts = (expand == Expand::PartialAvatars).then(|| {
        unique(&partial_ids)
            .filter(|id| !full_ids.contains(id))
            .filter_map(|id| accounts.get(&id).map(PartialAccountWithAvatar::from))
            .collect()
    });
    Ok(GroupedNotificationsResults {
        accounts: unique(&full_ids)
            .filter_map(|id| accounts.get(&id).cloned())
            .collect(),
        partial_accounts,
        statuses: named,
        notification_groups: entities,
    })
}

/// `ids` without repeats, in order.
fn unique(ids: &[i64]) -> impl Iterator<Item = i64> + '_ {
    ids.iter()
        .enumerate()
        .filter(|(index, id)| !ids[..*index].contains(id))
        .map(|(_, id)| *id)
}

async fn accounts_by_id(
    state: &AppState,
    full: &[i64],
    partial: &[i64],
) -> ApiResult<HashMap<i64, Account>> {
    let ids: Vec<i64> = full.iter().chain(partial).copied().collect();
    Ok(accounts::find_many(&state.db, &ids)
        .await?
        .iter()
        .map(|row| (row.id, Account::from_row(row, &state.config)))
        .collect())
}

/// The signed-in user's notifications in groups, newest first (Link-header paging by
/// notification id).
#[utoipa::path(get, path = "/api/v2/notifications", tag = "notifications",
    params(GroupedParams, FilterParams, PageParams), security(("bearer" = ["read:notifications"])),
    responses((status = 200, body = GroupedNotificationsResults), (status = 400)))]
pub async fn index(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
    Params(params): Params<GroupedParams>,
) -> ApiResult<(HeaderMap, Json<GroupedNotificationsResults>)> {
    let expand = params.expand()?;
    let page = params.page.page(40, 80);
    let filter = params.filter.filter();
    let grouped_types = params.grouped_types.as_deref();
    let groups = grouped::page(&state, user.account_id, &filter, grouped_types, &page).await?;
    let ids: Vec<i64> = groups.iter().map(|group| group.head.id).collect();
    let links = link_header(
        &state.config.base_url(),
        "/api/v2/notifications",
        &ids,
        page.limit,
    );
    Ok((
        links,
        Json(render(&state, user.account_id, &groups, expand).await?),
    ))
}

/// One notification group with everything it holds.
#[utoipa::path(get, path = "/api/v2/notifications/{group_key}", tag = "notifications",
    params(("group_key" = String, Path, description = "Group key")),
    security(("bearer" = ["read:notifications"])),
    responses((status = 200, body = GroupedNotificationsResults), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
    Path(key): Path<String>,
) -> ApiResult<Json<GroupedNotificationsResults>> {
    let group = grouped::show(&state, user.account_id, &key).await?;
    Ok(Json(
        render(&state, user.account_id, &[group], Expand::Full).await?,
    ))
}

/// The accounts of a group's notifications, newest first (Link-header paging).
#[utoipa::path(get, path = "/api/v2/notifications/{group_key}/accounts", tag = "notifications",
    params(("group_key" = String, Path, description = "Group key"), PageParams),
    security(("bearer" = ["read:notifications"])),
    responses((status = 200, body = Vec<Account>), (status = 404)))]
pub async fn accounts(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
    Path(key): Path<String>,
    Params(page): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let page = page.page(40, 80);
    let members = grouped::accounts(&state, user.account_id, &key, &page).await?;
    let ids: Vec<i64> = members.iter().map(|(id, _)| *id).collect();
    let senders: Vec<i64> = members.iter().map(|(_, sender)| *sender).collect();
    let found = accounts_by_id(&state, &senders, &[]).await?;
    let path = format!("/api/v2/notifications/{}/accounts", urlencoding(&key));
    let links = link_header(&state.config.base_url(), &path, &ids, page.limit);
    let rendered = senders
        .iter()
        .filter_map(|id| found.get(id).cloned())
        .collect();
    Ok((links, Json(rendered)))
}

/// `key` safe in a URL path.
fn urlencoding(key: &str) -> String {
    form_urlencoded::byte_serialize(key.as_bytes()).collect()
}

/// Dismisses every notification of a group.
#[utoipa::path(post, path = "/api/v2/notifications/{group_key}/dismiss", tag = "notifications",
    params(("group_key" = String, Path, description = "Group key")),
    security(("bearer" = ["write:notifications"])), responses((status = 200, body = Empty)))]
pub async fn dismiss(
    State(state): State<AppState>,
    user: User<WriteNotifications>,
    Path(key): Path<String>,
) -> ApiResult<Json<Empty>> {
    grouped::dismiss(&state, user.account_id, &key).await?;
    Ok(Json(Empty {}))
}

/// Parameters of `GET /api/v2/notifications/unread_count` besides the filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnreadGroupParams {
    #[serde(flatten)]
    #[param(ignore)]
    unread: UnreadParams,
    /// The kinds the client groups (default: `favourite`, `reblog`, `follow`).
    #[serde(default, deserialize_with = "string_list")]
    #[param(value_type = Option<Vec<String>>)]
    grouped_types: Option<Vec<String>>,
}

/// How many notification groups are newer than the `notifications` marker (at most
/// `limit`).
#[utoipa::path(get, path = "/api/v2/notifications/unread_count", tag = "notifications",
    params(UnreadGroupParams, UnreadParams, FilterParams), security(("bearer" = ["read:notifications"])),
    responses((status = 200, body = UnreadCount)))]
pub async fn unread_count(
    State(state): State<AppState>,
    user: User<ReadNotifications>,
    Params(params): Params<UnreadGroupParams>,
) -> ApiResult<Json<UnreadCount>> {
    let filter = params.unread.filter.filter();
    let grouped_types = params.grouped_types.as_deref();
    let limit = params.unread.limit();
    let count =
        grouped::unread_count(&state, user.account_id, &filter, grouped_types, limit).await?;
    Ok(Json(UnreadCount { count }))
}
