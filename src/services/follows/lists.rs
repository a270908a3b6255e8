//! The read side of follows: an account's followers and followings as a viewer may
//! see them, and a user's pending follow requests. The actions are in the parent
//! module.

use crate::db::accounts::{self, AccountRow};
use crate::db::follows::{self, Direction, FollowRow};
use crate::db::Page;
use crate::error::ApiResult;
use crate::state::AppState;

/// One page of an account's followers or followings (accepted follows), newest follow
/// first: the accounts shown and the follow ids the page is paged by.
#[derive(Debug, Default)]
pub struct FollowPage {
    pub accounts: Vec<AccountRow>,
    pub follow_ids: Vec<i64>,
}

/// The followers (or followings) of `account` that `viewer` may see: none when the
/// account hides its collections from everyone but itself.
pub async fn list(
    state: &AppState,
    viewer: Option<i64>,
    account: &AccountRow,
    direction: Direction,
    page: &Page,
) -> ApiResult<FollowPage> {
    if account.hide_collections && viewer != Some(account.id) {
        return Ok(FollowPage::default());
    }
    let rows = follows::page(&state.db, account.id, direction, true, page).await?;
    let others = rows.iter().map(|row| match direction {
        Direction::Followers => row.account_id,
        Direction::Following => row.target_account_id,
    });
    paged(state, &rows, others).await
}

/// The pending follow requests to `account`, newest first.
pub async fn requests(state: &AppState, account: i64, page: &Page) -> ApiResult<FollowPage> {
    let rows = follows::page(&state.db, account, Direction::Followers, false, page).await?;
    let requesters = rows.iter().map(|row| row.account_id);
    paged(state, &rows, requesters).await
}

/// The visible accounts of `others` (one per row, in order) with the rows' ids.
async fn paged(
    state: &AppState,
    rows: &[FollowRow],
    others: impl Iterator<Item = i64>,
) -> ApiResult<FollowPage> {
    let mut listed = Vec::with_capacity(rows.len());
    for other in others {
        if let Some(account) = accounts::find_visible_by_id(&state.db, other).await? {
            listed.push(account);
        }
    }
    Ok(FollowPage {
        accounts: listed,
        follow_ids: rows.iter().map(|row| row.id).collect(),
    })
}

/// Most accounts one familiar-followers request asks about (as Mastodon's 40 of
/// `relationships`), and most familiar followers listed for each.
pub const FAMILIAR_TARGETS: usize = 40;
/// See [`FAMILIAR_TARGETS`].
pub const FAMILIAR_PER_TARGET: i64 = 40;

/// For each account of `ids` that exists and is not suspended (at most
/// [`FAMILIAR_TARGETS`], in the order given, once each): the accounts `viewer`
/// follows that follow it too ("followed by people you follow").
pub async fn familiar_followers(
    state: &AppState,
    viewer: i64,
    ids: &[i64],
) -> ApiResult<Vec<(AccountRow, Vec<AccountRow>)>> {
    let mut wanted: Vec<i64> = Vec::new();
    for id in ids.iter().copied() {
        if wanted.len() < FAMILIAR_TARGETS && !wanted.contains(&id) {
            wanted.push(id);
        }
    }
    let mut targets = accounts::find_many(&state.db, &wanted).await?;
    targets.retain(|account| account.suspended_at.is_none());
    targets.sort_by_key(|account| wanted.iter().position(|id| *id == account.id));
    let pairs =
        follows::familiar_followers(&state.db, viewer, &wanted, FAMILIAR_PER_TARGET).await?;
    let mut familiar_ids: Vec<i64> = pairs.iter().map(|(_, account)| *account).collect();
    familiar_ids.sort_unstable();
    familiar_ids.dedup();
    let familiar = accounts::find_many(&state.db, &familiar_ids).await?;
    Ok(targets
        .into_iter()
        .map(|target| {
            let known = pairs
                .iter()
                .filter(|(of, _)| *of == target.id)
                .filter_map(|(_, id)| familiar.iter().find(|row| row.id == *id).cloned())
                .collect();
            (target, known)
        })
        .collect())
}
