//! Follow suggestions (<https://docs.joinmastodon.org/methods/suggestions/>): accounts a
//! user might want to follow, and dismissing one for good.
//!
//! Four sources, computed in SQL (`db::suggestions`) when asked and kept for
//! [`KEPT_FOR_SECONDS`] (as Mastodon keeps them; a new follow of the user, or staff
//! changing their picks, drops what was kept), ranked in this order:
//! - `featured`: accounts staff feature (`roost admin suggestion-feature`; the
//!   deprecated `source` calls it `staff`);
//! - `friends_of_friends`: accounts followed by the user's follows, ranked by how many
//!   of them follow it (deprecated `source`: `past_interactions`);
//! - `similar_to_recently_followed`: accounts followed by the people who follow the
//!   accounts the user followed last, ranked by how many of them do (deprecated
//!   `source`: `past_interactions`) — "those who follow X also follow Y";
//! - `most_followed`: discoverable local accounts with followers, by followers count,
//!   offered only to users who follow fewer than [`FEW_FOLLOWS`] accounts (the
//!   deprecated `source` calls it `global`).
//!
//! Never suggested: the user, accounts they follow or asked to follow, accounts in a
//! block with them either way, accounts they mute or whose domain they block,
//! suspended or silenced accounts, accounts that are not discoverable, and accounts
//! they dismissed — featured or not. These rules apply at once, also to what was kept.
//! Mastodon's `most_interactions` source is not offered.

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
/// How long computed suggestions are kept (Mastodon: 15 minutes).
pub const KEPT_FOR_SECONDS: i64 = 15 * 60;

/// Why an account is suggested (Mastodon's `sources` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestionSource {
    /// Featured by staff.
    Featured,
    /// Followed by accounts the user follows.
    FriendsOfFriends,
    /// Followed by those who follow the accounts the user followed last.
    SimilarToRecentlyFollowed,
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
    if !suggestions::is_fresh(&state.db, viewer, KEPT_FOR_SECONDS).await? {
        let few = suggestions::follows_count(&state.db, viewer).await? < FEW_FOLLOWS;
        suggestions::compute(&state.db, viewer, few).await?;
    }
    let rows = suggestions::kept(&state.db, viewer, limit).await?;
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
    [
        (row.featured, SuggestionSource::Featured),
        (row.friends_of_friends, SuggestionSource::FriendsOfFriends),
        (row.similar, SuggestionSource::SimilarToRecentlyFollowed),
        (row.most_followed, SuggestionSource::MostFollowed),
    ]
    .into_iter()
    .filter_map(|(proposed, source)| proposed.then_some(source))
    .collect()
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

/// Staff feature `account_id` as a suggestion for everyone (or stop, when `featured`
/// is false). Errors: `NotFound` when there is no such account, or when un-featuring
/// one that was not featured.
pub async fn set_featured(state: &AppState, account_id: i64, featured: bool) -> ApiResult<()> {
    accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if featured {
        suggestions::feature(&state.db, account_id).await?;
    } else if !suggestions::unfeature(&state.db, account_id).await? {
        return Err(ApiError::NotFound);
    }
    suggestions::forget_all(&state.db).await?;
    Ok(())
}

/// The accounts staff feature, oldest pick first.
pub async fn featured(state: &AppState) -> ApiResult<Vec<AccountRow>> {
    let ids = suggestions::featured(&state.db).await?;
    let mut found = accounts::find_many(&state.db, &ids).await?;
    found.sort_by_key(|account| ids.iter().position(|id| *id == account.id));
    Ok(found)
}
