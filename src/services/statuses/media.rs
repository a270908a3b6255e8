//! The `media_ids` rules of posting and editing a status: at most
//! `ROOST_MAX_MEDIA_ATTACHMENTS` of the author's own uploads, each unattached or already
//! on the status being edited, attached in the status's transaction. Uploading is
//! `services::media`'s business.

use crate::db::media;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The `media_ids` parameter as ids, at most `ROOST_MAX_MEDIA_ATTACHMENTS` distinct ones.
pub(super) fn media_ids(state: &AppState, ids: Option<&[String]>) -> ApiResult<Option<Vec<i64>>> {
    let Some(ids) = ids else {
        return Ok(None);
    };
    let invalid = |reason: String| ApiError::validation("media_ids", "ERR_INVALID", reason);
    let max = state.config.max_media_attachments as usize;
    if ids.len() > max {
        return Err(invalid(format!("At most {max} media attachments")));
    }
    let mut parsed = Vec::with_capacity(ids.len());
    for id in ids.iter().filter(|id| !id.is_empty()) {
        let id: Id = id
            .parse()
            .map_err(|_| invalid(format!("Unknown media id {id}")))?;
        if !parsed.contains(&id.0) {
            parsed.push(id.0);
        }
    }
    Ok(Some(parsed))
}

/// Every media id must be the caller's own upload, unattached or already on `status_id`,
/// and not reserved by a scheduled status (other than the one `scheduled_id` publishes).
pub(super) async fn check_media(
    state: &AppState,
    account_id: i64,
    (status_id, scheduled_id): (Option<i64>, Option<i64>),
    ids: Option<&[i64]>,
) -> ApiResult<()> {
    let Some(ids) = ids.filter(|ids| !ids.is_empty()) else {
        return Ok(());
    };
    if media::all_usable(&state.db, account_id, status_id, scheduled_id, ids).await? {
        return Ok(());
    }
    Err(ApiError::validation(
        "media_ids",
        "ERR_INVALID",
        "Media attachments must be your own unattached uploads",
    ))
}

/// Attaches the media in the status's transaction (a concurrent post of the same
/// upload makes this fail with 422 and roll back).
pub(super) async fn attach_media(
    conn: &mut sqlx::PgConnection,
    account_id: i64,
    status_id: i64,
    ids: Option<&[i64]>,
) -> ApiResult<()> {
    let Some(ids) = ids else {
        return Ok(());
    };
    if media::attach(conn, account_id, status_id, ids).await? {
        return Ok(());
    }
    Err(ApiError::validation(
        "media_ids",
        "ERR_INVALID",
        "Media attachments must be your own unattached uploads",
    ))
}

/// Whether status `row` has media after an edit sending `ids` (absent: it keeps the
/// ones it has).
pub(super) async fn has_media(
    state: &AppState,
    row: &crate::db::statuses::StatusRow,
    ids: Option<&[i64]>,
) -> ApiResult<bool> {
    match ids {
        Some(ids) => Ok(!ids.is_empty()),
        None => Ok(!media::for_statuses(&state.db, &[row.id]).await?.is_empty()),
    }
}
