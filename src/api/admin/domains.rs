//! Instance domain blocks and allows (admins only); the actions are
//! `services::domains`'. Spec: <https://docs.joinmastodon.org/methods/admin/domain_blocks/>,
//! <https://docs.joinmastodon.org/methods/admin/domain_allows/>.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::{ReadDomainAllows, ReadDomainBlocks, Staff, WriteDomainAllows, WriteDomainBlocks};
use crate::api::entities::admin::{DomainAllow, DomainBlock, DomainBlockConflict, Empty};
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, Params};
use crate::db::domain_blocks;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::domains::{self as service, BlockChanges, Blocked};
use crate::state::AppState;

/// Longest comment accepted.
const MAX_COMMENT_CHARS: usize = 1000;

/// Parameters of creating or changing a domain block.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct BlockParams {
    domain: Option<String>,
    severity: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    reject_media: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    reject_reports: Option<bool>,
    private_comment: Option<String>,
    public_comment: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    obfuscate: Option<bool>,
}

impl BlockParams {
    /// The changes asked for, once the comments' lengths are checked.
    fn changes(self) -> ApiResult<BlockChanges> {
        for (field, text) in [
            ("private_comment", &self.private_comment),
            ("public_comment", &self.public_comment),
        ] {
            crate::api::v1::check_length(field, text.as_deref(), MAX_COMMENT_CHARS)?;
        }
        Ok(BlockChanges {
            severity: self.severity,
            reject_media: self.reject_media,
            reject_reports: self.reject_reports,
            private_comment: self.private_comment,
            public_comment: self.public_comment,
            obfuscate: self.obfuscate,
        })
    }
}

/// Lists domain blocks, newest first.
#[utoipa::path(get, path = "/api/v1/admin/domain_blocks", tag = "admin", params(PageParams),
    security(("bearer" = ["admin:read:domain_blocks"])), responses((status = 200, body = [DomainBlock]), (status = 403)))]
pub async fn list_blocks(
    State(state): State<AppState>,
    _staff: Staff<ReadDomainBlocks>,
    Params(paging): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<DomainBlock>>)> {
    let page = paging.page(100, 200);
    let rows = domain_blocks::page(&state.db, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/admin/domain_blocks",
        &ids,
        page.limit,
    );
    Ok((
        headers,
        Json(rows.iter().map(DomainBlock::from_row).collect()),
    ))
}

/// One domain block.
#[utoipa::path(get, path = "/api/v1/admin/domain_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "Domain block id")),
    security(("bearer" = ["admin:read:domain_blocks"])), responses((status = 200, body = DomainBlock), (status = 404)))]
pub async fn show_block(
    State(state): State<AppState>,
    _staff: Staff<ReadDomainBlocks>,
    Path(id): Path<Id>,
) -> ApiResult<Json<DomainBlock>> {
    let row = service::find_block(&state, id.0).await?;
    Ok(Json(DomainBlock::from_row(&row)))
}

/// The answer to blocking a domain: the new block, or 422 with the existing one.
#[derive(Debug)]
pub enum BlockAnswer {
    Created(DomainBlock),
    Conflict(DomainBlockConflict),
}

impl IntoResponse for BlockAnswer {
    fn into_response(self) -> Response {
        match self {
            BlockAnswer::Created(block) => Json(block).into_response(),
            BlockAnswer::Conflict(body) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
            }
        }
    }
}

/// Blocks a domain. A second block of the same domain is 422, carrying the existing
/// block as `existing_domain_block` (as Mastodon answers).
#[utoipa::path(post, path = "/api/v1/admin/domain_blocks", tag = "admin", request_body = BlockParams,
    security(("bearer" = ["admin:write:domain_blocks"])),
    responses((status = 200, body = DomainBlock), (status = 422, body = DomainBlockConflict)))]
pub async fn create_block(
    State(state): State<AppState>,
    _staff: Staff<WriteDomainBlocks>,
    Params(params): Params<BlockParams>,
) -> ApiResult<BlockAnswer> {
    let domain = params.domain.clone();
    let blocked = service::block(&state, domain.as_deref(), &params.changes()?).await?;
    Ok(match blocked {
        Blocked::Created(row) => BlockAnswer::Created(DomainBlock::from_row(&row)),
        Blocked::Already { domain, existing } => BlockAnswer::Conflict(DomainBlockConflict {
            error: format!("{domain} is already blocked"),
            existing_domain_block: existing.as_ref().map(DomainBlock::from_row),
        }),
    })
}

