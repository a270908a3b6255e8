//! Admins' review of hashtags (<https://docs.joinmastodon.org/methods/admin/tags/>):
//! listing every hashtag with its flags, and setting them. What each flag changes in
//! Roost:
//! - `usable` (default on): off, new and edited posts, local or received, are no longer
//!   filed under the hashtag (no hashtag timeline entry, not in the post's `tags`), as
//!   Mastodon stops linking a hashtag that is not usable. Posts filed before stay.
//! - `trendable` (default off, Mastodon's default of reviewing trends first): whether
//!   the hashtag may be listed in the trends (`services::trends`).
//! - `listable` (default on): stored and shown; it takes effect where hashtags are
//!   searched.
//! - `requires_review`: true until an admin reviews the hashtag (any update does).
//!
//! Not here: the SQL (`db::tag_reviews`); the `usable` condition itself lives where
//! posts are filed under hashtags (`db::statuses`).

use crate::db::tag_reviews::{self, Review, ReviewedTagRow};
use crate::db::tags::DayOfUse;
use crate::db::Page;
use crate::error::{ApiError, ApiResult};
use crate::services::tags::histories;
use crate::state::AppState;

/// A hashtag with its review and recent use, as the admin API shows it.
#[derive(Clone, Debug)]
pub struct AdminTagView {
    /// The hashtag and its review.
    pub tag: ReviewedTagRow,
    /// Its use over the last week, today first.
    pub history: Vec<DayOfUse>,
}

/// What an admin asked to change (`None`: unchanged).
#[derive(Clone, Debug, Default)]
pub struct TagChanges<'a> {
    /// A new spelling of the name: the same name in another case.
    pub display_name: Option<&'a str>,
    pub usable: Option<bool>,
    pub listable: Option<bool>,
    pub trendable: Option<bool>,
}

/// A page of every hashtag, newest first.
pub async fn list(state: &AppState, page: &Page) -> ApiResult<Vec<AdminTagView>> {
    let rows = tag_reviews::list(&state.db, page).await?;
    with_histories(state, rows).await
}

/// The hashtag `id`. Errors: `NotFound`.
pub async fn show(state: &AppState, id: i64) -> ApiResult<AdminTagView> {
    let row = tag_reviews::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    one(state, row).await
}

/// Reviews the hashtag `id`: sets the given flags and marks it reviewed. Errors:
/// `NotFound`; `Validation` when `display_name` is not the hashtag's name in another
/// case.
pub async fn update(
    state: &AppState,
    id: i64,
    changes: &TagChanges<'_>,
) -> ApiResult<AdminTagView> {
    let current = tag_reviews::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let name = changes
        .display_name
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(name) = name {
        if name.to_lowercase() != current.name.to_lowercase() {
            return Err(ApiError::validation(
                "display_name",
                "ERR_INVALID",
                "Display name must only differ from the name in letter case",
            ));
        }
    }
    let review = Review {
        name,
        usable: changes.usable,
        listable: changes.listable,
        trendable: changes.trendable,
    };
    let row = tag_reviews::review(&state.db, id, &review)
        .await?
        .ok_or(ApiError::NotFound)?;
    one(state, row).await
}

async fn one(state: &AppState, row: ReviewedTagRow) -> ApiResult<AdminTagView> {
    let mut views = with_histories(state, vec![row]).await?;
    views.pop().ok_or(ApiError::NotFound)
}

/// `rows` with their recent use, from one query.
pub(crate) async fn with_histories(
    state: &AppState,
    rows: Vec<ReviewedTagRow>,
) -> ApiResult<Vec<AdminTagView>> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut histories = histories(state, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|tag| AdminTagView {
            history: histories.remove(&tag.id).unwrap_or_default(),
            tag,
        })
        .collect())
}
