//! Private notes and endorsements: `POST /api/v1/accounts/:id/note`,
//! `…/endorse` and `…/unendorse` (with Mastodon's older names `…/pin` and `…/unpin`),
//! `GET /api/v1/endorsements` and `GET /api/v1/accounts/:id/endorsements`. Each handler
//! extracts its input, calls `services::account_notes` and renders.
//! Spec: <https://docs.joinmastodon.org/methods/accounts/#note>,
//! <https://docs.joinmastodon.org/methods/endorsements/>.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use super::follows::{find_account, parties, relationship};
use crate::api::entities::relationship::Relationship;
use crate::api::entities::Account;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::Params;
use crate::auth::scoped::{ReadAccounts, WriteAccounts};
use crate::auth::{OptionalToken, User};
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::account_notes as service;
use crate::state::AppState;

/// The body of `POST /api/v1/accounts/:id/note`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NoteParams {
    /// The note; empty or absent removes it.
    comment: Option<String>,
}

/// Sets the user's private note on an account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/note", tag = "accounts",
    params(("id" = String, Path, description = "Account id")), request_body = NoteParams,
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = Relationship), (status = 404), (status = 422)))]
pub async fn note(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    Path(id): Path<Id>,
    Params(params): Params<NoteParams>,
) -> ApiResult<Json<Relationship>> {
    let target = find_account(&state, id).await?;
    let comment = params.comment.unwrap_or_default();
    service::set_note(&state, user.account_id, &target, &comment).await?;
    relationship(&state, user.account_id, target.id).await
}

/// Features an account the user follows on their profile.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/endorse", tag = "accounts",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = Relationship), (status = 404), (status = 422)))]
pub async fn endorse(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Relationship>> {
    let (me, target) = parties(&state, user.account_id, id).await?;
    service::endorse(&state, &me, &target).await?;
    relationship(&state, me.id, target.id).await
}

/// Stops featuring an account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unendorse", tag = "accounts",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn unendorse(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Relationship>> {
    let (me, target) = parties(&state, user.account_id, id).await?;
    service::unendorse(&state, &me, &target).await?;
    relationship(&state, me.id, target.id).await
}

/// The accounts the user features (newest first; `limit` default 40, at most 80).
#[utoipa::path(get, path = "/api/v1/endorsements", tag = "accounts", params(PageParams),
    security(("bearer" = ["read:accounts"])), responses((status = 200, body = Vec<Account>)))]
pub async fn mine(
    State(state): State<AppState>,
    user: User<ReadAccounts>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    endorsed_page(&state, user.account_id, "/api/v1/endorsements", &params).await
}

/// The name of `endorse` before Mastodon 4.4, which apps still call.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/pin", tag = "accounts",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = Relationship), (status = 404), (status = 422)))]
pub async fn pin(
    state: State<AppState>,
    user: User<WriteAccounts>,
    id: Path<Id>,
) -> ApiResult<Json<Relationship>> {
    endorse(state, user, id).await
}

/// The name of `unendorse` before Mastodon 4.4, which apps still call.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unpin", tag = "accounts",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn unpin(
    state: State<AppState>,
    user: User<WriteAccounts>,
    id: Path<Id>,
) -> ApiResult<Json<Relationship>> {
    unendorse(state, user, id).await
}

/// The accounts an account features on its profile.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/endorsements", tag = "accounts",
    params(("id" = String, Path, description = "Account id"), PageParams),
    responses((status = 200, body = Vec<Account>), (status = 404)))]
pub async fn of_account(
    State(state): State<AppState>,
    _token: OptionalToken<ReadAccounts>,
    Path(id): Path<Id>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let account = find_account(&state, id).await?;
    if account.suspended_at.is_some() {
        return Ok((HeaderMap::new(), Json(Vec::new())));
    }
    let path = format!("/api/v1/accounts/{}/endorsements", account.id);
    endorsed_page(&state, account.id, &path, &params).await
}

/// A page of the accounts `account` features, with its Link header.
async fn endorsed_page(
    state: &AppState,
    account: i64,
    path: &str,
    params: &PageParams,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let page = params.page(40, 80);
    let (rows, keys) = service::endorsed(state, account, &page).await?;
    let headers = link_header(&state.config.base_url(), path, &keys, page.limit);
    let listed = rows.iter().map(|row| Account::from_row(row, &state.config));
    Ok((headers, Json(listed.collect())))
}
