//! Moderation actions on accounts, shared by the admin API and `roost admin`: who may
//! take them (the role rule, below), what each action changes here and what it tells
//! other servers.
//!
//! The role rule is Mastodon's (`UserRole#overrides?`, applied by its `AccountPolicy`
//! and `UserPolicy`): staff act only on accounts whose role is strictly lower than
//! their own. Remote accounts have no role, the lowest. So a moderator acts on users
//! and remote accounts, an admin on moderators too, and nobody on an equal or on
//! themselves. Roost applies it to every action and its undoing, approval and
//! rejection included. `roost admin` runs as the operator of the instance and may act
//! on anyone (it is how an admin account gets suspended at all).
//! Spec: <https://docs.joinmastodon.org/methods/admin/accounts/#action>.

use sqlx::PgConnection;

use crate::db::accounts::{self, AccountRow};
use crate::db::moderation::{self, Restriction};
use crate::db::{oauth, reports};
use crate::domain::Role;
use crate::error::ApiError;
use crate::federation::{builders, outbound};
use crate::state::AppState;
use crate::urls;

/// Who takes a moderation action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moderator {
    /// A staff member through the admin API: their account, and the role they hold now.
    Staff { account_id: i64, role: Role },
    /// Whoever runs `roost admin`: the operator, who may act on anyone.
    Operator,
}

impl Moderator {
    /// The role rule: whether this moderator may act on an account whose user has
    /// `target` (`None`: a remote account, or a local one without a user).
    pub fn may_act_on(self, target: Option<Role>) -> bool {
        match self {
            Moderator::Operator => true,
            Moderator::Staff { role, .. } => {
                role.is_staff() && target.is_none_or(|target| role > target)
            }
        }
    }

    /// The account recorded as having resolved a report (`None`: the operator).
    fn account_id(self) -> Option<i64> {
        match self {
            Moderator::Staff { account_id, .. } => Some(account_id),
            Moderator::Operator => None,
        }
    }
}

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
    /// The role rule refused it (see the module documentation).
    #[error("This action is not allowed")]
    NotPermitted,
    /// Approval or rejection of an account that is not waiting for approval.
    #[error("This account is not pending")]
    NotPending,
    /// The report an action was to resolve is not a report about its account.
    #[error("report_id is not a report about this account")]
    ReportMismatch,
    /// Deleting the data of an account that is not suspended.
    #[error("The account must be suspended first")]
    NotSuspended,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// The admin API's answers, Mastodon's: 404, 422 for a remote account or a report of
/// another account, 403 for the role rule, a sign-up not pending and deleting the data
/// of an account not suspended.
impl From<ModerationError> for ApiError {
    fn from(error: ModerationError) -> Self {
        match error {
            ModerationError::NotFound => ApiError::NotFound,
            ModerationError::NotLocal => ApiError::Unprocessable(error.to_string()),
            ModerationError::NotPermitted
            | ModerationError::NotPending
            | ModerationError::NotSuspended => ApiError::Forbidden(error.to_string()),
            ModerationError::ReportMismatch => {
                ApiError::validation("report_id", "ERR_INVALID", error.to_string())
            }
            ModerationError::Database(error) => error.into(),
            ModerationError::Other(error) => ApiError::from(error),
        }
    }
}

/// Applies the role rule to the account `account_id` within the action's transaction.
/// The target's role stays locked until the transaction ends, so a role change cannot
/// slip in between this check and the action.
pub(crate) async fn check_authority(
    conn: &mut PgConnection,
    moderator: Moderator,
    account_id: i64,
) -> Result<(), ModerationError> {
    if moderator == Moderator::Operator {
        return Ok(());
    }
    let role = moderation::lock_role(conn, account_id).await?;
    if moderator.may_act_on(role) {
        Ok(())
    } else {
        Err(ModerationError::NotPermitted)
    }
}

/// The account `account_id`, local or remote, whatever its state. Errors: NotFound.
pub async fn find_account(
    state: &AppState,
    account_id: i64,
) -> Result<AccountRow, ModerationError> {
    accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or(ModerationError::NotFound)
}

