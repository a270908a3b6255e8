//! Blocks and mutes of accounts: block/unblock, mute/unmute and the lists of blocked
//! and muted accounts (<https://docs.joinmastodon.org/methods/accounts/#block>,
//! <https://docs.joinmastodon.org/methods/blocks/>,
//! <https://docs.joinmastodon.org/methods/mutes/>).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::follows::{load_account, relationship, signed_in_account};
use crate::api::entities::relationship::Relationship;
use crate::api::entities::{timestamp, Account};
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, Params};
use crate::auth::CurrentUser;
use crate::db::{accounts, blocks, mutes};
use crate::error::{ApiError, ApiResult};
use crate::federation::blocks as block_service;
use crate::state::AppState;

/// Longest mute accepted: about a hundred years (Mastodon has no limit).
const MAX_MUTE_SECONDS: i64 = 100 * 365 * 24 * 3600;

/// Blocks an account: follows between the two end, each stops seeing the other, and a
/// remote account's server is told with `Block`.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/block", tag = "blocks",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:blocks", "follow"])),
    responses((status = 200, body = Relationship), (status = 403), (status = 404)))]
pub async fn block(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    user.token.require_scope(&["write:blocks"])?;
    let target = load_account(&state, &id).await?;
    if target.id == user.account_id {
        return Err(ApiError::Forbidden("You cannot block yourself".into()));
    }
    let me = signed_in_account(&state, &user).await?;
    block_service::block(&state, &me, &target).await?;
    relationship(&state, me.id, target.id).await
}

/// Unblocks an account (a remote one's server gets `Undo(Block)`).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unblock", tag = "blocks",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:blocks", "follow"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn unblock(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    user.token.require_scope(&["write:blocks"])?;
    let target = load_account(&state, &id).await?;
    let me = signed_in_account(&state, &user).await?;
    block_service::unblock(&state, &me, &target).await?;
    relationship(&state, me.id, target.id).await
}

/// Accounts the signed-in user blocks, newest block first (Link-header paging).
#[utoipa::path(get, path = "/api/v1/blocks", tag = "blocks", params(PageParams),
    security(("bearer" = ["read:blocks", "follow"])),
    responses((status = 200, body = Vec<Account>)))]
pub async fn blocked(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    user.token.require_scope(&["read:blocks"])?;
    let page = params.page(40, 80);
    let rows = blocks::page(&state.db, user.account_id, &page).await?;
    let targets: Vec<i64> = rows.iter().map(|row| row.target_account_id).collect();
    let listed = accounts_in_order(&state, &targets).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(&state.config.base_url(), "/api/v1/blocks", &ids, page.limit);
    Ok((headers, Json(listed)))
}

/// Renders accounts by id, keeping the order (unknown ids are left out).
async fn accounts_in_order(state: &AppState, ids: &[i64]) -> ApiResult<Vec<Account>> {
    let found = accounts::find_many(&state.db, ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|row| row.id == *id))
        .map(|row| Account::from_row(row, &state.config))
        .collect())
}

/// Options of `POST /api/v1/accounts/:id/mute`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct MuteParams {
    /// Also hide notifications from the account (default true).
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    notifications: Option<bool>,
    /// Seconds until the mute ends; 0 or absent: indefinite.
    #[schema(value_type = Option<i64>)]
    duration: Option<Value>,
}

/// `duration` as seconds: a number or a numeric string, 0..=about a century.
fn mute_duration(value: Option<&Value>) -> ApiResult<Option<Duration>> {
    let seconds = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(number)) => number.as_i64(),
        Some(Value::String(text)) if text.trim().is_empty() => return Ok(None),
        Some(Value::String(text)) => text.trim().parse::<i64>().ok(),
        Some(_) => None,
    };
    match seconds {
        Some(0) => Ok(None),
        Some(seconds) if (1..=MAX_MUTE_SECONDS).contains(&seconds) => {
            Ok(Some(Duration::seconds(seconds)))
        }
        _ => Err(ApiError::validation(
            "duration",
            "ERR_INVALID",
            "duration must be a number of seconds (0 for indefinite)",
        )),
    }
}

/// Mutes an account: its posts leave the user's feeds (not its profile), and its
/// notifications too unless `notifications=false`. Muting again updates the options.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/mute", tag = "mutes",
    params(("id" = String, Path, description = "Account id")), request_body = MuteParams,
    security(("bearer" = ["write:mutes", "follow"])),
    responses((status = 200, body = Relationship), (status = 403), (status = 404), (status = 422)))]
pub async fn mute(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Params(params): Params<MuteParams>,
) -> ApiResult<Json<Relationship>> {
    user.token.require_scope(&["write:mutes"])?;
    let target = load_account(&state, &id).await?;
    if target.id == user.account_id {
        return Err(ApiError::Forbidden("You cannot mute yourself".into()));
    }
    let expires_at = mute_duration(params.duration.as_ref())?.map(|d| Utc::now() + d);
    let notifications = params.notifications.unwrap_or(true);
    mutes::upsert(
        &state.db,
        user.account_id,
        target.id,
        notifications,
        expires_at,
    )
    .await?;
    relationship(&state, user.account_id, target.id).await
}

/// Unmutes an account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unmute", tag = "mutes",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:mutes", "follow"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn unmute(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    user.token.require_scope(&["write:mutes"])?;
    let target = load_account(&state, &id).await?;
    mutes::delete(&state.db, user.account_id, target.id).await?;
    relationship(&state, user.account_id, target.id).await
}

/// Accounts the signed-in user mutes, newest mute first, each with `mute_expires_at`
/// (Link-header paging).
#[utoipa::path(get, path = "/api/v1/mutes", tag = "mutes", params(PageParams),
    security(("bearer" = ["read:mutes", "follow"])),
    responses((status = 200, description = "Accounts with mute_expires_at", body = Vec<Object>)))]
pub async fn muted(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    user.token.require_scope(&["read:mutes"])?;
    let page = params.page(40, 80);
    let rows = mutes::page(&state.db, user.account_id, &page).await?;
    let targets: Vec<i64> = rows.iter().map(|row| row.target_account_id).collect();
    let found = accounts::find_many(&state.db, &targets).await?;
    let mut listed = Vec::with_capacity(rows.len());
    for row in &rows {
        let Some(account) = found.iter().find(|a| a.id == row.target_account_id) else {
            continue;
        };
        let mut entity = serde_json::to_value(Account::from_row(account, &state.config))
            .map_err(anyhow::Error::from)?;
        entity["mute_expires_at"] = row.expires_at.map(timestamp).into();
        listed.push(entity);
    }
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(&state.config.base_url(), "/api/v1/mutes", &ids, page.limit);
    Ok((headers, Json(listed)))
}
