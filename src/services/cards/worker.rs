//! The preview card fetch loop: claims due `preview_card_fetches` rows (SKIP LOCKED,
//! through the shared loop in `crate::queue`), takes the host's rate-limit slot (one
//! fetch per host every [`HOST_INTERVAL_MS`] across all processes; a row whose host is
//! busy waits for its slot without counting an attempt), fetches within
//! [`CARD_TIME`], and stores the card or gives up: refusals and unusable answers at
//! once, network trouble and server errors after [`RETRY`].

use std::time::Duration;

use chrono::Utc;

use crate::db::cards::{self, ClaimedFetch};
use crate::queue::{Attempted, Queue, RetryPolicy};
use crate::state::AppState;

/// A claim is leased this long (longer than [`CARD_TIME`]).
const LEASE_SECS: i64 = 60;
/// One fetch per host this often, in milliseconds.
pub const HOST_INTERVAL_MS: i64 = 1000;
/// Longest time for one card: page, oEmbed document and image together.
const CARD_TIME: Duration = Duration::from_secs(20);
/// A page that could not be reached is tried again after 1 and 10 minutes.
pub const RETRY: RetryPolicy =
    RetryPolicy::new(3, &[Duration::from_secs(60), Duration::from_secs(600)]).with_jitter(0.2);

/// The `preview_card_fetches` table as a queue.
struct Fetches;

impl Queue for Fetches {
    type Item = ClaimedFetch;
    const NAME: &'static str = "cards";
    const CHANNEL: &'static str = cards::NOTIFY_CHANNEL;
    /// Pages fetched at once per process.
    const CONCURRENCY: usize = 4;

    async fn claim(state: &AppState, limit: i64) -> sqlx::Result<Vec<ClaimedFetch>> {
        cards::claim(&state.db, limit, LEASE_SECS).await
    }

    async fn attempt(state: AppState, claimed: ClaimedFetch) -> Attempted {
        attempt(&state, &claimed).await.unwrap_or_else(|error| {
            tracing::warn!(url = %claimed.url, error = %format!("{error:#}"), "card fetch failed");
            Attempted::Retry
        })
    }

    fn job_id(item: &Self::Item) -> String {
        item.url.clone()
    }
}

/// Fetches every due card once, waiting for all of them; returns how many were tried.
/// Tests call it to drain the queue deterministically.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    crate::queue::drain::<Fetches>(state).await
}

/// Runs until `stop` turns true, waking on NOTIFY when fetches are queued.
pub async fn run_forever(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    crate::queue::run::<Fetches>(state, stop).await
}

/// A fetch postponed for its host's turn is no failure: it counts as done here and
/// is attempted again as a new job.
async fn attempt(state: &AppState, claimed: &ClaimedFetch) -> anyhow::Result<Attempted> {
    if !cards::take_host_slot(&state.db, &claimed.host, HOST_INTERVAL_MS).await? {
        let free = cards::host_free_at(&state.db, &claimed.host).await?;
        let at = free.unwrap_or_else(Utc::now) + chrono::Duration::milliseconds(10);
        cards::postpone(&state.db, &claimed.url, at, false).await?;
        return Ok(Attempted::Done);
    }
    let outcome = match url::Url::parse(&claimed.url) {
        Ok(url) => tokio::time::timeout(
            CARD_TIME,
            super::preview::fetch_card(state, &claimed.url, &url),
        )
        .await
        .unwrap_or_else(|_| Err(super::fetch::FetchError::Temporary("took too long".into()))),
        Err(error) => Err(super::fetch::FetchError::Refused(error.to_string())),
    };
    match outcome {
        Ok(card) => {
            super::arrived(state, &claimed.url, card).await?;
            Ok(Attempted::Done)
        }
        Err(error) => {
            tracing::debug!(url = %claimed.url, %error, "no card");
            let retry = RETRY.next_attempt(claimed.attempts + 1, Utc::now());
            match retry.filter(|_| error.is_temporary()) {
                Some(at) => {
                    cards::postpone(&state.db, &claimed.url, at, true).await?;
                    Ok(Attempted::Retry)
                }
                None => {
                    super::arrived(state, &claimed.url, None).await?;
                    Ok(Attempted::GivenUp)
                }
            }
        }
    }
}
