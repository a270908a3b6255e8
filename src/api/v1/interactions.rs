//! Acting on statuses: favourite, boost, bookmark, pin, who favourited or boosted, the
//! thread around a status, and the signed-in user's favourites and bookmarks
//! (<https://docs.joinmastodon.org/methods/statuses/>).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::Json;
use serde::Deserialize;

use crate::api::entities::context::Context;
use crate::api::entities::status::{self, Status};
use crate::api::entities::Account;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::Params;
use crate::auth::scoped::{
    ReadAccounts, ReadBookmarks, ReadFavourites, ReadStatuses, WriteAccounts, WriteBookmarks,
    WriteFavourites, WriteMutes, WriteStatuses,
};
use crate::auth::{OptionalToken, User};
use crate::db::interactions::{self, Mark};
use crate::db::statuses::{self, StatusRow};
use crate::domain::filters::FilterContext;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::interactions as service;
use crate::state::AppState;

/// A status the caller may see (404 otherwise).
async fn visible(state: &AppState, viewer: Option<i64>, id: Id) -> ApiResult<StatusRow> {
    statuses::find_visible(&state.db, viewer, id.0)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The status `id` as `viewer` sees it now.
async fn render(state: &AppState, viewer: i64, id: i64) -> ApiResult<Json<Status>> {
    let row = visible(state, Some(viewer), Id(id)).await?;
    let mut rendered = status::render(state, Some(viewer), vec![row]).await?;
    rendered.pop().map(Json).ok_or(ApiError::NotFound)
}

/// An endpoint that sets or clears a mark on a status and answers the status: the
/// service call and the rendering, for a user whose token holds `$scope` (a
/// [`crate::auth::Scope`] type; `$scope_name` is its scope for the OpenAPI document).
macro_rules! mark_endpoint {
    ($name:ident, $path:literal, $service:path, $scope:ty, $scope_name:literal, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "statuses",
            params(("id" = String, Path, description = "Status id")), security(("bearer" = [$scope_name])),
            responses((status = 200, body = Status), (status = 404), (status = 422)))]
        pub async fn $name(
            State(state): State<AppState>,
            user: User<$scope>,
            Path(id): Path<Id>,
        ) -> ApiResult<Json<Status>> {
            let marked = $service(&state, user.account_id, id.0).await?;
            render(&state, user.account_id, marked.status_id).await
        }
    };
}

mark_endpoint!(
    favourite,
    "/api/v1/statuses/{id}/favourite",
    service::favourite,
    WriteFavourites,
    "write:favourites",
    "Favourites a status (idempotent)."
);
mark_endpoint!(
    unfavourite,
    "/api/v1/statuses/{id}/unfavourite",
    service::unfavourite,
    WriteFavourites,
    "write:favourites",
    "Removes a favourite (idempotent)."
);
mark_endpoint!(
    bookmark,
    "/api/v1/statuses/{id}/bookmark",
    service::bookmark,
    WriteBookmarks,
    "write:bookmarks",
    "Bookmarks a status (idempotent)."
);
mark_endpoint!(
    unbookmark,
    "/api/v1/statuses/{id}/unbookmark",
    service::unbookmark,
    WriteBookmarks,
    "write:bookmarks",
    "Removes a bookmark (idempotent)."
);
mark_endpoint!(
    pin,
    "/api/v1/statuses/{id}/pin",
    service::pin,
    WriteAccounts,
    "write:accounts",
    "Pins one of the caller's statuses to their profile (at most 5)."
);
mark_endpoint!(
    unpin,
    "/api/v1/statuses/{id}/unpin",
    service::unpin,
    WriteAccounts,
    "write:accounts",
    "Unpins a status."
);

/// Visibility of a boost.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReblogParams {
    visibility: Option<String>,
}

/// Boosts a status (returns the boost, with the original in `reblog`). Boosting
/// again returns the existing boost. Followers-only and direct statuses of others
/// cannot be boosted.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/reblog", tag = "statuses",
    params(("id" = String, Path, description = "Status id")), request_body = ReblogParams,
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 404), (status = 422)))]
pub async fn reblog(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
    Params(params): Params<ReblogParams>,
) -> ApiResult<Json<Status>> {
    let visibility = params.visibility.as_deref();
    let boost = service::reblog(&state, user.account_id, id.0, visibility).await?;
    render(&state, user.account_id, boost.id).await
}

/// Undoes the caller's boost and returns the original status.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/unreblog", tag = "statuses",
    params(("id" = String, Path, description = "Status id")), security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 404)))]
pub async fn unreblog(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Status>> {
    let unmarked = service::unreblog(&state, user.account_id, id.0).await?;
    render(&state, user.account_id, unmarked.status_id).await
}

async fn actors(
    state: AppState,
    viewer: Option<i64>,
    id: Id,
    boosts: bool,
    params: PageParams,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let page = params.page(40, 80);
    let found = service::actors(&state, viewer, id.0, boosts, &page).await?;
    let listed = found
        .accounts
        .iter()
        .map(|a| Account::from_row(a, &state.config))
        .collect();
    let which = if boosts {
        "reblogged_by"
    } else {
        "favourited_by"
    };
    let headers = link_header(
        &state.config.base_url(),
        &format!("/api/v1/statuses/{}/{which}", id.0),
        &found.row_ids,
        page.limit,
    );
    Ok((headers, Json(listed)))
}

/// Accounts that favourited the status.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/favourited_by", tag = "statuses",
    params(("id" = String, Path, description = "Status id"), PageParams),
    responses((status = 200, body = Vec<Account>), (status = 404)))]
