//! Uploading media and editing its alt text and focal point
//! (<https://docs.joinmastodon.org/methods/media/>). The `media_ids` rules of posting
//! and editing statuses live in `services::statuses`. Files are processed while the request waits, so
//! `POST /api/v2/media` always answers 200 (never 202) with the final URLs.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::check_length;
use crate::api::entities::MediaAttachment;
use crate::api::params::{FileFields, Params, ParamsWithFiles};
use crate::auth::scoped::WriteMedia;
use crate::auth::User;
use crate::db::media;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::media::upload::{self, Details};
use crate::state::AppState;

/// Longest alt text accepted (Mastodon's limit).
pub const MAX_DESCRIPTION: usize = 1500;

/// Text parameters of an upload and of `PUT /api/v1/media/:id`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MediaParams {
    /// Alt text.
    description: Option<String>,
    /// Focal point `x,y`, each in -1.0..=1.0.
    focus: Option<String>,
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
    let description = form.params.description.as_deref().unwrap_or_default();
    check_length("description", Some(description), MAX_DESCRIPTION)?;
    let focus = parse_focus(form.params.focus.as_deref())?.unwrap_or((0.0, 0.0));
    let processed = upload::process_upload(&state, "file", file.file).await?;
    let row = upload::store_attachment(
        &state,
        user.account_id,
        processed,
        Details { description, focus },
    )
    .await?;
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
    let row = media::find_own(&state.db, user.account_id, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
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
    check_length(
        "description",
        params.description.as_deref(),
        MAX_DESCRIPTION,
    )?;
    let focus = parse_focus(params.focus.as_deref())?;
    media::find_own(&state.db, user.account_id, id.0)
        .await?
        .filter(|row| row.status_id.is_none())
        .ok_or(ApiError::NotFound)?;
    let row = media::update_details(&state.db, id.0, params.description.as_deref(), focus)
        .await?
        .ok_or(ApiError::NotFound)?;
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
    let Some(row) = media::delete_unattached(&state.db, user.account_id, id.0).await? else {
        return match media::find_own(&state.db, user.account_id, id.0).await? {
            Some(_) => Err(ApiError::Unprocessable(
                "Media attachment is currently used by a status".into(),
            )),
            None => Err(ApiError::NotFound),
        };
    };
    let keys: Vec<String> = [row.file_key, row.preview_key]
        .into_iter()
        .flatten()
        .collect();
    upload::remove_files(&state, &keys).await;
    Ok(Json(crate::api::entities::empty::Empty {}))
}

/// `"x,y"` with both in -1.0..=1.0; `None` when absent or blank.
fn parse_focus(focus: Option<&str>) -> ApiResult<Option<(f32, f32)>> {
    let Some(focus) = focus.map(str::trim).filter(|f| !f.is_empty()) else {
        return Ok(None);
    };
    let invalid = || ApiError::validation("focus", "ERR_INVALID", "Focus must be x,y within -1..1");
    let (x, y) = focus.split_once(',').ok_or_else(invalid)?;
    let x: f32 = x.trim().parse().map_err(|_| invalid())?;
    let y: f32 = y.trim().parse().map_err(|_| invalid())?;
    let range = -1.0..=1.0;
    if !range.contains(&x) || !range.contains(&y) {
        return Err(invalid());
    }
    Ok(Some((x, y)))
}
