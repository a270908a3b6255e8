//! Announcements: the admins publish them (`roost admin announcement-*` or the admin
//! API `/api/v1/admin/announcements`), users list
//! them, mark them read and react to them with emoji.
//!
//! <https://docs.joinmastodon.org/methods/announcements/>

use chrono::{DateTime, Utc};

use crate::db::announcements::{self, AnnouncementRow, NewAnnouncement, ReactionRow};
use crate::db::custom_emojis::{self, CustomEmojiRow};
use crate::domain::emoji::is_valid_shortcode;
use crate::error::{check_length, ApiError, ApiResult};
use crate::state::AppState;

/// Most distinct reactions on one announcement (Mastodon's limit too).
pub const MAX_REACTION_NAMES: i64 = 8;

/// Longest announcement text, in characters (the table checks it too).
pub const MAX_TEXT_CHARS: usize = 5_000;

/// Most announcements listed at once: the current ones are few; a bound keeps it so.
const MAX_LISTED: i64 = 200;

/// Longest unicode emoji reaction, in characters (a flag or a family sequence fits).
const MAX_EMOJI_CHARS: usize = 16;

/// The current announcements as one user sees them, with the reactions and the local
/// custom emoji those name.
#[derive(Debug)]
pub struct Listing {
    pub announcements: Vec<AnnouncementRow>,
    pub reactions: Vec<ReactionRow>,
    pub emojis: Vec<CustomEmojiRow>,
}

/// The current (not ended) announcements, read or not, for `reader`.
pub async fn current(state: &AppState, reader: i64) -> ApiResult<Listing> {
    let rows = announcements::current(&state.db, reader, MAX_LISTED).await?;
    listing(state, rows, reader).await
}

/// `rows` with their reactions as `reader` sees them and the local custom emoji
/// those name.
async fn listing(state: &AppState, rows: Vec<AnnouncementRow>, reader: i64) -> ApiResult<Listing> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let reactions = announcements::reactions(&state.db, &ids, reader).await?;
    let mut names: Vec<String> = reactions
        .iter()
        .filter(|reaction| is_valid_shortcode(&reaction.name))
        .map(|reaction| reaction.name.clone())
        .collect();
    names.sort();
    names.dedup();
    let emojis = custom_emojis::local_enabled(&state.db, &names).await?;
    Ok(Listing {
        announcements: rows,
        reactions,
        emojis,
    })
}

/// Marks announcement `id` read by `reader`; 404 unless it is current.
pub async fn dismiss(state: &AppState, reader: i64, id: i64) -> ApiResult<()> {
    require_current(state, id).await?;
    Ok(announcements::dismiss(&state.db, id, reader).await?)
}

/// Adds `reader`'s reaction `name`: a unicode emoji or a local custom emoji's
/// shortcode; 422 for anything else or past [`MAX_REACTION_NAMES`] names.
pub async fn react(state: &AppState, reader: i64, id: i64, name: &str) -> ApiResult<()> {
    require_current(state, id).await?;
    check_reaction_name(state, name).await?;
    if announcements::react(&state.db, id, reader, name, MAX_REACTION_NAMES).await? {
        Ok(())
    } else {
        Err(ApiError::validation(
            "name",
            "ERR_LIMIT_REACHED",
            "Maximum number of different reactions reached",
        ))
    }
}

/// Removes `reader`'s reaction `name`; 404 unless the announcement is current.
pub async fn unreact(state: &AppState, reader: i64, id: i64, name: &str) -> ApiResult<()> {
    require_current(state, id).await?;
    Ok(announcements::unreact(&state.db, id, reader, name).await?)
}

async fn require_current(state: &AppState, id: i64) -> ApiResult<()> {
    if announcements::is_current(&state.db, id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

async fn check_reaction_name(state: &AppState, name: &str) -> ApiResult<()> {
    let known = if is_valid_shortcode(name) {
        let names = [name.to_owned()];
        !custom_emojis::local_enabled(&state.db, &names)
            .await?
            .is_empty()
    } else {
        looks_like_emoji(name)
    };
    if known {
        Ok(())
    } else {
        Err(ApiError::validation(
            "name",
            "ERR_INVALID",
            "Name is not a recognized emoji",
        ))
    }
}

/// A unicode emoji, loosely: a few characters, no spaces or controls, and at least
/// one symbol outside ASCII and the Latin ranges (keycaps like `1️⃣` mix in a digit).
pub fn looks_like_emoji(name: &str) -> bool {
    let count = name.chars().count();
    (1..=MAX_EMOJI_CHARS).contains(&count)
        && !name.chars().any(|c| c.is_whitespace() || c.is_control())
        && name.chars().any(|c| u32::from(c) >= 0x2000)
        && !name
            .chars()
            .any(|c| c.is_alphabetic() && u32::from(c) < 0x2000)
}

/// An announcement as the admins write it.
pub struct AnnouncementInput<'a> {
    pub text: &'a str,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub all_day: bool,
}

/// Publishes an announcement.
pub async fn add(state: &AppState, input: &AnnouncementInput<'_>) -> ApiResult<AnnouncementRow> {
    let new = checked(input)?;
    Ok(announcements::insert(&state.db, &new).await?)
}

/// Changes announcement `id` (users see it again as changed); 404 when there is none.
pub async fn change(
    state: &AppState,
    id: i64,
    input: &AnnouncementInput<'_>,
) -> ApiResult<AnnouncementRow> {
    let changed = checked(input)?;
    announcements::update(&state.db, id, &changed)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The announcement as stored, once its text and times are checked.
fn checked<'a>(input: &AnnouncementInput<'a>) -> ApiResult<NewAnnouncement<'a>> {
    let text = input.text.trim();
    check_length("text", Some(text), MAX_TEXT_CHARS)?;
    if text.is_empty() {
        return Err(ApiError::validation(
            "text",
            "ERR_BLANK",
            "text can't be blank",
        ));
    }
    if let (Some(starts), Some(ends)) = (input.starts_at, input.ends_at) {
        if ends <= starts {
            return Err(ApiError::validation(
                "ends_at",
                "ERR_INVALID",
                "ends_at must be after starts_at",
            ));
        }
    }
    Ok(NewAnnouncement {
        text,
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        all_day: input.all_day,
    })
}

/// Removes an announcement; 404 when there is none.
pub async fn remove(state: &AppState, id: i64) -> ApiResult<()> {
    if announcements::delete(&state.db, id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// Every announcement, newest first, for the admins (at most 1,000).
pub async fn all(state: &AppState) -> ApiResult<Vec<AnnouncementRow>> {
    Ok(announcements::all(&state.db, 1_000).await?)
}

/// Every announcement, newest first, with its reactions, as the admin `reader` sees
/// them (the admin API's list).
pub async fn all_with_reactions(state: &AppState, reader: i64) -> ApiResult<Listing> {
    let rows = all(state).await?;
    listing(state, rows, reader).await
}

#[cfg(test)]
mod tests {
    use super::looks_like_emoji;

    #[test]
    fn unicode_emoji_pass_and_words_do_not() {
        assert!(looks_like_emoji("👍"));
        assert!(looks_like_emoji("🏳️‍🌈"));
        assert!(looks_like_emoji("1️⃣"));
        assert!(!looks_like_emoji("hello"));
        assert!(!looks_like_emoji("é"));
        assert!(!looks_like_emoji("👍 👍"));
        assert!(!looks_like_emoji(""));
    }
}
