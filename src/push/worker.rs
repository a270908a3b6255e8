//! The push loop: claims queued pushes, encrypts each for its subscription, POSTs it
//! to the push service with a VAPID token, and judges the answer (RFC 8030 §5):
//! 2xx sent; 404/410 the subscription is gone (deleted); 408, 429, 5xx or no answer
//! retried a few times over about 40 minutes (a late push is worth little); any other
//! answer is final.

use std::time::Duration;

use chrono::Utc;
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};

use super::encryption::{self, Coding, Encrypted};
use super::{payload, vapid_key};
use crate::db::notifications;
use crate::db::push::{self, ClaimedPush, SubscriptionRow};
use crate::queue::{Attempted, Queue, RetryPolicy};
use crate::state::AppState;

/// A claim is leased this long; a worker that dies mid-send gives the row back then.
const LEASE_SECS: i64 = 60;
/// Pushes are retried after 30 s, 2, 8 and 32 min (about 40 minutes in all: a late
/// push is worth little), then dropped after the fifth attempt.
pub const RETRY: RetryPolicy = RetryPolicy::new(
    5,
    &[
        Duration::from_secs(30),
        Duration::from_secs(120),
        Duration::from_secs(480),
        Duration::from_secs(1920),
    ],
);
/// How long a push service should keep an undelivered message (Mastodon: 48 hours).
const TIME_TO_LIVE_SECS: u32 = 48 * 3600;

/// The queue's name in logs and metrics.
pub const QUEUE_NAME: &str = "push";

/// The `push_deliveries` table as a queue for the shared loop in `crate::queue`.
struct Pushes;

impl Queue for Pushes {
    type Item = ClaimedPush;
    const NAME: &'static str = QUEUE_NAME;
    const CHANNEL: &'static str = push::NOTIFY_CHANNEL;
    /// Pushes in flight per process.
    const CONCURRENCY: usize = 16;

    async fn claim(state: &AppState, limit: i64) -> sqlx::Result<Vec<ClaimedPush>> {
        push::claim(&state.db, limit, LEASE_SECS).await
    }

    async fn attempt(state: AppState, claimed: ClaimedPush) -> Attempted {
        attempt(&state, claimed).await
    }

    fn job_id(item: &Self::Item) -> String {
        item.id.to_string()
    }
}

/// Sends every due push once, waiting for all of them; returns how many were tried.
/// Tests call it to drain the queue deterministically.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    crate::queue::drain::<Pushes>(state).await
}

/// Runs until `stop` turns true, waking on NOTIFY when pushes are queued and otherwise
/// polling. In-flight pushes finish before it returns.
pub async fn run_forever(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    crate::queue::run::<Pushes>(state, stop).await
}

/// What became of one attempt.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Sent, or never sendable: the row goes.
    Done,
    /// The push service says the subscription no longer exists.
    SubscriptionGone,
    /// Worth another try.
    Retry(String),
}

async fn attempt(state: &AppState, claimed: ClaimedPush) -> Attempted {
    let outcome = match send(state, &claimed).await {
        Ok(outcome) => outcome,
        Err(error) => Outcome::Retry(format!("{error:#}")),
    };
    record(state, &claimed, outcome)
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(id = claimed.id, %error, "could not record a push outcome; its lease will expire");
            Attempted::Retry
        })
}

async fn record(
    state: &AppState,
    claimed: &ClaimedPush,
    outcome: Outcome,
) -> sqlx::Result<Attempted> {
    match outcome {
        Outcome::Done => push::finish(&state.db, claimed.id).await?,
        Outcome::SubscriptionGone => push::delete(&state.db, claimed.subscription_id).await?,
        Outcome::Retry(error) => match RETRY.next_attempt(claimed.attempts, Utc::now()) {
            Some(next) => {
                push::retry_at(&state.db, claimed.id, next, &error).await?;
                return Ok(Attempted::Retry);
            }
            None => {
                tracing::info!(id = claimed.id, %error, "push given up");
                push::finish(&state.db, claimed.id).await?;
                return Ok(Attempted::GivenUp);
            }
        },
    }
    Ok(Attempted::Done)
}

