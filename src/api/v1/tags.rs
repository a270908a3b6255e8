//! Hashtags (<https://docs.joinmastodon.org/methods/tags/>) and followed hashtags
//! (<https://docs.joinmastodon.org/methods/followed_tags/>). Each handler extracts its
//! input, calls `services::tags` and renders.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;

use crate::api::entities::tag::Tag;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::Params;
use crate::auth::scoped::{ReadFollows, ReadStatuses, WriteFollows};
use crate::auth::{OptionalToken, User};
use crate::error::ApiResult;
use crate::services::tags as service;
use crate::state::AppState;

/// A hashtag with its use over the last week (and, with a user token, `following`).
#[utoipa::path(get, path = "/api/v1/tags/{name}", tag = "tags",
    params(("name" = String, Path, description = "Hashtag name, without #")),
    responses((status = 200, body = Tag), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Path(name): Path<String>,
) -> ApiResult<Json<Tag>> {
    let view = service::show(&state, token.account_id(), &name).await?;
    Ok(Json(Tag::from_view(&view, &state.config)))
}

/// Follows a hashtag: its public posts come into the home timeline.
#[utoipa::path(post, path = "/api/v1/tags/{name}/follow", tag = "tags",
    params(("name" = String, Path, description = "Hashtag name, without #")),
    security(("bearer" = ["write:follows", "follow"])),
    responses((status = 200, body = Tag), (status = 422)))]
pub async fn follow(
    State(state): State<AppState>,
    user: User<WriteFollows>,
    Path(name): Path<String>,
) -> ApiResult<Json<Tag>> {
    let view = service::follow(&state, user.account_id, &name).await?;
    Ok(Json(Tag::from_view(&view, &state.config)))
}

/// Stops following a hashtag.
#[utoipa::path(post, path = "/api/v1/tags/{name}/unfollow", tag = "tags",
    params(("name" = String, Path, description = "Hashtag name, without #")),
    security(("bearer" = ["write:follows", "follow"])),
    responses((status = 200, body = Tag), (status = 404)))]
pub async fn unfollow(
    State(state): State<AppState>,
    user: User<WriteFollows>,
    Path(name): Path<String>,
) -> ApiResult<Json<Tag>> {
    let view = service::unfollow(&state, user.account_id, &name).await?;
    Ok(Json(Tag::from_view(&view, &state.config)))
}

/// The hashtags the user follows, newest follow first (`limit` default 100, at most
/// 200).
#[utoipa::path(get, path = "/api/v1/followed_tags", tag = "tags", params(PageParams),
    security(("bearer" = ["read:follows", "follow"])),
    responses((status = 200, body = Vec<Tag>)))]
pub async fn followed(
    State(state): State<AppState>,
    user: User<ReadFollows>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Tag>>)> {
    let page = params.page(100, 200);
    let (views, keys) = service::followed(&state, user.account_id, &page).await?;
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/followed_tags",
        &keys,
        page.limit,
    );
    let tags = views.iter().map(|view| Tag::from_view(view, &state.config));
    Ok((headers, Json(tags.collect())))
}
