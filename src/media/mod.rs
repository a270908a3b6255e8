//! Media: receiving uploads without holding them in memory ([`spool`]), checking and
//! processing them ([`process`]), describing and converting videos with ffmpeg or from
//! their MP4 header ([`video`], [`ffmpeg`], [`mp4`]), recognising file types ([`detect`]), storing
//! files ([`storage`]) and serving them (`GET /system/*key`).
//! The `media_attachments` rows are in `db::media`; the API is `api::v1::media`.
//!
//! Reference: <https://docs.joinmastodon.org/methods/media/>,
//! <https://docs.joinmastodon.org/entities/MediaAttachment/>.

pub mod detect;
pub mod ffmpeg;
mod gif;
pub mod mp4;
pub mod process;
pub mod spool;
pub mod storage;
pub mod upload;
pub mod video;
mod webp;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::response::{IntoResponse, Response};

pub use detect::{Format, Kind};
pub use storage::MediaStore;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// `GET /system/*key`: a stored media file with the Content-Type of its format (from
/// the extension Roost gave it, never from the upload), long-lived cache headers and
/// `X-Content-Type-Options: nosniff`, so a browser never runs it as a page.
pub async fn serve(State(state): State<AppState>, Path(key): Path<String>) -> ApiResult<Response> {
    if !storage::is_valid_key(&key) {
        return Err(ApiError::NotFound);
    }
    let format = key
        .rsplit_once('.')
        .and_then(|(_, extension)| Format::from_extension(extension))
        .ok_or(ApiError::NotFound)?;
    let stream = state.media.get(&key).await?.ok_or(ApiError::NotFound)?;
    Ok((
        [
            (CONTENT_TYPE, format.content_type()),
            (CACHE_CONTROL, storage::CACHE_CONTROL),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
