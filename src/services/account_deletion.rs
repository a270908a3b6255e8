//! Deleting a suspended account's data for good (Mastodon's "delete user data",
//! <https://docs.joinmastodon.org/methods/admin/accounts/#delete>): admins only, and only
//! once the account is suspended. Its statuses, uploads and their files, follows,
//! blocks, lists, notifications, credentials and every other row it owns go; the
//! account row stays, emptied, so the username stays reserved (`db::account_deletion`
//! lists what stays and why).
//!
//! A user may also delete their own account ([`delete_own`], the web settings, with
//! their password): it is suspended at once — `Delete(actor)` queued to every server
//! this one knows, tokens and browser sessions ended — and its data purged by the
//! maintenance pass ([`purge_due`]) once `ROOST_ACCOUNT_DELETION_GRACE_DAYS` have
//! passed; until then an admin can still restore it by unsuspending it.
//!
//! Federation: nothing new is sent by the purge. Suspending a local account already
//! queued `Delete(actor)` (`services::moderation`), and those servers deleted its posts
//! then; the pending deliveries of that `Delete` are kept.

use crate::db::accounts::{self, AccountRow};
use crate::db::{account_deletion, web_sessions};
use crate::error::{ApiError, ApiResult};
use crate::media::upload::remove_files;
use crate::services::moderation::{
    check_authority, find_account, suspend_with, DeleteAudience, ModerationError, Moderator,
};
use crate::state::AppState;

/// Accounts purged per maintenance batch.
const PURGE_BATCH: i64 = 10;

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

/// The signed-in user deletes their own account, proving it with `password`: it is
/// suspended now (see the module doc) and purged after the grace period. A wrong
/// password is a 422 on `current_password`.
pub async fn delete_own(state: &AppState, account_id: i64, password: &str) -> ApiResult<()> {
    let user = super::reauthentication::confirm_password(state, account_id, password).await?;
    let account = accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut transaction = state.db.begin().await?;
    suspend_with(state, &mut transaction, &account, DeleteAudience::Everyone).await?;
    account_deletion::request(&mut *transaction, account.id).await?;
    web_sessions::delete_all_but(&mut *transaction, user.id, None).await?;
    transaction.commit().await?;
    Ok(())
}

/// Purges the accounts whose owners deleted them longer than the grace period ago;
/// returns how many. Run by the maintenance pass; each purge is its own transaction.
pub async fn purge_due(state: &AppState) -> anyhow::Result<u64> {
    let grace = chrono::Duration::days(i64::from(state.config.account_deletion_grace_days));
    let cutoff = chrono::Utc::now() - grace;
    let mut purged = 0;
    loop {
        let due = account_deletion::due(&state.db, cutoff, PURGE_BATCH).await?;
        if due.is_empty() {
            return Ok(purged);
        }
        for account_id in due {
            match delete_data(state, Moderator::Operator, account_id).await {
                Ok(_) => purged += 1,
                // Restored or gone meanwhile: nothing to purge.
                Err(ModerationError::NotSuspended | ModerationError::NotFound) => {}
                Err(ModerationError::Database(error)) => return Err(error.into()),
                Err(error) => return Err(anyhow::anyhow!("purging {account_id}: {error}")),
            }
        }
    }
}
