//! The profile directory: accounts that chose to be discoverable
//! (<https://docs.joinmastodon.org/methods/directory/>).

use crate::db::accounts::{self, AccountRow};
use crate::error::ApiResult;
use crate::state::AppState;

/// Deepest `offset` accepted (deeper pages are clamped to it), so a request cannot ask
/// PostgreSQL to skip a huge number of rows.
pub const MAX_OFFSET: i64 = 10_000;

/// Which accounts come first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectoryOrder {
    /// Those who posted most recently.
    Active,
    /// The newest accounts.
    New,
}

/// A page of the directory.
pub async fn page(
    state: &AppState,
    order: DirectoryOrder,
    local_only: bool,
    offset: i64,
    limit: i64,
) -> ApiResult<Vec<AccountRow>> {
    let newest = order == DirectoryOrder::New;
    let offset = offset.clamp(0, MAX_OFFSET);
    Ok(accounts::directory(&state.db, local_only, newest, offset, limit).await?)
}
