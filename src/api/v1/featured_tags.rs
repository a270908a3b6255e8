//! Featured hashtags (<https://docs.joinmastodon.org/methods/featured_tags/>):
//! `GET/POST /api/v1/featured_tags`, `DELETE /api/v1/featured_tags/:id`,
//! `GET /api/v1/featured_tags/suggestions`, `GET /api/v1/accounts/:id/featured_tags`
//! and Mastodon 4.4's `POST /api/v1/tags/:name/feature` and `…/unfeature`. Each
//! handler extracts its input, calls `services::featured_tags` and renders.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::empty::Empty;
use crate::api::entities::featured_tag::FeaturedTag;
use crate::api::entities::tag::Tag;
use crate::api::params::Params;
use crate::auth::scoped::{ReadAccounts, WriteAccounts};
use crate::auth::{OptionalToken, User};
use crate::db::accounts::AccountRow;
use crate::db::featured_tags::FeaturedTagRow;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::featured_tags as service;
use crate::state::AppState;

/// The body of `POST /api/v1/featured_tags`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct FeatureParams {
    /// The hashtag to feature, with or without `#`.
    name: Option<String>,
}

fn render(
    state: &AppState,
    account: &AccountRow,
    rows: &[FeaturedTagRow],
) -> Json<Vec<FeaturedTag>> {
    let listed = rows
        .iter()
        .map(|row| FeaturedTag::from_row(row, account, &state.config));
    Json(listed.collect())
}

/// The hashtags the user features on their profile.
#[utoipa::path(get, path = "/api/v1/featured_tags", tag = "featured_tags",
    security(("bearer" = ["read:accounts"])),
    responses((status = 200, body = Vec<FeaturedTag>)))]
pub async fn index(
    State(state): State<AppState>,
    user: User<ReadAccounts>,
) -> ApiResult<Json<Vec<FeaturedTag>>> {
    let (account, rows) = service::mine(&state, user.account_id).await?;
    Ok(render(&state, &account, &rows))
}

/// Features a hashtag on the user's profile (at most 10; featuring one again returns
/// it).
#[utoipa::path(post, path = "/api/v1/featured_tags", tag = "featured_tags",
    request_body = FeatureParams, security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = FeaturedTag), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    Params(params): Params<FeatureParams>,
) -> ApiResult<Json<FeaturedTag>> {
    let name = params.name.unwrap_or_default();
    let (account, row) = service::feature(&state, user.account_id, &name).await?;
    Ok(Json(FeaturedTag::from_row(&row, &account, &state.config)))
}

/// Stops featuring a hashtag.
#[utoipa::path(delete, path = "/api/v1/featured_tags/{id}", tag = "featured_tags",
    params(("id" = String, Path, description = "Featured tag id")),
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::unfeature(&state, user.account_id, id.0).await?;
    Ok(Json(Empty {}))
}

/// The hashtags the user used most lately and does not feature yet (up to 10).
#[utoipa::path(get, path = "/api/v1/featured_tags/suggestions", tag = "featured_tags",
    security(("bearer" = ["read:accounts"])),
    responses((status = 200, body = Vec<Tag>)))]
pub async fn suggestions(
    State(state): State<AppState>,
    user: User<ReadAccounts>,
) -> ApiResult<Json<Vec<Tag>>> {
    let views = service::suggestions(&state, user.account_id).await?;
    let tags = views.iter().map(|view| Tag::from_view(view, &state.config));
    Ok(Json(tags.collect()))
}

/// The hashtags an account (local or remote) features on its profile.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/featured_tags", tag = "accounts",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 200, body = Vec<FeaturedTag>), (status = 404)))]
pub async fn of_account(
    State(state): State<AppState>,
    _token: OptionalToken<ReadAccounts>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<FeaturedTag>>> {
    let (account, rows) = service::of_account(&state, id.0).await?;
    Ok(render(&state, &account, &rows))
}

/// Features a hashtag on the user's profile (Mastodon 4.4).
#[utoipa::path(post, path = "/api/v1/tags/{name}/feature", tag = "tags",
    params(("name" = String, Path, description = "Hashtag name, without #")),
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = Tag), (status = 422)))]
pub async fn feature_tag(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> ApiResult<Json<Tag>> {
    let view = service::feature_tag(&state, user.account_id, &name).await?;
    Ok(Json(Tag::from_view(&view, &state.config)))
}

/// Stops featuring a hashtag (Mastodon 4.4).
#[utoipa::path(post, path = "/api/v1/tags/{name}/unfeature", tag = "tags",
    params(("name" = String, Path, description = "Hashtag name, without #")),
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = Tag), (status = 404)))]
pub async fn unfeature_tag(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> ApiResult<Json<Tag>> {
    let view = service::unfeature_tag(&state, user.account_id, &name).await?;
    Ok(Json(Tag::from_view(&view, &state.config)))
}
