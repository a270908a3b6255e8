//! Handling reports: list and inspect them, assign them, reclassify (category and
//! rules), resolve and reopen them.
//! Moderators and admins; the actions are `services::reports`'.
//! Spec: <https://docs.joinmastodon.org/methods/admin/reports/>.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use super::{ReadReports, Staff, WriteReports};
use crate::api::entities::admin::report::{render, render_one};
use crate::api::entities::admin::AdminReport;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, string_list, Params};
use crate::api::v1::reports::id_list;
use crate::db::reports::{self, Filter, ReportRow};
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::reports::{self as service, Reclassification};
use crate::state::AppState;

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

impl ListParams {
    /// The filter; an account id that does not parse filters nothing.
    fn filter(&self) -> Filter {
        let id = |text: Option<&str>| text.and_then(|t| t.parse::<Id>().ok()).map(|id| id.0);
        Filter {
            resolved: Some(self.resolved.unwrap_or(false)),
            account_id: id(self.account_id.as_deref()),
            target_account_id: id(self.target_account_id.as_deref()),
        }
    }
}

/// Reports, newest first; open ones unless `resolved=true`.
#[utoipa::path(get, path = "/api/v1/admin/reports", tag = "admin", params(ListParams),
    security(("bearer" = ["admin:read:reports"])), responses((status = 200, body = [AdminReport]), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff<ReadReports>,
    Params(params): Params<ListParams>,
) -> ApiResult<(HeaderMap, Json<Vec<AdminReport>>)> {
    let page = params.paging.page(100, 200);
    let rows = reports::list(&state.db, &params.filter(), &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/admin/reports",
        &ids,
        page.limit,
    );
    Ok((
        headers,
        Json(render(&state, staff.account_id, &rows).await?),
    ))
}

/// One report.
#[utoipa::path(get, path = "/api/v1/admin/reports/{id}", tag = "admin",
    params(("id" = String, Path, description = "Report id")),
    security(("bearer" = ["admin:read:reports"])), responses((status = 200, body = AdminReport), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    staff: Staff<ReadReports>,
    Path(id): Path<Id>,
) -> ApiResult<Json<AdminReport>> {
    let row = service::find(&state, id.0).await?;
    rendered(&state, &staff, &row).await
}

async fn rendered<P>(
    state: &AppState,
    staff: &Staff<P>,
    row: &ReportRow,
) -> ApiResult<Json<AdminReport>> {
    Ok(Json(render_one(state, staff.account_id, row).await?))
}

/// Assigns the report to the current moderator.
#[utoipa::path(post, path = "/api/v1/admin/reports/{id}/assign_to_self", tag = "admin",
    params(("id" = String, Path, description = "Report id")),
    security(("bearer" = ["admin:write:reports"])), responses((status = 200, body = AdminReport), (status = 404)))]
pub async fn assign_to_self(
    State(state): State<AppState>,
    staff: Staff<WriteReports>,
    Path(id): Path<Id>,
) -> ApiResult<Json<AdminReport>> {
    let row = service::assign(&state, id.0, Some(staff.account_id)).await?;
    rendered(&state, &staff, &row).await
}

/// Unassigns the report.
#[utoipa::path(post, path = "/api/v1/admin/reports/{id}/unassign", tag = "admin",
    params(("id" = String, Path, description = "Report id")),
    security(("bearer" = ["admin:write:reports"])), responses((status = 200, body = AdminReport), (status = 404)))]
pub async fn unassign(
    State(state): State<AppState>,
    staff: Staff<WriteReports>,
    Path(id): Path<Id>,
) -> ApiResult<Json<AdminReport>> {
    let row = service::assign(&state, id.0, None).await?;
    rendered(&state, &staff, &row).await
}

/// Marks the report resolved.
#[utoipa::path(post, path = "/api/v1/admin/reports/{id}/resolve", tag = "admin",
    params(("id" = String, Path, description = "Report id")),
    security(("bearer" = ["admin:write:reports"])), responses((status = 200, body = AdminReport), (status = 404)))]
pub async fn resolve(
    State(state): State<AppState>,
    staff: Staff<WriteReports>,
    Path(id): Path<Id>,
) -> ApiResult<Json<AdminReport>> {
    let row = service::resolve(&state, id.0, Some(staff.account_id)).await?;
    rendered(&state, &staff, &row).await
}

/// Opens a resolved report again.
#[utoipa::path(post, path = "/api/v1/admin/reports/{id}/reopen", tag = "admin",
    params(("id" = String, Path, description = "Report id")),
    security(("bearer" = ["admin:write:reports"])), responses((status = 200, body = AdminReport), (status = 404)))]
pub async fn reopen(
    State(state): State<AppState>,
    staff: Staff<WriteReports>,
    Path(id): Path<Id>,
) -> ApiResult<Json<AdminReport>> {
    let row = service::reopen(&state, id.0).await?;
    rendered(&state, &staff, &row).await
}

/// Body of `PUT /api/v1/admin/reports/:id`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct UpdateParams {
    /// `spam`, `legal`, `violation` or `other`.
    category: Option<String>,
    /// Rules of this instance the account broke (makes the report a `violation`).
    #[serde(default, deserialize_with = "string_list")]
    rule_ids: Option<Vec<String>>,
}

/// Changes a report's category and cited rules.
#[utoipa::path(put, path = "/api/v1/admin/reports/{id}", tag = "admin",
    params(("id" = String, Path, description = "Report id")), request_body = UpdateParams,
    security(("bearer" = ["admin:write:reports"])),
    responses((status = 200, body = AdminReport), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    staff: Staff<WriteReports>,
    Path(id): Path<Id>,
    Params(params): Params<UpdateParams>,
) -> ApiResult<Json<AdminReport>> {
    let rule_ids = params
        .rule_ids
        .as_deref()
        .map(|ids| id_list("rule_ids", Some(ids)))
        .transpose()?;
    let change = Reclassification {
        category: params.category.as_deref(),
        rule_ids: rule_ids.as_deref(),
    };
    let row = service::reclassify(&state, id.0, &change).await?;
    rendered(&state, &staff, &row).await
}
