//! The loop shared by Roost's durable queues in PostgreSQL (federation deliveries,
//! Web Push messages): claim due rows with `FOR UPDATE SKIP LOCKED` (so many processes
//! share one queue), run each claimed row as its own task with bounded concurrency,
//! wake on NOTIFY, poll as a fallback. What a claim and an attempt are belongs to each
//! queue; an attempt records its own outcome and never fails the loop.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinSet;

use crate::state::AppState;

/// How long an idle worker sleeps when no notification arrives.
const IDLE_POLL: Duration = Duration::from_secs(5);

/// One durable queue: how to claim due rows and how to attempt one.
pub trait Queue: Send + Sync + 'static {
    /// A claimed row.
    type Item: Send + 'static;
    /// The NOTIFY channel that announces new rows.
    const CHANNEL: &'static str;
    /// Rows in flight per process.
    const CONCURRENCY: usize;

    /// Claims (and leases, committing at once) up to `limit` due rows.
    fn claim(
        state: &AppState,
        limit: i64,
    ) -> impl Future<Output = sqlx::Result<Vec<Self::Item>>> + Send;

    /// Attempts one row and records the outcome on it.
    fn attempt(state: AppState, item: Self::Item) -> impl Future<Output = ()> + Send + 'static;
}

/// Claims and attempts every due row once, waiting for all of them. Tests and
/// benchmarks call it to drain a queue deterministically; returns how many were tried.
pub async fn drain<Q: Queue>(state: &AppState) -> anyhow::Result<usize> {
    let mut tried = 0;
    loop {
        let batch = Q::claim(state, Q::CONCURRENCY as i64).await?;
        if batch.is_empty() {
            return Ok(tried);
        }
        tried += batch.len();
        let mut running = JoinSet::new();
        for item in batch {
            running.spawn(Q::attempt(state.clone(), item));
        }
        while running.join_next().await.is_some() {}
    }
}

/// Runs until `stop` turns true, keeping up to `Q::CONCURRENCY` attempts in flight.
/// In-flight attempts finish before it returns (each is bounded by its own timeouts).
pub async fn run<Q: Queue>(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut listener = crate::db::listen(&state.db, Q::CHANNEL).await;
    let mut running = JoinSet::new();
    while !*stop.borrow() {
        let free = Q::CONCURRENCY.saturating_sub(running.len());
        let mut claimed = 0;
        if free > 0 {
            match Q::claim(&state, free as i64).await {
                Ok(batch) => {
                    claimed = batch.len();
                    for item in batch {
                        running.spawn(Q::attempt(state.clone(), item));
                    }
                }
                Err(error) => tracing::warn!(%error, queue = Q::CHANNEL, "claiming failed"),
            }
        }
        if claimed > 0 && running.len() < Q::CONCURRENCY {
            continue;
        }
        tokio::select! {
            _ = stop.changed() => {}
            Some(_) = running.join_next(), if !running.is_empty() => {}
            _ = crate::db::notified(&mut listener) => {}
            _ = tokio::time::sleep(IDLE_POLL) => {}
        }
    }
    while running.join_next().await.is_some() {}
}
