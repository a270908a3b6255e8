//! Instance domain blocks and allows (admins only).
//! Spec: <https://docs.joinmastodon.org/methods/admin/domain_blocks/>,
//! <https://docs.joinmastodon.org/methods/admin/domain_allows/>.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{authorize, Needs};
use crate::api::entities::timestamp;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, Params};
use crate::auth::CurrentUser;
use crate::db::domain_blocks::{self, BlockSettings, DomainAllowRow, DomainBlockRow};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const READ_BLOCKS: &[&str] = &["admin:read:domain_blocks"];
const WRITE_BLOCKS: &[&str] = &["admin:write:domain_blocks"];
const READ_ALLOWS: &[&str] = &["admin:read:domain_allows"];
const WRITE_ALLOWS: &[&str] = &["admin:write:domain_allows"];
/// Longest comment accepted.
const MAX_COMMENT_CHARS: usize = 1000;

/// The Admin::DomainBlock entity.
fn block_entity(row: &DomainBlockRow) -> Value {
    json!({
        "id": Id(row.id),
        "domain": row.domain,
        "digest": hex_sha256(&row.domain),
        "created_at": timestamp(row.created_at),
        "severity": row.severity,
        "reject_media": row.reject_media,
        "reject_reports": row.reject_reports,
        "private_comment": row.private_comment,
        "public_comment": row.public_comment,
        "obfuscate": row.obfuscate,
    })
}

fn allow_entity(row: &DomainAllowRow) -> Value {
    json!({ "id": Id(row.id), "domain": row.domain, "created_at": timestamp(row.created_at) })
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A domain as admins type it: trimmed, lower-cased, without scheme or path.
pub fn normalize_domain(input: Option<&str>) -> ApiResult<String> {
    let invalid = || ApiError::validation("domain", "ERR_INVALID", "domain is not a valid domain");
    let text = input.map(str::trim).unwrap_or_default().to_lowercase();
    let text = text
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    if text.is_empty() {
        return Err(ApiError::validation(
            "domain",
            "ERR_BLANK",
            "domain can't be blank",
        ));
    }
    let valid = text.len() <= 253
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
    if !valid {
        return Err(invalid());
    }
    Ok(text.to_owned())
}

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
    /// The settings, starting from `current` (defaults for a new block).
    fn settings(&self, current: Option<&DomainBlockRow>) -> ApiResult<BlockSettings> {
        let severity = match self.severity.as_deref() {
            Some(severity @ ("silence" | "suspend" | "noop")) => severity.to_owned(),
            Some(_) => {
                return Err(ApiError::validation(
                    "severity",
                    "ERR_INCLUSION",
                    "severity must be silence, suspend or noop",
                ))
            }
            None => current.map_or_else(|| "silence".to_owned(), |c| c.severity.clone()),
        };
        for (field, text) in [
            ("private_comment", &self.private_comment),
            ("public_comment", &self.public_comment),
        ] {
            crate::api::v1::check_length(field, text.as_deref(), MAX_COMMENT_CHARS)?;
        }
        Ok(BlockSettings {
            severity,
            reject_media: self
                .reject_media
                .or(current.map(|c| c.reject_media))
                .unwrap_or(false),
            reject_reports: self
                .reject_reports
                .or(current.map(|c| c.reject_reports))
                .unwrap_or(false),
            private_comment: self
                .private_comment
                .clone()
                .or_else(|| current.and_then(|c| c.private_comment.clone())),
            public_comment: self
                .public_comment
                .clone()
                .or_else(|| current.and_then(|c| c.public_comment.clone())),
            obfuscate: self
                .obfuscate
                .or(current.map(|c| c.obfuscate))
                .unwrap_or(false),
        })
    }
}

fn parse_id(id: &str) -> ApiResult<i64> {
    id.parse::<Id>()
        .map(|id| id.0)
        .map_err(|_| ApiError::NotFound)
}

/// Lists domain blocks, newest first.
#[utoipa::path(get, path = "/api/v1/admin/domain_blocks", tag = "admin", params(PageParams),
    security(("bearer" = ["admin:read:domain_blocks"])), responses((status = 200, body = Object), (status = 403)))]
pub async fn list_blocks(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(paging): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    authorize(&user, READ_BLOCKS, Needs::Admin)?;
    let page = paging.page(100, 200);
    let rows = domain_blocks::page(&state.db, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/admin/domain_blocks",
        &ids,
        page.limit,
    );
    Ok((headers, Json(rows.iter().map(block_entity).collect())))
}

/// One domain block.
#[utoipa::path(get, path = "/api/v1/admin/domain_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "Domain block id")),
    security(("bearer" = ["admin:read:domain_blocks"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn show_block(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorize(&user, READ_BLOCKS, Needs::Admin)?;
    let row = domain_blocks::find(&state.db, parse_id(&id)?)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(block_entity(&row)))
}

/// Blocks a domain. A second block of the same domain is 422, carrying the existing
/// block as `existing_domain_block` (as Mastodon answers).
#[utoipa::path(post, path = "/api/v1/admin/domain_blocks", tag = "admin", request_body = BlockParams,
    security(("bearer" = ["admin:write:domain_blocks"])), responses((status = 200, body = Object), (status = 422)))]
