//! Moving accounts, as Mastodon does it: a user declares aliases (other accounts that
//! are theirs, published as `alsoKnownAs`), then moves their account to one of them.
//!
//! - **Move out** ([`move_out`]): a local account moves to another (local or remote)
//!   that lists it in its `alsoKnownAs` (a remote one is fetched fresh to check). The
//!   old account gets `moved_to`, its followers' servers (and the target's) a `Move`
//!   and an actor `Update`, its local followers follow the new account at once, and it
//!   can no longer post (`services::statuses`) nor be followed (`services::follows`).
//!   One move per 30 days.
//! - **Move in** ([`receive_move`]): a remote account's `Move` is accepted when the
//!   target, fetched fresh, lists the mover in its `alsoKnownAs` (and the mover's own
//!   `movedTo`, refetched, does not name another account); repeats within 7 days are
//!   ignored. The target may be local or remote.
//!
//! Either way the local followers of the old account follow the new one (through
//! `services::follows`, with their options; a follower who blocks the new account keeps
//! following the old one, as in Mastodon) and unfollow the old one, and each gets a
//! `move` notification (`followers`).
//!
//! Spec: <https://docs.joinmastodon.org/user/moving/>,
//! <https://docs.joinmastodon.org/spec/activitypub/#Move>.

use chrono::{Duration, Utc};
use url::Url;

use crate::db::account_moves::{self, MigrationRow};
use crate::db::accounts::{self, AccountRow};
use crate::db::follows;
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::moves as build;
use crate::federation::{outbound, resolve};
use crate::state::AppState;
use crate::urls;

mod aliases;
mod followers;

pub use aliases::{add_alias, aliases, remove_alias, MAX_ALIASES};

/// Days a local account waits between two moves (Mastodon's `AccountMigration`).
pub const MOVE_OUT_COOLDOWN_DAYS: i64 = 30;
/// Days a remote account's later `Move`s are ignored after one was accepted
/// (Mastodon's `PROCESSING_COOLDOWN`).
pub const MOVE_IN_COOLDOWN_DAYS: i64 = 7;

/// What a move did here.
#[derive(Debug)]
pub struct Moved {
    /// The account moved to.
    pub target: AccountRow,
    /// The move as recorded.
    pub migration: MigrationRow,
    /// How many local followers now follow the target.
    pub followers_carried: usize,
}

/// The local account `account_id` moves to the account `target_handle` names
/// (`user@domain`, or a local `user`). Errors (`Validation` on `acct`, 422): no such
/// account, the account itself, the account it moved to already, a target that does
/// not list it in `alsoKnownAs`, a suspended target, or a move within the cooldown.
pub async fn move_out(state: &AppState, account_id: i64, target_handle: &str) -> ApiResult<Moved> {
    let account = accounts::find_by_id(&state.db, account_id)
        .await?
        .filter(AccountRow::is_local)
        .ok_or(ApiError::NotFound)?;
    if account.suspended_at.is_some() {
        return Err(ApiError::Forbidden("Your account is suspended".into()));
    }
    if let Some(until) = cooldown_end(state, &account, MOVE_OUT_COOLDOWN_DAYS).await? {
        let reason = format!("You can move again after {}", until.date_naive());
        return Err(refused("ERR_TOO_SOON", reason));
    }
    let target = aliases::find_fresh(state, target_handle)
        .await?
        .ok_or_else(|| refused("ERR_NOT_FOUND", "could not be found"))?;
    check_target(state, &account, &target)?;
    let acct = target_handle.trim().trim_start_matches('@');
    let migration = record_move_out(state, &account, &target, acct).await?;
    let followers_carried = followers::carry(state, &account, &target).await;
    Ok(Moved {
        target,
        migration,
        followers_carried,
    })
}

/// [`move_out`] asked for by the user themselves, who proves it with `password` (the
/// web settings). Errors: a wrong password is a 422 on `current_password`; then as
/// [`move_out`].
pub async fn move_out_with_password(
    state: &AppState,
    account_id: i64,
    password: &str,
    target_handle: &str,
) -> ApiResult<Moved> {
    super::reauthentication::confirm_password(state, account_id, password).await?;
    move_out(state, account_id, target_handle).await
}

