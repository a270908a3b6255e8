//! Follow endpoints: follow/unfollow, followers/following lists, relationships and
//! follow requests (<https://docs.joinmastodon.org/methods/accounts/#follow>,
//! <https://docs.joinmastodon.org/methods/follow_requests/>). Each extracts its input,
//! calls `services::follows` and renders; the rules live there.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::familiar_followers::FamiliarFollowers;
use crate::api::entities::relationship::Relationship;
use crate::api::entities::Account;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, IdsQuery, Params};
use crate::auth::scoped::{ReadAccounts, ReadFollows, WriteFollows};
use crate::auth::{OptionalToken, User};
use crate::db::accounts::{self, AccountRow};
use crate::db::follows::{self, Direction};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::follows::{self as service, FollowOptions, FollowPage, FollowRequest};
use crate::state::AppState;

/// Loads an account the API may show, by its id (404 otherwise).
pub(crate) async fn find_account(state: &AppState, id: Id) -> ApiResult<AccountRow> {
    accounts::find_visible_by_id(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The signed-in user's own account row.
pub(crate) async fn signed_in_account(state: &AppState, account_id: i64) -> ApiResult<AccountRow> {
    accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The signed-in user's account (`account_id`) and the account `id` names: the two
/// parties of the follow and block actions.
pub(crate) async fn parties(
    state: &AppState,
    account_id: i64,
    id: Id,
) -> ApiResult<(AccountRow, AccountRow)> {
    let target = find_account(state, id).await?;
    Ok((signed_in_account(state, account_id).await?, target))
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
    user: User<WriteFollows>,
    Path(id): Path<Id>,
    Params(params): Params<FollowParams>,
) -> ApiResult<Json<Relationship>> {
    let (me, target) = parties(&state, user.account_id, id).await?;
    let options = FollowOptions {
        show_reblogs: params.reblogs,
        notify: params.notify,
    };
    let request = FollowRequest {
        options,
        activity_id: None,
        languages: None,
    };
    service::request(&state, &me, &target, request).await?;
    relationship(&state, me.id, target.id).await
}

/// Stops following an account (or withdraws the request).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unfollow", tag = "follows",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:follows", "follow"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn unfollow(
    State(state): State<AppState>,
    user: User<WriteFollows>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Relationship>> {
    let (me, target) = parties(&state, user.account_id, id).await?;
    service::unfollow(&state, &me, &target).await?;
    relationship(&state, me.id, target.id).await
}

/// Removes an account from the user's followers (or refuses its request); a remote
/// follower's server is told with `Reject(Follow)`.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/remove_from_followers", tag = "follows",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:follows", "follow"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn remove_from_followers(
    State(state): State<AppState>,
    user: User<WriteFollows>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Relationship>> {
    let (me, follower) = parties(&state, user.account_id, id).await?;
    service::remove_follower(&state, &me, &follower).await?;
    relationship(&state, me.id, follower.id).await
}

/// Renders a page of follows: the accounts, with the Link header of `path`.
fn render_page(
    state: &AppState,
    path: &str,
    page: FollowPage,
    limit: i64,
) -> (HeaderMap, Json<Vec<Account>>) {
    let headers = link_header(&state.config.base_url(), path, &page.follow_ids, limit);
    let accounts = page.accounts.iter();
    let listed = accounts.map(|row| Account::from_row(row, &state.config));
    (headers, Json(listed.collect()))
}

/// Followers or followings of account `id`, as the viewer may see them.
async fn follow_list(
    state: &AppState,
    token: &OptionalToken<ReadAccounts>,
    id: Id,
    direction: Direction,
    params: &PageParams,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let account = find_account(state, id).await?;
    let page = params.page(40, 80);
    let viewer = token.account_id();
    let listed = service::list(state, viewer, &account, direction, &page).await?;
    let name = match direction {
        Direction::Followers => "followers",
        Direction::Following => "following",
    };
    let path = format!("/api/v1/accounts/{}/{name}", account.id);
    Ok(render_page(state, &path, listed, page.limit))
}

/// Accounts following the account, newest follow first (Link-header paging).
#[utoipa::path(get, path = "/api/v1/accounts/{id}/followers", tag = "follows",
    params(("id" = String, Path, description = "Account id"), PageParams),
    responses((status = 200, body = Vec<Account>), (status = 404)))]
pub async fn followers(
    State(state): State<AppState>,
    token: OptionalToken<ReadAccounts>,
    Path(id): Path<Id>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    follow_list(&state, &token, id, Direction::Followers, &params).await
}

/// Accounts the account follows, newest follow first (Link-header paging).
#[utoipa::path(get, path = "/api/v1/accounts/{id}/following", tag = "follows",
    params(("id" = String, Path, description = "Account id"), PageParams),
    responses((status = 200, body = Vec<Account>), (status = 404)))]
