//! E-mail domain blocks and canonical e-mail blocks (admins only); the actions are
//! `services::email_blocks`'.
//! Spec: <https://docs.joinmastodon.org/methods/admin/email_domain_blocks/>,
//! <https://docs.joinmastodon.org/methods/admin/canonical_email_blocks/>.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use super::{
    ReadCanonicalEmailBlocks, ReadEmailDomainBlocks, Staff, WriteCanonicalEmailBlocks,
    WriteEmailDomainBlocks,
};
use crate::api::entities::admin::{CanonicalEmailBlock, EmailDomainBlock, Empty};
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, Params};
use crate::db::email_blocks;
use crate::domain::{Email, Id};
use crate::error::{check_length, ApiResult};
use crate::extract::Path;
use crate::services::email_blocks as service;
use crate::state::AppState;

/// Longest `canonical_email_hash` looked at (a SHA-256 in hex is 64).
const MAX_HASH_CHARS: usize = 64;

/// Lists e-mail domain blocks with their history, newest first.
#[utoipa::path(get, path = "/api/v1/admin/email_domain_blocks", tag = "admin", params(PageParams),
    security(("bearer" = ["admin:read:email_domain_blocks"])),
    responses((status = 200, body = [EmailDomainBlock]), (status = 403)))]
pub async fn list_domains(
    State(state): State<AppState>,
    _staff: Staff<ReadEmailDomainBlocks>,
    Params(paging): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<EmailDomainBlock>>)> {
    let page = paging.page(100, 200);
    let rows = email_blocks::domain_page(&state.db, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let views = service::with_history(&state, rows).await?;
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/admin/email_domain_blocks",
        &ids,
        page.limit,
    );
    Ok((
        headers,
        Json(views.iter().map(EmailDomainBlock::from_view).collect()),
    ))
}

/// One e-mail domain block.
#[utoipa::path(get, path = "/api/v1/admin/email_domain_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "E-mail domain block id")),
    security(("bearer" = ["admin:read:email_domain_blocks"])),
    responses((status = 200, body = EmailDomainBlock), (status = 404)))]
pub async fn show_domain(
    State(state): State<AppState>,
    _staff: Staff<ReadEmailDomainBlocks>,
    Path(id): Path<Id>,
) -> ApiResult<Json<EmailDomainBlock>> {
    let view = service::find_domain(&state, id.0).await?;
    Ok(Json(EmailDomainBlock::from_view(&view)))
}

/// Parameters of blocking an e-mail domain.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct EmailDomainBlockParams {
    domain: Option<String>,
    /// Accept sign-ups from the domain, pending a moderator's approval.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    allow_with_approval: Option<bool>,
}

/// Blocks sign-ups from an e-mail domain and its subdomains.
#[utoipa::path(post, path = "/api/v1/admin/email_domain_blocks", tag = "admin",
    request_body = EmailDomainBlockParams, security(("bearer" = ["admin:write:email_domain_blocks"])),
    responses((status = 200, body = EmailDomainBlock), (status = 422)))]
pub async fn create_domain(
    State(state): State<AppState>,
    _staff: Staff<WriteEmailDomainBlocks>,
    Params(params): Params<EmailDomainBlockParams>,
) -> ApiResult<Json<EmailDomainBlock>> {
    let view = service::block_domain(
        &state,
        params.domain.as_deref(),
        params.allow_with_approval.unwrap_or(false),
    )
    .await?;
    Ok(Json(EmailDomainBlock::from_view(&view)))
}

