//! A user's notifications and read markers: listing, showing, dismissing and counting
//! notifications, and saving where the user stopped reading
//! (<https://docs.joinmastodon.org/methods/notifications/>,
//! <https://docs.joinmastodon.org/methods/markers/>).
//!
//! Creating notifications is [`create`]'s (each action that causes one calls it in its
//! own transaction; triggers then stream it and queue its Web Push messages), the
//! notification policy and its requests are [`policy`]'s and [`requests`]'s, grouped
//! notifications (`/api/v2/notifications`) [`grouped`]'s. Rendering them (with their
//! accounts, statuses and reports) is the client API's.

pub mod create;
pub mod grouped;
pub mod policy;
pub mod requests;

use crate::db::notifications::{self, Filter, MarkerRow, NotificationRow};
use crate::db::Page;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The timelines that have a read marker, in the order they are saved.
pub const MARKER_TIMELINES: [&str; 2] = ["home", "notifications"];

/// The unread count stops at `limit` (default 100), at most here: clients show "1000+"
/// rather than an exact figure, and counting further would cost a scan of every old
/// notification.
pub const UNREAD_COUNT_LIMIT: (i64, i64) = (100, 1000);

/// The filter of a notification list or count from the client's parameters: only
/// `types` (all when empty), not `exclude_types`, only from `account_id` (an id that
/// does not parse filters nothing), and the notifications the policy filtered only
/// with `include_filtered` or when asking for one sender's (as Mastodon, so an app
/// shows a request's notifications with `account_id`).
pub fn filter<'a>(
    types: &'a [String],
    exclude_types: &'a [String],
    account_id: Option<&str>,
    include_filtered: bool,
) -> Filter<'a> {
    let from_account_id = account_id
        .and_then(|id| id.parse::<Id>().ok())
        .map(|id| id.0);
    Filter {
        types,
        exclude_types,
        from_account_id,
        include_filtered: include_filtered || from_account_id.is_some(),
    }
}

/// A page of `account_id`'s notifications matching `filter`, newest first (oldest first
/// after `min_id`, as [`Page`] says).
pub async fn list(
    state: &AppState,
    account_id: i64,
    filter: &Filter<'_>,
    page: &Page,
) -> ApiResult<Vec<NotificationRow>> {
    Ok(notifications::page(&state.db, account_id, filter, page).await?)
}

/// One of `account_id`'s notifications. Errors: `NotFound` when it is not theirs (or
/// does not exist).
pub async fn find(state: &AppState, account_id: i64, id: Id) -> ApiResult<NotificationRow> {
    notifications::find(&state.db, account_id, id.0)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Dismisses one of `account_id`'s notifications. Errors: `NotFound` when it is not
/// theirs (or was dismissed already).
pub async fn dismiss(state: &AppState, account_id: i64, id: Id) -> ApiResult<()> {
    if notifications::dismiss(&state.db, account_id, id.0).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// Dismisses every notification of `account_id`. Idempotent.
pub async fn clear(state: &AppState, account_id: i64) -> ApiResult<()> {
    Ok(notifications::clear(&state.db, account_id).await?)
}

/// How many of `account_id`'s notifications matching `filter` are newer than their
/// `notifications` marker, counting up to `limit` (clamped to 1..=1000).
pub async fn unread_count(
    state: &AppState,
    account_id: i64,
    filter: &Filter<'_>,
    limit: i64,
) -> ApiResult<i64> {
    let limit = limit.clamp(1, UNREAD_COUNT_LIMIT.1);
    Ok(notifications::unread_count(&state.db, account_id, filter, limit).await?)
}

/// `account_id`'s markers of the asked `timelines`; names other than `home` and
/// `notifications` are ignored, timelines without a marker are left out.
pub async fn markers(
    state: &AppState,
    account_id: i64,
    timelines: &[String],
) -> ApiResult<Vec<MarkerRow>> {
    let timelines: Vec<String> = timelines
        .iter()
        .filter(|timeline| MARKER_TIMELINES.contains(&timeline.as_str()))
        .cloned()
        .collect();
    Ok(notifications::markers(&state.db, account_id, &timelines).await?)
}

/// A read position to save: the timeline (one of [`MARKER_TIMELINES`]) and the id as
/// the client sent it.
#[derive(Clone, Copy, Debug)]
pub struct MarkerPosition<'a> {
    pub timeline: &'static str,
    pub last_read_id: Option<&'a str>,
}

/// Saves `account_id`'s read positions together, bumping each marker's version, and
/// returns the saved markers. Errors: `Validation` on `last_read_id` when one is
/// missing or not an id, and on `timeline` when there is no position at all.
pub async fn set_markers(
    state: &AppState,
    account_id: i64,
    positions: &[MarkerPosition<'_>],
) -> ApiResult<Vec<MarkerRow>> {
    if positions.is_empty() {
        return Err(ApiError::validation(
            "timeline",
            "ERR_BLANK",
            "Give home or notifications",
        ));
    }
    let mut checked = Vec::with_capacity(positions.len());
    for position in positions {
        let last_read: Id = position
            .last_read_id
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| {
                ApiError::validation("last_read_id", "ERR_INVALID", "last_read_id is invalid")
            })?;
        checked.push((position.timeline, last_read));
    }
    let mut transaction = state.db.begin().await?;
    let mut saved = Vec::with_capacity(checked.len());
    for (timeline, last_read) in checked {
        saved.push(
            notifications::set_marker(&mut *transaction, account_id, timeline, last_read.0).await?,
        );
    }
    transaction.commit().await?;
    Ok(saved)
}