/// Takes `action` on an account, if the role rule lets `moderator`, and resolves the
/// report `resolves` (which must be about that account: `ReportMismatch` otherwise) in
/// the same transaction. Idempotent: repeating it changes nothing more.
pub async fn act(
    state: &AppState,
    moderator: Moderator,
    account_id: i64,
    action: AccountAction,
    resolves: Option<i64>,
) -> Result<AccountRow, ModerationError> {
    let account = find_account(state, account_id).await?;
    if let Some(report_id) = resolves {
        match reports::find(&state.db, report_id).await? {
            Some(report) if report.target_account_id == account.id => {}
            _ => return Err(ModerationError::ReportMismatch),
        }
    }
    let mut transaction = state.db.begin().await?;
    check_authority(&mut transaction, moderator, account.id).await?;
    apply(state, &mut transaction, &account, action).await?;
    if let Some(report_id) = resolves {
        reports::resolve(&mut *transaction, report_id, moderator.account_id()).await?;
    }
    transaction.commit().await?;
    Ok(account)
}

/// Writes what `action` changes, in the action's transaction.
async fn apply(
    state: &AppState,
    transaction: &mut PgConnection,
    account: &AccountRow,
    action: AccountAction,
) -> Result<(), ModerationError> {
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
        AccountAction::Suspend => suspend(state, &mut *transaction, account).await?,
    }
    Ok(())
}

/// Who hears of a local account's suspension by `Delete(actor)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteAudience {
    /// The servers of its followers and of those it follows (a moderator's suspension,
    /// which may be reversed).
    Follows,
    /// Every server this one knows (its owner deleted it, as Mastodon's
    /// `DeleteAccountService` does): anyone may have its posts.
    Everyone,
}

async fn suspend(
    state: &AppState,
    conn: &mut PgConnection,
    account: &AccountRow,
) -> Result<(), ModerationError> {
    suspend_with(state, conn, account, DeleteAudience::Follows).await
}

/// Suspends `account` in the caller's transaction: hidden everywhere, follows ended,
/// and for a local account every token revoked and `Delete(actor)` queued to
/// `audience`. Nothing more happens to an account suspended already.
pub async fn suspend_with(
    state: &AppState,
    conn: &mut PgConnection,
    account: &AccountRow,
    audience: DeleteAudience,
) -> Result<(), ModerationError> {
    let already = account.suspended_at.is_some();
    moderation::set_restriction(&mut *conn, account.id, Restriction::Suspended, true).await?;
    if already {
        return Ok(());
    }
    if account.is_local() {
        send_actor_delete(state, conn, account, audience).await?;
        oauth::revoke_all_for_account(conn, account.id).await?;
    }
    moderation::sever_follows(conn, account.id).await?;
    Ok(())
}

/// Queues `Delete(actor)` of a local account to the inboxes of every remote account
/// that follows it or that it follows, and with [`DeleteAudience::Everyone`] to every
/// other known server's inbox too. Called before the follows are severed.
async fn send_actor_delete(
    state: &AppState,
    conn: &mut PgConnection,
    account: &AccountRow,
    audience: DeleteAudience,
) -> Result<(), ModerationError> {
    let mut inboxes = moderation::follow_inboxes(conn, account.id).await?;
    if audience == DeleteAudience::Everyone {
        inboxes.extend(moderation::known_inboxes(conn).await?);
        inboxes.sort_unstable();
        inboxes.dedup();
    }
    let inboxes: Vec<url::Url> = inboxes
        .iter()
        .filter_map(|inbox| url::Url::parse(inbox).ok())
        .collect();
    if inboxes.is_empty() {
        return Ok(());
    }
    let actor = url::Url::parse(&urls::actor(&state.config, &account.username))
        .map_err(anyhow::Error::from)?;
    let activity =
        serde_json::to_value(builders::actors::delete(actor)).map_err(anyhow::Error::from)?;
    outbound::deliver(conn, &activity, account, &inboxes).await?;
    Ok(())
}

