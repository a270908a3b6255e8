//! Accepting an uploaded file: processing it off the async runtime, storing its files,
//! and recording the row. Shared by `POST /api/v{1,2}/media` and profile images.
//! The file arrives spooled to disk (see [`super::spool`]).

use super::process::{self, Limits, Original, Playback, Processed, Rejected};
use super::spool::SpooledFile;
use super::video::{self, VideoSettings};
use super::Format;
use crate::db::media::{self, MediaRow, NewMedia};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Processes a spooled upload with the configured limits; refusals become 422 naming
/// `field`.
pub async fn process_upload(
    state: &AppState,
    field: &'static str,
    upload: SpooledFile,
) -> ApiResult<Processed> {
    let limits = Limits {
        max_bytes: state.config.max_upload_bytes,
        max_pixels: state.config.max_image_pixels,
    };
    let processed = tokio::task::spawn_blocking(move || process::process_spooled(upload, limits))
        .await
        .map_err(|error| anyhow::anyhow!("media processing stopped: {error}"))?
        .map_err(|error| anyhow::anyhow!("reading a spooled upload: {error}"))?;
    processed.map_err(|rejected| refusal(field, rejected))
}

/// Describes a video or audio upload and, for a video, makes its web-playable
/// rendition and poster frame ([`video::describe`]); anything else comes back as it
/// was. Never fails: what the tools cannot read is stored as sent.
pub async fn describe_playable(state: &AppState, processed: Processed) -> Processed {
    let settings = VideoSettings::from_config(&state.config);
    video::describe(&settings, processed).await
}

/// The 422 answer to a refused file sent as `field`, as Mastodon words it
/// (`ERR_TOO_LARGE`, `ERR_UNSUPPORTED`, `ERR_INVALID`).
pub fn refusal(field: &'static str, rejected: Rejected) -> ApiError {
    let code = match rejected {
        Rejected::TooLarge(_) | Rejected::TooManyPixels(_) => "ERR_TOO_LARGE",
        Rejected::Unsupported => "ERR_UNSUPPORTED",
        Rejected::Invalid(_) => "ERR_INVALID",
    };
    ApiError::validation(field, code, rejected.to_string())
}

/// Alt text and focal point of a new attachment.
#[derive(Debug, Default)]
pub struct Details<'a> {
    pub description: &'a str,
    pub focus: (f32, f32),
}

/// Stores the files of a processed upload and records an unattached media row of
/// `account_id`. When recording fails, the stored files are removed again.
pub async fn store_attachment(
    state: &AppState,
    account_id: i64,
    processed: Processed,
    details: Details<'_>,
) -> ApiResult<MediaRow> {
    let id = media::next_id(&state.db).await?;
    let file_key = format!(
        "media_attachments/{id}/original.{}",
        processed.format.extension()
    );
    let preview = processed.preview.as_ref().map(|preview| {
        let key = format!(
            "media_attachments/{id}/small.{}",
            preview.format.extension()
        );
        (key, preview)
    });
    let file_size = i64::try_from(processed.original.len()).unwrap_or(i64::MAX);
    let meta = (processed.playback != Playback::default())
        .then(|| serde_json::to_value(&processed.playback))
        .transpose()
        .map_err(anyhow::Error::from)?;
    let dimensions = processed.dimensions.map(to_i32_pair);
    let mut files = vec![(file_key.clone(), processed.format, processed.original)];
    if let Some((key, preview)) = &preview {
        files.push((
            key.clone(),
            preview.format,
            Original::Bytes(preview.bytes.clone()),
        ));
    }
    let stored = put_all(state, files).await?;
    let row = media::insert(
        &state.db,
        &NewMedia {
            id: Some(id),
            account_id,
            kind: processed.kind.as_str(),
            content_type: processed.format.content_type(),
            file_key: Some(&file_key),
            preview_key: preview.as_ref().map(|(key, _)| key.as_str()),
            file_size: Some(file_size),
            description: details.description,
            blurhash: processed.blurhash.as_deref(),
            dimensions,
            preview_dimensions: preview
                .as_ref()
                .map(|(_, p)| to_i32_pair((p.width, p.height))),
            focus: details.focus,
            meta: meta.as_ref(),
            ..NewMedia::default()
        },
    )
    .await;
    match row {
        Ok(row) => Ok(row),
        Err(error) => {
            remove_files(state, &stored).await;
            Err(error.into())
        }
    }
}

/// Stores every `(key, format, bytes)`; when one fails, removes the ones already
/// stored and fails. Returns the keys.
async fn put_all(
    state: &AppState,
    files: Vec<(String, Format, Original)>,
) -> ApiResult<Vec<String>> {
    let mut stored = Vec::new();
    for (key, format, original) in files {
        if let Err(error) = state.media.put_original(&key, format, original).await {
            remove_files(state, &stored).await;
            return Err(error.into());
        }
        stored.push(key);
    }
    Ok(stored)
}

/// Stores a processed image as the avatar or header (`which`) of a local account and
/// returns its key. The caller records the key on the account.
pub async fn store_profile_image(
    state: &AppState,
    account_id: i64,
    which: &str,
    processed: Processed,
) -> ApiResult<String> {
    let key = format!(
        "accounts/{account_id}/{which}-{}.{}",
        crate::auth::random_token(12),
        processed.format.extension()
    );
    state
        .media
        .put_original(&key, processed.format, processed.original)
        .await?;
    Ok(key)
}

/// Removes stored files, logging (not failing) when one cannot be removed.
pub async fn remove_files(state: &AppState, keys: &[String]) {
    for key in keys {
        if let Err(error) = state.media.delete(key).await {
            tracing::warn!(%key, error = %format!("{error:#}"), "could not remove a media file");
        }
    }
}

fn to_i32_pair((width, height): (u32, u32)) -> (i32, i32) {
    (
        i32::try_from(width).unwrap_or(i32::MAX),
        i32::try_from(height).unwrap_or(i32::MAX),
    )
}
