//! Blocks, mutes and a user's domain blocks: blocking and unblocking (local or remote
//! blocker alike), muting with an optional end, and hiding a whole remote domain.
//! Each action's rows, the follows it ends, the notifications it forgets and the
//! activities it sends (`Block`, `Undo(Block)`, and the `Undo`/`Reject` of the follows)
//! commit in one transaction.
//!
//! A block ends follows both ways through `services::follows`, which tells the remote
//! side only when the party ending a follow is local: so a local block of a remote
//! account sends `Undo(Follow)`, `Reject(Follow)` and the `Block`, and a received
//! `Block` removes both follows here without sending anything (the blocker's server
//! has dropped them already). What blocks, mutes and domain blocks hide is
//! `db::hiding`'s.
//!
//! Spec: <https://docs.joinmastodon.org/methods/accounts/#block>,
//! <https://docs.joinmastodon.org/methods/accounts/#mute>,
//! <https://docs.joinmastodon.org/methods/domain_blocks/>,
//! <https://www.w3.org/TR/activitypub/#block-activity-outbox>.

use chrono::{Duration, Utc};

use super::follows::{end_in, new_activity_id, parties, send, Side};
use crate::db::accounts::{self, AccountRow};
use crate::db::blocks::{self, BlockRow};
use crate::db::mutes::{self, MuteRow};
use crate::db::{account_domain_blocks, notifications};
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::blocks as build;
use crate::state::AppState;
use crate::urls;

/// `blocker` blocks `target`: follows between the two end (each way), notifications
/// between them are forgotten, and a remote target's server gets a `Block`.
///
/// `activity_id` is the id of a remote blocker's `Block` (`None` for a local blocker,
/// whose block gets an id minted here). Blocking again changes nothing for a local
/// blocker; a remote blocker's repeated `Block` takes its new id (so its later `Undo`
/// matches). Errors: `Forbidden` for a block of oneself.
pub async fn block(
    state: &AppState,
    blocker: &AccountRow,
    target: &AccountRow,
    activity_id: Option<&str>,
) -> ApiResult<BlockRow> {
    if blocker.id == target.id {
        return Err(ApiError::Forbidden("You cannot block yourself".into()));
    }
    let mut transaction = state.db.begin().await?;
    let existing = blocks::find_pair(&mut *transaction, blocker.id, target.id).await?;
    if let (Some(existing), None) = (&existing, activity_id) {
        return Ok(existing.clone());
    }
    let config = &state.config;
    end_in(config, &mut transaction, blocker, target, Side::Follower).await?;
    end_in(config, &mut transaction, target, blocker, Side::Followed).await?;
    let ap_id = match activity_id {
        Some(id) => id.to_owned(),
        None => urls::new_activity(&state.config),
    };
    if existing.is_none() {
        // Before the block exists: its target's replies counted until now.
        crate::db::reply_controls::count_blocked_replies(
            &mut transaction,
            blocker.id,
            target.id,
            -1,
        )
        .await?;
    }
    let row = blocks::upsert(&mut transaction, blocker.id, target.id, &ap_id).await?;
    notifications::forget_between(&mut transaction, blocker.id, target.id).await?;
    if blocker.is_local() && !target.is_local() {
        let (actor, object) = parties(&state.config, blocker, target)?;
        let activity = build::block(&row, &actor, &object);
        send(&mut transaction, activity, blocker, target).await?;
    }
    transaction.commit().await?;
    Ok(row)
}

/// `blocker` lifts its block of `target`; a local blocker tells a remote target's
/// server with `Undo(Block)` (a remote blocker is its server's `Undo` arriving).
/// Returns false when there was no block.
pub async fn unblock(
    state: &AppState,
    blocker: &AccountRow,
    target: &AccountRow,
) -> ApiResult<bool> {
    let mut transaction = state.db.begin().await?;
    let Some(existing) = blocks::find_pair(&mut *transaction, blocker.id, target.id).await? else {
        return Ok(false);
    };
    blocks::delete(&mut transaction, existing.id).await?;
    crate::db::reply_controls::count_blocked_replies(&mut transaction, blocker.id, target.id, 1)
        .await?;
    if blocker.is_local() && !target.is_local() {
        let (actor, object) = parties(&state.config, blocker, target)?;
        let undo = build::undo(new_activity_id(&state.config)?, &existing, &actor, &object);
        send(&mut transaction, undo, blocker, target).await?;
    }
    transaction.commit().await?;
    Ok(true)
}

