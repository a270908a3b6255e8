//! The delivery loop. Each claimed row is signed at send time with its actor's key
//! (RFC 9421 first, draft-cavage when the server refuses it: see `schemes` and
//! `federation::signatures`), POSTed, and judged by `policy`.
//! Many deliveries run at once, so one slow server does not hold up the others.

use std::sync::Arc;

use chrono::Utc;
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};

use super::policy::{self, Breaker, BreakerChange, DomainFailures, Verdict};
use super::schemes::{self, Scheme};
use crate::config::Config;
use crate::db::accounts;
use crate::db::deliveries::{self, ClaimedDelivery, Failure};
use crate::federation::collection_sync::HEADER as COLLECTION_SYNC;
use crate::federation::signatures::{self, SigningKey};
use crate::queue::{Attempted, Queue};
use crate::state::AppState;
use crate::urls;

/// A claim is leased this long; a worker that dies mid-send gives the row back then.
const LEASE_SECS: i64 = 120;

/// The queue's name in logs and metrics.
pub const QUEUE_NAME: &str = "delivery";

/// The `deliveries` table as a queue for the shared loop in `crate::queue`.
struct Deliveries;

impl Queue for Deliveries {
    type Item = ClaimedDelivery;
    const NAME: &'static str = QUEUE_NAME;
    const CHANNEL: &'static str = deliveries::NOTIFY_CHANNEL;
    /// Deliveries in flight per process.
    const CONCURRENCY: usize = 32;

    async fn claim(state: &AppState, limit: i64) -> sqlx::Result<Vec<ClaimedDelivery>> {
        deliveries::claim(&state.db, limit, LEASE_SECS).await
    }

    async fn attempt(state: AppState, delivery: ClaimedDelivery) -> Attempted {
        attempt(&state, delivery).await
    }

    fn job_id(item: &Self::Item) -> String {
        item.id.to_string()
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
async fn attempt(state: &AppState, delivery: ClaimedDelivery) -> Attempted {
    let outcome = send(state, &delivery).await;
    record(state, &delivery, outcome)
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(id = delivery.id, %error, "could not record a delivery outcome; its lease will expire");
            Attempted::Retry
        })
}

/// What one attempt produced.
struct Outcome {
    status: Option<u16>,
    retry_after: Option<chrono::Duration>,
    error: Option<String>,
    cause: Cause,
}

/// Whose doing an outcome is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    /// The request went out (or tried to): the peer's answer, or its silence, counts.
    Peer,
    /// Roost could not prepare the request (its database or a key failed): retried,
    /// and no failure of the peer's domain.
    Local,
    /// Roost itself refuses the destination (private address, bad URL): never retried.
    Refused,
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
        Err(error) => {
            return failed(
                Cause::Local,
                format!("checking the domain policy failed: {error}"),
            )
        }
    }
    knock(state, delivery, &inbox).await
}

/// Sends the delivery with each scheme [`schemes::knocks`] gives for the inbox's domain
/// until one is not refused as a possible signature problem (400/401/403); remembers
/// the scheme that was accepted. The outcome is that of the last request.
async fn knock(state: &AppState, delivery: &ClaimedDelivery, inbox: &url::Url) -> Outcome {
    let domain = crate::domain::http_url::authority(inbox);
    let remembered = match state.signature_schemes.remembered(&state.db, &domain).await {
        Ok(remembered) => remembered,
        Err(error) => {
            return failed(
                Cause::Local,
                format!("reading the signature scheme: {error}"),
            )
        }
    };
    let sync = match super::collection_sync::header_for(state, delivery, inbox).await {
        Ok(sync) => sync,
        Err(error) => {
            return failed(
                Cause::Local,
                format!("computing the follower digest: {error}"),
            )
        }
    };
    let mut knocks = schemes::knocks(remembered, Utc::now());
    if delivery.actor_account_id.is_none() {
        // The instance actor has no Ed25519 key: it signs RFC 9421 with RSA.
        knocks.retain(|scheme| *scheme != Scheme::Rfc9421Ed25519);
    }
    let mut last = None;
    for scheme in knocks {
        let (key_id, key) = match signing_key(state, delivery.actor_account_id, scheme).await {
            Ok(key) => key,
            Err(error) => return failed(Cause::Local, format!("{error:#}")),
        };
        let signer = Signer {
            scheme,
            key_id: &key_id,
            key: &key,
        };
        let outcome = match try_send(state, delivery, inbox, &signer, sync.as_deref()).await {
            Ok(outcome) => outcome,
            Err(error) => return failed(Cause::Peer, format!("{error:#}")),
        };
        let status = outcome.status.unwrap_or_default();
        if (200..300).contains(&status) {
            if let Err(error) = state
                .signature_schemes
                .record(&state.db, &domain, scheme)
                .await
            {
                tracing::warn!(%domain, %error, "could not remember the signature scheme");
            }
            return outcome;
        }
        if !schemes::worth_another_knock(status) {
            return outcome;
        }
        tracing::debug!(%domain, status, scheme = scheme.as_str(), "signature scheme refused; knocking again");
        last = Some(outcome);
    }
    last.unwrap_or_else(|| failed(Cause::Local, "no signature scheme to try".into()))
}

