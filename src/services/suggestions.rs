//! Follow suggestions (<https://docs.joinmastodon.org/methods/suggestions/>): accounts a
//! user might want to follow, and dismissing one for good.
//!
//! Two sources, both computed in SQL (`db::suggestions`) when asked:
//! - `friends_of_friends`: accounts followed by the user's follows, ranked by how many
//!   of them follow it (Mastodon's deprecated `source` calls it `past_interactions`);
//! - `most_followed`: discoverable local accounts with followers, by followers count,
//!   offered only to users who follow fewer than [`FEW_FOLLOWS`] accounts (the
//!   deprecated `source` calls it `global`).
//!
//! Never suggested: the user, accounts they follow or asked to follow, accounts in a
//! block with them either way, accounts they mute or whose domain they block,
//! suspended or silenced accounts, accounts that are not discoverable, and accounts
//! they dismissed. Mastodon's `featured` (staff picks) and interaction-based sources
//! are not offered: Roost stores neither.

use crate::db::accounts::{self, AccountRow};
use crate::db::suggestions::{self, SuggestionRow};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Suggestions returned when the client does not say.
pub const DEFAULT_LIMIT: i64 = 40;
/// Most suggestions one request returns (Mastodon's bound).
pub const MAX_LIMIT: i64 = 80;
/// Below this many follows, popular local accounts are suggested too.
pub const FEW_FOLLOWS: i64 = 20;

/// Why an account is suggested (Mastodon's `sources` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestionSource {
    /// Followed by accounts the user follows.
    FriendsOfFriends,
    /// Among the most followed local accounts.
    MostFollowed,
}

/// A suggested account and every source that proposed it, the strongest first.
#[derive(Clone, Debug)]
pub struct Suggestion {
    /// The suggested account.
    pub account: AccountRow,
    /// Why, the strongest reason first.
    pub sources: Vec<SuggestionSource>,
}

/// Up to `limit` (bounded to 1..=[`MAX_LIMIT`]) suggestions for `viewer`, best first.
pub async fn list(state: &AppState, viewer: i64, limit: i64) -> ApiResult<Vec<Suggestion>> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let few = suggestions::follows_count(&state.db, viewer).await? < FEW_FOLLOWS;
    let rows = suggestions::suggestions(&state.db, viewer, few, limit).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.account_id).collect();
    let mut found = accounts::find_many_visible(&state.db, &ids).await?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let index = found
                .iter()
                .position(|account| account.id == row.account_id)?;
            Some(Suggestion {
                account: found.swap_remove(index),
                sources: sources(row),
            })
        })
        .collect())
}

fn sources(row: &SuggestionRow) -> Vec<SuggestionSource> {
    let mut sources = Vec::new();
    if row.friends_of_friends {
        sources.push(SuggestionSource::FriendsOfFriends);
    }
    if row.most_followed {
        sources.push(SuggestionSource::MostFollowed);
    }
    sources
}

/// Stops suggesting `target` to `viewer`, for good. Idempotent. Errors: `NotFound`
/// when there is no such account.
pub async fn dismiss(state: &AppState, viewer: i64, target: i64) -> ApiResult<()> {
    accounts::find_by_id(&state.db, target)
        .await?
        .ok_or(ApiError::NotFound)?;
    suggestions::dismiss(&state.db, viewer, target).await?;
    Ok(())
}
