//! The thread backfill loop: claims due `thread_backfills` rows (SKIP LOCKED, through
//! the shared loop in `crate::queue`, leased for [`LEASE_SECS`], longer than
//! [`super::BACKFILL_TIME`]), walks the thread ([`super::walk`]) and marks the row
//! finished. A walk cut short by its time limit is finished with what it stored; a
//! database failure is tried again after [`RETRY`], then the row is finished as it is.

use std::time::Duration;

use chrono::Utc;

use super::walk::Walk;
use crate::db::thread_backfills::{self, Backfill, Scope};
use crate::queue::{Attempted, Queue, RetryPolicy};
use crate::state::AppState;

/// A claim is leased this long.
const LEASE_SECS: i64 = 180;
/// A backfill that failed on the database is tried again after 30 s and 5 minutes.
pub const RETRY: RetryPolicy =
    RetryPolicy::new(3, &[Duration::from_secs(30), Duration::from_secs(300)]).with_jitter(0.2);

/// The `thread_backfills` table as a queue.
struct Backfills;

impl Queue for Backfills {
    type Item = Backfill;
    const NAME: &'static str = "thread_backfill";
    const CHANNEL: &'static str = thread_backfills::NOTIFY_CHANNEL;
    /// Threads walked at once per process.
    const CONCURRENCY: usize = 4;

    async fn claim(state: &AppState, limit: i64) -> sqlx::Result<Vec<Backfill>> {
        thread_backfills::claim(&state.db, limit, LEASE_SECS).await
    }

    async fn attempt(state: AppState, backfill: Backfill) -> Attempted {
        attempt(&state, &backfill).await.unwrap_or_else(|error| {
            tracing::warn!(backfill = backfill.id, %error, "thread backfill not settled");
            Attempted::Retry
        })
    }

    fn job_id(item: &Self::Item) -> String {
        item.id.to_string()
    }
}

/// Walks every due backfill once, waiting for all of them; returns how many were
/// tried. Tests call it to drain the queue deterministically.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    crate::queue::drain::<Backfills>(state).await
}

/// Runs until `stop` turns true, waking on NOTIFY when backfills are queued.
pub async fn run_forever(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    crate::queue::run::<Backfills>(state, stop).await
}

#[tracing::instrument(skip_all, fields(backfill = backfill.id, status = backfill.status_id))]
async fn attempt(state: &AppState, backfill: &Backfill) -> sqlx::Result<Attempted> {
    let walked = tokio::time::timeout(super::BACKFILL_TIME, walk(state, backfill)).await;
    match walked {
        Ok(Err(error)) => {
            tracing::info!(%error, "thread backfill failed");
            match RETRY.next_attempt(backfill.attempts + 1, Utc::now()) {
                Some(at) => {
                    thread_backfills::postpone(&state.db, backfill.id, at).await?;
                    Ok(Attempted::Retry)
                }
                None => {
                    thread_backfills::finish(&state.db, backfill.id).await?;
                    Ok(Attempted::GivenUp)
                }
            }
        }
        Ok(Ok(())) => {
            thread_backfills::finish(&state.db, backfill.id).await?;
            Ok(Attempted::Done)
        }
        Err(_) => {
            // What was fetched until then stays: a thread cut short is no failure.
            tracing::info!("thread backfill cut at its time limit");
            thread_backfills::finish(&state.db, backfill.id).await?;
            Ok(Attempted::Done)
        }
    }
}

/// The walk a backfill's scope asks for, from its status (gone: nothing to do).
async fn walk(state: &AppState, backfill: &Backfill) -> anyhow::Result<()> {
    let Some(status) = crate::db::statuses::find_many(&state.db, &[backfill.status_id])
        .await?
        .pop()
        .filter(|status| status.deleted_at.is_none())
    else {
        return Ok(());
    };
    let mut walk = Walk::new(state, backfill.id);
    walk.parents(status.clone()).await?;
    // Read again: a viewer may have widened a running `parents` backfill meanwhile.
    let scope = thread_backfills::scope_of(&state.db, backfill.id).await?;
    if scope.unwrap_or(backfill.scope) == Scope::Thread {
        walk.replies(status).await?;
    }
    Ok(())
}
