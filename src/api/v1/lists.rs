//! Lists (<https://docs.joinmastodon.org/methods/lists/>): a user's lists, their
//! members, and the lists containing an account. Each handler extracts its input,
//! calls `services::lists` and renders; the rules live there. The list timeline is in
//! `super::timelines`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::empty::Empty;
use crate::api::entities::list::List;
use crate::api::entities::Account;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, string_list, Params};
use crate::auth::scoped::{ReadLists, WriteLists};
use crate::auth::User;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::lists::{self as service, ListInput};
use crate::state::AppState;

/// The settings of `POST /api/v1/lists` and `PUT /api/v1/lists/:id`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ListParams {
    /// The list's title (required on creation).
    title: Option<String>,
    /// `followed`, `list` (default) or `none`.
    replies_policy: Option<String>,
    /// Whether members' posts leave the home timeline.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    exclusive: Option<bool>,
}

impl From<ListParams> for ListInput {
    fn from(params: ListParams) -> Self {
        ListInput {
            title: params.title,
            replies_policy: params.replies_policy,
            exclusive: params.exclusive,
        }
    }
}

/// The signed-in user's lists.
#[utoipa::path(get, path = "/api/v1/lists", tag = "lists",
    security(("bearer" = ["read:lists"])), responses((status = 200, body = Vec<List>)))]
pub async fn index(
    State(state): State<AppState>,
    user: User<ReadLists>,
) -> ApiResult<Json<Vec<List>>> {
    let rows = service::all(&state, user.account_id).await?;
    Ok(Json(rows.into_iter().map(List::from).collect()))
}

/// Creates a list.
#[utoipa::path(post, path = "/api/v1/lists", tag = "lists", request_body = ListParams,
    security(("bearer" = ["write:lists"])),
    responses((status = 200, body = List), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: User<WriteLists>,
    Params(params): Params<ListParams>,
) -> ApiResult<Json<List>> {
    let row = service::create(&state, user.account_id, &params.into()).await?;
    Ok(Json(row.into()))
}

/// One of the signed-in user's lists.
#[utoipa::path(get, path = "/api/v1/lists/{id}", tag = "lists",
    params(("id" = String, Path, description = "List id")),
    security(("bearer" = ["read:lists"])),
    responses((status = 200, body = List), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<ReadLists>,
    Path(id): Path<Id>,
) -> ApiResult<Json<List>> {
    let row = service::find(&state, user.account_id, id.0).await?;
    Ok(Json(row.into()))
}

/// Changes a list's title, replies policy or exclusivity (those sent).
#[utoipa::path(put, path = "/api/v1/lists/{id}", tag = "lists",
    params(("id" = String, Path, description = "List id")), request_body = ListParams,
    security(("bearer" = ["write:lists"])),
    responses((status = 200, body = List), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    user: User<WriteLists>,
    Path(id): Path<Id>,
    Params(params): Params<ListParams>,
) -> ApiResult<Json<List>> {
    let row = service::update(&state, user.account_id, id.0, &params.into()).await?;
    Ok(Json(row.into()))
}

/// Deletes a list.
#[utoipa::path(delete, path = "/api/v1/lists/{id}", tag = "lists",
    params(("id" = String, Path, description = "List id")),
    security(("bearer" = ["write:lists"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    user: User<WriteLists>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::delete(&state, user.account_id, id.0).await?;
    Ok(Json(Empty {}))
}

/// `account_ids[]` of the member changes.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct MembersParams {
    /// The accounts to add or remove.
    #[serde(default, deserialize_with = "string_list")]
    #[schema(value_type = Vec<String>)]
    account_ids: Option<Vec<String>>,
}

impl MembersParams {
    /// The ids sent; one that is no id cannot be an account: `NotFound`.
    fn ids(&self) -> ApiResult<Vec<i64>> {
        let sent = self.account_ids.iter().flatten();
        let parsed = sent.map(|id| id.parse::<Id>().map(|id| id.0));
        parsed
            .collect::<Result<_, _>>()
            .map_err(|_| ApiError::NotFound)
    }
}

/// Members of a list, newest account first; `limit=0` answers all of them.
#[utoipa::path(get, path = "/api/v1/lists/{id}/accounts", tag = "lists",
    params(("id" = String, Path, description = "List id"), PageParams),
    security(("bearer" = ["read:lists"])),
    responses((status = 200, body = Vec<Account>), (status = 404)))]
pub async fn accounts(
    State(state): State<AppState>,
    user: User<ReadLists>,
    Path(id): Path<Id>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let all = params.limit.as_deref().map(str::trim) == Some("0");
    let page = params.page(40, 80);
    let bounds = (!all).then_some(&page);
    let (rows, ids) = service::members(&state, user.account_id, id.0, bounds).await?;
    let path = format!("/api/v1/lists/{}/accounts", id.0);
    let headers = if all {
        HeaderMap::new()
    } else {
        link_header(&state.config.base_url(), &path, &ids, page.limit)
    };
    let listed = rows.iter().map(|row| Account::from_row(row, &state.config));
    Ok((headers, Json(listed.collect())))
}

/// Adds accounts the user follows (or asked to follow) to a list.
#[utoipa::path(post, path = "/api/v1/lists/{id}/accounts", tag = "lists",
    params(("id" = String, Path, description = "List id")), request_body = MembersParams,
    security(("bearer" = ["write:lists"])),
    responses((status = 200, body = Empty), (status = 404), (status = 422)))]
pub async fn add_accounts(
    State(state): State<AppState>,
    user: User<WriteLists>,
    Path(id): Path<Id>,
    Params(params): Params<MembersParams>,
) -> ApiResult<Json<Empty>> {
    service::add(&state, user.account_id, id.0, &params.ids()?).await?;
    Ok(Json(Empty {}))
}

/// Removes accounts from a list.
#[utoipa::path(delete, path = "/api/v1/lists/{id}/accounts", tag = "lists",
    params(("id" = String, Path, description = "List id")), request_body = MembersParams,
    security(("bearer" = ["write:lists"])),
    responses((status = 200, body = Empty), (status = 404), (status = 422)))]
pub async fn remove_accounts(
    State(state): State<AppState>,
    user: User<WriteLists>,
    Path(id): Path<Id>,
    Params(params): Params<MembersParams>,
) -> ApiResult<Json<Empty>> {
    service::remove(&state, user.account_id, id.0, &params.ids()?).await?;
    Ok(Json(Empty {}))
}

/// The signed-in user's lists that contain an account.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/lists", tag = "lists",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["read:lists"])),
    responses((status = 200, body = Vec<List>), (status = 404)))]
pub async fn of_account(
    State(state): State<AppState>,
    user: User<ReadLists>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<List>>> {
    let rows = service::containing(&state, user.account_id, id.0).await?;
    Ok(Json(rows.into_iter().map(List::from).collect()))
}
