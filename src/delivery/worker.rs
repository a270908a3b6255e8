//! The delivery loop. Each claimed row is signed at send time with its actor's key
//! (draft-cavage, see `federation::signatures`), POSTed, and judged by `policy`.
//! Many deliveries run at once, so one slow server does not hold up the others.

use std::sync::Arc;

use chrono::Utc;
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};

use super::policy::{self, Verdict};
use crate::db::deliveries::{self, ClaimedDelivery, Failure};
use crate::db::{accounts, instance_actor};
use crate::federation::signatures::{self, SigningKey};
use crate::federation::urls;
use crate::queue::Queue;
use crate::state::AppState;

/// A claim is leased this long; a worker that dies mid-send gives the row back then.
const LEASE_SECS: i64 = 120;

/// The `deliveries` table as a queue for the shared loop in `crate::queue`.
struct Deliveries;

impl Queue for Deliveries {
    type Item = ClaimedDelivery;
    const CHANNEL: &'static str = deliveries::NOTIFY_CHANNEL;
    /// Deliveries in flight per process.
    const CONCURRENCY: usize = 32;

    async fn claim(state: &AppState, limit: i64) -> sqlx::Result<Vec<ClaimedDelivery>> {
        deliveries::claim(&state.db, limit, LEASE_SECS).await
    }

    async fn attempt(state: AppState, delivery: ClaimedDelivery) {
        attempt(&state, delivery).await
    }
}

/// Claims and sends every due delivery once, waiting for all of them. Tests and
/// benchmarks call it to drain the queue deterministically; returns how many were tried.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    crate::queue::drain::<Deliveries>(state).await
}

/// Runs until `stop` turns true: keeps up to 32 sends in flight, wakes on NOTIFY when
/// rows are queued, and otherwise polls. In-flight sends finish before it returns
/// (each is bounded by the HTTP client's timeout).
pub async fn run_forever(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    crate::queue::run::<Deliveries>(state, stop).await
}

/// One attempt: sign, send, record. Errors are recorded on the row, never returned.
async fn attempt(state: &AppState, delivery: ClaimedDelivery) {
    let outcome = send(state, &delivery).await;
    let recorded = record(state, &delivery, outcome).await;
    if let Err(error) = recorded {
        tracing::warn!(id = delivery.id, %error, "could not record a delivery outcome; its lease will expire");
    }
}

/// What one attempt produced.
struct Outcome {
    status: Option<u16>,
    retry_after: Option<chrono::Duration>,
    error: Option<String>,
    /// Roost itself refuses the destination (private address, bad URL): never retried.
    refused: bool,
}

#[tracing::instrument(skip_all, fields(id = delivery.id, inbox = %delivery.inbox_url))]
async fn send(state: &AppState, delivery: &ClaimedDelivery) -> Outcome {
    let inbox = match url::Url::parse(&delivery.inbox_url) {
        Ok(inbox) => inbox,
        Err(error) => return refused(format!("invalid inbox URL: {error}")),
    };
    if let Err(error) = crate::federation::fetch::check_destination(&state.config, &inbox).await {
        return refused(error.to_string());
    }
    match crate::federation::domain_policy::refuses(state, &inbox).await {
        Ok(true) => return refused("the instance does not federate with this domain".into()),
        Ok(false) => {}
        Err(error) => return retry_later(format!("checking the domain policy failed: {error}")),
    }
    match try_send(state, delivery, &inbox).await {
        Ok(outcome) => outcome,
        Err(error) => retry_later(format!("{error:#}")),
    }
}

fn retry_later(error: String) -> Outcome {
    Outcome {
        status: None,
        retry_after: None,
        error: Some(error),
        refused: false,
    }
}

fn refused(error: String) -> Outcome {
    Outcome {
        status: None,
        retry_after: None,
        error: Some(error),
        refused: true,
    }
}

async fn try_send(
    state: &AppState,
    delivery: &ClaimedDelivery,
    inbox: &url::Url,
) -> anyhow::Result<Outcome> {
    let (key_id, key) = signing_key(state, delivery.actor_account_id).await?;
    let body = delivery.payload.as_bytes();
    let signed = signatures::sign(
        &reqwest::Method::POST,
        inbox,
        Some(body),
        &key_id,
        &key,
        Utc::now(),
    )?;
    let mut request = state
        .http
        .post(inbox.clone())
        .header(CONTENT_TYPE, "application/activity+json")
        .header(ACCEPT, "application/activity+json, application/ld+json")
        .body(delivery.payload.clone());
    for (name, value) in signed.iter() {
        request = request.header(HeaderName::from_static(name), HeaderValue::from_str(value)?);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| policy::parse_retry_after(v, Utc::now()));
    let error = (!response.status().is_success()).then(|| format!("HTTP {status}"));
    Ok(Outcome {
        status: Some(status),
        retry_after,
        error,
        refused: false,
    })
}

/// The key id and parsed private key of the signer (a local account or the instance
/// actor), from the process's cache when it was used before: keys never change, and a
/// post to many servers would otherwise load and parse the same key for every inbox.
async fn signing_key(
    state: &AppState,
    account_id: Option<i64>,
) -> anyhow::Result<(String, Arc<SigningKey>)> {
    state
        .signing_keys
        .get_or_load(account_id, || load_signing_key(state, account_id))
        .await
}

async fn load_signing_key(
    state: &AppState,
    account_id: Option<i64>,
) -> anyhow::Result<(String, Arc<SigningKey>)> {
    let (key_id, pem) = match account_id {
        None => {
            let keys = instance_actor::keys(&state.db).await?;
            (urls::instance_key_id(&state.config), keys.private_key_pem)
        }
        Some(account_id) => {
            let account = accounts::find_by_id(&state.db, account_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("signing account {account_id} is gone"))?;
            let pem = accounts::private_key(&state.db, account_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("account {account_id} has no private key"))?;
            (urls::key_id(&state.config, &account.username), pem)
        }
    };
    Ok((key_id, Arc::new(SigningKey::from_pem(&pem)?)))
}

fn error_text(outcome: &Outcome) -> &str {
    outcome.error.as_deref().unwrap_or("failed")
}

async fn record(
    state: &AppState,
    delivery: &ClaimedDelivery,
    outcome: Outcome,
) -> sqlx::Result<()> {
    let verdict = if outcome.refused {
        Verdict::Final
    } else {
        policy::judge(outcome.status)
    };
    if verdict == Verdict::Delivered {
        let status = outcome.status.unwrap_or(200);
        return deliveries::mark_delivered(&state.db, delivery, status).await;
    }
    let mut transaction = state.db.begin().await?;
    let now = Utc::now();
    let failure = match (
        verdict,
        policy::next_attempt(delivery.attempts, outcome.retry_after, now),
    ) {
        (Verdict::Retry, Some(next_attempt_at)) => Failure::Retry { next_attempt_at },
        _ => Failure::Dead,
    };
    deliveries::mark_failed(
        &mut transaction,
        delivery,
        outcome.status,
        error_text(&outcome),
        failure,
    )
    .await?;
    // A server that answers (even 4xx) is up: only silence and 5xx trip the breaker.
    if verdict == Verdict::Retry {
        let failures =
            deliveries::record_domain_failure(&mut transaction, &delivery.domain).await?;
        if let Some(until) = policy::domain_unavailable_until(failures, now) {
            deliveries::mark_domain_unavailable(&mut transaction, &delivery.domain, until).await?;
        }
    }
    let error = error_text(&outcome);
    tracing::info!(id = delivery.id, inbox = %delivery.inbox_url, status = ?outcome.status, error, ?failure, "delivery failed");
    transaction.commit().await
}
