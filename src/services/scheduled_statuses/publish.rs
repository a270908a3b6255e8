//! The worker that publishes scheduled statuses when they are due, on the shared queue
//! loop (`crate::queue`): due rows are claimed with `FOR UPDATE SKIP LOCKED` and a
//! lease, so several processes share the work and a row whose process died is taken
//! again when its lease ends (also after a restart that happened while it was due).
//! Exactly once: the row is deleted in the transaction that writes the status
//! (`NewPost::from_schedule`), so a second publisher finds it gone and rolls back.
//! A post that can no longer be made (its parent deleted, its author suspended) is
//! dropped, as Mastodon drops it; other failures are retried when the lease ends.

use crate::db::accounts;
use crate::db::scheduled_statuses::{self as db, ClaimedScheduled};
use crate::error::ApiError;
use crate::queue::{Attempted, Queue};
use crate::services::statuses;
use crate::state::AppState;

use super::Params;

/// A claim lasts this long; a failed attempt is retried after it.
const LEASE_SECS: i64 = 60;
/// Attempts before a row that keeps failing (not for its own reasons) is dropped.
const MAX_ATTEMPTS: i32 = 10;
/// The NOTIFY channel of the queue: nothing notifies it (rows become due with time),
/// so the loop polls every few seconds.
const CHANNEL: &str = "scheduled_statuses";

/// The queue's name in logs and metrics.
pub const QUEUE_NAME: &str = "scheduled";

/// The `scheduled_statuses` table as a queue for the shared loop in `crate::queue`.
struct ScheduledStatuses;

impl Queue for ScheduledStatuses {
    type Item = ClaimedScheduled;
    const NAME: &'static str = QUEUE_NAME;
    const CHANNEL: &'static str = CHANNEL;
    /// Publications in flight per process.
    const CONCURRENCY: usize = 4;

    async fn claim(state: &AppState, limit: i64) -> sqlx::Result<Vec<ClaimedScheduled>> {
        db::claim(&state.db, limit, LEASE_SECS).await
    }

    async fn attempt(state: AppState, claimed: ClaimedScheduled) -> Attempted {
        attempt(&state, claimed).await
    }

    fn job_id(item: &Self::Item) -> String {
        item.row.id.to_string()
    }
}

/// Publishes every due scheduled status once, waiting for all of them; returns how
/// many were tried. Tests call it to drain the queue deterministically.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    crate::queue::drain::<ScheduledStatuses>(state).await
}

/// Runs until `stop` turns true, publishing statuses as they fall due.
pub async fn run_forever(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    crate::queue::run::<ScheduledStatuses>(state, stop).await
}

async fn attempt(state: &AppState, claimed: ClaimedScheduled) -> Attempted {
    let id = claimed.row.id;
    let Err(error) = publish(state, &claimed).await else {
        return Attempted::Done;
    };
    let final_failure = error.status().is_client_error() || claimed.attempts >= MAX_ATTEMPTS;
    if final_failure {
        tracing::warn!(%error, scheduled_status = id, "dropping a scheduled status");
        if let Err(error) = db::discard(&state.db, id).await {
            tracing::warn!(%error, scheduled_status = id, "could not drop it");
            return Attempted::Retry;
        }
        Attempted::GivenUp
    } else {
        tracing::warn!(%error, scheduled_status = id, "publishing failed; retried later");
        Attempted::Retry
    }
}

/// Posts a claimed row as its author. Errors with a 4xx status are the post's own
/// (it can never be made); others may pass.
async fn publish(state: &AppState, claimed: &ClaimedScheduled) -> Result<(), ApiError> {
    let row = &claimed.row;
    let params: Params = serde_json::from_value(row.params.clone())
        .map_err(|_| ApiError::Unprocessable("unreadable parameters".into()))?;
    let author = accounts::find_by_id(&state.db, row.account_id)
        .await?
        .filter(|author| author.suspended_at.is_none())
        .ok_or(ApiError::NotFound)?;
    statuses::post(state, author.id, &params.to_post(row.id)).await?;
    Ok(())
}