pub async fn create_block(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<BlockParams>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    authorize(&user, WRITE_BLOCKS, Needs::Admin)?;
    let domain = normalize_domain(params.domain.as_deref())?;
    let settings = params.settings(None)?;
    let mut transaction = state.db.begin().await?;
    let created = domain_blocks::create(&mut transaction, &domain, &settings).await?;
    transaction.commit().await?;
    match created {
        Some(row) => Ok(Json(block_entity(&row)).into_response()),
        None => {
            let existing = domain_blocks::find_by_domain(&state.db, &domain).await?;
            let body = json!({
                "error": format!("{domain} is already blocked"),
                "existing_domain_block": existing.as_ref().map(block_entity),
            });
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response())
        }
    }
}

/// Changes a domain block's settings.
#[utoipa::path(put, path = "/api/v1/admin/domain_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "Domain block id")), request_body = BlockParams,
    security(("bearer" = ["admin:write:domain_blocks"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn update_block(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Params(params): Params<BlockParams>,
) -> ApiResult<Json<Value>> {
    authorize(&user, WRITE_BLOCKS, Needs::Admin)?;
    let id = parse_id(&id)?;
    let current = domain_blocks::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let settings = params.settings(Some(&current))?;
    let mut transaction = state.db.begin().await?;
    let row = domain_blocks::update(&mut transaction, id, &settings)
        .await?
        .ok_or(ApiError::NotFound)?;
    transaction.commit().await?;
    Ok(Json(block_entity(&row)))
}

/// Lifts a domain block.
#[utoipa::path(delete, path = "/api/v1/admin/domain_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "Domain block id")),
    security(("bearer" = ["admin:write:domain_blocks"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn delete_block(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorize(&user, WRITE_BLOCKS, Needs::Admin)?;
    let mut transaction = state.db.begin().await?;
    if !domain_blocks::delete(&mut transaction, parse_id(&id)?).await? {
        return Err(ApiError::NotFound);
    }
    transaction.commit().await?;
    Ok(Json(json!({})))
}

/// Lists allowed domains (used with `ROOST_ALLOWLIST_MODE`).
#[utoipa::path(get, path = "/api/v1/admin/domain_allows", tag = "admin", params(PageParams),
    security(("bearer" = ["admin:read:domain_allows"])), responses((status = 200, body = Object), (status = 403)))]
pub async fn list_allows(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(paging): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    authorize(&user, READ_ALLOWS, Needs::Admin)?;
    let page = paging.page(100, 200);
    let rows = domain_blocks::allows_page(&state.db, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/admin/domain_allows",
        &ids,
        page.limit,
    );
    Ok((headers, Json(rows.iter().map(allow_entity).collect())))
}

/// One allowed domain.
#[utoipa::path(get, path = "/api/v1/admin/domain_allows/{id}", tag = "admin",
    params(("id" = String, Path, description = "Domain allow id")),
    security(("bearer" = ["admin:read:domain_allows"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn show_allow(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorize(&user, READ_ALLOWS, Needs::Admin)?;
    let row = domain_blocks::find_allow(&state.db, parse_id(&id)?)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(allow_entity(&row)))
}

/// `domain` of `POST /api/v1/admin/domain_allows`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AllowParams {
    domain: Option<String>,
}

/// Allows a domain (idempotent: allowing it again returns the same entry).
#[utoipa::path(post, path = "/api/v1/admin/domain_allows", tag = "admin", request_body = AllowParams,
    security(("bearer" = ["admin:write:domain_allows"])), responses((status = 200, body = Object), (status = 422)))]
pub async fn create_allow(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<AllowParams>,
) -> ApiResult<Json<Value>> {
    authorize(&user, WRITE_ALLOWS, Needs::Admin)?;
    let domain = normalize_domain(params.domain.as_deref())?;
    let row = domain_blocks::allow(&state.db, &domain).await?;
    Ok(Json(allow_entity(&row)))
}

/// Removes a domain from the allowlist.
#[utoipa::path(delete, path = "/api/v1/admin/domain_allows/{id}", tag = "admin",
    params(("id" = String, Path, description = "Domain allow id")),
    security(("bearer" = ["admin:write:domain_allows"])), responses((status = 200, body = Object), (status = 404)))]
pub async fn delete_allow(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    authorize(&user, WRITE_ALLOWS, Needs::Admin)?;
    if !domain_blocks::disallow(&state.db, parse_id(&id)?).await? {
        return Err(ApiError::NotFound);
    }
    Ok(Json(json!({})))
}
