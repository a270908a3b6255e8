//! The profile link check loop: claims due `profile_link_checks` rows (SKIP LOCKED,
//! through the shared loop in `crate::queue`), fetches the linked page through the
//! card fetcher (`services::cards::fetch`: SSRF guard, domain blocks, checked
//! redirects, at most [`MAX_PAGE_BYTES`] read, each request bounded) within
//! [`CHECK_TIME`] in all, and stamps the field when the page links back. A page that
//! answers without a link back, or cannot be fetched for good (refused destination,
//! error status, not HTML), settles the check unverified at once; network trouble, a
//! timeout or a server error is tried again after [`RETRY`], then settled unverified.

use std::time::Duration;

use chrono::Utc;

use super::rel_me;
use crate::db::accounts;
use crate::db::profile_links::{self as rows, ClaimedCheck};
use crate::queue::{Attempted, Queue, RetryPolicy};
use crate::services::cards::fetch::{self, FetchError};
use crate::state::AppState;

/// A claim is leased this long (longer than [`CHECK_TIME`]).
const LEASE_SECS: i64 = 60;
/// Longest time for one check, redirects included.
pub const CHECK_TIME: Duration = Duration::from_secs(15);
/// Most HTML read from a page (the rest is ignored, as for preview cards).
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;
/// A page that could not be reached is tried again after 1 and 10 minutes.
pub const RETRY: RetryPolicy =
    RetryPolicy::new(3, &[Duration::from_secs(60), Duration::from_secs(600)]).with_jitter(0.2);

/// The `profile_link_checks` table as a queue.
struct Checks;

impl Queue for Checks {
    type Item = ClaimedCheck;
    const NAME: &'static str = "profile_links";
    const CHANNEL: &'static str = rows::NOTIFY_CHANNEL;
    /// Pages fetched at once per process.
    const CONCURRENCY: usize = 4;

    async fn claim(state: &AppState, limit: i64) -> sqlx::Result<Vec<ClaimedCheck>> {
        rows::claim(&state.db, limit, LEASE_SECS).await
    }

    async fn attempt(state: AppState, claimed: ClaimedCheck) -> Attempted {
        attempt(&state, &claimed).await.unwrap_or_else(|error| {
            tracing::warn!(account_id = claimed.account_id, error = %format!("{error:#}"),
                "profile link check failed");
            Attempted::Retry
        })
    }

    fn job_id(item: &Self::Item) -> String {
        format!("{} {}", item.account_id, item.url)
    }
}

/// Runs every due check once, waiting for all of them; returns how many were tried.
/// Tests call it to drain the queue deterministically.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    crate::queue::drain::<Checks>(state).await
}

/// Runs until `stop` turns true, waking on NOTIFY when checks are queued.
pub async fn run_forever(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    crate::queue::run::<Checks>(state, stop).await
}

/// Checks one link and settles or postpones its row.
async fn attempt(state: &AppState, claimed: &ClaimedCheck) -> anyhow::Result<Attempted> {
    let outcome = tokio::time::timeout(CHECK_TIME, check(state, claimed))
        .await
        .unwrap_or_else(|_| Err(FetchError::Temporary("took too long".into()).into()));
    let error = match outcome {
        Ok(()) => {
            rows::finish(&state.db, claimed.account_id, &claimed.url).await?;
            return Ok(Attempted::Done);
        }
        Err(error) => error,
    };
    let temporary = error
        .downcast_ref::<FetchError>()
        .is_some_and(FetchError::is_temporary);
    tracing::debug!(account_id = claimed.account_id, error = %format!("{error:#}"),
        "profile link not verified");
    let retry = RETRY.next_attempt(claimed.attempts + 1, Utc::now());
    match retry.filter(|_| temporary) {
        Some(at) => {
            rows::postpone(&state.db, claimed.account_id, &claimed.url, at).await?;
            Ok(Attempted::Retry)
        }
        None => {
            rows::finish(&state.db, claimed.account_id, &claimed.url).await?;
            Ok(Attempted::GivenUp)
        }
    }
}

/// Fetches the page and stamps the field when it links back; `Ok` when settled either
/// way (including an account gone, suspended, or whose field changed meanwhile).
async fn check(state: &AppState, claimed: &ClaimedCheck) -> anyhow::Result<()> {
    let Some(account) = accounts::find_by_id(&state.db, claimed.account_id).await? else {
        return Ok(());
    };
    let still_wanted = account.suspended_at.is_none()
        && account.fields.0.iter().any(|field| {
            field.verified_at.is_none()
                && super::verification_url(field, account.is_local()).as_deref()
                    == Some(claimed.url.as_str())
        });
    if !still_wanted {
        return Ok(());
    }
    let url =
        url::Url::parse(&claimed.url).map_err(|error| FetchError::Refused(error.to_string()))?;
    let page = fetch::get(state, &url, "text/html", is_html, MAX_PAGE_BYTES, true).await?;
    let html = String::from_utf8_lossy(&page.body);
    let targets = super::link_back_targets(&state.config, &account);
    if rel_me::links_back(&html, &targets) {
        let mut transaction = state.db.begin().await?;
        let stamped = super::mark_verified(&mut transaction, &account, &claimed.url).await?;
        transaction.commit().await?;
        tracing::debug!(account_id = account.id, stamped, "profile link verified");
    }
    Ok(())
}

/// The media types a page may have.
fn is_html(media_type: &str) -> bool {
    matches!(media_type, "text/html" | "application/xhtml+xml")
}
