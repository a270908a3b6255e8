//! Uploading media and editing its alt text and focal point
//! (<https://docs.joinmastodon.org/methods/media/>). The `media_ids` rules of posting
//! and editing statuses live in `services::statuses`, those of uploads in
//! `services::media`. Files are processed while the request waits, so
//! `POST /api/v2/media` always answers 200 (never 202) with the final URLs.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::MediaAttachment;
use crate::api::params::{FileFields, Params, ParamsWithFiles};
use crate::auth::scoped::WriteMedia;
use crate::auth::User;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::media;
use crate::state::AppState;

/// Text parameters of an upload and of `PUT /api/v1/media/:id`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MediaParams {
    /// Alt text.
    description: Option<String>,
    /// Focal point `x,y`, each in -1.0..=1.0.
    focus: Option<String>,
}

impl MediaParams {
    fn given(&self) -> media::Description<'_> {
        media::Description {
            description: self.description.as_deref(),
            focus: self.focus.as_deref(),
        }
    }
}

impl FileFields for MediaParams {
    const FILES: &'static [&'static str] = &["file"];
}

/// Uploads a file (`file`, multipart) with optional `description` and `focus`.
#[utoipa::path(post, path = "/api/v2/media", tag = "media", request_body(content = MediaParams, content_type = "multipart/form-data"),
    security(("bearer" = ["write:media"])),
    responses((status = 200, body = MediaAttachment), (status = 422, description = "Missing, unsupported, invalid or too large file")))]
pub async fn create_v2(
    State(state): State<AppState>,
    user: User<WriteMedia>,
    form: ParamsWithFiles<MediaParams>,
) -> ApiResult<Json<MediaAttachment>> {
    create(state, user, form).await
}

/// The v1 upload, identical to `POST /api/v2/media` here (deprecated by Mastodon).
#[utoipa::path(post, path = "/api/v1/media", tag = "media", request_body(content = MediaParams, content_type = "multipart/form-data"),
    security(("bearer" = ["write:media"])),
    responses((status = 200, body = MediaAttachment), (status = 422, description = "Missing, unsupported, invalid or too large file")))]
pub async fn create_v1(
    State(state): State<AppState>,
    user: User<WriteMedia>,
    form: ParamsWithFiles<MediaParams>,
) -> ApiResult<Json<MediaAttachment>> {
    create(state, user, form).await
}

async fn create(
    state: AppState,
    user: User<WriteMedia>,
    mut form: ParamsWithFiles<MediaParams>,
) -> ApiResult<Json<MediaAttachment>> {
    let file = form
        .take_file("file")
        .ok_or_else(|| ApiError::validation("file", "ERR_BLANK", "File can't be blank"))?;
    let row = media::upload(&state, user.account_id, file.file, form.params.given()).await?;
    Ok(Json(MediaAttachment::from_row(&row, &state.config)))
}

/// One of the caller's uploads.
#[utoipa::path(get, path = "/api/v1/media/{id}", tag = "media",
    params(("id" = String, Path, description = "Media id")), security(("bearer" = ["write:media"])),
    responses((status = 200, body = MediaAttachment), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<WriteMedia>,
    Path(id): Path<Id>,
) -> ApiResult<Json<MediaAttachment>> {
    let row = media::own(&state, user.account_id, id.0).await?;
    Ok(Json(MediaAttachment::from_row(&row, &state.config)))
}

/// Changes the alt text or focal point of one of the caller's uploads that is not
/// attached to a status yet (as Mastodon: posted media changes with a status edit).
#[utoipa::path(put, path = "/api/v1/media/{id}", tag = "media", request_body = MediaParams,
    params(("id" = String, Path, description = "Media id")), security(("bearer" = ["write:media"])),
    responses((status = 200, body = MediaAttachment), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    user: User<WriteMedia>,
    Path(id): Path<Id>,
    Params(params): Params<MediaParams>,
) -> ApiResult<Json<MediaAttachment>> {
    let row = media::describe(&state, user.account_id, id.0, params.given()).await?;
    Ok(Json(MediaAttachment::from_row(&row, &state.config)))
}

/// Deletes one of the caller's uploads that no status uses, with its files.
#[utoipa::path(delete, path = "/api/v1/media/{id}", tag = "media",
    params(("id" = String, Path, description = "Media id")), security(("bearer" = ["write:media"])),
    responses((status = 200, description = "Deleted: an empty object", body = crate::api::entities::empty::Empty), (status = 404),
        (status = 422, description = "Attached to a status")))]
pub async fn delete(
    State(state): State<AppState>,
    user: User<WriteMedia>,
    Path(id): Path<Id>,
) -> ApiResult<Json<crate::api::entities::empty::Empty>> {
    media::delete(&state, user.account_id, id.0).await?;
    Ok(Json(crate::api::entities::empty::Empty {}))
}
