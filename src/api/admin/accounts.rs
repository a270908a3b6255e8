//! Moderating accounts: list and inspect them, act on them, approve or reject
//! sign-ups, and undo actions. Moderators and admins; the actions are
//! `services::moderation`'s. Admins also delete a suspended account's data
//! (`services::account_deletion`). Spec: <https://docs.joinmastodon.org/methods/admin/accounts/>.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use super::{DeleteAccounts, ReadAccounts, Staff, WriteAccounts};
use crate::api::entities::admin::account::{render, render_one};
use crate::api::entities::admin::{AdminAccount, Empty};
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, Params};
use crate::db::moderation::{self, AccountFilter};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::account_deletion;
use crate::services::moderation::{self as service, AccountAction, ModerationError, Reversal};
use crate::state::AppState;

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
    params: &ListParams,
    path: &str,
) -> ApiResult<(HeaderMap, Json<Vec<AdminAccount>>)> {
    let page = params.paging.page(100, 200);
    let rows = moderation::list(&state.db, &params.filter(), &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(&state.config.base_url(), path, &ids, page.limit);
    Ok((headers, Json(render(state, &rows).await?)))
}

/// Accounts known to the instance, with filters.
#[utoipa::path(get, path = "/api/v2/admin/accounts", tag = "admin", params(ListParams),
    security(("bearer" = ["admin:read:accounts"])), responses((status = 200, body = [AdminAccount]), (status = 403)))]
pub async fn list_v2(
    State(state): State<AppState>,
    _staff: Staff<ReadAccounts>,
    Params(params): Params<ListParams>,
) -> ApiResult<(HeaderMap, Json<Vec<AdminAccount>>)> {
    list(&state, &params, "/api/v2/admin/accounts").await
}

/// The older form of the account list (boolean filters such as `local`, `pending`).
#[utoipa::path(get, path = "/api/v1/admin/accounts", tag = "admin", params(ListParams),
    security(("bearer" = ["admin:read:accounts"])), responses((status = 200, body = [AdminAccount]), (status = 403)))]
pub async fn list_v1(
    State(state): State<AppState>,
    _staff: Staff<ReadAccounts>,
    Params(params): Params<ListParams>,
) -> ApiResult<(HeaderMap, Json<Vec<AdminAccount>>)> {
    list(&state, &params, "/api/v1/admin/accounts").await
}

/// One account, with its moderation state.
#[utoipa::path(get, path = "/api/v1/admin/accounts/{id}", tag = "admin",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["admin:read:accounts"])), responses((status = 200, body = AdminAccount), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    _staff: Staff<ReadAccounts>,
    Path(id): Path<Id>,
) -> ApiResult<Json<AdminAccount>> {
    let row = service::find_account(&state, id.0).await?;
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

impl ActionParams {
    /// The action (`none` when not given). Errors: Validation.
    fn action(&self) -> ApiResult<AccountAction> {
        let kind = self.r#type.as_deref().unwrap_or("none");
        AccountAction::parse(kind).ok_or_else(|| {
            ApiError::validation(
                "type",
                "ERR_INCLUSION",
                "type must be none, sensitive, disable, silence or suspend",
            )
        })
    }

    /// The report to resolve; an id that does not parse is no report of this account.
    fn report_id(&self) -> ApiResult<Option<i64>> {
        self.report_id
            .as_deref()
            .map(|id| id.parse::<Id>().map(|id| id.0))
            .transpose()
            .map_err(|_| ModerationError::ReportMismatch.into())
    }
}

/// Takes a moderation action on an account (and resolves `report_id`, if given).
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/action", tag = "admin",
    params(("id" = String, Path, description = "Account id")), request_body = ActionParams,
    security(("bearer" = ["admin:write:accounts"])), responses((status = 200, body = Empty), (status = 422)))]
