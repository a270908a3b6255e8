// SPDX-License-Identifier: AGPL-3.0-or-later
//! Roost's stories API (no Mastodon equivalent; see docs/api.md "Stories"):
//! `POST /api/v1/roost/stories` (from an upload), `GET /api/v1/roost/stories` (the row of
//! stories), `GET /api/v1/roost/accounts/:id/stories`, `GET` and `DELETE
//! /api/v1/roost/stories/:id`, `POST …/:id/seen`, `GET …/:id/viewers`, `POST
//! …/:id/reply`, and the close friends list (`GET`, `POST`, `DELETE
//! /api/v1/roost/close_friends`). Each handler extracts, calls `services::stories` and
//! renders.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;

use crate::api::entities::empty::Empty;
use crate::api::entities::status::Status;
use crate::api::entities::story::{Story, StoryTray, StoryViewer};
use crate::api::entities::Account;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, string_list, Params};
use crate::api::v1::statuses::MusicParams;
use crate::auth::scoped::{ReadLists, ReadStatuses, WriteLists, WriteStatuses};
use crate::auth::User;
use crate::db::accounts::{self, AccountRow};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::statuses::Posted;
use crate::services::stories::{self as service, NewStoryRequest};
use crate::state::AppState;

/// The body of `POST /api/v1/roost/stories`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CreateStoryParams {
    /// The upload (`POST /api/v2/media`, a picture or a video) to show.
    media_id: Option<String>,
    /// `public`, `followers` (default) or `close_friends`.
    audience: Option<String>,
    /// Seconds to show it, 1 to 60 (default 5 for a picture, 15 for a video).
    #[schema(value_type = Option<u32>)]
    duration: Option<String>,
    /// Whether replies are taken (default true).
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    can_reply: Option<bool>,
    /// A music track (`music[title]`, `music[artist]`, `music[url]`,
    /// `music[artwork_id]`, `music[clip_id]`), as on a status.
    music: Option<MusicParams>,
}

/// The signed-in account (a token's account is always there).
async fn me(state: &AppState, account_id: i64) -> ApiResult<AccountRow> {
    accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("The access token is invalid".into()))
}

/// Posts a story from one of the user's uploads.
#[utoipa::path(post, path = "/api/v1/roost/stories", tag = "stories",
    request_body = CreateStoryParams, security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Story), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Params(params): Params<CreateStoryParams>,
) -> ApiResult<Json<Story>> {
    let author = me(&state, user.account_id).await?;
    let request = NewStoryRequest {
        media_id: params.media_id.as_deref(),
        audience: params.audience.as_deref(),
        duration: params.duration.as_deref(),
        can_reply: params.can_reply,
        music: (params.music.as_ref())
            .map(MusicParams::input)
            .unwrap_or_default(),
    };
    let posted = service::post(&state, &author, &request).await?;
    Ok(Json(Story::from_view(&posted, &state.config)))
}

/// The row of stories: the user's own, then accounts they follow with unseen stories
/// (newest first), then those seen already.
#[utoipa::path(get, path = "/api/v1/roost/stories", tag = "stories",
    security(("bearer" = ["read:statuses"])), responses((status = 200, body = Vec<StoryTray>)))]
pub async fn tray(
    State(state): State<AppState>,
    user: User<ReadStatuses>,
) -> ApiResult<Json<Vec<StoryTray>>> {
    let entries = service::tray(&state, user.account_id).await?;
    let rendered = entries
        .iter()
        .map(|entry| StoryTray::from_entry(entry, &state.config));
    Ok(Json(rendered.collect()))
}

/// An account's live stories the user may see, in watching order (oldest first).
#[utoipa::path(get, path = "/api/v1/roost/accounts/{id}/stories", tag = "stories",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = ["read:statuses"])),
    responses((status = 200, body = Vec<Story>), (status = 404)))]
pub async fn of_account(
    State(state): State<AppState>,
    user: User<ReadStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<Story>>> {
    let stories = service::of_account(&state, user.account_id, id.0).await?;
    let rendered = stories
        .iter()
        .map(|story| Story::from_view(story, &state.config));
    Ok(Json(rendered.collect()))
}

/// One story the user may see.
#[utoipa::path(get, path = "/api/v1/roost/stories/{id}", tag = "stories",
    params(("id" = String, Path, description = "Story id")),
    security(("bearer" = ["read:statuses"])),
    responses((status = 200, body = Story), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<ReadStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Story>> {
    let story = service::show(&state, user.account_id, id.0).await?;
    Ok(Json(Story::from_view(&story, &state.config)))
}

/// Deletes one of the user's stories (sent to where it went).
#[utoipa::path(delete, path = "/api/v1/roost/stories/{id}", tag = "stories",
    params(("id" = String, Path, description = "Story id")),
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, description = "Deleted (empty object)"), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    let author = me(&state, user.account_id).await?;
    service::delete(&state, &author, id.0).await?;
    Ok(Json(Empty {}))
}

