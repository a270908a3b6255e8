//! The vocabulary shared by Roost's durable queues in PostgreSQL (federation
//! deliveries, Web Push messages, inbound activities): the [`Queue`] loop and the
//! [`RetryPolicy`] each queue retries failures by.
//!
//! The loop: claim due rows with `FOR UPDATE SKIP LOCKED` (so many processes share one
//! queue), run each claimed row as its own task with bounded concurrency, wake on
//! NOTIFY, poll as a fallback. What a claim and an attempt are belongs to each queue; an
//! attempt records its own outcome and never fails the loop. The inbox worker keeps its
//! own loop (it settles one sender's activities in order; see
//! `federation::inbox::worker`) but retries by a [`RetryPolicy`] too.
//!
//! Each queue's schedule is a constant in its own module, documented there:
//! `delivery::policy::RETRY` (days, for peers that come back), `push::worker::RETRY`
//! (minutes: a late push is worth little), `federation::inbox::worker::RETRY`.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use tokio::task::JoinSet;

use crate::state::AppState;

/// How long an idle worker sleeps when no notification arrives.
const IDLE_POLL: Duration = Duration::from_secs(5);

/// When a queue tries a failed row again, and when it stops: the wait after each failed
/// attempt, in order, and how many attempts there are in all. What happens after the
/// last one (a dead letter, a dropped push, an activity kept with its error) is each
/// queue's own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all; the row is retried after attempts `1..max_attempts`.
    pub max_attempts: i32,
    /// The wait after the n-th failed attempt is `delays[n - 1]`.
    delays: &'static [Duration],
    /// Each wait is moved by up to this fraction either way, so rows that failed
    /// together do not all come back at the same moment.
    jitter: f64,
}

impl RetryPolicy {
    /// A policy waiting `delays[n - 1]` after the n-th failure, with one wait for every
    /// attempt but the last (checked when the constant is built) and no jitter.
    pub const fn new(max_attempts: i32, delays: &'static [Duration]) -> RetryPolicy {
        assert!(
            delays.len() as i64 == max_attempts as i64 - 1,
            "one wait for every attempt but the last"
        );
        RetryPolicy {
            max_attempts,
            delays,
            jitter: 0.0,
        }
    }

    /// The same schedule, each wait moved by up to `fraction` (0.1 = ±10 %) at random.
    pub const fn with_jitter(self, fraction: f64) -> RetryPolicy {
        RetryPolicy {
            jitter: fraction,
            ..self
        }
    }

    /// The wait after the `attempt`-th failed attempt (1-based), without jitter; the
    /// first wait for an attempt below 1, the last for one beyond the schedule.
    pub fn delay(&self, attempt: i32) -> chrono::Duration {
        let last = self.delays.len().saturating_sub(1);
        let index = usize::try_from(attempt.saturating_sub(1)).map_or(0, |i| i.min(last));
        self.delays
            .get(index)
            .and_then(|wait| chrono::Duration::from_std(*wait).ok())
            .unwrap_or_else(chrono::Duration::zero)
    }

    /// When to try again after the `attempt`-th failure (1-based), jitter included, or
    /// `None` when it was the last attempt.
    pub fn next_attempt(&self, attempt: i32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempt >= self.max_attempts {
            return None;
        }
        let base = self.delay(attempt);
        let jitter = if self.jitter > 0.0 {
            rand::thread_rng().gen_range(-self.jitter..=self.jitter)
        } else {
            0.0
        };
        let moved = jitter * base.num_milliseconds() as f64;
        Some(now + base + chrono::Duration::milliseconds(moved as i64))
    }
}

/// What one attempt at a queued row came to, as the metrics count it (the row itself
/// records the details).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempted {
    /// Nothing left to do: done, or found to need nothing.
    Done,
    /// Failed, or could not be recorded; the row is tried again later.
    Retry,
    /// Failed for the last time: a dead letter, kept with its error or dropped.
    GivenUp,
}

/// One durable queue: how to claim due rows and how to attempt one.
pub trait Queue: Send + Sync + 'static {
    /// A claimed row.
    type Item: Send + 'static;
    /// The queue's name in log lines (the `job` span) and metrics (the `queue` label).
    const NAME: &'static str;
    /// The NOTIFY channel that announces new rows.
    const CHANNEL: &'static str;
    /// Rows in flight per process.
    const CONCURRENCY: usize;

    /// Claims (and leases, committing at once) up to `limit` due rows.
    fn claim(
        state: &AppState,
        limit: i64,
    ) -> impl Future<Output = sqlx::Result<Vec<Self::Item>>> + Send;

    /// Attempts one row and records the outcome on it; says what it came to.
    fn attempt(
        state: AppState,
        item: Self::Item,
    ) -> impl Future<Output = Attempted> + Send + 'static;

    /// What names a claimed row in the log (its id, or the key it is claimed by).
    fn job_id(item: &Self::Item) -> String;
}

/// One attempt of `item`, in a `job` span naming the queue and the row, so every log
/// line it writes says which job it belongs to; its outcome counted in the metrics.
fn attempt_in_span<Q: Queue>(
    state: &AppState,
    item: Q::Item,
) -> impl Future<Output = ()> + Send + 'static {
    use tracing::Instrument;
    let span = tracing::info_span!("job", queue = Q::NAME, job_id = %Q::job_id(&item));
    let metrics = state.metrics.clone();
    let attempt = Q::attempt(state.clone(), item).instrument(span);
    async move { metrics.job(Q::NAME, attempt.await) }
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
            running.spawn(attempt_in_span::<Q>(state, item));
        }
        while running.join_next().await.is_some() {}
    }
}

/// Runs until `stop` turns true, keeping up to `Q::CONCURRENCY` attempts in flight.
/// In-flight attempts finish before it returns (each is bounded by its own timeouts).
pub async fn run<Q: Queue>(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    state.metrics.queue_started(Q::NAME);
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
                        running.spawn(attempt_in_span::<Q>(&state, item));
                    }
                }
                Err(error) => tracing::warn!(%error, queue = Q::NAME, "claiming failed"),
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

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);
    const POLICY: RetryPolicy = RetryPolicy::new(3, &[SECOND, Duration::from_secs(5)]);

    #[test]
    fn each_failure_waits_its_own_delay_until_the_last_attempt() {
        let now = Utc::now();
        assert_eq!(
            POLICY.next_attempt(1, now),
            Some(now + chrono::Duration::seconds(1))
        );
        assert_eq!(
            POLICY.next_attempt(2, now),
            Some(now + chrono::Duration::seconds(5))
        );
        assert_eq!(POLICY.next_attempt(3, now), None);
        assert_eq!(POLICY.delay(0), chrono::Duration::seconds(1));
        assert_eq!(POLICY.delay(9), chrono::Duration::seconds(5));
    }

    #[test]
    fn jitter_moves_a_wait_by_at_most_its_fraction() {
        const JITTERED: RetryPolicy =
            RetryPolicy::new(2, &[Duration::from_secs(100)]).with_jitter(0.1);
        let now = Utc::now();
        for _ in 0..50 {
            let next = JITTERED.next_attempt(1, now).expect("retried");
            assert!(next >= now + chrono::Duration::seconds(90));
            assert!(next <= now + chrono::Duration::seconds(110));
        }
    }
}