pub async fn action(
    State(state): State<AppState>,
    staff: Staff<WriteAccounts>,
    Path(id): Path<Id>,
    Params(params): Params<ActionParams>,
) -> ApiResult<Json<Empty>> {
    let action = params.action()?;
    crate::api::v1::check_length("text", params.text.as_deref(), 5000)?;
    let report = params.report_id()?;
    service::act(&state, staff.moderator(), id.0, action, report).await?;
    Ok(Json(Empty {}))
}

/// Undoes an action and renders the account as it is now.
async fn reverse(
    state: &AppState,
    staff: &Staff<WriteAccounts>,
    id: Id,
    reversal: Reversal,
) -> ApiResult<Json<AdminAccount>> {
    let row = service::reverse(state, staff.moderator(), id.0, reversal).await?;
    Ok(Json(render_one(state, &row).await?))
}

/// Defines a handler that undoes an action (`POST /api/v1/admin/accounts/:id/<name>`).
macro_rules! reversal {
    ($(#[$doc:meta])* $name:ident, $path:literal, $reversal:ident) => {
        $(#[$doc])*
        #[utoipa::path(post, path = $path, tag = "admin",
            params(("id" = String, Path, description = "Account id")),
            security(("bearer" = ["admin:write:accounts"])),
            responses((status = 200, body = AdminAccount), (status = 404)))]
        pub async fn $name(
            State(state): State<AppState>,
            staff: Staff<WriteAccounts>,
            Path(id): Path<Id>,
        ) -> ApiResult<Json<AdminAccount>> {
            reverse(&state, &staff, id, Reversal::$reversal).await
        }
    };
}

reversal!(
    /// Lets a disabled local user sign in again.
    enable, "/api/v1/admin/accounts/{id}/enable", Enable
);
reversal!(
    /// Lifts a silence.
    unsilence, "/api/v1/admin/accounts/{id}/unsilence", Unsilence
);
reversal!(
    /// Lifts a suspension.
    unsuspend, "/api/v1/admin/accounts/{id}/unsuspend", Unsuspend
);
reversal!(
    /// Stops forcing the account's media to be sensitive.
    unsensitive, "/api/v1/admin/accounts/{id}/unsensitive", Unsensitive
);

/// Approves a pending sign-up.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/approve", tag = "admin",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["admin:write:accounts"])), responses((status = 200, body = AdminAccount), (status = 403), (status = 404)))]
pub async fn approve(
    State(state): State<AppState>,
    staff: Staff<WriteAccounts>,
    Path(id): Path<Id>,
) -> ApiResult<Json<AdminAccount>> {
    let row = service::approve(&state, staff.moderator(), id.0).await?;
    Ok(Json(render_one(&state, &row).await?))
}

/// Rejects (deletes) a pending sign-up; answers with the account as it was.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/reject", tag = "admin",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["admin:write:accounts"])), responses((status = 200, body = AdminAccount), (status = 403), (status = 404)))]
pub async fn reject(
    State(state): State<AppState>,
    staff: Staff<WriteAccounts>,
    Path(id): Path<Id>,
) -> ApiResult<Json<AdminAccount>> {
    // Rendered first: rejecting deletes the user whose e-mail and role it shows.
    let row = service::find_account(&state, id.0).await?;
    let rendered = render_one(&state, &row).await?;
    service::reject(&state, staff.moderator(), row.id).await?;
    Ok(Json(rendered))
}

/// Deletes the data of a suspended account for good (its username stays reserved);
/// answers with the account as it was.
#[utoipa::path(delete, path = "/api/v1/admin/accounts/{id}", tag = "admin",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["admin:write:accounts"])), responses((status = 200, body = AdminAccount), (status = 403), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    staff: Staff<DeleteAccounts>,
    Path(id): Path<Id>,
) -> ApiResult<Json<AdminAccount>> {
    // Rendered first: the deletion removes the user whose e-mail and role it shows.
    let row = service::find_account(&state, id.0).await?;
    let rendered = render_one(&state, &row).await?;
    account_deletion::delete_data(&state, staff.moderator(), row.id).await?;
    Ok(Json(rendered))
}
