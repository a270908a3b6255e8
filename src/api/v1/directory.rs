//! `GET /api/v1/directory`: the profile directory
//! (<https://docs.joinmastodon.org/methods/directory/>). No token needed.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::Account;
use crate::api::params::{lenient_opt_bool, Params};
use crate::error::ApiResult;
use crate::services::directory::{self as service, DirectoryOrder};
use crate::state::AppState;

/// Parameters of the directory.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryParams {
    /// Accounts to skip (at most 10,000).
    offset: Option<String>,
    /// Accounts to return: default 40, at most 80.
    limit: Option<String>,
    /// `active` (default: recently posted first) or `new` (newest accounts first).
    order: Option<String>,
    /// Only local accounts.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    local: Option<bool>,
}

/// Discoverable accounts, neither suspended nor silenced.
#[utoipa::path(get, path = "/api/v1/directory", tag = "directory", params(DirectoryParams),
    responses((status = 200, description = "Account entities", body = Vec<Account>)))]
pub async fn index(
    State(state): State<AppState>,
    Params(params): Params<DirectoryParams>,
) -> ApiResult<Json<Vec<Account>>> {
    let number = |value: &Option<String>| value.as_deref().and_then(|v| v.parse::<i64>().ok());
    let limit = number(&params.limit).unwrap_or(40).clamp(1, 80);
    let offset = number(&params.offset).unwrap_or(0);
    let order = match params.order.as_deref() {
        Some("new") => DirectoryOrder::New,
        _ => DirectoryOrder::Active,
    };
    let local = params.local.unwrap_or(false);
    let rows = service::page(&state, order, local, offset, limit).await?;
    Ok(Json(
        rows.iter()
            .map(|row| Account::from_row(row, &state.config))
            .collect(),
    ))
}
