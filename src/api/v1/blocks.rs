//! Blocks and mutes of accounts: block/unblock, mute/unmute and the lists of blocked
//! and muted accounts (<https://docs.joinmastodon.org/methods/accounts/#block>,
//! <https://docs.joinmastodon.org/methods/blocks/>,
//! <https://docs.joinmastodon.org/methods/mutes/>). Each extracts its input, calls
//! `services::blocks` and renders; the rules live there.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

use super::follows::{parties, relationship};
use crate::api::entities::relationship::{MutedAccount, Relationship};
use crate::api::entities::{timestamp, Account};
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, Params};
use crate::auth::scoped::{ReadBlocks, ReadMutes, WriteBlocks, WriteMutes};
use crate::auth::User;
use crate::db::{accounts, blocks, mutes};
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::blocks::{self as service, MuteOptions};
use crate::state::AppState;

/// Blocks an account: follows between the two end, each stops seeing the other, and a
/// remote account's server is told with `Block`.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/block", tag = "blocks",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:blocks", "follow"])),
    responses((status = 200, body = Relationship), (status = 403), (status = 404)))]
pub async fn block(
    State(state): State<AppState>,
    user: User<WriteBlocks>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Relationship>> {
    let (me, target) = parties(&state, user.account_id, id).await?;
    service::block(&state, &me, &target, None).await?;
    relationship(&state, me.id, target.id).await
}

/// Unblocks an account (a remote one's server gets `Undo(Block)`).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unblock", tag = "blocks",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:blocks", "follow"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn unblock(
    State(state): State<AppState>,
    user: User<WriteBlocks>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Relationship>> {
    let (me, target) = parties(&state, user.account_id, id).await?;
    service::unblock(&state, &me, &target).await?;
    relationship(&state, me.id, target.id).await
}

/// Accounts the signed-in user blocks, newest block first (Link-header paging).
#[utoipa::path(get, path = "/api/v1/blocks", tag = "blocks", params(PageParams),
    security(("bearer" = ["read:blocks", "follow"])),
    responses((status = 200, body = Vec<Account>)))]
pub async fn blocked(
    State(state): State<AppState>,
    user: User<ReadBlocks>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let page = params.page(40, 80);
    let rows = blocks::page(&state.db, user.account_id, &page).await?;
    let targets: Vec<i64> = rows.iter().map(|row| row.target_account_id).collect();
    let found = accounts::find_many(&state.db, &targets).await?;
    let listed = targets
        .iter()
        .filter_map(|id| found.iter().find(|row| row.id == *id))
        .map(|row| Account::from_row(row, &state.config))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(&state.config.base_url(), "/api/v1/blocks", &ids, page.limit);
    Ok((headers, Json(listed)))
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

impl MuteParams {
    /// The options, with `duration` read as seconds from a number or a numeric string
    /// (blank: absent). Errors: `Validation` when it is neither.
    fn options(&self) -> ApiResult<MuteOptions> {
        let duration_seconds = match &self.duration {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) if text.trim().is_empty() => None,
            Some(Value::Number(number)) => Some(number.as_i64()),
            Some(Value::String(text)) => Some(text.trim().parse::<i64>().ok()),
            Some(_) => Some(None),
        };
        Ok(MuteOptions {
            notifications: self.notifications.unwrap_or(true),
            duration_seconds: duration_seconds
                .map(|seconds| seconds.ok_or_else(service::invalid_duration))
                .transpose()?,
        })
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
    user: User<WriteMutes>,
    Path(id): Path<Id>,
    Params(params): Params<MuteParams>,
) -> ApiResult<Json<Relationship>> {
    let (me, target) = parties(&state, user.account_id, id).await?;
    service::mute(&state, &me, &target, params.options()?).await?;
    relationship(&state, me.id, target.id).await
}

/// Unmutes an account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unmute", tag = "mutes",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:mutes", "follow"])),
    responses((status = 200, body = Relationship), (status = 404)))]
pub async fn unmute(
    State(state): State<AppState>,
    user: User<WriteMutes>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Relationship>> {
    let (me, target) = parties(&state, user.account_id, id).await?;
    service::unmute(&state, &me, &target).await?;
    relationship(&state, me.id, target.id).await
}

/// Accounts the signed-in user mutes, newest mute first, each with `mute_expires_at`
/// (Link-header paging).
#[utoipa::path(get, path = "/api/v1/mutes", tag = "mutes", params(PageParams),
    security(("bearer" = ["read:mutes", "follow"])),
    responses((status = 200, body = Vec<MutedAccount>)))]
pub async fn muted(
    State(state): State<AppState>,
    user: User<ReadMutes>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<MutedAccount>>)> {
    let page = params.page(40, 80);
    let rows = mutes::page(&state.db, user.account_id, &page).await?;
    let targets: Vec<i64> = rows.iter().map(|row| row.target_account_id).collect();
    let found = accounts::find_many(&state.db, &targets).await?;
    let listed = rows
        .iter()
        .filter_map(|row| {
            let account = found.iter().find(|a| a.id == row.target_account_id)?;
            Some(MutedAccount {
                account: Account::from_row(account, &state.config),
                mute_expires_at: row.expires_at.map(timestamp),
            })
        })
        .collect();
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(&state.config.base_url(), "/api/v1/mutes", &ids, page.limit);
    Ok((headers, Json(listed)))
}
