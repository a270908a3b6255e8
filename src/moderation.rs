//! Moderation actions on accounts, shared by the admin API and `roost admin`: what
//! each action changes here and what it tells other servers.
//! Spec: <https://docs.joinmastodon.org/methods/admin/accounts/#action>.

use crate::db::accounts::{self, AccountRow};
use crate::db::moderation::{self, Restriction};
use crate::db::oauth;
use crate::federation::suspensions;
use crate::state::AppState;

/// An action of `POST /api/v1/admin/accounts/:id/action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountAction {
    /// Nothing (resolves a report without acting).
    None,
    /// Mark the account's media sensitive.
    Sensitive,
    /// A local user can no longer sign in.
    Disable,
    /// Keep the account out of public timelines.
    Silence,
    /// Hide the account and its posts everywhere; a local one is deleted on other
    /// servers and can no longer sign in.
    Suspend,
}

impl AccountAction {
    /// Parses Mastodon's `type` parameter.
    pub fn parse(name: &str) -> Option<AccountAction> {
        match name {
            "none" => Some(AccountAction::None),
            "sensitive" => Some(AccountAction::Sensitive),
            "disable" => Some(AccountAction::Disable),
            "silence" => Some(AccountAction::Silence),
            "suspend" => Some(AccountAction::Suspend),
            _ => None,
        }
    }
}

/// Undoing an action: `enable`, `unsensitive`, `unsilence`, `unsuspend`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reversal {
    Enable,
    Unsensitive,
    Unsilence,
    Unsuspend,
}

/// Why an action could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum ModerationError {
    #[error("Record not found")]
    NotFound,
    #[error("This action only applies to local accounts")]
    NotLocal,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Takes `action` on an account. Idempotent: repeating it changes nothing more.
pub async fn act(
    state: &AppState,
    account_id: i64,
    action: AccountAction,
) -> Result<AccountRow, ModerationError> {
    let account = accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or(ModerationError::NotFound)?;
    let mut transaction = state.db.begin().await?;
    match action {
        AccountAction::None => {}
        AccountAction::Sensitive => {
            moderation::set_restriction(
                &mut *transaction,
                account.id,
                Restriction::Sensitized,
                true,
            )
            .await?
        }
        AccountAction::Disable => {
            if !moderation::set_disabled(&mut *transaction, account.id, true).await? {
                return Err(ModerationError::NotLocal);
            }
        }
        AccountAction::Silence => {
            moderation::set_restriction(&mut *transaction, account.id, Restriction::Silenced, true)
                .await?
        }
        AccountAction::Suspend => suspend(state, &mut transaction, &account).await?,
    }
    transaction.commit().await?;
    Ok(account)
}

async fn suspend(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    account: &AccountRow,
) -> Result<(), ModerationError> {
    let already = account.suspended_at.is_some();
    moderation::set_restriction(&mut *conn, account.id, Restriction::Suspended, true).await?;
    if already {
        return Ok(());
    }
    if account.is_local() {
        suspensions::send_actor_delete(state, conn, account).await?;
        oauth::revoke_all_for_account(conn, account.id).await?;
    }
    moderation::sever_follows(conn, account.id).await?;
    Ok(())
}

/// Undoes an action on an account.
pub async fn reverse(
    state: &AppState,
    account_id: i64,
    reversal: Reversal,
) -> Result<AccountRow, ModerationError> {
    let account = accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or(ModerationError::NotFound)?;
    match reversal {
        Reversal::Enable => {
            if !moderation::set_disabled(&state.db, account.id, false).await? {
                return Err(ModerationError::NotLocal);
            }
        }
        Reversal::Unsensitive => {
            moderation::set_restriction(&state.db, account.id, Restriction::Sensitized, false)
                .await?
        }
        Reversal::Unsilence => {
            moderation::set_restriction(&state.db, account.id, Restriction::Silenced, false).await?
        }
        Reversal::Unsuspend => {
            moderation::set_restriction(&state.db, account.id, Restriction::Suspended, false)
                .await?
        }
    }
    Ok(account)
}