/// Longest mute accepted, in seconds: about a hundred years (Mastodon has no limit).
const MAX_MUTE_SECONDS: i64 = 100 * 365 * 24 * 3600;

/// How a mute hides an account.
#[derive(Clone, Copy, Debug)]
pub struct MuteOptions {
    /// Also hide the account's notifications.
    pub notifications: bool,
    /// Seconds until the mute ends; `None` or 0: until unmuted.
    pub duration_seconds: Option<i64>,
}

/// The local `account` mutes `target`: its posts leave the account's feeds (not its
/// profile), and its notifications too if asked. Muting again updates the options and
/// restarts an expired mute. Errors: `Forbidden` for a mute of oneself, `Validation`
/// for a duration below 0 or above about a century.
pub async fn mute(
    state: &AppState,
    account: &AccountRow,
    target: &AccountRow,
    options: MuteOptions,
) -> ApiResult<MuteRow> {
    if account.id == target.id {
        return Err(ApiError::Forbidden("You cannot mute yourself".into()));
    }
    let duration = match options.duration_seconds {
        None | Some(0) => None,
        Some(seconds) if (1..=MAX_MUTE_SECONDS).contains(&seconds) => {
            Some(Duration::seconds(seconds))
        }
        Some(_) => return Err(invalid_duration()),
    };
    let expires_at = duration.map(|duration| Utc::now() + duration);
    let row = mutes::upsert(
        &state.db,
        account.id,
        target.id,
        options.notifications,
        expires_at,
    )
    .await?;
    Ok(row)
}

/// The validation error of a mute duration that is no number of seconds in range
/// (also for the client API's duration that is no number at all).
pub fn invalid_duration() -> ApiError {
    ApiError::validation(
        "duration",
        "ERR_INVALID",
        "duration must be a number of seconds (0 for indefinite)",
    )
}

/// The local `account` unmutes `target`; false when there was no mute.
pub async fn unmute(
    state: &AppState,
    account: &AccountRow,
    target: &AccountRow,
) -> ApiResult<bool> {
    Ok(mutes::delete(&state.db, account.id, target.id).await?)
}

/// A domain as stored (`host[:port]`, lowercase, no trailing dot), or `Validation` when
/// it is empty, malformed or this instance's own.
fn domain_name(domain: Option<&str>, local: &str) -> ApiResult<String> {
    let domain = domain
        .unwrap_or_default()
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let valid = !domain.is_empty()
        && domain.len() <= 253
        && !domain.contains(['/', '@', ' ', '?', '#'])
        && domain != local.to_ascii_lowercase();
    if !valid {
        return Err(ApiError::validation(
            "domain",
            "ERR_INVALID",
            "domain must be another server's domain name",
        ));
    }
    Ok(domain)
}

/// The local `account` blocks the whole remote `domain` (as the client wrote it): its
/// accounts stop following `account` (each server told with `Reject(Follow)`), and its
/// posts and notifications are hidden. Existing follows of accounts there stay, as in
/// Mastodon. Idempotent. Errors: `Validation` for a domain that is not another
/// server's. Returns the domain as stored.
pub async fn block_domain(
    state: &AppState,
    account: &AccountRow,
    domain: Option<&str>,
) -> ApiResult<String> {
    let domain = domain_name(domain, &state.config.domain)?;
    let mut transaction = state.db.begin().await?;
    account_domain_blocks::insert(&mut *transaction, account.id, &domain).await?;
    let ids = account_domain_blocks::follower_ids_on_domain(&mut *transaction, account.id, &domain)
        .await?;
    let followers = accounts::find_many(&mut *transaction, &ids).await?;
    for follower in &followers {
        end_in(
            &state.config,
            &mut transaction,
            follower,
            account,
            Side::Followed,
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(domain)
}

/// The local `account` unblocks `domain` (idempotent). Errors: `Validation` as
/// [`block_domain`]. Returns the domain as stored.
pub async fn unblock_domain(
    state: &AppState,
    account: &AccountRow,
    domain: Option<&str>,
) -> ApiResult<String> {
    let domain = domain_name(domain, &state.config.domain)?;
    account_domain_blocks::delete(&state.db, account.id, &domain).await?;
    Ok(domain)
}
