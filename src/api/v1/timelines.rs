//! Timelines: home, public, and one account's statuses
//! (<https://docs.joinmastodon.org/methods/timelines/>), newest first, paged by id
//! with `Link` headers. Fan-out on read over indexed queries.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::status::{self, Status};
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, Params};
use crate::auth::{CurrentUser, MaybeToken};
use crate::db::statuses::{self, Timeline};
use crate::error::ApiResult;
use crate::state::AppState;

/// Default and largest page sizes (Mastodon's).
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 40;

async fn page(
    state: &AppState,
    viewer: Option<i64>,
    which: Timeline,
    params: &PageParams,
    path: &str,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let bounds = params.page(DEFAULT_LIMIT, MAX_LIMIT);
    let rows = statuses::timeline(&state.db, viewer, which, &bounds).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let rendered = status::render(state, viewer, rows).await?;
    let headers = link_header(&state.config.base_url(), path, &ids, bounds.limit);
    Ok((headers, Json(rendered)))
}

/// The signed-in user's home timeline.
#[utoipa::path(get, path = "/api/v1/timelines/home", tag = "timelines", params(PageParams),
    security(("bearer" = ["read:statuses"])), responses((status = 200, body = Vec<Status>)))]
pub async fn home(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    user.token.require_scope(&["read:statuses"])?;
    page(
        &state,
        Some(user.account_id),
        Timeline::Home,
        &params,
        "/api/v1/timelines/home",
    )
    .await
}

/// Filters of the public timeline.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicParams {
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    local: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    remote: Option<bool>,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageParams,
}

/// Public statuses of this instance and the ones it knows.
#[utoipa::path(get, path = "/api/v1/timelines/public", tag = "timelines", params(PublicParams),
    responses((status = 200, body = Vec<Status>)))]
pub async fn public(
    State(state): State<AppState>,
    MaybeToken(token): MaybeToken,
    Params(params): Params<PublicParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    if let Some(token) = &token {
        token.require_scope(&["read:statuses"])?;
    }
    let local = match (params.local, params.remote) {
        (Some(true), _) => Some(true),
        (_, Some(true)) => Some(false),
        _ => None,
    };
    let viewer = token.and_then(|t| t.account_id);
    page(
        &state,
        viewer,
        Timeline::Public { local },
        &params.page,
        "/api/v1/timelines/public",
    )
    .await
}

/// Filters of an account's statuses.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountStatusesParams {
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    exclude_replies: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    exclude_reblogs: Option<bool>,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageParams,
}

/// The statuses of one account that the caller may see.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/statuses", tag = "timelines",
    params(("id" = String, Path, description = "Account id"), AccountStatusesParams),
    responses((status = 200, body = Vec<Status>), (status = 404)))]
pub async fn account(
    State(state): State<AppState>,
    MaybeToken(token): MaybeToken,
    Path(id): Path<String>,
    Params(params): Params<AccountStatusesParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    if let Some(token) = &token {
        token.require_scope(&["read:statuses"])?;
    }
    let account = super::follows::load_account(&state, &id).await?;
    let which = Timeline::Account {
        account_id: account.id,
        exclude_replies: params.exclude_replies.unwrap_or(false),
        exclude_reblogs: params.exclude_reblogs.unwrap_or(false),
    };
    let viewer = token.and_then(|t| t.account_id);
    page(
        &state,
        viewer,
        which,
        &params.page,
        &format!("/api/v1/accounts/{}/statuses", account.id),
    )
    .await
}
