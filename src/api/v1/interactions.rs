//! Acting on statuses: favourite, boost, bookmark, pin, who favourited or boosted, the
//! thread around a status, and the signed-in user's favourites and bookmarks
//! (<https://docs.joinmastodon.org/methods/statuses/>).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::entities::status::{self, Status};
use crate::api::entities::Account;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::Params;
use crate::auth::{CurrentUser, MaybeToken};
use crate::db::accounts;
use crate::db::interactions::{self, Mark};
use crate::db::statuses::{self, NewStatus, StatusRow};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::federation::posts;
use crate::state::AppState;

/// Statuses a user may pin at most (Mastodon's default).
const MAX_PINS: i64 = 5;

/// A status the caller may see, by its id as a string (404 otherwise).
async fn visible(state: &AppState, viewer: Option<i64>, id: &str) -> ApiResult<StatusRow> {
    let id: Id = id.parse().map_err(|_| ApiError::NotFound)?;
    statuses::find_visible(&state.db, viewer, id.0)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn render(state: &AppState, viewer: i64, id: i64) -> ApiResult<Json<Status>> {
    let row = statuses::find_visible(&state.db, Some(viewer), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut rendered = status::render(state, Some(viewer), vec![row]).await?;
    rendered.pop().map(Json).ok_or(ApiError::NotFound)
}

async fn toggle(
    state: AppState,
    user: CurrentUser,
    id: String,
    mark: Mark,
    on: bool,
) -> ApiResult<Json<Status>> {
    let scope = match mark {
        Mark::Favourite => "write:favourites",
        Mark::Bookmark => "write:bookmarks",
        Mark::Pin => "write:accounts",
    };
    user.token.require_scope(&[scope])?;
    let target = visible(&state, Some(user.account_id), &id).await?;
    let target_id = target.reblog_of_id.unwrap_or(target.id);
    if mark == Mark::Pin && on {
        check_pinnable(&state, &user, &target).await?;
    }
    let original = match target.reblog_of_id {
        Some(_) => statuses::find_many(&state.db, &[target_id])
            .await?
            .pop()
            .ok_or(ApiError::NotFound)?,
        None => target,
    };
    let me = accounts::find_by_id(&state.db, user.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut transaction = state.db.begin().await?;
    if on {
        let like_id = crate::urls::new_activity(&state.config);
        let added = interactions::add(
            &mut transaction,
            mark,
            user.account_id,
            target_id,
            Some(&like_id),
        )
        .await?;
        if added && mark == Mark::Favourite {
            posts::send_like(&state, &mut transaction, &me, &original, &like_id, false).await?;
        }
    } else if let Some(Some(like_id)) =
        interactions::remove(&mut transaction, mark, user.account_id, target_id).await?
    {
        posts::send_like(&state, &mut transaction, &me, &original, &like_id, true).await?;
    }
    transaction.commit().await?;
    render(&state, user.account_id, target_id).await
}

async fn check_pinnable(state: &AppState, user: &CurrentUser, target: &StatusRow) -> ApiResult<()> {
    if target.account_id != user.account_id || target.reblog_of_id.is_some() {
        return Err(ApiError::validation(
            "status",
            "ERR_INVALID",
            "You can only pin your own statuses",
        ));
    }
    if target.visibility == "direct" {
        return Err(ApiError::validation(
            "status",
            "ERR_INVALID",
            "Direct messages cannot be pinned",
        ));
    }
    let marks = statuses::viewer_marks(&state.db, user.account_id, &[target.id]).await?;
    if marks.first().is_some_and(|marks| marks.pinned) {
        return Ok(());
    }
    if interactions::count_pins(&state.db, user.account_id).await? >= MAX_PINS {
        return Err(ApiError::validation(
            "status",
            "ERR_TOO_MANY",
            format!("You can pin at most {MAX_PINS} statuses"),
        ));
    }
    Ok(())
}

macro_rules! toggle_endpoint {
    ($name:ident, $path:literal, $mark:expr, $on:expr, $scope:literal, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "statuses",
            params(("id" = String, Path, description = "Status id")), security(("bearer" = [$scope])),
            responses((status = 200, body = Status), (status = 404), (status = 422)))]
        pub async fn $name(State(state): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> ApiResult<Json<Status>> {
            toggle(state, user, id, $mark, $on).await
        }
    };
}

toggle_endpoint!(
    favourite,
    "/api/v1/statuses/{id}/favourite",
    Mark::Favourite,
    true,
    "write:favourites",
    "Favourites a status (idempotent)."
);
toggle_endpoint!(
    unfavourite,
    "/api/v1/statuses/{id}/unfavourite",
    Mark::Favourite,
    false,
    "write:favourites",
    "Removes a favourite (idempotent)."
);
toggle_endpoint!(
    bookmark,
    "/api/v1/statuses/{id}/bookmark",
    Mark::Bookmark,
    true,
    "write:bookmarks",
    "Bookmarks a status (idempotent)."
);
toggle_endpoint!(
    unbookmark,
    "/api/v1/statuses/{id}/unbookmark",
    Mark::Bookmark,
    false,
    "write:bookmarks",
    "Removes a bookmark (idempotent)."
);
toggle_endpoint!(
    pin,
    "/api/v1/statuses/{id}/pin",
    Mark::Pin,
    true,
    "write:accounts",
    "Pins one of the caller's statuses to their profile (at most 5)."
);
toggle_endpoint!(
    unpin,
    "/api/v1/statuses/{id}/unpin",
    Mark::Pin,
    false,
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
    user: CurrentUser,
    Path(id): Path<String>,
    Params(params): Params<ReblogParams>,
) -> ApiResult<Json<Status>> {
    user.token.require_scope(&["write:statuses"])?;
    let target = visible(&state, Some(user.account_id), &id).await?;
    let original = match target.reblog_of_id {
        Some(original) => visible(&state, Some(user.account_id), &original.to_string()).await?,
        None => target,
    };
    let own_private = original.visibility == "private" && original.account_id == user.account_id;
    if matches!(original.visibility.as_str(), "private" | "direct") && !own_private {
        return Err(ApiError::validation(
            "reblog",
            "ERR_INVALID",
            "This status cannot be boosted",
        ));
    }
    if let Some(existing) = statuses::find_reblog(&state.db, user.account_id, original.id).await? {
        return render(&state, user.account_id, existing.id).await;
    }
    let visibility = match params.visibility.as_deref() {
        // A followers-only post stays followers-only, boosted or not.
        _ if own_private => "private",
        None => "public",
        Some(v @ ("public" | "unlisted" | "private")) => v,
        Some(_) => {
            return Err(ApiError::validation(
                "visibility",
                "ERR_INCLUSION",
                "Visibility is not included in the list",
            ))
        }
    };
    let mut transaction = state.db.begin().await?;
    let boost = statuses::insert(
        &mut transaction,
        &NewStatus::reblog(user.account_id, true, None, original.id, visibility),
    )
    .await;
    let boost = match boost {
        Ok(boost) => boost,
        // A concurrent boost by the same account won the unique index: return that one.
        Err(error) if crate::db::violated_constraint(&error) == Some("statuses_one_reblog_key") => {
            drop(transaction);
            let existing = statuses::find_reblog(&state.db, user.account_id, original.id)
                .await?
                .ok_or(ApiError::NotFound)?;
            return render(&state, user.account_id, existing.id).await;
        }
        Err(error) => return Err(error.into()),
    };
    let me = accounts::find_by_id(&mut *transaction, user.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    posts::send_announce(&state, &mut transaction, &me, &boost, &original, false).await?;
    transaction.commit().await?;
    render(&state, user.account_id, boost.id).await
}

/// Undoes the caller's boost and returns the original status.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/unreblog", tag = "statuses",
    params(("id" = String, Path, description = "Status id")), security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 404)))]