fn refused(error: String) -> Outcome {
    failed(Cause::Refused, error)
}

fn failed(cause: Cause, error: String) -> Outcome {
    Outcome {
        status: None,
        retry_after: None,
        error: Some(error),
        cause,
    }
}

/// Who signs one knock, and how.
struct Signer<'a> {
    scheme: Scheme,
    key_id: &'a str,
    key: &'a SigningKey,
}

/// One POST of the delivery signed as `signer` says; `sync` is the
/// `Collection-Synchronization` header to send (and sign) with it, if any.
async fn try_send(
    state: &AppState,
    delivery: &ClaimedDelivery,
    inbox: &url::Url,
    signer: &Signer<'_>,
    sync: Option<&str>,
) -> anyhow::Result<Outcome> {
    let body = delivery.payload.as_bytes();
    let mut request = state
        .http
        .post(inbox.clone())
        .header(CONTENT_TYPE, "application/activity+json")
        .header(ACCEPT, "application/activity+json, application/ld+json")
        .body(delivery.payload.clone());
    let method = reqwest::Method::POST;
    let now = Utc::now();
    let covered: Vec<(&str, &str)> = sync
        .map(|value| (COLLECTION_SYNC, value))
        .into_iter()
        .collect();
    let (key_id, key) = (signer.key_id, signer.key);
    let mut headers: Vec<(&'static str, String)> = match signer.scheme {
        Scheme::Cavage => {
            signatures::sign_with_headers(&method, inbox, &covered, Some(body), key_id, key, now)?
                .iter()
                .map(|(name, value)| (name, value.to_owned()))
                .collect()
        }
        Scheme::Rfc9421Ed25519 | Scheme::Rfc9421Rsa => {
            signatures::sign_message(&method, inbox, &covered, Some(body), key_id, key, now)?
                .iter()
                .map(|(name, value)| (name, value.to_owned()))
                .collect()
        }
    };
    if let Some(sync) = sync {
        headers.push((COLLECTION_SYNC, sync.to_owned()));
    }
    for (name, value) in headers {
        request = request.header(
            HeaderName::from_static(name),
            HeaderValue::from_str(&value)?,
        );
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
        cause: Cause::Peer,
    })
}

/// The key id and parsed private key the signer uses for `scheme` (a local account or
/// the instance actor), from the process's cache when it was used before: keys never
/// change, and a post to many servers would otherwise load and parse the same key for
/// every inbox.
async fn signing_key(
    state: &AppState,
    account_id: Option<i64>,
    scheme: Scheme,
) -> anyhow::Result<(String, Arc<SigningKey>)> {
    match (scheme, account_id) {
        (Scheme::Rfc9421Ed25519, Some(account_id)) => {
            state
                .ed25519_signing_keys
                .get_or_load(Some(account_id), || load_ed25519_key(state, account_id))
                .await
        }
        _ => {
            state
                .signing_keys
                .get_or_load(account_id, || load_signing_key(state, account_id))
                .await
        }
    }
}

/// The instance actor's key id and parsed key, from the process's key cache: it
/// signs every server-level fetch (an actor fetched to check a signature, its
/// collections, a post), and parsing the RSA key each time cost more than the fetch.
pub async fn instance_signing_key(state: &AppState) -> anyhow::Result<(String, Arc<SigningKey>)> {
    state
        .signing_keys
        .get_or_load(None, || load_signing_key(state, None))
        .await
}

