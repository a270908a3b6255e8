//! Reading a `multipart/form-data` body as it arrives: text fields into memory (at
//! most [`MAX_BODY_BYTES`] in all), the file fields an endpoint takes into spool files
//! on disk (see [`crate::media::spool`]), every other part skipped unread. A file that
//! passes `ROOST_MAX_UPLOAD_BYTES` is refused (422) at once.

use std::time::Duration;

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;

use super::{declared_length, FilePart, MAX_BODY_BYTES};
use crate::error::ApiError;
use crate::media::process::Rejected;
use crate::media::spool::{SpoolError, SpoolSettings, SpooledFile, Spooler};

/// After refusing a file that is too large, the rest of the body is still read (and
/// thrown away) for this long, so that the client, still sending, receives the
/// answer instead of a reset connection.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// The file fields an endpoint reads, and where they go.
pub(super) struct Uploads {
    pub(super) fields: &'static [&'static str],
    pub(super) spool: SpoolSettings,
}

impl Uploads {
    /// `name` as one of the endpoint's file fields.
    fn field(&self, name: &str) -> Option<&'static str> {
        self.fields.iter().copied().find(|field| *field == name)
    }
}

/// Reads a multipart body of at most `limit` bytes as it arrives (413 beyond it, at
/// once when the declared length says so).
pub(super) async fn read_multipart(
    parts: Parts,
    body: Body,
    limit: usize,
    uploads: Option<&Uploads>,
) -> Result<(Vec<(String, String)>, Vec<FilePart>), ApiError> {
    if declared_length(&parts).is_some_and(|length| length > limit as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    let body = Body::new(http_body_util::Limited::new(body, limit));
    let multipart = Multipart::from_request(Request::from_parts(parts, body), &())
        .await
        .map_err(|error| ApiError::BadRequest(error.body_text()))?;
    multipart_fields(multipart, uploads).await
}

/// Names of multipart fields that are files even when sent without a file name.
const FILE_FIELDS: [&str; 4] = ["file", "thumbnail", "avatar", "header"];

/// The text fields of a multipart body, and the file fields of `uploads` spooled to
/// disk (the first part of each name). When a file is refused as too large, the rest
/// of the body is drained in the background (see [`DRAIN_TIME`]).
async fn multipart_fields(
    mut multipart: Multipart,
    uploads: Option<&Uploads>,
) -> Result<(Vec<(String, String)>, Vec<FilePart>), ApiError> {
    let mut pairs = Vec::new();
    let mut files: Vec<FilePart> = Vec::new();
    let mut text_budget = MAX_BODY_BYTES;
    let read = async {
        while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
            let Some(name) = field.name().map(str::to_owned) else {
                continue;
            };
            if field.file_name().is_some() || FILE_FIELDS.contains(&name.as_str()) {
                let wanted = uploads.and_then(|uploads| {
                    let field = uploads.field(&name)?;
                    let first = !files.iter().any(|file| file.name == field);
                    first.then_some((field, &uploads.spool))
                });
                if let Some((name, spool)) = wanted {
                    let file = spool_field(field, name, spool).await?;
                    files.push(FilePart { name, file });
                }
                // Parts not read here are skipped by `next_field`, unstored.
                continue;
            }
            pairs.push((name, read_text(field, &mut text_budget).await?));
        }
        Ok::<(), ApiError>(())
    }
    .await;
    match read {
        Ok(()) => Ok((pairs, files)),
        Err(error) => {
            if matches!(error, ApiError::Validation(_) | ApiError::PayloadTooLarge) {
                drain_in_background(multipart);
            }
            Err(error)
        }
    }
}

/// A multipart failure: 413 when the body passed its limit, 400 when malformed.
fn multipart_error(error: MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else {
        ApiError::BadRequest(error.body_text())
    }
}

/// Writes a file part to a spool file as it arrives; 422 as soon as it passes the
/// upload limit.
async fn spool_field(
    mut field: Field<'_>,
    name: &'static str,
    settings: &SpoolSettings,
) -> Result<SpooledFile, ApiError> {
    let refused = |error: SpoolError| match error {
        SpoolError::TooLarge(max) => crate::media::upload::refusal(name, Rejected::TooLarge(max)),
        SpoolError::Io(error) => ApiError::Internal(error.into()),
    };
    let mut spooler = Spooler::create(settings).await.map_err(refused)?;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        spooler.write(&chunk).await.map_err(refused)?;
    }
    spooler.finish().await.map_err(refused)
}

/// A text part, counted against what is left of `budget` (413 beyond it). Invalid
/// UTF-8 is replaced, as Rails reads form text.
async fn read_text(mut field: Field<'_>, budget: &mut usize) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        *budget = budget
            .checked_sub(chunk.len())
            .ok_or(ApiError::PayloadTooLarge)?;
        bytes.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads and discards the rest of a refused body for at most [`DRAIN_TIME`] (it is
/// bounded in bytes by the body limit), so that the client sees the refusal rather
/// than a connection reset while it is still sending.
fn drain_in_background(mut multipart: Multipart) {
    tokio::spawn(async move {
        let drain = async {
            while let Ok(Some(mut field)) = multipart.next_field().await {
                while let Ok(Some(_)) = field.chunk().await {}
            }
        };
        let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
    });
}