#[tracing::instrument(skip_all, fields(id = claimed.id, subscription = claimed.subscription_id))]
async fn send(state: &AppState, claimed: &ClaimedPush) -> anyhow::Result<Outcome> {
    let Some(subscription) = push::find(&state.db, claimed.subscription_id).await? else {
        return Ok(Outcome::Done);
    };
    let found =
        notifications::find(&state.db, subscription.account_id, claimed.notification_id).await?;
    let Some(notification) = found else {
        return Ok(Outcome::Done);
    };
    let Some(payload) = payload::build(state, &subscription, &notification).await? else {
        return Ok(Outcome::Done);
    };
    let endpoint = match url::Url::parse(&subscription.endpoint) {
        Ok(endpoint) => endpoint,
        Err(_) => return Ok(Outcome::SubscriptionGone),
    };
    if let Err(error) = crate::federation::fetch::check_destination(&state.config, &endpoint).await
    {
        tracing::info!(%error, "push endpoint refused");
        return Ok(Outcome::Done);
    }
    let coding = if subscription.standard {
        Coding::Aes128Gcm
    } else {
        Coding::AesGcm
    };
    let encrypted = match encrypt(coding, &payload, &subscription) {
        Ok(encrypted) => encrypted,
        Err(error) => {
            tracing::info!(%error, "push cannot be encrypted for this subscription");
            return Ok(Outcome::Done);
        }
    };
    let response = post(state, &endpoint, coding, encrypted).await?;
    Ok(judge(response.status().as_u16()))
}

fn encrypt(
    coding: Coding,
    payload: &serde_json::Value,
    subscription: &SubscriptionRow,
) -> Result<Encrypted, encryption::EncryptionError> {
    encryption::encrypt(
        coding,
        payload.to_string().as_bytes(),
        &subscription.p256dh,
        &subscription.auth_secret,
    )
}

async fn post(
    state: &AppState,
    endpoint: &url::Url,
    coding: Coding,
    encrypted: Encrypted,
) -> anyhow::Result<reqwest::Response> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    let key = vapid_key(state).await?;
    let audience = endpoint.origin().ascii_serialization();
    let token = key.token(&audience, &contact(state), Utc::now())?;
    let mut request = state
        .http
        .post(endpoint.clone())
        .header("TTL", TIME_TO_LIVE_SECS.to_string())
        .header("Urgency", "normal")
        .header(CONTENT_TYPE, "application/octet-stream")
        .header(CONTENT_ENCODING, coding.name());
    request = match coding {
        Coding::Aes128Gcm => request.header(
            AUTHORIZATION,
            format!("vapid t={token}, k={}", key.public_key()),
        ),
        Coding::AesGcm => request
            .header(AUTHORIZATION, format!("WebPush {token}"))
            .header(
                "Crypto-Key",
                format!(
                    "dh={};p256ecdsa={}",
                    URL_SAFE_NO_PAD.encode(&encrypted.sender_public_key),
                    key.public_key()
                ),
            )
            .header(
                "Encryption",
                format!("salt={}", URL_SAFE_NO_PAD.encode(encrypted.salt)),
            ),
    };
    Ok(request.body(encrypted.body).send().await?)
}

/// The VAPID `sub` claim: how a push service reaches the instance's operator.
fn contact(state: &AppState) -> String {
    if state.config.contact_email.is_empty() {
        state.config.base_url()
    } else {
        format!("mailto:{}", state.config.contact_email)
    }
}

fn judge(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Done,
        404 | 410 => Outcome::SubscriptionGone,
        408 | 429 | 500..=599 => Outcome::Retry(format!("HTTP {status}")),
        _ => {
            tracing::info!(status, "push refused by the push service");
            Outcome::Done
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_of_the_push_service_are_judged_as_rfc_8030_says() {
        assert_eq!(judge(201), Outcome::Done);
        assert_eq!(judge(410), Outcome::SubscriptionGone);
        assert_eq!(judge(404), Outcome::SubscriptionGone);
        assert!(matches!(judge(429), Outcome::Retry(_)));
        assert!(matches!(judge(503), Outcome::Retry(_)));
        assert_eq!(judge(400), Outcome::Done);
    }
}
