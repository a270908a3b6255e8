//! Inbound follow activities (`Follow`, `Accept`, `Reject`, `Undo(Follow)`) handed to
//! `services::follows`, for the inbox worker until its per-activity handlers
//! (`federation::inbound`) take over. No rule lives here.

use crate::db::accounts::{self, AccountRow};
use crate::db::follows::FollowRow;
use crate::error::ApiError;
use crate::services::follows::{self as service, FollowOptions, FollowRequest};
use crate::state::AppState;

/// A remote follow carries no options: Mastodon's defaults.
const REMOTE_OPTIONS: FollowOptions = FollowOptions {
    show_reblogs: Some(true),
    notify: Some(false),
};

/// An inbound `Follow` (id `follow_id`) of the local `target` by the remote `follower`.
/// A follow the rules refuse is no failure of the activity: it is done with.
pub async fn receive_follow(
    state: &AppState,
    follower: &AccountRow,
    target: &AccountRow,
    follow_id: &str,
) -> anyhow::Result<()> {
    let request = FollowRequest {
        options: REMOTE_OPTIONS,
        activity_id: Some(follow_id),
    };
    match service::request(state, follower, target, request).await {
        Ok(_) | Err(ApiError::Forbidden(_)) => Ok(()),
        Err(error) => Err(anyhow::anyhow!("{error}")),
    }
}

/// The remote `followed` accepted the follow `follow` of one of our accounts.
pub async fn receive_accept(
    state: &AppState,
    followed: &AccountRow,
    follow: &FollowRow,
) -> anyhow::Result<()> {
    if follow.target_account_id != followed.id {
        anyhow::bail!("Accept of a follow of another account");
    }
    if follow.accepted {
        return Ok(());
    }
    let follower = account(state, follow.account_id).await?;
    service::accept(state, followed, &follower)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(())
}

/// Deletes a follow on an inbound `Reject(Follow)` (from the followed side) or
/// `Undo(Follow)` (from the follower side); the caller checked which side sent it.
pub async fn receive_removal(state: &AppState, follow: &FollowRow) -> anyhow::Result<()> {
    let follower = account(state, follow.account_id).await?;
    let followed = account(state, follow.target_account_id).await?;
    let removed = if follower.is_local() {
        service::remove_follower(state, &followed, &follower).await
    } else {
        service::unfollow(state, &follower, &followed).await
    };
    removed.map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(())
}

async fn account(state: &AppState, id: i64) -> anyhow::Result<AccountRow> {
    accounts::find_by_id(&state.db, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("account {id} vanished"))
}
