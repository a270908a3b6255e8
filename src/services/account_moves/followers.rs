//! Carrying the local followers of a moved account over to its new account (Mastodon's
//! `MoveWorker` and `UnfollowFollowWorker`), one follower at a time through
//! `services::follows`, so each follow and unfollow has its usual rows, notifications
//! and activities. Followers on other servers are their servers' business (they get
//! the `Move`).

use crate::db::account_moves;
use crate::db::accounts::{self, AccountRow};
use crate::db::follows;
use crate::db::notifications::Kind;
use crate::error::{ApiError, ApiResult};
use crate::services::follows::{self as follow_service, FollowOptions, FollowRequest};
use crate::services::notifications::create::{self as notify, Cause};
use crate::state::AppState;

/// Followers read per query.
const BATCH: i64 = 100;

/// Makes every local follower of `origin` follow `target` and stop following `origin`,
/// and notifies each (`move`). A follower who may not follow `target` (a block either
/// way) keeps following `origin`, as in Mastodon; one whose carrying fails is logged
/// and skipped. Returns how many now follow (or asked to follow) `target`.
pub(super) async fn carry(state: &AppState, origin: &AccountRow, target: &AccountRow) -> usize {
    let mut carried = 0;
    let mut after = 0;
    loop {
        let batch = match account_moves::local_followers(&state.db, origin.id, after, BATCH).await {
            Ok(batch) => batch,
            Err(error) => {
                tracing::warn!(%error, origin = origin.id, "followers of a move not read");
                return carried;
            }
        };
        let Some(&last) = batch.last() else {
            return carried;
        };
        after = last;
        for follower_id in batch {
            match carry_one(state, follower_id, origin, target).await {
                Ok(true) => carried += 1,
                Ok(false) => {}
                Err(error) => {
                    tracing::info!(%error, follower_id, "follower not carried over");
                }
            }
        }
    }
}

/// Carries one follower over; `false` when it stays (the target itself, or a follow
/// the rules refuse).
async fn carry_one(
    state: &AppState,
    follower_id: i64,
    origin: &AccountRow,
    target: &AccountRow,
) -> ApiResult<bool> {
    if follower_id == target.id {
        return Ok(false);
    }
    let follower = accounts::find_by_id(&state.db, follower_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let old = follows::find_pair(&state.db, follower.id, origin.id).await?;
    let options = FollowOptions {
        show_reblogs: old.as_ref().map(|follow| follow.show_reblogs),
        notify: old.as_ref().map(|follow| follow.notify),
    };
    let languages = match &old {
        Some(follow) => follows::languages(&state.db, follow.id).await?,
        None => None,
    };
    let request = FollowRequest {
        options,
        activity_id: None,
        // The follower's language choice moves with them, as Mastodon's does.
        languages: languages.as_deref(),
    };
    let follow = match follow_service::request(state, &follower, target, request).await {
        Ok(follow) => follow,
        Err(ApiError::Forbidden(_)) => return Ok(false),
        Err(error) => return Err(error),
    };
    // The new account asked for them by naming the old one: a local target's lock
    // does not hold them back (Mastodon's `bypass_locked`).
    if target.is_local() && !follow.accepted {
        follow_service::accept(state, target, &follower).await?;
    }
    follow_service::unfollow(state, &follower, origin).await?;
    let mut transaction = state.db.begin().await?;
    let cause = Cause::new(Kind::Move, origin.id, None);
    notify::notify(&mut transaction, &cause, &[follower.id]).await?;
    transaction.commit().await?;
    Ok(true)
}
