//! Follow endpoints: follow/unfollow, followers/following lists, relationships and
//! follow requests (<https://docs.joinmastodon.org/methods/accounts/#follow>,
//! <https://docs.joinmastodon.org/methods/follow_requests/>).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::relationship::Relationship;
use crate::api::entities::Account;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, string_list, Params};
use crate::auth::{CurrentUser, MaybeToken};
use crate::db::accounts::{self, AccountRow};
use crate::db::follows::{self, Direction};
use crate::db::hiding;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::federation::follows::{self as follow_service, Answer, FollowOptions};
use crate::state::AppState;

/// Loads an account the API may show, by its id as a string (404 otherwise).
pub(crate) async fn load_account(state: &AppState, id: &str) -> ApiResult<AccountRow> {
    let id: Id = id.parse().map_err(|_| ApiError::NotFound)?;
    accounts::find_visible_by_id(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The signed-in user's own account row.
pub(crate) async fn signed_in_account(
    state: &AppState,
    user: &CurrentUser,
) -> ApiResult<AccountRow> {
    accounts::find_by_id(&state.db, user.account_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The relationship of `viewer` with `target`, as the follow and block endpoints return it.
pub(crate) async fn relationship(
    state: &AppState,
    viewer: i64,
    target: i64,
) -> ApiResult<Json<Relationship>> {
    let mut rows = follows::relationships(&state.db, viewer, &[target]).await?;
    let row = rows.pop().ok_or(ApiError::NotFound)?;
    Ok(Json(row.into()))
}

/// Options of `POST /api/v1/accounts/:id/follow`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct FollowParams {
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    reblogs: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    notify: Option<bool>,
}

/// Follows an account (or asks to, if it is locked or remote) and returns the relationship.
/// Refused (403) when either blocks the other, or the user blocked the account's domain.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/follow", tag = "follows",
    params(("id" = String, Path, description = "Account id")), request_body = FollowParams,
    security(("bearer" = ["write:follows", "follow"])),
    responses((status = 200, body = Relationship), (status = 403), (status = 404)))]
pub async fn follow(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Params(params): Params<FollowParams>,
) -> ApiResult<Json<Relationship>> {
    user.token.require_scope(&["write:follows"])?;
    let target = load_account(&state, &id).await?;
    if target.id == user.account_id {
        return Err(ApiError::Forbidden("You cannot follow yourself".into()));
    }
    if target.suspended_at.is_some() {
        return Err(ApiError::Forbidden("This account is suspended".into()));
    }
    if hiding::blocked_between(&state.db, user.account_id, target.id).await? {
        return Err(ApiError::Forbidden("This action is not allowed".into()));
    }
    let relation = follows::relationships(&state.db, user.account_id, &[target.id]).await?;
    if relation
        .first()
        .is_some_and(|r| r.domain_blocking && !r.following && !r.requested)
    {
        return Err(ApiError::Forbidden("This action is not allowed".into()));
    }
    let me = signed_in_account(&state, &user).await?;
    let options = FollowOptions {
        show_reblogs: params.reblogs,
        notify: params.notify,
    };
    follow_service::follow(&state, &me, &target, options).await?;
    relationship(&state, me.id, target.id).await
}

/// Stops following an account (or withdraws the request).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unfollow", tag = "follows",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:follows", "follow"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn unfollow(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    user.token.require_scope(&["write:follows"])?;
    let target = load_account(&state, &id).await?;
    let me = signed_in_account(&state, &user).await?;
    follow_service::unfollow(&state, &me, &target).await?;
    relationship(&state, me.id, target.id).await
}

async fn follow_list(
    state: &AppState,
    token: &MaybeToken,
    id: &str,
    direction: Direction,
    params: &PageParams,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    if let Some(token) = &token.0 {
        token.require_scope(&["read:accounts"])?;
    }
    let account = load_account(state, id).await?;
    let page = params.page(40, 80);
    let rows = if account.hide_collections
        && token.0.as_ref().and_then(|t| t.account_id) != Some(account.id)
    {
        Vec::new()
    } else {
        follows::page(&state.db, account.id, direction, true, &page).await?
    };
    let mut listed = Vec::with_capacity(rows.len());
    for row in &rows {
        let other = match direction {
            Direction::Followers => row.account_id,
            Direction::Following => row.target_account_id,
        };
        if let Some(other) = accounts::find_visible_by_id(&state.db, other).await? {
            listed.push(Account::from_row(&other, &state.config));
        }
    }
    let name = match direction {
        Direction::Followers => "followers",
        Direction::Following => "following",
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        &format!("/api/v1/accounts/{}/{name}", account.id),
        &ids,
        page.limit,
    );
    Ok((headers, Json(listed)))
}

