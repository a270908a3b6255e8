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
