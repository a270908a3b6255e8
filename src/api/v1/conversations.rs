//! Conversations (<https://docs.joinmastodon.org/methods/conversations/>): the signed-in
//! user's direct-message threads. Each handler extracts its input, calls
//! `services::conversations` and renders.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;

use crate::api::entities::conversation::{self, Conversation};
use crate::api::entities::empty::Empty;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::Params;
use crate::auth::scoped::{ReadStatuses, WriteConversations};
use crate::auth::User;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::conversations as service;
use crate::state::AppState;

/// The user's conversations, the one with the newest message first, paged by the id of
/// that message (`limit` default 20, at most 40).
#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations",
    params(PageParams), security(("bearer" = ["read:statuses"])),
    responses((status = 200, body = Vec<Conversation>)))]
pub async fn index(
    State(state): State<AppState>,
    user: User<ReadStatuses>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Conversation>>)> {
    let page = params.page(20, 40);
    let rows = service::page(&state, user.account_id, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.last_status_id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/conversations",
        &ids,
        page.limit,
    );
    let rendered = conversation::render(&state, user.account_id, rows).await?;
    Ok((headers, Json(rendered)))
}

/// Marks a conversation read.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/read", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    security(("bearer" = ["write:conversations"])),
    responses((status = 200, body = Conversation), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    user: User<WriteConversations>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Conversation>> {
    let row = service::read(&state, user.account_id, id.0).await?;
    let mut rendered = conversation::render(&state, user.account_id, vec![row]).await?;
    Ok(Json(
        rendered.pop().ok_or(crate::error::ApiError::NotFound)?,
    ))
}

/// Removes a conversation from the user's list (its statuses stay; the next message
/// brings it back).
#[utoipa::path(delete, path = "/api/v1/conversations/{id}", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    security(("bearer" = ["write:conversations"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn remove(
    State(state): State<AppState>,
    user: User<WriteConversations>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::remove(&state, user.account_id, id.0).await?;
    Ok(Json(Empty {}))
}