pub async fn unreblog(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    user.token.require_scope(&["write:statuses"])?;
    let target = visible(&state, Some(user.account_id), &id).await?;
    let original_id = target.reblog_of_id.unwrap_or(target.id);
    if let Some(boost) = statuses::find_reblog(&state.db, user.account_id, original_id).await? {
        let original = statuses::find_many(&state.db, &[original_id])
            .await?
            .pop()
            .ok_or(ApiError::NotFound)?;
        let me = accounts::find_by_id(&state.db, user.account_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let mut transaction = state.db.begin().await?;
        posts::send_announce(&state, &mut transaction, &me, &boost, &original, true).await?;
        statuses::delete(&mut transaction, boost.id).await?;
        transaction.commit().await?;
    }
    render(&state, user.account_id, original_id).await
}

async fn actors(
    state: AppState,
    token: MaybeToken,
    id: String,
    boosts: bool,
    params: PageParams,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    if let Some(token) = &token.0 {
        token.require_scope(&["read:accounts"])?;
    }
    let viewer = token.0.and_then(|t| t.account_id);
    let target = visible(&state, viewer, &id).await?;
    let page = params.page(40, 80);
    let rows = interactions::page_of_actors(&state.db, boosts, target.id, &page).await?;
    let account_ids: Vec<i64> = rows.iter().map(|(_, account)| *account).collect();
    let found = accounts::find_many(&state.db, &account_ids).await?;
    let listed = account_ids
        .iter()
        .filter_map(|id| {
            found
                .iter()
                .find(|a| a.id == *id && a.suspended_at.is_none())
        })
        .map(|a| Account::from_row(a, &state.config))
        .collect();
    let which = if boosts {
        "reblogged_by"
    } else {
        "favourited_by"
    };
    let ids: Vec<i64> = rows.iter().map(|(row, _)| *row).collect();
    let headers = link_header(
        &state.config.base_url(),
        &format!("/api/v1/statuses/{}/{which}", target.id),
        &ids,
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
    token: MaybeToken,
    Path(id): Path<String>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    actors(state, token, id, false, params).await
}

/// Accounts that boosted the status.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/reblogged_by", tag = "statuses",
    params(("id" = String, Path, description = "Status id"), PageParams),
    responses((status = 200, body = Vec<Account>), (status = 404)))]
