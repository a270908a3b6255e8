//! Deleting a suspended account's data for good (Mastodon's "delete user data",
//! <https://docs.joinmastodon.org/methods/admin/accounts/#delete>): admins only, and only
//! once the account is suspended. Its statuses, uploads and their files, follows,
//! blocks, lists, notifications, credentials and every other row it owns go; the
//! account row stays, emptied, so the username stays reserved (`db::account_deletion`
//! lists what stays and why).
//!
//! Federation: nothing new is sent. Suspending a local account already queued
//! `Delete(actor)` to every server that followed it or that it followed
//! (`services::moderation`), and those servers deleted its posts then; the pending
//! deliveries of that `Delete` are kept.

use crate::db::account_deletion;
use crate::db::accounts::AccountRow;
use crate::media::upload::remove_files;
use crate::services::moderation::{check_authority, find_account, ModerationError, Moderator};
use crate::state::AppState;

/// Deletes the data of the suspended account `account_id`, if the role rule lets
/// `moderator`; returns the account as it was. Errors: `NotFound`, `NotPermitted`,
/// `NotSuspended`. Files are removed after the commit (a file that cannot be removed
/// is logged, not an error).
pub async fn delete_data(
    state: &AppState,
    moderator: Moderator,
    account_id: i64,
) -> Result<AccountRow, ModerationError> {
    let account = find_account(state, account_id).await?;
    if account.suspended_at.is_none() {
        return Err(ModerationError::NotSuspended);
    }
    let mut transaction = state.db.begin().await?;
    check_authority(&mut transaction, moderator, account.id).await?;
    let keys = account_deletion::file_keys(&mut transaction, account.id).await?;
    account_deletion::purge(&mut transaction, account.id).await?;
    transaction.commit().await?;
    remove_files(state, &keys).await;
    Ok(account)
}