/// Changes a domain block's settings.
#[utoipa::path(put, path = "/api/v1/admin/domain_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "Domain block id")), request_body = BlockParams,
    security(("bearer" = ["admin:write:domain_blocks"])), responses((status = 200, body = DomainBlock), (status = 404)))]
pub async fn update_block(
    State(state): State<AppState>,
    _staff: Staff<WriteDomainBlocks>,
    Path(id): Path<Id>,
    Params(params): Params<BlockParams>,
) -> ApiResult<Json<DomainBlock>> {
    let row = service::update_block(&state, id.0, &params.changes()?).await?;
    Ok(Json(DomainBlock::from_row(&row)))
}

/// Lifts a domain block.
#[utoipa::path(delete, path = "/api/v1/admin/domain_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "Domain block id")),
    security(("bearer" = ["admin:write:domain_blocks"])), responses((status = 200, body = Empty), (status = 404)))]
pub async fn delete_block(
    State(state): State<AppState>,
    _staff: Staff<WriteDomainBlocks>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::unblock(&state, id.0).await?;
    Ok(Json(Empty {}))
}

/// Lists allowed domains (used with `ROOST_ALLOWLIST_MODE`).
#[utoipa::path(get, path = "/api/v1/admin/domain_allows", tag = "admin", params(PageParams),
    security(("bearer" = ["admin:read:domain_allows"])), responses((status = 200, body = [DomainAllow]), (status = 403)))]
pub async fn list_allows(
    State(state): State<AppState>,
    _staff: Staff<ReadDomainAllows>,
    Params(paging): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<DomainAllow>>)> {
    let page = paging.page(100, 200);
    let rows = domain_blocks::allows_page(&state.db, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/admin/domain_allows",
        &ids,
        page.limit,
    );
    Ok((
        headers,
        Json(rows.iter().map(DomainAllow::from_row).collect()),
    ))
}

/// One allowed domain.
#[utoipa::path(get, path = "/api/v1/admin/domain_allows/{id}", tag = "admin",
    params(("id" = String, Path, description = "Domain allow id")),
    security(("bearer" = ["admin:read:domain_allows"])), responses((status = 200, body = DomainAllow), (status = 404)))]
pub async fn show_allow(
    State(state): State<AppState>,
    _staff: Staff<ReadDomainAllows>,
    Path(id): Path<Id>,
) -> ApiResult<Json<DomainAllow>> {
    let row = service::find_allow(&state, id.0).await?;
    Ok(Json(DomainAllow::from_row(&row)))
}

/// `domain` of `POST /api/v1/admin/domain_allows`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AllowParams {
    domain: Option<String>,
}

/// Allows a domain (idempotent: allowing it again returns the same entry).
#[utoipa::path(post, path = "/api/v1/admin/domain_allows", tag = "admin", request_body = AllowParams,
    security(("bearer" = ["admin:write:domain_allows"])), responses((status = 200, body = DomainAllow), (status = 422)))]
pub async fn create_allow(
    State(state): State<AppState>,
    _staff: Staff<WriteDomainAllows>,
    Params(params): Params<AllowParams>,
) -> ApiResult<Json<DomainAllow>> {
    let row = service::allow(&state, params.domain.as_deref()).await?;
    Ok(Json(DomainAllow::from_row(&row)))
}

/// Removes a domain from the allowlist.
#[utoipa::path(delete, path = "/api/v1/admin/domain_allows/{id}", tag = "admin",
    params(("id" = String, Path, description = "Domain allow id")),
    security(("bearer" = ["admin:write:domain_allows"])), responses((status = 200, body = Empty), (status = 404)))]
pub async fn delete_allow(
    State(state): State<AppState>,
    _staff: Staff<WriteDomainAllows>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::disallow(&state, id.0).await?;
    Ok(Json(Empty {}))
}