/// Marks a story seen by the user (its author sees them among its viewers).
#[utoipa::path(post, path = "/api/v1/roost/stories/{id}/seen", tag = "stories",
    params(("id" = String, Path, description = "Story id")),
    security(("bearer" = ["write:statuses"])),
    responses((status = 204), (status = 404)))]
pub async fn seen(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<StatusCode> {
    let viewer = me(&state, user.account_id).await?;
    service::mark_seen(&state, &viewer, id.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who saw one of the user's stories, most recent first (at most 500).
#[utoipa::path(get, path = "/api/v1/roost/stories/{id}/viewers", tag = "stories",
    params(("id" = String, Path, description = "Story id")),
    security(("bearer" = ["read:statuses"])),
    responses((status = 200, body = Vec<StoryViewer>), (status = 404)))]
pub async fn viewers(
    State(state): State<AppState>,
    user: User<ReadStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<StoryViewer>>> {
    let viewers = service::viewers(&state, user.account_id, id.0).await?;
    let rendered = viewers
        .iter()
        .map(|viewer| StoryViewer::from_viewer(viewer, &state.config));
    Ok(Json(rendered.collect()))
}

/// The body of `POST /api/v1/roost/stories/:id/reply`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReplyParams {
    /// The reply's text.
    status: Option<String>,
}

/// Replies to a story: a direct message to its author, returned as a Status.
#[utoipa::path(post, path = "/api/v1/roost/stories/{id}/reply", tag = "stories",
    params(("id" = String, Path, description = "Story id")), request_body = ReplyParams,
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 403), (status = 404), (status = 422)))]
pub async fn reply(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
    Params(params): Params<ReplyParams>,
) -> ApiResult<Json<Status>> {
    let viewer = me(&state, user.account_id).await?;
    let posted = service::reply(
        &state,
        &viewer,
        id.0,
        params.status.as_deref(),
        Some(user.token.app_id),
    )
    .await?;
    let row = match posted {
        Posted::New(written) => written.row,
        Posted::Again(row) => *row,
        Posted::Scheduled(_) => return Err(ApiError::NotFound),
    };
    let status = super::statuses::rendered(&state, Some(user.account_id), row).await?;
    Ok(Json(status))
}

/// The user's close friends (newest first by account id; `limit` default 40, at most 80).
#[utoipa::path(get, path = "/api/v1/roost/close_friends", tag = "stories", params(PageParams),
    security(("bearer" = ["read:lists"])), responses((status = 200, body = Vec<Account>)))]
pub async fn close_friends(
    State(state): State<AppState>,
    user: User<ReadLists>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let page = params.page(40, 80);
    let rows = service::close_friends(&state, user.account_id, &page).await?;
    let keys: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/roost/close_friends",
        &keys,
        page.limit,
    );
    let listed = rows.iter().map(|row| Account::from_row(row, &state.config));
    Ok((headers, Json(listed.collect())))
}

/// The body of `POST` and `DELETE /api/v1/roost/close_friends`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CloseFriendsParams {
    /// The accounts to add or remove (at most 1000), as `account_ids[]`.
    #[serde(default, deserialize_with = "string_list")]
    #[schema(value_type = Vec<String>)]
    account_ids: Option<Vec<String>>,
}

/// Adds accounts to the user's close friends.
#[utoipa::path(post, path = "/api/v1/roost/close_friends", tag = "stories",
    request_body = CloseFriendsParams, security(("bearer" = ["write:lists"])),
    responses((status = 200, description = "Added (empty object)"), (status = 404), (status = 422)))]
pub async fn add_close_friends(
    State(state): State<AppState>,
    user: User<WriteLists>,
    Params(params): Params<CloseFriendsParams>,
) -> ApiResult<Json<Empty>> {
    let ids = params.account_ids.unwrap_or_default();
    service::change_close_friends(&state, user.account_id, &ids, true).await?;
    Ok(Json(Empty {}))
}

/// Removes accounts from the user's close friends.
#[utoipa::path(delete, path = "/api/v1/roost/close_friends", tag = "stories",
    request_body = CloseFriendsParams, security(("bearer" = ["write:lists"])),
    responses((status = 200, description = "Removed (empty object)"), (status = 422)))]
pub async fn remove_close_friends(
    State(state): State<AppState>,
    user: User<WriteLists>,
    Params(params): Params<CloseFriendsParams>,
) -> ApiResult<Json<Empty>> {
    let ids = params.account_ids.unwrap_or_default();
    service::change_close_friends(&state, user.account_id, &ids, false).await?;
    Ok(Json(Empty {}))
}
