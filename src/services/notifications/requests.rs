//! Notification requests (<https://docs.joinmastodon.org/entities/NotificationRequest/>):
//! the private mentions (and other mentions) a user's policy filtered, one request per
//! sender. Accepting one brings its notifications back and accepts the sender's from
//! then on; dismissing one deletes them. Both happen at once (in one transaction), so
//! the merge Mastodon runs in the background is always done.

use crate::db::notification_policies::{self, RequestRow};
use crate::db::Page;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// At most this many requests are accepted or dismissed by one call.
pub const MAX_IDS: usize = 100;

/// A page of `account_id`'s requests, newest first (senders that are suspended left
/// out).
pub async fn list(state: &AppState, account_id: i64, page: &Page) -> ApiResult<Vec<RequestRow>> {
    Ok(notification_policies::page(&state.db, account_id, page).await?)
}

/// One of `account_id`'s requests. Errors: `NotFound` when it is not theirs.
pub async fn find(state: &AppState, account_id: i64, id: Id) -> ApiResult<RequestRow> {
    notification_policies::find_many(&state.db, account_id, &[id.0])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// What to do with requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Unfilter the sender's notifications and accept their future ones.
    Accept,
    /// Delete the sender's filtered notifications.
    Dismiss,
}

/// Accepts or dismisses one of `account_id`'s requests. Errors: `NotFound` when it is
/// not theirs.
pub async fn decide(
    state: &AppState,
    account_id: i64,
    id: Id,
    decision: Decision,
) -> ApiResult<()> {
    let request = find(state, account_id, id).await?;
    apply(state, &[request], decision).await
}

/// Accepts or dismisses those of `ids` that are `account_id`'s requests (others are
/// ignored, as Mastodon). The caller bounds `ids` (at most [`MAX_IDS`]).
pub async fn decide_many(
    state: &AppState,
    account_id: i64,
    ids: &[i64],
    decision: Decision,
) -> ApiResult<()> {
    let requests = notification_policies::find_many(&state.db, account_id, ids).await?;
    apply(state, &requests, decision).await
}

async fn apply(state: &AppState, requests: &[RequestRow], decision: Decision) -> ApiResult<()> {
    let mut transaction = state.db.begin().await?;
    for request in requests {
        match decision {
            Decision::Accept => notification_policies::accept(&mut transaction, request).await?,
            Decision::Dismiss => notification_policies::dismiss(&mut transaction, request).await?,
        }
    }
    transaction.commit().await?;
    Ok(())
}