async fn load_ed25519_key(
    state: &AppState,
    account_id: i64,
) -> anyhow::Result<(String, Arc<SigningKey>)> {
    let account = accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("signing account {account_id} is gone"))?;
    let key = crate::delivery::keys::ed25519_key(&state.db, account_id).await?;
    let key_id = urls::ed25519_key_id(&state.config, &account.username);
    Ok((
        key_id,
        Arc::new(SigningKey::from_pem(&key.private_key_pem)?),
    ))
}

async fn load_signing_key(
    state: &AppState,
    account_id: Option<i64>,
) -> anyhow::Result<(String, Arc<SigningKey>)> {
    let (key_id, pem) = match account_id {
        None => {
            let keys = crate::delivery::keys::instance_keys(&state.db).await?;
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
) -> sqlx::Result<Attempted> {
    let verdict = match outcome.cause {
        Cause::Refused => Verdict::Final,
        Cause::Peer | Cause::Local => policy::judge(outcome.status),
    };
    if verdict == Verdict::Delivered {
        let status = outcome.status.unwrap_or(200);
        deliveries::mark_delivered(&state.db, delivery, status).await?;
        return Ok(Attempted::Done);
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
    let error = error_text(&outcome);
    deliveries::mark_failed(&mut transaction, delivery, outcome.status, error, failure).await?;
    // A server that answers (even 4xx) is up: only silence and 5xx trip the breaker.
    match (verdict, outcome.cause) {
        (Verdict::Retry, Cause::Peer) => {
            count_domain_failure(state, &mut transaction, &delivery.domain).await?
        }
        // An answer, even a refusal, ends a probe: the next delivery probes at once.
        (Verdict::Final, Cause::Peer) => {
            deliveries::end_probe(&mut transaction, &delivery.domain).await?
        }
        _ => {}
    }
    tracing::info!(id = delivery.id, inbox = %delivery.inbox_url, status = ?outcome.status, error, ?failure, "delivery failed");
    transaction.commit().await?;
    Ok(match failure {
        Failure::Retry { .. } => Attempted::Retry,
        Failure::Dead => Attempted::GivenUp,
    })
}

/// Counts a failure against the domain and moves its circuit breaker as the policy
/// says. The domain's row stays locked until the transaction ends, so workers failing
/// at the same moment are judged one after another, each seeing the others' changes.
async fn count_domain_failure(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    domain: &str,
) -> sqlx::Result<()> {
    let record = deliveries::record_domain_failure(conn, domain).await?;
    let failures = DomainFailures {
        failing_since: record.failing_since,
        unavailable_until: record.unavailable_until,
        trips: record.breaker_trips,
    };
    match breaker(&state.config).after_failure(&failures, record.now) {
        BreakerChange::None => Ok(()),
        BreakerChange::Open(until) => {
            tracing::warn!(domain, %until, "delivery circuit breaker opened");
            deliveries::open_breaker(conn, domain, until).await
        }
        BreakerChange::Reopen(until) => {
            tracing::info!(domain, %until, "delivery probe failed; circuit breaker open again");
            deliveries::open_breaker(conn, domain, until).await?;
            fail_due_deliveries(conn, domain).await
        }
    }
}

/// A failed probe stands for every due delivery to its domain: each counts a failed
/// attempt without a request, so deliveries to a domain that stays down still reach
/// the end of their schedule.
async fn fail_due_deliveries(conn: &mut sqlx::PgConnection, domain: &str) -> sqlx::Result<()> {
    let now = Utc::now();
    let failures: Vec<(i64, Failure)> = deliveries::lock_due_for_domain(conn, domain)
        .await?
        .into_iter()
        .map(|(id, attempts)| {
            let failure = match policy::next_attempt(attempts + 1, None, now) {
                Some(next_attempt_at) => Failure::Retry { next_attempt_at },
                None => Failure::Dead,
            };
            (id, failure)
        })
        .collect();
    deliveries::count_failed_attempts(conn, &failures, "not sent: the domain is unavailable").await
}

/// The breaker's timings from the configuration.
fn breaker(config: &Config) -> Breaker {
    // The configuration bounds each value by a day.
    let seconds = |secs: u64| chrono::Duration::seconds(secs.min(86_400) as i64);
    Breaker {
        open_after: seconds(config.delivery_breaker_open_after_secs),
        cool_off: seconds(config.delivery_breaker_cool_off_secs),
        max_cool_off: seconds(config.delivery_breaker_max_cool_off_secs),
    }
}