/// Accounts following the account, newest follow first (Link-header paging).
#[utoipa::path(get, path = "/api/v1/accounts/{id}/followers", tag = "follows",
    params(("id" = String, Path, description = "Account id"), PageParams),
    responses((status = 200, body = Vec<Account>), (status = 404)))]
pub async fn followers(
    State(state): State<AppState>,
    token: MaybeToken,
    Path(id): Path<String>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    follow_list(&state, &token, &id, Direction::Followers, &params).await
}

/// Accounts the account follows, newest follow first (Link-header paging).
#[utoipa::path(get, path = "/api/v1/accounts/{id}/following", tag = "follows",
    params(("id" = String, Path, description = "Account id"), PageParams),
    responses((status = 200, body = Vec<Account>), (status = 404)))]
pub async fn following(
    State(state): State<AppState>,
    token: MaybeToken,
    Path(id): Path<String>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    follow_list(&state, &token, &id, Direction::Following, &params).await
}

/// `id[]=…` of `GET /api/v1/accounts/relationships`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelationshipsQuery {
    #[serde(default, deserialize_with = "string_list")]
    #[param(value_type = Vec<String>)]
    id: Option<Vec<String>>,
}

/// The relationships of the signed-in user with up to 40 accounts.
#[utoipa::path(get, path = "/api/v1/accounts/relationships", tag = "follows",
    params(RelationshipsQuery), security(("bearer" = ["read:follows", "follow"])),
    responses((status = 200, body = Vec<Relationship>)))]
pub async fn relationships(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(query): Params<RelationshipsQuery>,
) -> ApiResult<Json<Vec<Relationship>>> {
    user.token.require_scope(&["read:follows"])?;
    let ids: Vec<i64> = query
        .id
        .unwrap_or_default()
        .iter()
        .take(40)
        .filter_map(|id| id.parse::<Id>().ok())
        .map(|id| id.0)
        .collect();
    let rows = follows::relationships(&state.db, user.account_id, &ids).await?;
    Ok(Json(rows.into_iter().map(Relationship::from).collect()))
}

/// Pending follow requests to the signed-in user, newest first.
#[utoipa::path(get, path = "/api/v1/follow_requests", tag = "follows",
    params(PageParams), security(("bearer" = ["read:follows", "follow"])),
    responses((status = 200, body = Vec<Account>)))]
pub async fn follow_requests(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    user.token.require_scope(&["read:follows"])?;
    let page = params.page(40, 80);
    let rows = follows::page(
        &state.db,
        user.account_id,
        Direction::Followers,
        false,
        &page,
    )
    .await?;
    let mut listed = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(account) = accounts::find_visible_by_id(&state.db, row.account_id).await? {
            listed.push(Account::from_row(&account, &state.config));
        }
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/follow_requests",
        &ids,
        page.limit,
    );
    Ok((headers, Json(listed)))
}

async fn answer(
    state: AppState,
    user: CurrentUser,
    id: String,
    answer: Answer,
) -> ApiResult<Json<Relationship>> {
    user.token.require_scope(&["write:follows"])?;
    let follower = load_account(&state, &id).await?;
    let me = signed_in_account(&state, &user).await?;
    if !follow_service::answer_request(&state, &me, &follower, answer).await? {
        return Err(ApiError::NotFound);
    }
    relationship(&state, me.id, follower.id).await
}

/// Accepts a follow request.
#[utoipa::path(post, path = "/api/v1/follow_requests/{account_id}/authorize", tag = "follows",
    params(("account_id" = String, Path, description = "Requesting account")),
    security(("bearer" = ["write:follows", "follow"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn authorize(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    answer(state, user, id, Answer::Accept).await
}

/// Rejects a follow request.
#[utoipa::path(post, path = "/api/v1/follow_requests/{account_id}/reject", tag = "follows",
    params(("account_id" = String, Path, description = "Requesting account")),
    security(("bearer" = ["write:follows", "follow"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn reject(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    answer(state, user, id, Answer::Reject).await
}
