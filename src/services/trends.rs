//! Trends: the hashtags, statuses and links of the Explore tab
//! (<https://docs.joinmastodon.org/methods/trends/>).
//!
//! Roost does not compute trends yet (the search issue, 17, does, with admin review on
//! by default as in Mastodon). Mastodon only shows trends an admin has reviewed and
//! approved, so an instance whose admins reviewed nothing answers every trends route
//! with an empty list: that is what these functions return until then, so Explore tabs
//! load instead of failing on a 404.

use crate::db::statuses::StatusRow;
use crate::error::ApiResult;
use crate::services::tags::TagView;
use crate::state::AppState;

/// Which slice of a trends list a client asks for (`offset`, `limit`), already bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrendsPage {
    /// Entries to skip.
    pub offset: i64,
    /// Entries to return.
    pub limit: i64,
}

/// Trending hashtags: none, as on a Mastodon whose admins approved none.
pub async fn tags(_state: &AppState, _page: TrendsPage) -> ApiResult<Vec<TagView>> {
    Ok(Vec::new())
}

/// Trending statuses: none, as on a Mastodon whose admins approved none.
pub async fn statuses(_state: &AppState, _page: TrendsPage) -> ApiResult<Vec<StatusRow>> {
    Ok(Vec::new())
}

/// Trending links (preview cards): none, as on a Mastodon whose admins approved none.
/// Preview cards are stored (`services::cards`), but how links trend is not computed yet.
pub async fn links(_state: &AppState, _page: TrendsPage) -> ApiResult<Vec<serde_json::Value>> {
    Ok(Vec::new())
}
