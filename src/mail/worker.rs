//! The mail loop: claims queued messages (`email_deliveries`, see `db::emails`), sends
//! each over SMTP through the app's [`super::Mailer`], and records the outcome.
//!
//! Schedule ([`RETRY`]): a failed attempt (server unreachable, refusing, timing out)
//! waits 1, 5, 15 and 30 minutes, then 1, 2, 4 and 8 hours (±10 % jitter); after the
//! ninth attempt, about 16 hours after the first, the message is dead: kept with its
//! last error for an admin to read. A message that can never go out (its recipient is
//! not an address) dies at once. A claim is leased for two minutes, so a worker that
//! dies mid-send gives its messages back.

use std::time::Duration;

use chrono::Utc;

use super::SendError;
use crate::db::emails::{self, ClaimedEmail, Failure};
use crate::queue::{Attempted, Queue, RetryPolicy};
use crate::state::AppState;

/// A claim is leased this long (above the SMTP timeout).
const LEASE_SECS: i64 = 120;
const MINUTE: Duration = Duration::from_secs(60);

/// The schedule of the module doc: nine attempts over about 16 hours.
pub const RETRY: RetryPolicy = RetryPolicy::new(
    9,
    &[
        MINUTE,
        MINUTE.saturating_mul(5),
        MINUTE.saturating_mul(15),
        MINUTE.saturating_mul(30),
        MINUTE.saturating_mul(60),
        MINUTE.saturating_mul(120),
        MINUTE.saturating_mul(240),
        MINUTE.saturating_mul(480),
    ],
)
.with_jitter(0.1);

/// The queue's name in logs and metrics.
pub const QUEUE_NAME: &str = "email";

/// The `email_deliveries` table as a queue for the shared loop in `crate::queue`.
struct Emails;

impl Queue for Emails {
    type Item = ClaimedEmail;
    const NAME: &'static str = QUEUE_NAME;
    const CHANNEL: &'static str = emails::NOTIFY_CHANNEL;
    /// Messages in flight per process (one SMTP connection each).
    const CONCURRENCY: usize = 4;

    async fn claim(state: &AppState, limit: i64) -> sqlx::Result<Vec<ClaimedEmail>> {
        if !state.mail.enabled() {
            // Nothing is queued without SMTP; rows left from a time with SMTP wait.
            return Ok(Vec::new());
        }
        emails::claim(&state.db, limit, LEASE_SECS).await
    }

    async fn attempt(state: AppState, email: ClaimedEmail) -> Attempted {
        attempt(&state, email).await
    }

    fn job_id(item: &Self::Item) -> String {
        item.id.to_string()
    }
}

/// Sends every due message once, waiting for all of them; returns how many were
/// tried. Tests call it to drain the queue deterministically.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    crate::queue::drain::<Emails>(state).await
}

/// Runs until `stop` turns true, waking on NOTIFY when mail is queued and otherwise
/// polling. In-flight messages finish before it returns (each is bounded by the SMTP
/// timeout).
pub async fn run_forever(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    crate::queue::run::<Emails>(state, stop).await
}

#[tracing::instrument(skip_all, fields(id = email.id, kind = %email.kind))]
async fn attempt(state: &AppState, email: ClaimedEmail) -> Attempted {
    let outcome = state.mail.send(&email).await;
    let recorded = match outcome {
        Ok(()) => emails::mark_sent(&state.db, email.id)
            .await
            .map(|()| Attempted::Done),
        Err(error) => {
            let failure = after_failure(&error, email.attempts, Utc::now());
            tracing::info!(%error, attempts = email.attempts, ?failure, "mail not sent");
            let attempted = match failure {
                Failure::Retry { .. } => Attempted::Retry,
                Failure::Dead => Attempted::GivenUp,
            };
            emails::mark_failed(&state.db, email.id, &error.to_string(), failure)
                .await
                .map(|()| attempted)
        }
    };
    recorded.unwrap_or_else(|error| {
        tracing::warn!(%error, "could not record a mail outcome; its lease will expire");
        Attempted::Retry
    })
}

/// What to do after the `attempts`-th attempt failed with `error`.
fn after_failure(error: &SendError, attempts: i32, now: chrono::DateTime<Utc>) -> Failure {
    match error {
        SendError::Final(_) => Failure::Dead,
        SendError::Retry(_) => match RETRY.next_attempt(attempts, now) {
            Some(next_attempt_at) => Failure::Retry { next_attempt_at },
            None => Failure::Dead,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_message_is_retried_on_schedule_until_the_ninth_attempt() {
        let now = Utc::now();
        let refused = SendError::Retry("421 try later".into());
        let Failure::Retry { next_attempt_at } = after_failure(&refused, 1, now) else {
            panic!("the first failure is retried");
        };
        assert!(next_attempt_at >= now + chrono::Duration::seconds(54));
        assert!(next_attempt_at <= now + chrono::Duration::seconds(66));
        assert_eq!(RETRY.delay(8), chrono::Duration::hours(8));
        assert!(matches!(
            after_failure(&refused, 8, now),
            Failure::Retry { .. }
        ));
        assert_eq!(after_failure(&refused, 9, now), Failure::Dead);
    }

    #[test]
    fn a_message_that_can_never_go_out_dies_at_once() {
        let bad = SendError::Final("invalid recipient".into());
        assert_eq!(after_failure(&bad, 1, Utc::now()), Failure::Dead);
    }
}