/// A remote actor deleted itself: suspend it here (its posts are hidden from then on)
/// and end every follow with it, in one transaction.
pub async fn suspend_deleted_actor(state: &AppState, actor: &AccountRow) -> sqlx::Result<()> {
    let mut transaction = state.db.begin().await?;
    moderation::set_restriction(&mut *transaction, actor.id, Restriction::Suspended, true).await?;
    moderation::sever_follows(&mut transaction, actor.id).await?;
    transaction.commit().await
}

/// Undoes an action on an account, if the role rule lets `moderator`; returns the
/// account as it is afterwards.
pub async fn reverse(
    state: &AppState,
    moderator: Moderator,
    account_id: i64,
    reversal: Reversal,
) -> Result<AccountRow, ModerationError> {
    let account = find_account(state, account_id).await?;
    let mut transaction = state.db.begin().await?;
    check_authority(&mut transaction, moderator, account.id).await?;
    let restriction = match reversal {
        Reversal::Enable => {
            if !moderation::set_disabled(&mut *transaction, account.id, false).await? {
                return Err(ModerationError::NotLocal);
            }
            None
        }
        Reversal::Unsensitive => Some(Restriction::Sensitized),
        Reversal::Unsilence => Some(Restriction::Silenced),
        Reversal::Unsuspend => Some(Restriction::Suspended),
    };
    if let Some(restriction) = restriction {
        moderation::set_restriction(&mut *transaction, account.id, restriction, false).await?;
    }
    if reversal == Reversal::Unsuspend {
        // An account its owner deleted and staff restored is no longer due for purging.
        crate::db::account_deletion::cancel_request(&mut *transaction, account.id).await?;
    }
    transaction.commit().await?;
    find_account(state, account.id).await
}

/// Approves a local sign-up waiting for approval, if the role rule lets `moderator`.
/// Errors: `NotFound`, `NotPermitted`, `NotPending`.
pub async fn approve(
    state: &AppState,
    moderator: Moderator,
    account_id: i64,
) -> Result<AccountRow, ModerationError> {
    decide_sign_up(state, moderator, account_id, SignUpDecision::Approve).await
}

/// Rejects (deletes) a local sign-up waiting for approval, if the role rule lets
/// `moderator`; returns the account as it was. Errors: `NotFound`, `NotPermitted`,
/// `NotPending`.
pub async fn reject(
    state: &AppState,
    moderator: Moderator,
    account_id: i64,
) -> Result<AccountRow, ModerationError> {
    decide_sign_up(state, moderator, account_id, SignUpDecision::Reject).await
}

/// What becomes of a sign-up waiting for approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SignUpDecision {
    Approve,
    Reject,
}

/// Approves or rejects a pending sign-up in one transaction with the role check.
async fn decide_sign_up(
    state: &AppState,
    moderator: Moderator,
    account_id: i64,
    decision: SignUpDecision,
) -> Result<AccountRow, ModerationError> {
    let account = find_account(state, account_id).await?;
    let mut transaction = state.db.begin().await?;
    check_authority(&mut transaction, moderator, account.id).await?;
    let decided = match decision {
        SignUpDecision::Approve => moderation::approve(&mut *transaction, account.id).await?,
        SignUpDecision::Reject => moderation::reject(&mut *transaction, account.id).await?,
    };
    if !decided {
        return Err(ModerationError::NotPending);
    }
    transaction.commit().await?;
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_act_only_on_strictly_lower_roles_and_the_operator_on_anyone() {
        let staff = |role| Moderator::Staff {
            account_id: 1,
            role,
        };
        let moderator = staff(Role::Moderator);
        let admin = staff(Role::Admin);
        assert!(moderator.may_act_on(None));
        assert!(moderator.may_act_on(Some(Role::User)));
        assert!(!moderator.may_act_on(Some(Role::Moderator)));
        assert!(!moderator.may_act_on(Some(Role::Admin)));
        assert!(admin.may_act_on(Some(Role::Moderator)));
        assert!(!admin.may_act_on(Some(Role::Admin)));
        assert!(!staff(Role::User).may_act_on(None));
        assert!(Moderator::Operator.may_act_on(Some(Role::Admin)));
    }
}
