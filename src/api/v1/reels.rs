//! Reels (a Roost extension): the reels feed and one account's reels, newest first,
//! paged by id with `Link` headers, as Mastodon's timelines. A reel is posted with
//! `POST /api/v1/statuses` and `reel=true`; the rules are `services::reels`'.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;

use crate::api::entities::status::{self, Status};
use crate::api::paging::{link_header, PageParams};
use crate::api::params::Params;
use crate::auth::scoped::ReadStatuses;
use crate::auth::OptionalToken;
use crate::domain::filters::FilterContext;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::reels;
use crate::state::AppState;

/// Default and largest page sizes (as the timelines').
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 40;

/// The reels feed: public reels, and the reels of the caller and of the accounts they
/// follow (followers-only ones included), newest first. Without a token: public reels.
#[utoipa::path(get, path = "/api/v1/roost/reels", tag = "reels", params(PageParams),
    responses((status = 200, body = Vec<Status>)))]
pub async fn feed(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let bounds = params.page(DEFAULT_LIMIT, MAX_LIMIT);
    let viewer = token.account_id();
    let rows = reels::feed(&state, viewer, &bounds).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let rendered = status::render_in(&state, viewer, rows, FilterContext::Public).await?;
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/roost/reels",
        &ids,
        bounds.limit,
    );
    Ok((headers, Json(rendered)))
}

/// One account's reels as the caller may see them, newest first.
#[utoipa::path(get, path = "/api/v1/roost/accounts/{id}/reels", tag = "reels",
    params(("id" = String, Path, description = "Account id"), PageParams),
    responses((status = 200, body = Vec<Status>), (status = 404)))]
pub async fn account(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Path(id): Path<Id>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let bounds = params.page(DEFAULT_LIMIT, MAX_LIMIT);
    let viewer = token.account_id();
    let rows = reels::of_account(&state, viewer, id.0, &bounds).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let rendered = status::render_in(&state, viewer, rows, FilterContext::Account).await?;
    let path = format!("/api/v1/roost/accounts/{}/reels", id.0);
    let headers = link_header(&state.config.base_url(), &path, &ids, bounds.limit);
    Ok((headers, Json(rendered)))
}