pub async fn favourited_by(
    State(state): State<AppState>,
    token: OptionalToken<ReadAccounts>,
    Path(id): Path<Id>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    actors(state, token.account_id(), id, false, params).await
}

/// Accounts that boosted the status.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/reblogged_by", tag = "statuses",
    params(("id" = String, Path, description = "Status id"), PageParams),
    responses((status = 200, body = Vec<Account>), (status = 404)))]
pub async fn reblogged_by(
    State(state): State<AppState>,
    token: OptionalToken<ReadAccounts>,
    Path(id): Path<Id>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    actors(state, token.account_id(), id, true, params).await
}

/// The thread around a status: visible ancestors (oldest first) and descendants,
/// judged by the viewer's filters of the `thread` context.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/context", tag = "statuses",
    params(("id" = String, Path, description = "Status id")),
    responses((status = 200, body = Context), (status = 404)))]
pub async fn context(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<(HeaderMap, Json<Context>)> {
    let viewer = token.account_id();
    let target = visible(&state, viewer, id).await?;
    let thread = crate::services::thread_backfill::thread(&state, viewer, &target).await?;
    // Rendered and filtered together (one load of the viewer's filters), then split.
    let above: std::collections::HashSet<i64> = thread.ancestors.iter().map(|row| row.id).collect();
    let rows: Vec<StatusRow> = thread
        .ancestors
        .into_iter()
        .chain(thread.descendants)
        .collect();
    let rendered = status::render_in(&state, viewer, rows, FilterContext::Thread).await?;
    let (ancestors, descendants) = rendered
        .into_iter()
        .partition(|shown| above.contains(&shown.id.0));
    let mut headers = HeaderMap::new();
    let refresh = thread.refresh.as_ref().and_then(|r| r.header_value());
    if let Some(value) = refresh.and_then(|value| HeaderValue::from_str(&value).ok()) {
        headers.insert("mastodon-async-refresh", value);
    }
    Ok((
        headers,
        Json(Context {
            ancestors,
            descendants,
        }),
    ))
}

async fn marked(
    state: AppState,
    viewer: i64,
    mark: Mark,
    params: PageParams,
    path: &str,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let page = params.page(20, 40);
    let rows = interactions::page_of_marks(&state.db, mark, viewer, &page).await?;
    let mut found =
        statuses::find_many(&state.db, &rows.iter().map(|(_, s)| *s).collect::<Vec<_>>()).await?;
    found.sort_by_key(|row| rows.iter().position(|(_, s)| *s == row.id));
    let rendered = status::render(&state, Some(viewer), found).await?;
    let ids: Vec<i64> = rows.iter().map(|(m, _)| *m).collect();
    Ok((
        link_header(&state.config.base_url(), path, &ids, page.limit),
        Json(rendered),
    ))
}

/// The signed-in user's favourites, most recent first.
#[utoipa::path(get, path = "/api/v1/favourites", tag = "statuses", params(PageParams),
    security(("bearer" = ["read:favourites"])), responses((status = 200, body = Vec<Status>)))]
pub async fn favourites(
    State(state): State<AppState>,
    user: User<ReadFavourites>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    marked(
        state,
        user.account_id,
        Mark::Favourite,
        params,
        "/api/v1/favourites",
    )
    .await
}

/// The signed-in user's bookmarks, most recent first.
#[utoipa::path(get, path = "/api/v1/bookmarks", tag = "statuses", params(PageParams),
    security(("bearer" = ["read:bookmarks"])), responses((status = 200, body = Vec<Status>)))]
pub async fn bookmarks(
    State(state): State<AppState>,
    user: User<ReadBookmarks>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    marked(
        state,
        user.account_id,
        Mark::Bookmark,
        params,
        "/api/v1/bookmarks",
    )
    .await
}

/// Mutes the thread of a status: the user is no longer notified about its statuses.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/mute", tag = "statuses",
    params(("id" = String, Path, description = "Status id")), security(("bearer" = ["write:mutes"])),
    responses((status = 200, body = Status), (status = 404)))]
pub async fn mute_thread(
    State(state): State<AppState>,
    user: User<WriteMutes>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Status>> {
    let row =
        crate::services::conversations::mute_thread(&state, user.account_id, id.0, true).await?;
    render(&state, user.account_id, row.id).await
}

/// Unmutes the thread of a status.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/unmute", tag = "statuses",
    params(("id" = String, Path, description = "Status id")), security(("bearer" = ["write:mutes"])),
    responses((status = 200, body = Status), (status = 404)))]
pub async fn unmute_thread(
    State(state): State<AppState>,
    user: User<WriteMutes>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Status>> {
    let row =
        crate::services::conversations::mute_thread(&state, user.account_id, id.0, false).await?;
    render(&state, user.account_id, row.id).await
}