/// The rules of a move out of `account` to `target`, Mastodon's wording.
fn check_target(state: &AppState, account: &AccountRow, target: &AccountRow) -> ApiResult<()> {
    if target.id == account.id {
        return Err(refused("ERR_SELF", "cannot be the current account"));
    }
    if account.moved_to_account_id == Some(target.id) {
        return Err(refused(
            "ERR_TAKEN",
            "is the same account you have already moved to",
        ));
    }
    if target.suspended_at.is_some() {
        return Err(refused("ERR_SUSPENDED", "is suspended"));
    }
    let old_id = urls::account_ap_id(&state.config, account);
    if !target.also_known_as.contains(&old_id) {
        return Err(refused(
            "ERR_NOT_ALIAS",
            "does not have this account as an alias (add it on the new account first)",
        ));
    }
    Ok(())
}

/// A refused move, reported on the `acct` field.
fn refused(code: &'static str, reason: impl Into<String>) -> ApiError {
    ApiError::validation("acct", code, reason)
}

/// When the cooldown after `account`'s latest move ends, if it has not yet.
async fn cooldown_end(
    state: &AppState,
    account: &AccountRow,
    days: i64,
) -> sqlx::Result<Option<chrono::DateTime<Utc>>> {
    let latest = account_moves::latest_migration(&state.db, account.id).await?;
    Ok(latest
        .map(|migration| migration.created_at + Duration::days(days))
        .filter(|until| *until > Utc::now()))
}

