//! The rules of what a local author may post: text not blank (unless there is media)
//! and within `ROOST_MAX_STATUS_CHARACTERS`, a known visibility (or the author's
//! default), a language code of sensible length, and the conversation a post joins.
//! Shared by posting and editing.

use super::media;
use crate::db::statuses::StatusRow;
use crate::db::users::PostingSettings;
use crate::domain::{status_text, Visibility};
use crate::error::{check_length, ApiError, ApiResult};
use crate::state::AppState;

/// Longest content warning accepted.
pub const MAX_SPOILER_CHARACTERS: usize = 500;

/// The body of a post or an edit, as sent.
#[derive(Debug)]
pub(super) struct Body<'a> {
    /// The text (for an edit: the new one, or the one kept).
    pub text: &'a str,
    /// The content warning.
    pub spoiler_text: Option<&'a str>,
    /// The `media_ids` parameter.
    pub media_ids: Option<&'a [String]>,
    /// The scheduled status being published, whose reserved uploads it may use.
    pub scheduled_id: Option<i64>,
}

/// The rules posting and editing share, in the order their errors are reported: valid
/// media ids, text (not blank unless there is media, not too long), media that are the
/// author's own and free (or already on `editing`), a content warning within bounds.
/// Returns the media ids to attach.
pub(super) async fn check_body(
    state: &AppState,
    author_id: i64,
    editing: Option<&StatusRow>,
    body: &Body<'_>,
) -> ApiResult<Option<Vec<i64>>> {
    let media_ids = media::media_ids(state, body.media_ids)?;
    let has_media = match (&media_ids, editing) {
        (Some(ids), _) => !ids.is_empty(),
        // An edit that leaves the media alone keeps the ones it has.
        (None, Some(row)) => !crate::db::media::for_statuses(&state.db, &[row.id])
            .await?
            .is_empty(),
        (None, None) => false,
    };
    check_text(state, body.text, has_media)?;
    let status_id = editing.map(|row| row.id);
    media::check_media(
        state,
        author_id,
        (status_id, body.scheduled_id),
        media_ids.as_deref(),
    )
    .await?;
    check_length("spoiler_text", body.spoiler_text, MAX_SPOILER_CHARACTERS)?;
    Ok(media_ids)
}

/// A new post's conversation: its parent's, or a fresh one (Mastodon's form).
pub(super) fn conversation(state: &AppState, parent: Option<&StatusRow>) -> String {
    parent
        .and_then(|p| p.conversation.clone())
        .unwrap_or_else(|| {
            let today = chrono::Utc::now().format("%Y-%m-%d");
            let id = crate::urls::new_activity(&state.config);
            format!(
                "tag:{},{today}:objectId={id}:objectType=Conversation",
                state.config.domain
            )
        })
}

/// A local author's posting defaults, from their user settings.
#[derive(Debug)]
pub(super) struct Defaults {
    /// `source[privacy]` (public when the account has no user).
    pub visibility: Visibility,
    /// `source[language]`, an ISO 639-1 code, if set.
    pub language: Option<String>,
}

impl Defaults {
    /// The defaults in an author's posting settings (public when the account has no
    /// user).
    pub fn of(settings: &PostingSettings) -> Defaults {
        Defaults {
            visibility: settings.default_privacy.unwrap_or(Visibility::Public),
            language: settings.default_language.clone(),
        }
    }
}

/// The visibility asked for, else the author's `default`. Errors: `Validation` for
/// an unknown name.
pub(super) fn visibility(requested: Option<&str>, default: Visibility) -> ApiResult<Visibility> {
    match requested {
        Some(name) => Visibility::parse(name).ok_or_else(|| {
            ApiError::validation(
                "visibility",
                "ERR_INCLUSION",
                "Visibility is not included in the list",
            )
        }),
        None => Ok(default),
    }
}

/// A language code worth keeping (2 to 8 characters), else none.
pub(super) fn language(language: Option<&str>) -> Option<&str> {
    language.filter(|l| (2..=8).contains(&l.len()))
}

/// Rules shared by posting and editing: not blank unless there is media, not too long.
fn check_text(state: &AppState, text: &str, has_media: bool) -> ApiResult<()> {
    let max_characters = state.config.max_status_characters as usize;
    if text.trim().is_empty() && !has_media {
        return Err(ApiError::validation(
            "status",
            "ERR_BLANK",
            "Text can't be blank",
        ));
    }
    if status_text::character_count(text) > max_characters {
        return Err(ApiError::validation(
            "status",
            "ERR_TOO_LONG",
            format!("Text character limit of {max_characters} exceeded"),
        ));
    }
    Ok(())
}
