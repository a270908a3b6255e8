//! Hashtags: looking one up with its use over the last week, and following it, so its
//! public posts (local and from other servers) come into the follower's home timeline.
//! A name is valid as Mastodon's: letters, digits, `_` and `·`, with at least one
//! letter or `_`, at most [`MAX_NAME`] characters; a leading `#` is dropped.
//!
//! Not here: the SQL (`db::tags`), the fan-out of a followed hashtag's posts (the
//! `tag_follows` migration's trigger) and the home condition (`db::timelines`).
//! Spec: <https://docs.joinmastodon.org/methods/tags/>,
//! <https://docs.joinmastodon.org/methods/followed_tags/>.

use std::collections::HashMap;

use crate::db::featured_tags::featured_among;
use crate::db::tags::{self, DayOfUse, TagRow};
use crate::db::Page;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Longest hashtag name, in characters.
pub const MAX_NAME: usize = 100;
/// Most hashtags one account may follow.
pub const MAX_FOLLOWED: i64 = 1000;
/// Days of history a hashtag shows (Mastodon's week).
pub const HISTORY_DAYS: i32 = 7;

/// A hashtag as shown: its row (`id` 0 when never used), its recent use, and whether
/// the viewer follows it (`None` without a viewer).
#[derive(Clone, Debug)]
pub struct TagView {
    pub tag: TagRow,
    pub history: Vec<DayOfUse>,
    pub following: Option<bool>,
    /// Whether the viewer features it on their profile (`None` when not looked up).
    pub featuring: Option<bool>,
}

/// `name` without its `#`, if it is a valid hashtag name.
pub fn valid_name(name: &str) -> Option<&str> {
    let name = name.strip_prefix('#').unwrap_or(name);
    let allowed = |c: char| c.is_alphanumeric() || c == '_' || c == '·';
    let named = name.chars().any(|c| c.is_alphabetic() || c == '_');
    let length = name.chars().count();
    (named && (1..=MAX_NAME).contains(&length) && name.chars().all(allowed)).then_some(name)
}

/// The hashtag `name` as `viewer` sees it: a valid name never used is shown with no
/// use, as Mastodon does. `NotFound` for an invalid name.
pub async fn show(state: &AppState, viewer: Option<i64>, name: &str) -> ApiResult<TagView> {
    let name = valid_name(name).ok_or(ApiError::NotFound)?;
    let Some(tag) = tags::find_by_name(&state.db, name).await? else {
        let unused = TagRow {
            id: 0,
            name: name.to_lowercase(),
        };
        return Ok(TagView {
            tag: unused,
            history: histories(state, &[0]).await?.remove(&0).unwrap_or_default(),
            following: viewer.map(|_| false),
            featuring: viewer.map(|_| false),
        });
    };
    view(state, viewer, tag).await
}

/// The recent use of each of `tags`, from one query.
pub async fn histories(state: &AppState, tags: &[i64]) -> ApiResult<HashMap<i64, Vec<DayOfUse>>> {
    let mut by_tag: HashMap<i64, Vec<DayOfUse>> = HashMap::new();
    for (tag, day) in tags::history(&state.db, tags, HISTORY_DAYS).await? {
        by_tag.entry(tag).or_default().push(day);
    }
    Ok(by_tag)
}

async fn view(state: &AppState, viewer: Option<i64>, tag: TagRow) -> ApiResult<TagView> {
    let history = histories(state, &[tag.id])
        .await?
        .remove(&tag.id)
        .unwrap_or_default();
    let (following, featuring) = match viewer {
        Some(viewer) => (
            Some(
                !tags::followed_among(&state.db, viewer, &[tag.id])
                    .await?
                    .is_empty(),
            ),
            Some(
                !featured_among(&state.db, viewer, &[tag.id])
                    .await?
                    .is_empty(),
            ),
        ),
        None => (None, None),
    };
    Ok(TagView {
        tag,
        history,
        following,
        featuring,
    })
}

/// `tags` as `viewer` sees them, with their histories from one query; `featuring` is
/// left out.
pub async fn views(state: &AppState, viewer: i64, tags: Vec<TagRow>) -> ApiResult<Vec<TagView>> {
    let ids: Vec<i64> = tags.iter().map(|tag| tag.id).collect();
    let mut histories = histories(state, &ids).await?;
    let followed = tags::followed_among(&state.db, viewer, &ids).await?;
    Ok(tags
        .into_iter()
        .map(|tag| TagView {
            history: histories.remove(&tag.id).unwrap_or_default(),
            following: Some(followed.contains(&tag.id)),
            featuring: None,
            tag,
        })
        .collect())
}

/// `viewer` follows the hashtag `name` (created when new). Errors: `Unprocessable` for
/// an invalid name or more than [`MAX_FOLLOWED`] hashtags.
pub async fn follow(state: &AppState, viewer: i64, name: &str) -> ApiResult<TagView> {
    let name = valid_name(name).ok_or_else(|| ApiError::Unprocessable("Invalid hashtag".into()))?;
    let mut transaction = state.db.begin().await?;
    if tags::count_followed_locked(&mut *transaction, viewer).await? >= MAX_FOLLOWED {
        return Err(ApiError::Unprocessable(format!(
            "You can follow at most {MAX_FOLLOWED} hashtags"
        )));
    }
    let tag = tags::find_or_create(&mut *transaction, &name.to_lowercase()).await?;
    tags::follow(&mut *transaction, viewer, tag.id).await?;
    transaction.commit().await?;
    view(state, Some(viewer), tag).await
}

/// `viewer` stops following the hashtag `name`. `NotFound` for an invalid name.
pub async fn unfollow(state: &AppState, viewer: i64, name: &str) -> ApiResult<TagView> {
    let found = show(state, Some(viewer), name).await?;
    if found.tag.id != 0 {
        tags::unfollow(&state.db, viewer, found.tag.id).await?;
    }
    Ok(TagView {
        following: Some(false),
        ..found
    })
}

/// A page of the hashtags `viewer` follows, newest follow first, with the follows' ids
/// of the page (its paging key).
pub async fn followed(
    state: &AppState,
    viewer: i64,
    page: &Page,
) -> ApiResult<(Vec<TagView>, Vec<i64>)> {
    let pairs = tags::followed(&state.db, viewer, page).await?;
    let ids: Vec<i64> = pairs.iter().map(|(_, tag)| tag.id).collect();
    let mut histories = histories(state, &ids).await?;
    let mut views = Vec::with_capacity(pairs.len());
    let mut keys = Vec::with_capacity(pairs.len());
    for (key, tag) in pairs {
        keys.push(key);
        views.push(TagView {
            history: histories.remove(&tag.id).unwrap_or_default(),
            tag,
            following: Some(true),
            featuring: None,
        });
    }
    Ok((views, keys))
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn hashtag_names_are_checked_as_mastodon_does() {
        assert_eq!(valid_name("#Rust"), Some("Rust"));
        assert_eq!(valid_name("caf\u{e9}_2"), Some("caf\u{e9}_2"));
        assert_eq!(valid_name("2026"), None, "digits only");
        assert_eq!(valid_name("two words"), None);
        assert_eq!(valid_name(""), None);
        assert_eq!(valid_name(&"a".repeat(101)), None);
    }
}
