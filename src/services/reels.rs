//! Reels: statuses posted as one short vertical video, with their own feed. A reel is
//! an ordinary status (Mastodon apps see a status with a video; other servers a Note
//! with a video attachment, which Roost marks `roost:reel` for its peers) plus a row
//! in `reels`. The rules of what may be a reel are here; posting one goes through
//! `services::statuses::post` with `PostKind::Reel`, which calls [`check`] before its
//! transaction and [`record`] inside it.
//!
//! A reel has exactly one attachment: a video whose size and duration are known (read
//! by ffprobe or from the MP4 header, see `media::video`), taller than wide, at most
//! `ROOST_REEL_MAX_SECONDS` long. It cannot be scheduled (yet).

use sqlx::PgConnection;

use crate::db::media::MediaRow;
use crate::db::statuses::StatusRow;
use crate::db::timelines::{self, Timeline};
use crate::db::Page;
use crate::error::{ApiError, ApiResult};
use crate::federation::protocol::note::Note;
use crate::state::AppState;

/// Checks that `media_ids` (already parsed, the author's own usable uploads) make a
/// reel. Errors: `Validation` on `media_ids` naming what is wrong.
pub async fn check(state: &AppState, author_id: i64, media_ids: Option<&[i64]>) -> ApiResult<()> {
    let refuse = |reason: String| ApiError::validation("media_ids", "ERR_INVALID", reason);
    let [id] = media_ids.unwrap_or_default() else {
        return Err(refuse("A reel has exactly one video".into()));
    };
    let media = crate::db::media::find_own(&state.db, author_id, *id)
        .await?
        .ok_or_else(|| refuse("Media attachments must be your own unattached uploads".into()))?;
    shape(&media, state.config.reel_max_seconds).map_err(refuse)
}

/// Whether one attachment may be a reel's (the reason when not).
fn shape(media: &MediaRow, max_seconds: u32) -> Result<(), String> {
    if media.kind != "video" {
        return Err("A reel has exactly one video".into());
    }
    let (Some(width), Some(height)) = (media.width, media.height) else {
        return Err("The video's size could not be read; it cannot be a reel".into());
    };
    if height <= width {
        return Err(format!(
            "A reel is a vertical video (taller than wide); this one is {width}x{height}"
        ));
    }
    let duration = duration_of(media)
        .ok_or_else(|| "The video's duration could not be read; it cannot be a reel".to_owned())?;
    if duration > f64::from(max_seconds) {
        return Err(format!(
            "A reel is at most {max_seconds} seconds long; this video is {duration:.1}"
        ));
    }
    Ok(())
}

/// The duration of an attachment, in seconds, when known.
fn duration_of(media: &MediaRow) -> Option<f64> {
    media.meta.get("duration")?.as_f64()
}

/// Marks a status just written as a reel, in its transaction.
pub async fn record(conn: &mut PgConnection, status_id: i64) -> ApiResult<()> {
    crate::db::reels::record(conn, status_id).await?;
    Ok(())
}

/// Marks a status received from another server as a reel when its Note says it is one
/// (`roost:reel`) and it has the shape of one (one video, taller than wide; the
/// duration is the sender's business).
pub async fn receive(
    conn: &mut PgConnection,
    note: &Note,
    status_id: i64,
    media: &[MediaRow],
) -> ApiResult<()> {
    let vertical_video =
        |m: &MediaRow| m.kind == "video" && m.width.zip(m.height).is_none_or(|(w, h)| h > w);
    if note.reel == Some(true) && matches!(media, [only] if vertical_video(only)) {
        crate::db::reels::record(conn, status_id).await?;
    }
    Ok(())
}

/// A page of the reels feed for `viewer` (`None`: anonymous, public reels only):
/// public reels and the reels of the viewer and of the accounts they follow (as their
/// visibility allows), newest first.
pub async fn feed(state: &AppState, viewer: Option<i64>, page: &Page) -> ApiResult<Vec<StatusRow>> {
    let which = Timeline::Reels { account_id: None };
    Ok(timelines::timeline(&state.db, viewer, which, page).await?)
}

/// A page of `account_id`'s reels as `viewer` may see them, newest first. Errors:
/// `NotFound` for an unknown or suspended account.
pub async fn of_account(
    state: &AppState,
    viewer: Option<i64>,
    account_id: i64,
    page: &Page,
) -> ApiResult<Vec<StatusRow>> {
    let account = crate::db::accounts::find_visible_by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let which = Timeline::Reels {
        account_id: Some(account.id),
    };
    Ok(timelines::timeline(&state.db, viewer, which, page).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(width: i32, height: i32, duration: Option<f64>) -> MediaRow {
        let meta = match duration {
            Some(duration) => serde_json::json!({ "duration": duration }),
            None => serde_json::json!({}),
        };
        MediaRow {
            id: 1,
            account_id: 1,
            status_id: None,
            position: 0,
            kind: "video".into(),
            content_type: "video/mp4".into(),
            file_key: None,
            preview_key: None,
            file_size: None,
            remote_url: None,
            description: String::new(),
            blurhash: None,
            width: Some(width),
            height: Some(height),
            preview_width: None,
            preview_height: None,
            focus_x: 0.0,
            focus_y: 0.0,
            created_at: chrono::Utc::now(),
            meta,
        }
    }

    #[test]
    fn a_reel_is_a_vertical_video_of_known_size_within_the_duration_limit() {
        assert_eq!(shape(&video(720, 1280, Some(15.0)), 90), Ok(()));
        assert!(shape(&video(1280, 720, Some(15.0)), 90).is_err());
        assert!(shape(&video(720, 720, Some(15.0)), 90).is_err());
        assert!(shape(&video(720, 1280, Some(90.5)), 90).is_err());
        assert!(shape(&video(720, 1280, None), 90).is_err());
        let mut audio = video(720, 1280, Some(5.0));
        audio.kind = "audio".into();
        assert!(shape(&audio, 90).is_err());
    }
}
