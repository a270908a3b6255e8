//! Moderating accounts: list and inspect them, act on them, approve or reject
//! sign-ups, and undo actions. Moderators and admins.
//! Spec: <https://docs.joinmastodon.org/methods/admin/accounts/>.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{authorize, Needs};
use crate::api::entities::account::RoleEntity;
use crate::api::entities::{timestamp, Account};
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, Params};
use crate::auth::CurrentUser;
use crate::db::accounts::{self, AccountRow};
use crate::db::moderation::{self, AccountFilter};
use crate::db::users::UserRow;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::services::moderation::{AccountAction, ModerationError, Moderator, Reversal};
use crate::state::AppState;

const READ: &[&str] = &["admin:read:accounts"];
const WRITE: &[&str] = &["admin:write:accounts"];

/// The Admin::Account entity.
fn entity(state: &AppState, row: &AccountRow, user: Option<&UserRow>, sensitized: bool) -> Value {
    json!({
        "id": Id(row.id),
        "username": row.username,
        "domain": row.domain,
        "created_at": timestamp(row.created_at),
        "email": user.map(|u| u.email.clone()),
        "ip": null,
        "ips": [],
        "locale": user.map(|u| u.locale.clone()),
        "invite_request": null,
        "role": user.map(|u| RoleEntity::for_role(u.role())),
        "confirmed": user.is_some(),
        "approved": user.is_none_or(|u| u.approved),
        "disabled": user.is_some_and(|u| u.disabled),
        "silenced": row.silenced_at.is_some(),
        "suspended": row.suspended_at.is_some(),
        "sensitized": sensitized,
        "account": Account::from_row(row, &state.config),
        "created_by_application_id": null,
        "invited_by_account_id": null,
    })
}

/// Renders accounts with their users and moderation flags (loaded in batches).
pub(super) async fn render(state: &AppState, rows: &[AccountRow]) -> ApiResult<Vec<Value>> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let users: HashMap<i64, UserRow> = moderation::users_of(&state.db, &ids)
        .await?
        .into_iter()
        .map(|user| (user.account_id, user))
        .collect();
    let sensitized = moderation::sensitized(&state.db, &ids).await?;
    Ok(rows
        .iter()
        .map(|row| entity(state, row, users.get(&row.id), sensitized.contains(&row.id)))
        .collect())
}

async fn render_one(state: &AppState, row: &AccountRow) -> ApiResult<Value> {
    Ok(render(state, std::slice::from_ref(row))
        .await?
        .pop()
        .unwrap_or(Value::Null))
}

/// Filters of `GET /api/v2/admin/accounts` (and the older v1 flags).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `local` or `remote`.
    origin: Option<String>,
    /// `active`, `pending`, `disabled`, `silenced` or `suspended`.
    status: Option<String>,
    /// `staff`: moderators and admins only.
    permissions: Option<String>,
    username: Option<String>,
    display_name: Option<String>,
    by_domain: Option<String>,
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    local: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    remote: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    active: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    pending: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    disabled: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    silenced: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    suspended: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    staff: Option<bool>,
    #[serde(flatten)]
    #[param(ignore)]
    paging: PageParams,
}

impl ListParams {
    fn filter(&self) -> AccountFilter<'_> {
        let local = match self.origin.as_deref() {
            Some("local") => Some(true),
            Some("remote") => Some(false),
            _ if self.local == Some(true) => Some(true),
            _ if self.remote == Some(true) => Some(false),
            _ => None,
        };
        let flagged = [
            (self.active, "active"),
            (self.pending, "pending"),
            (self.disabled, "disabled"),
            (self.silenced, "silenced"),
            (self.suspended, "suspended"),
        ]
        .into_iter()
        .find(|(on, _)| *on == Some(true))
        .map(|(_, name)| name);
        AccountFilter {
            local,
            status: self.status.as_deref().or(flagged),
            staff: self.permissions.as_deref() == Some("staff") || self.staff == Some(true),
            username: self.username.as_deref().filter(|s| !s.is_empty()),
            display_name: self.display_name.as_deref().filter(|s| !s.is_empty()),
            domain: self.by_domain.as_deref().filter(|s| !s.is_empty()),
            email: self.email.as_deref().filter(|s| !s.is_empty()),
        }
    }
}

async fn list(
    state: &AppState,
    user: &CurrentUser,
    params: &ListParams,
    path: &str,
) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    authorize(user, READ, Needs::Moderator)?;
    let page = params.paging.page(100, 200);
    let rows = moderation::list(&state.db, &params.filter(), &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(&state.config.base_url(), path, &ids, page.limit);
    Ok((headers, Json(render(state, &rows).await?)))
}

/// Accounts known to the instance, with filters.
#[utoipa::path(get, path = "/api/v2/admin/accounts", tag = "admin", params(ListParams),
    security(("bearer" = ["admin:read:accounts"])), responses((status = 200, body = Object), (status = 403)))]
pub async fn list_v2(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<ListParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    list(&state, &user, &params, "/api/v2/admin/accounts").await
}

/// The older form of the account list (boolean filters such as `local`, `pending`).
#[utoipa::path(get, path = "/api/v1/admin/accounts", tag = "admin", params(ListParams),
    security(("bearer" = ["admin:read:accounts"])), responses((status = 200, body = Object), (status = 403)))]
pub async fn list_v1(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<ListParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    list(&state, &user, &params, "/api/v1/admin/accounts").await
}