/// Lifts an e-mail domain block.
#[utoipa::path(delete, path = "/api/v1/admin/email_domain_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "E-mail domain block id")),
    security(("bearer" = ["admin:write:email_domain_blocks"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn delete_domain(
    State(state): State<AppState>,
    _staff: Staff<WriteEmailDomainBlocks>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::unblock_domain(&state, id.0).await?;
    Ok(Json(Empty {}))
}

/// Lists canonical e-mail blocks, newest first.
#[utoipa::path(get, path = "/api/v1/admin/canonical_email_blocks", tag = "admin", params(PageParams),
    security(("bearer" = ["admin:read:canonical_email_blocks"])),
    responses((status = 200, body = [CanonicalEmailBlock]), (status = 403)))]
pub async fn list_canonical(
    State(state): State<AppState>,
    _staff: Staff<ReadCanonicalEmailBlocks>,
    Params(paging): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<CanonicalEmailBlock>>)> {
    let page = paging.page(100, 200);
    let rows = email_blocks::canonical_page(&state.db, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/admin/canonical_email_blocks",
        &ids,
        page.limit,
    );
    Ok((
        headers,
        Json(rows.iter().map(CanonicalEmailBlock::from_row).collect()),
    ))
}

/// One canonical e-mail block.
#[utoipa::path(get, path = "/api/v1/admin/canonical_email_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "Canonical e-mail block id")),
    security(("bearer" = ["admin:read:canonical_email_blocks"])),
    responses((status = 200, body = CanonicalEmailBlock), (status = 404)))]
pub async fn show_canonical(
    State(state): State<AppState>,
    _staff: Staff<ReadCanonicalEmailBlocks>,
    Path(id): Path<Id>,
) -> ApiResult<Json<CanonicalEmailBlock>> {
    let row = service::find_canonical(&state, id.0).await?;
    Ok(Json(CanonicalEmailBlock::from_row(&row)))
}

/// Parameters of blocking a canonical e-mail address, and of testing one.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CanonicalEmailParams {
    /// The address (its canonical form's hash is stored).
    email: Option<String>,
    /// The SHA-256 (hex) of a canonical address, when `email` is not given.
    canonical_email_hash: Option<String>,
}

impl CanonicalEmailParams {
    /// Refuses overlong values before they are hashed or compared.
    fn checked(self) -> ApiResult<Self> {
        check_length("email", self.email.as_deref(), Email::MAX_LEN)?;
        check_length(
            "canonical_email_hash",
            self.canonical_email_hash.as_deref(),
            MAX_HASH_CHARS,
        )?;
        Ok(self)
    }
}

/// The canonical blocks an address matches.
#[utoipa::path(post, path = "/api/v1/admin/canonical_email_blocks/test", tag = "admin",
    request_body = CanonicalEmailParams, security(("bearer" = ["admin:read:canonical_email_blocks"])),
    responses((status = 200, body = [CanonicalEmailBlock])))]
pub async fn test_canonical(
    State(state): State<AppState>,
    _staff: Staff<ReadCanonicalEmailBlocks>,
    Params(params): Params<CanonicalEmailParams>,
) -> ApiResult<Json<Vec<CanonicalEmailBlock>>> {
    let params = params.checked()?;
    let rows =
        service::canonical_blocks_of(&state, params.email.as_deref().unwrap_or_default()).await?;
    Ok(Json(
        rows.iter().map(CanonicalEmailBlock::from_row).collect(),
    ))
}

/// Blocks an address by its canonical form.
#[utoipa::path(post, path = "/api/v1/admin/canonical_email_blocks", tag = "admin",
    request_body = CanonicalEmailParams, security(("bearer" = ["admin:write:canonical_email_blocks"])),
    responses((status = 200, body = CanonicalEmailBlock), (status = 422)))]
pub async fn create_canonical(
    State(state): State<AppState>,
    _staff: Staff<WriteCanonicalEmailBlocks>,
    Params(params): Params<CanonicalEmailParams>,
) -> ApiResult<Json<CanonicalEmailBlock>> {
    let params = params.checked()?;
    let row = service::block_canonical(
        &state,
        params.email.as_deref(),
        params.canonical_email_hash.as_deref(),
    )
    .await?;
    Ok(Json(CanonicalEmailBlock::from_row(&row)))
}

/// Lifts a canonical e-mail block.
#[utoipa::path(delete, path = "/api/v1/admin/canonical_email_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "Canonical e-mail block id")),
    security(("bearer" = ["admin:write:canonical_email_blocks"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn delete_canonical(
    State(state): State<AppState>,
    _staff: Staff<WriteCanonicalEmailBlocks>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::unblock_canonical(&state, id.0).await?;
    Ok(Json(Empty {}))
}