pub async fn reblogged_by(
    State(state): State<AppState>,
    token: MaybeToken,
    Path(id): Path<String>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    actors(state, token, id, true, params).await
}

/// The thread around a status: visible ancestors (oldest first) and descendants.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/context", tag = "statuses",
    params(("id" = String, Path, description = "Status id")),
    responses((status = 200, description = "Context entity", body = Object), (status = 404)))]
pub async fn context(
    State(state): State<AppState>,
    MaybeToken(token): MaybeToken,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    if let Some(token) = &token {
        token.require_scope(&["read:statuses"])?;
    }
    let viewer = token.and_then(|t| t.account_id);
    let target = visible(&state, viewer, &id).await?;
    let ancestors = statuses::ancestors(&state.db, viewer, target.id, 40).await?;
    let descendants = statuses::descendants(&state.db, viewer, target.id, 60).await?;
    let ancestors = status::render(&state, viewer, ancestors).await?;
    let descendants = status::render(&state, viewer, descendants).await?;
    Ok(Json(
        json!({ "ancestors": ancestors, "descendants": descendants }),
    ))
}

async fn marked(
    state: AppState,
    user: CurrentUser,
    mark: Mark,
    params: PageParams,
    path: &str,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let page = params.page(20, 40);
    let rows = interactions::page_of_marks(&state.db, mark, user.account_id, &page).await?;
    let mut found =
        statuses::find_many(&state.db, &rows.iter().map(|(_, s)| *s).collect::<Vec<_>>()).await?;
    found.sort_by_key(|row| rows.iter().position(|(_, s)| *s == row.id));
    let rendered = status::render(&state, Some(user.account_id), found).await?;
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
    user: CurrentUser,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    user.token.require_scope(&["read:favourites"])?;
    marked(state, user, Mark::Favourite, params, "/api/v1/favourites").await
}

/// The signed-in user's bookmarks, most recent first.
#[utoipa::path(get, path = "/api/v1/bookmarks", tag = "statuses", params(PageParams),
    security(("bearer" = ["read:bookmarks"])), responses((status = 200, body = Vec<Status>)))]
pub async fn bookmarks(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    user.token.require_scope(&["read:bookmarks"])?;
    marked(state, user, Mark::Bookmark, params, "/api/v1/bookmarks").await
}
