//! Media a local account uploads before posting it: the upload itself (processed,
//! stored, recorded unattached), changing its alt text and focal point, and deleting
//! it — with Mastodon's rules: alt text at most [`MAX_DESCRIPTION`] characters, a focal
//! point within -1..1 on both axes, and only media no status uses yet may change or go
//! (posted media change with a status edit, see `services::statuses`).
//!
//! Processing and storage are `crate::media`'s; the rows are `db::media`'s.
//! Spec: <https://docs.joinmastodon.org/methods/media/>.

use crate::db::media::{self, MediaRow};
use crate::error::{check_length, ApiError, ApiResult};
use crate::media::spool::SpooledFile;
use crate::media::upload::{self, Details};
use crate::state::AppState;

/// Longest alt text accepted (Mastodon's limit).
pub const MAX_DESCRIPTION: usize = 1500;

/// Alt text and focal point as the client sent them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Description<'a> {
    /// Alt text; `None` when not sent.
    pub description: Option<&'a str>,
    /// Focal point `"x,y"`; `None` (or blank) when not sent.
    pub focus: Option<&'a str>,
}

/// Uploads `file` (sent as the form field `file`) for `account_id`: checks the alt
/// text and focal point, processes the file (a video is described, converted and
/// given a poster frame, see `media::video`), stores it and records it unattached.
/// Errors: `Validation` for a bad description, focus or file (too large, unsupported,
/// invalid).
pub async fn upload(
    state: &AppState,
    account_id: i64,
    file: SpooledFile,
    given: Description<'_>,
) -> ApiResult<MediaRow> {
    let description = given.description.unwrap_or_default();
    check_length("description", Some(description), MAX_DESCRIPTION)?;
    let focus = parse_focus(given.focus)?.unwrap_or((0.0, 0.0));
    let processed = upload::process_upload(state, "file", file).await?;
    let processed = upload::describe_playable(state, processed).await;
    upload::store_attachment(state, account_id, processed, Details { description, focus }).await
}

/// One of `account_id`'s uploads. Errors: `NotFound` for anyone else's.
pub async fn own(state: &AppState, account_id: i64, id: i64) -> ApiResult<MediaRow> {
    media::find_own(&state.db, account_id, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Changes the alt text or focal point of one of `account_id`'s uploads that no status
/// uses yet. Errors: `Validation` for bad values; `NotFound` when it is not theirs or
/// already posted.
pub async fn describe(
    state: &AppState,
    account_id: i64,
    id: i64,
    given: Description<'_>,
) -> ApiResult<MediaRow> {
    check_length("description", given.description, MAX_DESCRIPTION)?;
    let focus = parse_focus(given.focus)?;
    media::find_own(&state.db, account_id, id)
        .await?
        .filter(|row| row.status_id.is_none())
        .ok_or(ApiError::NotFound)?;
    media::update_details(&state.db, id, given.description, focus)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Deletes one of `account_id`'s uploads that no status uses, with its files.
/// Errors: `Unprocessable` when a status uses it; `NotFound` when it is not theirs.
pub async fn delete(state: &AppState, account_id: i64, id: i64) -> ApiResult<()> {
    let Some(row) = media::delete_unattached(&state.db, account_id, id).await? else {
        return match media::find_own(&state.db, account_id, id).await? {
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
    upload::remove_files(state, &keys).await;
    Ok(())
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
