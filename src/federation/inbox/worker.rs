//! Settling stored inbound activities. Workers claim rows of `inbox_activities`
//! (`FOR UPDATE SKIP LOCKED`, leased), apply each through `federation::inbound`
//! (which says what is handled), and mark it processed, ignored, or to be retried by
//! [`RETRY`].
//!
//! Why not `crate::queue::run`, the loop deliveries and pushes share: that loop claims
//! more rows whenever a task finishes, while the rest are still in flight. A sender's
//! `Undo` could then be claimed and applied while its `Follow` (claimed earlier) is
//! still being settled, and an `Update` could overtake its `Create`. This worker claims
//! a batch, settles each sender's activities one after another in the order they were
//! received, and claims the next batch only when the whole batch is settled.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#server-to-server-interactions>.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::db::inbox::{self, ClaimedActivity};
use crate::federation::inbound::{self, Skip};
use crate::queue::{Attempted, RetryPolicy};
use crate::services;
use crate::services::follower_sync::Synchronized;
use crate::state::AppState;

/// Activities processed per claim.
const BATCH: i64 = 32;
const LEASE_SECS: i64 = 60;
const IDLE_POLL: Duration = Duration::from_secs(5);
/// A failing activity is retried after 30 s, 1, 1.5 and 2 min, then set aside
/// (processed, with its error) after the fifth attempt.
pub const RETRY: RetryPolicy = RetryPolicy::new(
    5,
    &[
        Duration::from_secs(30),
        Duration::from_secs(60),
        Duration::from_secs(90),
        Duration::from_secs(120),
    ],
);

/// The inbox's name in metrics, beside the `crate::queue::Queue` names.
pub const QUEUE_NAME: &str = "inbox";

/// Actors whose activities are settled at the same time.
const ACTORS_IN_FLIGHT: usize = 8;

/// Processes every pending activity once; returns how many were handled.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    let mut handled = 0;
    loop {
        let mut batch = inbox::claim(&state.db, BATCH, LEASE_SECS).await?;
        if batch.is_empty() {
            return Ok(handled);
        }
        handled += batch.len();
        batch.sort_by_key(|activity| activity.id);
        settle_batch(state, batch).await?;
    }
}

/// Settles a batch: one actor's activities one after another, in the order they were
/// received (a Follow is never overtaken by its own Undo, nor a Create by its Update),
/// and different actors' at the same time, at most [`ACTORS_IN_FLIGHT`], so that one
/// sender's slow activity does not hold up the others.
async fn settle_batch(state: &AppState, batch: Vec<ClaimedActivity>) -> sqlx::Result<()> {
    let mut groups: Vec<Vec<ClaimedActivity>> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    for activity in batch {
        match group_of.get(&activity.actor_ap_id) {
            Some(&index) => groups[index].push(activity),
            None => {
                group_of.insert(activity.actor_ap_id.clone(), groups.len());
                groups.push(vec![activity]);
            }
        }
    }
    let slots = Arc::new(tokio::sync::Semaphore::new(ACTORS_IN_FLIGHT));
    let mut tasks = tokio::task::JoinSet::new();
    for group in groups {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let state = state.clone();
        tasks.spawn(async move {
            let _slot = slot;
            for activity in &group {
                settle(&state, activity).await?;
            }
            Ok::<(), sqlx::Error>(())
        });
    }
    let mut outcome = Ok(());
    while let Some(done) = tasks.join_next().await {
        if let Ok(Err(error)) = done {
            outcome = Err(error);
        }
    }
    outcome
}

/// Runs until `stop` turns true, woken by NOTIFY when activities are stored.
pub async fn run_forever(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    state.metrics.queue_started(QUEUE_NAME);
    let mut listener = crate::db::listen(&state.db, inbox::NOTIFY_CHANNEL).await;
    while !*stop.borrow() {
        match run_once(&state).await {
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "inbox worker pass failed"),
        }
        tokio::select! {
            _ = stop.changed() => {}
            _ = crate::db::notified(&mut listener) => {}
            _ = tokio::time::sleep(IDLE_POLL) => {}
        }
    }
}

/// Applies one activity and records the result on its row.
#[tracing::instrument(skip_all, fields(id = %activity.activity_id, kind = %activity.activity_type))]
async fn settle(state: &AppState, activity: &ClaimedActivity) -> sqlx::Result<()> {
    let settled = record(state, activity, inbound::dispatch(state, activity).await).await;
    let attempted = settled
        .as_ref()
        .map_or(Attempted::Retry, |attempted| *attempted);
    state.metrics.job(QUEUE_NAME, attempted);
    if let Some(header) = &activity.collection_synchronization {
        synchronize_followers(state, activity, header).await;
    }
    settled.map(|_| ())
}

/// Compares the follower digest the activity's sender sent (FEP-8fcf) with this
/// server's and reconciles on a mismatch; whatever happens, the activity stays settled.
async fn synchronize_followers(state: &AppState, activity: &ClaimedActivity, header: &str) {
    match services::follower_sync::synchronize(state, &activity.actor_ap_id, header).await {
        Ok(Synchronized::Ignored(reason)) => {
            tracing::debug!(reason, "Collection-Synchronization not acted on")
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "follower synchronisation failed"),
    }
}

/// Records what applying the activity gave on its row.
async fn record(
    state: &AppState,
    activity: &ClaimedActivity,
    outcome: Result<(), Skip>,
) -> sqlx::Result<Attempted> {
    match outcome {
        Ok(()) => inbox::mark_processed(&state.db, activity.id, None).await?,
        Err(Skip::Ignored(reason)) => {
            tracing::info!(%reason, "activity ignored");
            inbox::mark_processed(&state.db, activity.id, Some(&reason)).await?
        }
        Err(Skip::Retry(error)) => {
            let error = format!("{error:#}");
            return match RETRY.next_attempt(activity.attempts, Utc::now()) {
                Some(next) => {
                    tracing::warn!(%error, "activity failed; will retry");
                    inbox::mark_retry(&state.db, activity.id, &error, next).await?;
                    Ok(Attempted::Retry)
                }
                None => {
                    tracing::warn!(%error, "activity failed for the last time");
                    inbox::mark_processed(&state.db, activity.id, Some(&error)).await?;
                    Ok(Attempted::GivenUp)
                }
            };
        }
    }
    Ok(Attempted::Done)
}
