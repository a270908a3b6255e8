//! A user's domain blocks: `GET`, `POST` and `DELETE /api/v1/domain_blocks`
//! (<https://docs.joinmastodon.org/methods/domain_blocks/>). Not the instance-wide
//! domain blocks of the admin API.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::follows::signed_in_account;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::Params;
use crate::auth::CurrentUser;
use crate::db::account_domain_blocks;
use crate::error::{ApiError, ApiResult};
use crate::federation::blocks as block_service;
use crate::state::AppState;

/// The domains the signed-in user blocks, newest first (Link-header paging).
#[utoipa::path(get, path = "/api/v1/domain_blocks", tag = "domain_blocks", params(PageParams),
    security(("bearer" = ["read:blocks", "follow"])),
    responses((status = 200, body = Vec<String>)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<String>>)> {
    user.token.require_scope(&["read:blocks"])?;
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

/// A domain as stored (`host[:port]`, lowercase), or 422.
fn normalized(domain: Option<&str>, local: &str) -> ApiResult<String> {
    let domain = domain
        .unwrap_or_default()
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let valid = !domain.is_empty()
        && domain.len() <= 253
        && !domain.contains(['/', '@', ' ', '?', '#'])
        && domain != local.to_ascii_lowercase();
    if !valid {
        return Err(ApiError::validation(
            "domain",
            "ERR_INVALID",
            "domain must be another server's domain name",
        ));
    }
    Ok(domain)
}

/// Blocks a domain: its posts and notifications are hidden from the user and its
/// accounts stop following them.
#[utoipa::path(post, path = "/api/v1/domain_blocks", tag = "domain_blocks",
    request_body = DomainParams, security(("bearer" = ["write:blocks", "follow"])),
    responses((status = 200, description = "Empty object"), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<DomainParams>,
) -> ApiResult<Json<Value>> {
    user.token.require_scope(&["write:blocks"])?;
    let domain = normalized(params.domain.as_deref(), &state.config.domain)?;
    let me = signed_in_account(&state, &user).await?;
    block_service::block_domain(&state, &me, &domain).await?;
    Ok(Json(json!({})))
}

/// Unblocks a domain.
#[utoipa::path(delete, path = "/api/v1/domain_blocks", tag = "domain_blocks",
    request_body = DomainParams, security(("bearer" = ["write:blocks", "follow"])),
    responses((status = 200, description = "Empty object"), (status = 422)))]
pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<DomainParams>,
) -> ApiResult<Json<Value>> {
    user.token.require_scope(&["write:blocks"])?;
    let domain = normalized(params.domain.as_deref(), &state.config.domain)?;
    account_domain_blocks::delete(&state.db, user.account_id, &domain).await?;
    Ok(Json(json!({})))
}
