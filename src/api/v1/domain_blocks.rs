//! A user's domain blocks: `GET`, `POST` and `DELETE /api/v1/domain_blocks`
//! (<https://docs.joinmastodon.org/methods/domain_blocks/>). Not the instance-wide
//! domain blocks of the admin API. Each extracts its input, calls `services::blocks`
//! and renders; the rules (which domains may be blocked) live there.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use super::follows::signed_in_account;
use crate::api::entities::relationship::DomainBlockChanged;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::Params;
use crate::auth::scoped::{ReadBlocks, WriteBlocks};
use crate::auth::User;
use crate::db::account_domain_blocks;
use crate::error::ApiResult;
use crate::services::blocks as service;
use crate::state::AppState;

/// The domains the signed-in user blocks, newest first (Link-header paging).
#[utoipa::path(get, path = "/api/v1/domain_blocks", tag = "domain_blocks", params(PageParams),
    security(("bearer" = ["read:blocks", "follow"])),
    responses((status = 200, body = Vec<String>)))]
pub async fn list(
    State(state): State<AppState>,
    user: User<ReadBlocks>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<String>>)> {
    let page = params.page(100, 200);
    let rows = account_domain_blocks::page(&state.db, user.account_id, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/domain_blocks",
        &ids,
        page.limit,
    );
    Ok((
        headers,
        Json(rows.into_iter().map(|row| row.domain).collect()),
    ))
}

/// `domain` of `POST`/`DELETE /api/v1/domain_blocks`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DomainParams {
    domain: Option<String>,
}

/// Blocks a domain: its posts and notifications are hidden from the user and its
/// accounts stop following them.
#[utoipa::path(post, path = "/api/v1/domain_blocks", tag = "domain_blocks",
    request_body = DomainParams, security(("bearer" = ["write:blocks", "follow"])),
    responses((status = 200, body = DomainBlockChanged), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: User<WriteBlocks>,
    Params(params): Params<DomainParams>,
) -> ApiResult<Json<DomainBlockChanged>> {
    let me = signed_in_account(&state, user.account_id).await?;
    service::block_domain(&state, &me, params.domain.as_deref()).await?;
    Ok(Json(DomainBlockChanged {}))
}

/// Unblocks a domain.
#[utoipa::path(delete, path = "/api/v1/domain_blocks", tag = "domain_blocks",
    request_body = DomainParams, security(("bearer" = ["write:blocks", "follow"])),
    responses((status = 200, body = DomainBlockChanged), (status = 422)))]
pub async fn delete(
    State(state): State<AppState>,
    user: User<WriteBlocks>,
    Params(params): Params<DomainParams>,
) -> ApiResult<Json<DomainBlockChanged>> {
    let me = signed_in_account(&state, user.account_id).await?;
    service::unblock_domain(&state, &me, params.domain.as_deref()).await?;
    Ok(Json(DomainBlockChanged {}))
}