async fn find(state: &AppState, id: &str) -> ApiResult<AccountRow> {
    let id: Id = id.parse().map_err(|_| ApiError::NotFound)?;
    accounts::find_by_id(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)
}

/// One account, with its moderation state.
#[utoipa::path(get, path = "/api/v1/admin/accounts/{id}", tag = "admin",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["admin:read:accounts"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorize(&user, READ, Needs::Moderator)?;
    let row = find(&state, &id).await?;
    Ok(Json(render_one(&state, &row).await?))
}

/// Body of `POST /api/v1/admin/accounts/:id/action`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ActionParams {
    /// `none`, `sensitive`, `disable`, `silence` or `suspend`.
    r#type: Option<String>,
    /// The report this action resolves.
    report_id: Option<String>,
    /// A note for the moderation log.
    text: Option<String>,
}

/// The moderator behind an admin API request: a staff member with the role they
/// hold now (the role rule in `crate::services::moderation` decides whom they may act on).
fn moderator(user: &CurrentUser) -> Moderator {
    Moderator::Staff(user.token.role)
}

fn moderation_error(error: ModerationError) -> ApiError {
    match error {
        ModerationError::NotFound => ApiError::NotFound,
        ModerationError::NotLocal => {
            ApiError::Unprocessable("This action only applies to local accounts".into())
        }
        ModerationError::NotPermitted | ModerationError::NotPending => {
            ApiError::Forbidden(error.to_string())
        }
        ModerationError::Database(error) => error.into(),
        ModerationError::Other(error) => ApiError::from(error),
    }
}

/// Takes a moderation action on an account.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/action", tag = "admin",
    params(("id" = String, Path, description = "Account id")), request_body = ActionParams,
    security(("bearer" = ["admin:write:accounts"])), responses((status = 200, body = Object), (status = 422)))]
pub async fn action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Params(params): Params<ActionParams>,
) -> ApiResult<Json<Value>> {
    authorize(&user, WRITE, Needs::Moderator)?;
    let row = find(&state, &id).await?;
    let kind = params.r#type.as_deref().unwrap_or("none");
    let action = AccountAction::parse(kind).ok_or_else(|| {
        ApiError::validation(
            "type",
            "ERR_INCLUSION",
            "type must be none, sensitive, disable, silence or suspend",
        )
    })?;
    crate::api::v1::check_length("text", params.text.as_deref(), 5000)?;
    let report = match params.report_id.as_deref() {
        Some(id) => Some(report_about(&state, id, row.id).await?),
        None => None,
    };
    crate::services::moderation::act(&state, moderator(&user), row.id, action)
        .await
        .map_err(moderation_error)?;
    if let Some(report) = report {
        crate::db::reports::resolve(&state.db, report, Some(user.account_id)).await?;
    }
    Ok(Json(json!({})))
}

/// The report `id`, which must be about `account_id` (422 otherwise, as Mastodon).
async fn report_about(state: &AppState, id: &str, account_id: i64) -> ApiResult<i64> {
    let invalid = || {
        ApiError::validation(
            "report_id",
            "ERR_INVALID",
            "report_id is not a report about this account",
        )
    };
    let id: Id = id.parse().map_err(|_| invalid())?;
    match crate::db::reports::find(&state.db, id.0).await? {
        Some(report) if report.target_account_id == account_id => Ok(report.id),
        _ => Err(invalid()),
    }
}

async fn reverse(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    reversal: Reversal,
) -> ApiResult<Json<Value>> {
    authorize(user, WRITE, Needs::Moderator)?;
    let row = find(state, id).await?;
    crate::services::moderation::reverse(state, moderator(user), row.id, reversal)
        .await
        .map_err(moderation_error)?;
    let row = find(state, id).await?;
    Ok(Json(render_one(state, &row).await?))
}

/// Lets a disabled local user sign in again.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/enable", tag = "admin",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["admin:write:accounts"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn enable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    reverse(&state, &user, &id, Reversal::Enable).await
}

/// Lifts a silence.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/unsilence", tag = "admin",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["admin:write:accounts"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn unsilence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    reverse(&state, &user, &id, Reversal::Unsilence).await
}

/// Lifts a suspension.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/unsuspend", tag = "admin",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["admin:write:accounts"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn unsuspend(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    reverse(&state, &user, &id, Reversal::Unsuspend).await
}

/// Stops forcing the account's media to be sensitive.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/unsensitive", tag = "admin",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["admin:write:accounts"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn unsensitive(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    reverse(&state, &user, &id, Reversal::Unsensitive).await
}

/// Approves a pending sign-up.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/approve", tag = "admin",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["admin:write:accounts"])), responses((status = 200, body = Object), (status = 403), (status = 404)))]
pub async fn approve(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorize(&user, WRITE, Needs::Moderator)?;
    let row = find(&state, &id).await?;
    crate::services::moderation::approve(&state, moderator(&user), row.id)
        .await
        .map_err(moderation_error)?;
    Ok(Json(render_one(&state, &row).await?))
}

/// Rejects (deletes) a pending sign-up.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/reject", tag = "admin",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["admin:write:accounts"])), responses((status = 200, body = Object), (status = 403), (status = 404)))]
pub async fn reject(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorize(&user, WRITE, Needs::Moderator)?;
    let row = find(&state, &id).await?;
    let rendered = render_one(&state, &row).await?;
    crate::services::moderation::reject(&state, moderator(&user), row.id)
        .await
        .map_err(moderation_error)?;
    Ok(Json(rendered))
}