/// In one transaction: records the move, points `account` at `target`, and queues
/// the actor's `Update` (now with `movedTo`) and the `Move` to the followers'
/// inboxes and the target's.
async fn record_move_out(
    state: &AppState,
    account: &AccountRow,
    target: &AccountRow,
    acct: &str,
) -> ApiResult<MigrationRow> {
    let mut transaction = state.db.begin().await?;
    let migration = account_moves::record_migration(
        &mut *transaction,
        account.id,
        target.id,
        acct,
        account.followers_count,
    )
    .await?;
    account_moves::set_moved_to(&mut *transaction, account.id, Some(target.id)).await?;
    let moved = accounts::find_by_id(&mut *transaction, account.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    super::profile::queue_actor_update(state, &mut transaction, &moved).await?;
    let parse = |id: String| Url::parse(&id).map_err(anyhow::Error::from);
    let actor = parse(urls::account_ap_id(&state.config, account))?;
    let target_id = parse(urls::account_ap_id(&state.config, target))?;
    let activity = build::move_to(&actor, &target_id, migration.id);
    let mut inboxes = follows::follower_inboxes(&mut *transaction, account.id).await?;
    if let Some(inbox) = target
        .shared_inbox_url
        .as_ref()
        .or(target.inbox_url.as_ref())
    {
        inboxes.push(inbox.clone());
    }
    inboxes.sort();
    inboxes.dedup();
    let inboxes: Vec<Url> = inboxes.iter().filter_map(|i| Url::parse(i).ok()).collect();
    if !inboxes.is_empty() {
        outbound::deliver(&mut transaction, &activity, account, &inboxes).await?;
    }
    transaction.commit().await?;
    Ok(migration)
}

/// Applies the `Move` the remote `origin` sent of `object` to `target` (see the module
/// doc). Errors: `Forbidden` when the object is not the sender; `Unprocessable` when
/// the move is not proven (no target, a target that does not list the sender, a
/// suspended target, a `movedTo` naming another account) or repeats one accepted in
/// the last 7 days; `Unavailable` when the target cannot be fetched now.
pub async fn receive_move(
    state: &AppState,
    origin: &AccountRow,
    object: Option<&Url>,
    target: Option<&Url>,
) -> ApiResult<Moved> {
    let origin_id = origin.ap_id.as_deref().unwrap_or_default();
    if origin.is_local() || object.map(Url::as_str) != Some(origin_id) {
        return Err(ApiError::Forbidden("an actor may only move itself".into()));
    }
    let target = target.ok_or_else(|| ApiError::Unprocessable("Move without target".into()))?;
    if cooldown_end(state, origin, MOVE_IN_COOLDOWN_DAYS)
        .await?
        .is_some()
    {
        return Err(ApiError::Unprocessable(
            "a move of this account was accepted in the last 7 days".into(),
        ));
    }
    let target = fresh_target(state, target).await?;
    if target.suspended_at.is_some() || !target.also_known_as.iter().any(|a| a == origin_id) {
        return Err(ApiError::Unprocessable(
            "the target does not name the mover in alsoKnownAs".into(),
        ));
    }
    let origin = refreshed(state, origin).await;
    if origin
        .moved_to_account_id
        .is_some_and(|moved_to| moved_to != target.id)
    {
        return Err(ApiError::Unprocessable(
            "the mover's movedTo names another account".into(),
        ));
    }
    let mut transaction = state.db.begin().await?;
    let migration = account_moves::record_migration(
        &mut *transaction,
        origin.id,
        target.id,
        target.ap_id.as_deref().unwrap_or(&target.username),
        origin.followers_count,
    )
    .await?;
    account_moves::set_moved_to(&mut *transaction, origin.id, Some(target.id)).await?;
    transaction.commit().await?;
    let followers_carried = followers::carry(state, &origin, &target).await;
    Ok(Moved {
        target,
        migration,
        followers_carried,
    })
}

/// The account a `Move` names as target: a local one, or the remote one fetched now
/// (its `alsoKnownAs` must be current).
async fn fresh_target(state: &AppState, target: &Url) -> ApiResult<AccountRow> {
    if let Some(username) = urls::local_username(&state.config, target.as_str()) {
        return accounts::find_visible_by_acct(&state.db, username, None)
            .await?
            .ok_or_else(|| ApiError::Unprocessable("no such local account".into()));
    }
    resolve::fetch_actor(state, target)
        .await
        .map_err(aliases::unreachable)
}

/// `origin` refetched (so its `movedTo` is current), or as stored when its server
/// does not answer now.
async fn refreshed(state: &AppState, origin: &AccountRow) -> AccountRow {
    let Some(url) = origin.ap_id.as_deref().and_then(|id| Url::parse(id).ok()) else {
        return origin.clone();
    };
    match resolve::fetch_actor(state, &url).await {
        Ok(fresh) => fresh,
        Err(error) => {
            tracing::info!(%error, %url, "mover not refetched; using the stored actor");
            origin.clone()
        }
    }
}

/// The latest move of local account `account_id`, with the account it moved to, and
/// when it may move again (`None`: now): what `/settings/migration` shows.
pub async fn current(
    state: &AppState,
    account_id: i64,
) -> ApiResult<(Option<AccountRow>, Option<chrono::DateTime<Utc>>)> {
    let account = accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let until = cooldown_end(state, &account, MOVE_OUT_COOLDOWN_DAYS).await?;
    Ok((account.moved_to.map(|moved| *moved.0), until))
}

/// Clears the redirect of local account `account_id` (an admin's undo of a move: the
/// account may post and be followed again; followers already carried over stay with
/// the new account, and the actor's `Update` tells other servers). Returns whether it
/// had moved.
pub async fn clear_move(state: &AppState, account_id: i64) -> ApiResult<bool> {
    let account = accounts::find_by_id(&state.db, account_id)
        .await?
        .filter(AccountRow::is_local)
        .ok_or(ApiError::NotFound)?;
    if account.moved_to_account_id.is_none() {
        return Ok(false);
    }
    let mut transaction = state.db.begin().await?;
    account_moves::set_moved_to(&mut *transaction, account.id, None).await?;
    let cleared = accounts::find_by_id(&mut *transaction, account.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    super::profile::queue_actor_update(state, &mut transaction, &cleared).await?;
    transaction.commit().await?;
    Ok(true)
}

/// Refuses posting by an account that moved (its followers went to the new one).
/// Errors: `Unprocessable` (422) naming the move.
pub async fn refuse_if_moved(state: &AppState, account_id: i64) -> ApiResult<()> {
    refuse_moved(account_moves::moved_to_of(&state.db, account_id).await?)
}

/// As [`refuse_if_moved`], from the account's `moved_to_account_id` read already.
pub fn refuse_moved(moved_to: Option<i64>) -> ApiResult<()> {
    match moved_to {
        Some(_) => Err(ApiError::Unprocessable(
            "Your account has moved to another account and can no longer post".into(),
        )),
        None => Ok(()),
    }
}
