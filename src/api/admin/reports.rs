//! Handling reports: list and inspect them, assign them, resolve and reopen them.
//! Moderators and admins. Spec: <https://docs.joinmastodon.org/methods/admin/reports/>.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{accounts, authorize, Needs};
use crate::api::entities::{status, timestamp};
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, Params};
use crate::auth::CurrentUser;
use crate::db::reports::{self, Filter, ReportRow};
use crate::db::{self, rules, statuses};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const READ: &[&str] = &["admin:read:reports"];
const WRITE: &[&str] = &["admin:write:reports"];

/// Renders Admin::Report entities, loading their accounts, statuses and rules in batches.
async fn render(state: &AppState, viewer: i64, rows: &[ReportRow]) -> ApiResult<Vec<Value>> {
    let mut account_ids: Vec<i64> = Vec::new();
    for row in rows {
        account_ids.extend([row.account_id, row.target_account_id]);
        account_ids.extend(row.assigned_account_id);
        account_ids.extend(row.action_taken_by_account_id);
    }
    account_ids.sort_unstable();
    account_ids.dedup();
    let found = db::accounts::find_many(&state.db, &account_ids).await?;
    let admin_accounts: HashMap<i64, Value> = accounts::render(state, &found)
        .await?
        .into_iter()
        .zip(found.iter().map(|row| row.id))
        .map(|(entity, id)| (id, entity))
        .collect();
    let status_ids: Vec<i64> = rows.iter().flat_map(|row| row.status_ids.clone()).collect();
    let rendered = status::render(
        state,
        Some(viewer),
        statuses::find_many(&state.db, &status_ids).await?,
    )
    .await?;
    let statuses: HashMap<String, Value> = rendered
        .into_iter()
        .filter_map(|s| Some((s.id.to_string(), serde_json::to_value(s).ok()?)))
        .collect();
    let all_rules = rules::all(&state.db).await?;
    let account = |id: Option<i64>| {
        id.and_then(|id| admin_accounts.get(&id).cloned())
            .unwrap_or(Value::Null)
    };
    Ok(rows
        .iter()
        .map(|row| {
            json!({
                "id": Id(row.id),
                "action_taken": row.action_taken_at.is_some(),
                "action_taken_at": row.action_taken_at.map(timestamp),
                "category": row.category,
                "comment": row.comment,
                "forwarded": row.forwarded,
                "created_at": timestamp(row.created_at),
                "updated_at": timestamp(row.updated_at),
                "account": account(Some(row.account_id)),
                "target_account": account(Some(row.target_account_id)),
                "assigned_account": account(row.assigned_account_id),
                "action_taken_by_account": account(row.action_taken_by_account_id),
                "statuses": row.status_ids.iter()
                    .filter_map(|id| statuses.get(&id.to_string()).cloned())
                    .collect::<Vec<_>>(),
                "rules": all_rules.iter()
                    .filter(|rule| row.rule_ids.contains(&rule.id))
                    .map(|rule| json!({"id": rule.id.to_string(), "text": rule.text, "hint": rule.hint}))
                    .collect::<Vec<_>>(),
            })
        })
        .collect())
}

async fn render_one(state: &AppState, viewer: i64, row: &ReportRow) -> ApiResult<Value> {
    Ok(render(state, viewer, std::slice::from_ref(row))
        .await?
        .pop()
        .unwrap_or(Value::Null))
}

/// Filters of `GET /api/v1/admin/reports`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only resolved (`true`) or open (`false`, the default) reports.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    resolved: Option<bool>,
    /// Filed by this account.
    account_id: Option<String>,
    /// About this account.
    target_account_id: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    paging: PageParams,
}

fn optional_id(text: Option<&str>) -> Option<i64> {
    text.and_then(|t| t.parse::<Id>().ok()).map(|id| id.0)
}

/// Reports, newest first; open ones unless `resolved=true`.
#[utoipa::path(get, path = "/api/v1/admin/reports", tag = "admin", params(ListParams),
    security(("bearer" = ["admin:read:reports"])), responses((status = 200, body = Object), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<ListParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    authorize(&user, READ, Needs::Moderator)?;
    let page = params.paging.page(100, 200);
    let filter = Filter {
        resolved: Some(params.resolved.unwrap_or(false)),
        account_id: optional_id(params.account_id.as_deref()),
        target_account_id: optional_id(params.target_account_id.as_deref()),
    };
    let rows = reports::list(&state.db, &filter, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/admin/reports",
        &ids,
        page.limit,
    );
    Ok((headers, Json(render(&state, user.account_id, &rows).await?)))
}

async fn find(state: &AppState, id: &str) -> ApiResult<ReportRow> {
    let id: Id = id.parse().map_err(|_| ApiError::NotFound)?;
    reports::find(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)
}

/// One report.
#[utoipa::path(get, path = "/api/v1/admin/reports/{id}", tag = "admin",
    params(("id" = String, Path, description = "Report id")),
    security(("bearer" = ["admin:read:reports"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorize(&user, READ, Needs::Moderator)?;
    let row = find(&state, &id).await?;
    Ok(Json(render_one(&state, user.account_id, &row).await?))
}

/// What a moderator does to a report.
#[derive(Clone, Copy, Debug)]
enum Change {
    AssignToSelf,
    Unassign,
    Resolve,
    Reopen,
}

async fn change(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    change: Change,
) -> ApiResult<Json<Value>> {
    authorize(user, WRITE, Needs::Moderator)?;
    let row = find(state, id).await?;
    match change {
        Change::AssignToSelf => reports::assign(&state.db, row.id, Some(user.account_id)).await?,
        Change::Unassign => reports::assign(&state.db, row.id, None).await?,
        Change::Resolve => reports::resolve(&state.db, row.id, Some(user.account_id)).await?,
        Change::Reopen => reports::reopen(&state.db, row.id).await?,
    }
    let row = find(state, id).await?;
    Ok(Json(render_one(state, user.account_id, &row).await?))
}

/// Assigns the report to the current moderator.
#[utoipa::path(post, path = "/api/v1/admin/reports/{id}/assign_to_self", tag = "admin",
    params(("id" = String, Path, description = "Report id")),
    security(("bearer" = ["admin:write:reports"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn assign_to_self(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    change(&state, &user, &id, Change::AssignToSelf).await
}

/// Unassigns the report.
#[utoipa::path(post, path = "/api/v1/admin/reports/{id}/unassign", tag = "admin",
    params(("id" = String, Path, description = "Report id")),
    security(("bearer" = ["admin:write:reports"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn unassign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    change(&state, &user, &id, Change::Unassign).await
}

/// Marks the report resolved.
#[utoipa::path(post, path = "/api/v1/admin/reports/{id}/resolve", tag = "admin",
    params(("id" = String, Path, description = "Report id")),
    security(("bearer" = ["admin:write:reports"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn resolve(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    change(&state, &user, &id, Change::Resolve).await
}

/// Opens a resolved report again.
#[utoipa::path(post, path = "/api/v1/admin/reports/{id}/reopen", tag = "admin",
    params(("id" = String, Path, description = "Report id")),
    security(("bearer" = ["admin:write:reports"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn reopen(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    change(&state, &user, &id, Change::Reopen).await
}