pub async fn following(
    State(state): State<AppState>,
    token: OptionalToken<ReadAccounts>,
    Path(id): Path<Id>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    follow_list(&state, &token, id, Direction::Following, &params).await
}

/// The relationships of the signed-in user with up to 40 accounts.
#[utoipa::path(get, path = "/api/v1/accounts/relationships", tag = "follows",
    params(IdsQuery), security(("bearer" = ["read:follows", "follow"])),
    responses((status = 200, body = Vec<Relationship>)))]
pub async fn relationships(
    State(state): State<AppState>,
    user: User<ReadFollows>,
    Params(query): Params<IdsQuery>,
) -> ApiResult<Json<Vec<Relationship>>> {
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

/// For each account asked about (`id[]`, at most 40), the accounts the signed-in user
/// follows that follow it too.
#[utoipa::path(get, path = "/api/v1/accounts/familiar_followers", tag = "follows",
    params(IdsQuery), security(("bearer" = ["read:follows", "follow"])),
    responses((status = 200, body = Vec<FamiliarFollowers>)))]
pub async fn familiar_followers(
    State(state): State<AppState>,
    user: User<ReadFollows>,
    Params(query): Params<IdsQuery>,
) -> ApiResult<Json<Vec<FamiliarFollowers>>> {
    let asked = query.id.unwrap_or_default();
    let ids: Vec<i64> = asked
        .iter()
        .filter_map(|id| id.parse::<Id>().ok())
        .map(|id| id.0)
        .collect();
    let found = service::familiar_followers(&state, user.account_id, &ids).await?;
    let rendered = found
        .iter()
        .map(|(target, familiar)| FamiliarFollowers::of(target, familiar, &state.config));
    Ok(Json(rendered.collect()))
}

/// Pending follow requests to the signed-in user, newest first.
#[utoipa::path(get, path = "/api/v1/follow_requests", tag = "follows",
    params(PageParams), security(("bearer" = ["read:follows", "follow"])),
    responses((status = 200, body = Vec<Account>)))]
pub async fn follow_requests(
    State(state): State<AppState>,
    user: User<ReadFollows>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let page = params.page(40, 80);
    let requests = service::requests(&state, user.account_id, &page).await?;
    let path = "/api/v1/follow_requests";
    Ok(render_page(&state, path, requests, page.limit))
}

/// Accepts a follow request.
#[utoipa::path(post, path = "/api/v1/follow_requests/{account_id}/authorize", tag = "follows",
    params(("account_id" = String, Path, description = "Requesting account")),
    security(("bearer" = ["write:follows", "follow"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn authorize(
    State(state): State<AppState>,
    user: User<WriteFollows>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Relationship>> {
    let (me, follower) = parties(&state, user.account_id, id).await?;
    service::accept(&state, &me, &follower).await?;
    relationship(&state, me.id, follower.id).await
}

/// Rejects a follow request.
#[utoipa::path(post, path = "/api/v1/follow_requests/{account_id}/reject", tag = "follows",
    params(("account_id" = String, Path, description = "Requesting account")),
    security(("bearer" = ["write:follows", "follow"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn reject(
    State(state): State<AppState>,
    user: User<WriteFollows>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Relationship>> {
    let (me, follower) = parties(&state, user.account_id, id).await?;
    service::reject(&state, &me, &follower).await?;
    relationship(&state, me.id, follower.id).await
}
