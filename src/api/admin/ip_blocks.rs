//! IP blocks (admins only); the actions are `services::ip_blocks`'.
//! Spec: <https://docs.joinmastodon.org/methods/admin/ip_blocks/>.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use super::{ReadIpBlocks, Staff, WriteIpBlocks};
use crate::api::entities::admin::{Empty, IpBlock};
use crate::api::paging::{link_header, PageParams};
use crate::api::params::Params;
use crate::api::v1::filters::nullable_string;
use crate::db::ip_blocks;
use crate::domain::Id;
use crate::error::{check_length, ApiResult};
use crate::extract::Path;
use crate::services::ip_blocks::{self as service, IpBlockInput};
use crate::state::AppState;

/// Longest comment accepted.
const MAX_COMMENT_CHARS: usize = 1000;
/// Longest `ip` looked at (the longest IPv6 network is 43 characters).
const MAX_IP_CHARS: usize = 64;

/// Parameters of creating or changing an IP block.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct IpBlockParams {
    /// An address or a network in CIDR notation.
    ip: Option<String>,
    /// `sign_up_requires_approval`, `sign_up_block` or `no_access`.
    severity: Option<String>,
    comment: Option<String>,
    /// Seconds until the block expires; blank or null: never.
    #[serde(default, deserialize_with = "nullable_string")]
    #[schema(value_type = Option<String>)]
    expires_in: Option<Option<String>>,
}

impl IpBlockParams {
    /// The service's input, once the lengths are checked.
    fn input(self) -> ApiResult<IpBlockInput> {
        check_length("comment", self.comment.as_deref(), MAX_COMMENT_CHARS)?;
        check_length("ip", self.ip.as_deref(), MAX_IP_CHARS)?;
        Ok(IpBlockInput {
            ip: self.ip,
            severity: self.severity,
            comment: self.comment,
            expires_in: self.expires_in.map(Option::unwrap_or_default),
        })
    }
}

/// Lists IP blocks, newest first.
#[utoipa::path(get, path = "/api/v1/admin/ip_blocks", tag = "admin", params(PageParams),
    security(("bearer" = ["admin:read:ip_blocks"])), responses((status = 200, body = [IpBlock]), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    _staff: Staff<ReadIpBlocks>,
    Params(paging): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<IpBlock>>)> {
    let page = paging.page(100, 200);
    let rows = ip_blocks::page(&state.db, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/admin/ip_blocks",
        &ids,
        page.limit,
    );
    Ok((headers, Json(rows.iter().map(IpBlock::from_row).collect())))
}

/// One IP block.
#[utoipa::path(get, path = "/api/v1/admin/ip_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "IP block id")),
    security(("bearer" = ["admin:read:ip_blocks"])), responses((status = 200, body = IpBlock), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    _staff: Staff<ReadIpBlocks>,
    Path(id): Path<Id>,
) -> ApiResult<Json<IpBlock>> {
    Ok(Json(IpBlock::from_row(&service::find(&state, id.0).await?)))
}

/// Blocks an address or network.
#[utoipa::path(post, path = "/api/v1/admin/ip_blocks", tag = "admin", request_body = IpBlockParams,
    security(("bearer" = ["admin:write:ip_blocks"])), responses((status = 200, body = IpBlock), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    _staff: Staff<WriteIpBlocks>,
    Params(params): Params<IpBlockParams>,
) -> ApiResult<Json<IpBlock>> {
    let row = service::create(&state, &params.input()?).await?;
    Ok(Json(IpBlock::from_row(&row)))
}

/// Changes an IP block (fields left out keep their values).
#[utoipa::path(put, path = "/api/v1/admin/ip_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "IP block id")), request_body = IpBlockParams,
    security(("bearer" = ["admin:write:ip_blocks"])),
    responses((status = 200, body = IpBlock), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    _staff: Staff<WriteIpBlocks>,
    Path(id): Path<Id>,
    Params(params): Params<IpBlockParams>,
) -> ApiResult<Json<IpBlock>> {
    let row = service::update(&state, id.0, &params.input()?).await?;
    Ok(Json(IpBlock::from_row(&row)))
}

/// Lifts an IP block.
#[utoipa::path(delete, path = "/api/v1/admin/ip_blocks/{id}", tag = "admin",
    params(("id" = String, Path, description = "IP block id")),
    security(("bearer" = ["admin:write:ip_blocks"])), responses((status = 200, body = Empty), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    _staff: Staff<WriteIpBlocks>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::delete(&state, id.0).await?;
    Ok(Json(Empty {}))
}
