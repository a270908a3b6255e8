//! Finding accounts: `GET /api/v1/accounts/search` and the accounts part of
//! `GET /api/v2/search` (<https://docs.joinmastodon.org/methods/search/>). With
//! `resolve=true` and a signed-in user, `user@domain` handles unknown here are looked
//! up on their server through WebFinger.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::search::SearchResults;
use crate::api::entities::Account;
use crate::api::params::{lenient_opt_bool, Params};
use crate::auth::scoped::{ReadAccounts, ReadSearch};
use crate::auth::{OptionalToken, User};
use crate::db::accounts::{self, AccountRow};
use crate::db::hiding;
use crate::error::{ApiError, ApiResult};
use crate::federation::resolve;
use crate::state::AppState;

/// Parameters of account search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    q: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    resolve: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    following: Option<bool>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// Splits `user@domain` / `@user@domain` into its parts (`None` for plain words).
pub(crate) fn split_handle<'a>(
    query: &'a str,
    local_domain: &str,
) -> Option<(&'a str, Option<&'a str>)> {
    let handle = query.trim().trim_start_matches('@');
    let (user, domain) = handle.split_once('@')?;
    let valid = !user.is_empty()
        && user.len() <= 100
        && !domain.is_empty()
        && domain.len() <= 253
        && !domain.contains(['/', '@', ' ', '?', '#']);
    valid.then(|| {
        (
            user,
            (!domain.eq_ignore_ascii_case(local_domain)).then_some(domain),
        )
    })
}

/// Accounts matching the query, without those in a block with the viewer.
async fn find_accounts(
    state: &AppState,
    viewer: Option<i64>,
    params: &SearchParams,
) -> ApiResult<Vec<AccountRow>> {
    let mut found = matching_accounts(state, viewer, params).await?;
    if let Some(viewer) = viewer {
        let ids: Vec<i64> = found.iter().map(|a| a.id).collect();
        let blocked = hiding::blocked_among(&state.db, viewer, &ids).await?;
        found.retain(|a| !blocked.contains(&a.id));
    }
    Ok(found)
}

async fn matching_accounts(
    state: &AppState,
    viewer: Option<i64>,
    params: &SearchParams,
) -> ApiResult<Vec<AccountRow>> {
    let query = params.q.as_deref().unwrap_or_default().trim();
    if query.is_empty() || query.len() > 500 {
        return Ok(Vec::new());
    }
    let limit = params
        .limit
        .as_deref()
        .and_then(|l| l.parse::<i64>().ok())
        .unwrap_or(40)
        .clamp(1, 80);
    let offset = params
        .offset
        .as_deref()
        .and_then(|o| o.parse::<i64>().ok())
        .unwrap_or(0)
        .clamp(0, 10_000);
    if let Some((user, domain)) = split_handle(query, &state.config.domain) {
        let known = accounts::find_visible_by_acct(&state.db, user, domain).await?;
        let found = match (known, domain) {
            (Some(account), _) => Some(account),
            (None, Some(domain)) if params.resolve == Some(true) && viewer.is_some() => {
                match resolve::resolve_acct(state, user, domain).await {
                    Ok(account) => Some(account),
                    Err(error) => {
                        tracing::info!(%error, user, domain, "remote account not resolved");
                        None
                    }
                }
            }
            _ => None,
        };
        return Ok(found
            .filter(|a| a.suspended_at.is_none())
            .into_iter()
            .collect());
    }
    let following_of = if params.following == Some(true) {
        viewer
    } else {
        None
    };
    Ok(accounts::search(
        &state.db,
        query.trim_start_matches('@'),
        following_of,
        limit,
        offset,
    )
    .await?)
}

/// `GET /api/v1/accounts/search`.
#[utoipa::path(get, path = "/api/v1/accounts/search", tag = "accounts", params(SearchParams),
    security(("bearer" = ["read:accounts"])), responses((status = 200, body = Vec<Account>)))]
pub async fn accounts(
    State(state): State<AppState>,
    user: User<ReadAccounts>,
    Params(params): Params<SearchParams>,
) -> ApiResult<Json<Vec<Account>>> {
    let found = find_accounts(&state, Some(user.account_id), &params).await?;
    Ok(Json(
        found
            .iter()
            .map(|a| Account::from_row(a, &state.config))
            .collect(),
    ))
}

/// `GET /api/v2/search`: accounts only for now (statuses and hashtags are empty).
#[utoipa::path(get, path = "/api/v2/search", tag = "search", params(SearchParams),
    responses((status = 200, description = "Search entity", body = SearchResults)))]
pub async fn v2(
    State(state): State<AppState>,
    token: OptionalToken<ReadSearch>,
    Params(params): Params<SearchParams>,
) -> ApiResult<Json<SearchResults>> {
    let viewer = token.account_id();
    if params.resolve == Some(true) && viewer.is_none() {
        return Err(ApiError::Unauthorized(
            "Search queries that resolve remote resources require a signed-in user".into(),
        ));
    }
    let wants_accounts = params.kind.as_deref().is_none_or(|kind| kind == "accounts");
    let found = if wants_accounts {
        find_accounts(&state, viewer, &params).await?
    } else {
        Vec::new()
    };
    let accounts: Vec<Account> = found
        .iter()
        .map(|a| Account::from_row(a, &state.config))
        .collect();
    Ok(Json(SearchResults::accounts(accounts)))
}
