//! The import loop: claims due `bulk_import_rows` (SKIP LOCKED, through the shared loop
//! in `crate::queue`) and applies each through the service of its action — the same
//! function a click would call (`services::follows::request`, `blocks::block`,
//! `blocks::mute`, `blocks::block_domain`, `interactions::bookmark`, `lists::add`, and
//! their undoing for an overwrite's `remove` rows).
//!
//! An unknown remote account is resolved through WebFinger at most once per
//! `ROOST_IMPORT_RESOLVE_INTERVAL_MS` per domain across all processes (the slot of
//! `import_resolve_domains`, taken with one conditional upsert); a row waits for its
//! slot up to [`MAX_SLOT_WAIT`] while claimed, longer ones are put back without
//! counting an attempt. Accounts stored and fresh need no slot. Network trouble is
//! tried again on [`RETRY`]; what can never work (an unknown account, a refusal by
//! the service's rules) settles the row as failed with its reason, shown on the page.

use std::time::Duration;

use chrono::Utc;
use serde_json::Value;

use super::ImportKind;
use crate::db::accounts::{self, AccountRow};
use crate::db::imports::{self as rows, ClaimedRow};
use crate::db::lists as list_rows;
use crate::error::ApiError;
use crate::federation::fetch::FetchError;
use crate::federation::resolve::{self, ResolveError};
use crate::queue::{Attempted, Queue, RetryPolicy};
use crate::services::blocks::{self, MuteOptions};
use crate::services::follows::{self, FollowOptions, FollowRequest};
use crate::services::{interactions, lists, statuses};
use crate::state::AppState;

/// A claim is leased this long (longer than a row's slot wait and fetches).
const LEASE_SECS: i64 = 120;
/// Longest wait for a domain's resolution slot while holding a row.
pub const MAX_SLOT_WAIT: Duration = Duration::from_secs(2);
/// A row that met network trouble is tried again after 1, 10 and 60 minutes.
pub const RETRY: RetryPolicy = RetryPolicy::new(
    4,
    &[
        Duration::from_secs(60),
        Duration::from_secs(600),
        Duration::from_secs(3600),
    ],
)
.with_jitter(0.2);

/// The `bulk_import_rows` table as a queue.
struct ImportRows;

impl Queue for ImportRows {
    type Item = ClaimedRow;
    const NAME: &'static str = "imports";
    const CHANNEL: &'static str = rows::NOTIFY_CHANNEL;
    /// Rows applied at once per process.
    const CONCURRENCY: usize = 4;

    async fn claim(state: &AppState, limit: i64) -> sqlx::Result<Vec<ClaimedRow>> {
        rows::claim(&state.db, limit, LEASE_SECS).await
    }

    async fn attempt(state: AppState, claimed: ClaimedRow) -> Attempted {
        attempt(&state, &claimed).await.unwrap_or_else(|error| {
            tracing::warn!(row = claimed.id, error = %format!("{error:#}"), "import row failed");
            Attempted::Retry
        })
    }

    fn job_id(item: &Self::Item) -> String {
        item.id.to_string()
    }
}

/// Applies every due row once, waiting for all of them; returns how many were tried.
/// Tests call it to drain the queue deterministically.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    crate::queue::drain::<ImportRows>(state).await
}

/// Runs until `stop` turns true, waking on NOTIFY when rows are queued.
pub async fn run_forever(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    crate::queue::run::<ImportRows>(state, stop).await
}

/// Why a row did not apply.
#[derive(Debug)]
enum RowError {
    /// It never will: settled as failed with this reason.
    Failed(String),
    /// It may later (network trouble, a database hiccup).
    Temporary(String),
    /// Its domain's resolution slot is free only at this moment.
    Busy(chrono::DateTime<Utc>),
}

impl From<ApiError> for RowError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Internal(error) | ApiError::Unavailable(error) => {
                RowError::Temporary(format!("{error:#}"))
            }
            refusal => RowError::Failed(refusal.to_string()),
        }
    }
}

impl From<sqlx::Error> for RowError {
    fn from(error: sqlx::Error) -> Self {
        RowError::Temporary(error.to_string())
    }
}

/// Applies one row and settles or postpones it (a row waiting for its domain's turn
/// is no failure).
async fn attempt(state: &AppState, claimed: &ClaimedRow) -> anyhow::Result<Attempted> {
    let outcome = apply(state, claimed).await;
    let failure = match outcome {
        Ok(()) => None,
        Err(RowError::Failed(reason)) => Some(reason),
        Err(RowError::Busy(at)) => {
            rows::postpone(&state.db, claimed.id, at, false).await?;
            return Ok(Attempted::Done);
        }
        Err(RowError::Temporary(reason)) => {
            match RETRY.next_attempt(claimed.attempts + 1, Utc::now()) {
                Some(at) => {
                    rows::postpone(&state.db, claimed.id, at, true).await?;
                    return Ok(Attempted::Retry);
                }
                None => Some(reason),
            }
        }
    };
    let mut transaction = state.db.begin().await?;
    rows::settle(&mut transaction, claimed.id, failure.as_deref()).await?;
    transaction.commit().await?;
    Ok(match failure {
        None => Attempted::Done,
        Some(_) => Attempted::GivenUp,
    })
}

/// Does what the row asks, as its importer.
async fn apply(state: &AppState, row: &ClaimedRow) -> Result<(), RowError> {
    let me = accounts::find_by_id(&state.db, row.account_id)
        .await?
        .filter(|me| me.suspended_at.is_none())
        .ok_or_else(|| RowError::Failed("the importing account is gone".into()))?;
    let kind = ImportKind::parse(&row.kind)
        .ok_or_else(|| RowError::Failed(format!("unknown import type {}", row.kind)))?;
    let data = &row.data.0;
    if row.action == "remove" {
        return remove(state, &me, kind, row).await;
    }
    match kind {
        ImportKind::Following => {
            let target = account(state, data).await?;
            let languages: Option<Vec<String>> = data["languages"].as_array().map(|codes| {
                codes
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            });
            let request = FollowRequest {
                options: FollowOptions {
                    show_reblogs: data["show_reblogs"].as_bool(),
                    notify: data["notify"].as_bool(),
                },
                activity_id: None,
                languages: languages.as_deref(),
            };
            follows::request(state, &me, &target, request).await?;
        }
        ImportKind::Blocking => {
            let target = account(state, data).await?;
            blocks::block(state, &me, &target, None).await?;
        }
        ImportKind::Muting => {
            let target = account(state, data).await?;
            let options = MuteOptions {
                notifications: data["hide_notifications"].as_bool().unwrap_or(true),
                duration_seconds: None,
            };
            blocks::mute(state, &me, &target, options).await?;
        }
        ImportKind::DomainBlocking => {
            blocks::block_domain(state, &me, data["domain"].as_str()).await?;
        }
        ImportKind::Bookmarks => bookmark(state, &me, data).await?,
        ImportKind::Lists => add_to_list(state, &me, data).await?,
    }
    Ok(())
}

/// Undoes what an overwriting file lacks.
async fn remove(
    state: &AppState,
    me: &AccountRow,
    kind: ImportKind,
    row: &ClaimedRow,
) -> Result<(), RowError> {
    if kind == ImportKind::DomainBlocking {
        blocks::unblock_domain(state, me, row.data.0["domain"].as_str()).await?;
        return Ok(());
    }
    if kind == ImportKind::Bookmarks {
        let status = row.target_status_id.ok_or_else(|| gone("status"))?;
        interactions::unbookmark(state, me.id, status).await?;
        return Ok(());
    }
    let target_id = row.target_account_id.ok_or_else(|| gone("account"))?;
    let target = accounts::find_by_id(&state.db, target_id)
        .await?
        .ok_or_else(|| gone("account"))?;
    match kind {
        ImportKind::Following => follows::unfollow(state, me, &target).await.map(drop)?,
        ImportKind::Blocking => blocks::unblock(state, me, &target).await.map(drop)?,
        ImportKind::Muting => blocks::unmute(state, me, &target).await.map(drop)?,
        _ => {}
    }
    Ok(())
}

fn gone(what: &str) -> RowError {
    RowError::Failed(format!("the {what} is gone"))
}

/// Bookmarks the status the row's URI names, fetched from its server when unknown.
async fn bookmark(state: &AppState, me: &AccountRow, data: &Value) -> Result<(), RowError> {
    let uri = data["uri"].as_str().unwrap_or_default();
    let url = url::Url::parse(uri).map_err(|_| RowError::Failed(format!("invalid URI {uri}")))?;
    let status = statuses::fetch_known_or_remote(state, &url)
        .await?
        .ok_or_else(|| RowError::Failed(format!("{uri} could not be found")))?;
    interactions::bookmark(state, me.id, status.id).await?;
    Ok(())
}

/// Follows the row's account if needed (Mastodon's rule: list members are followed)
/// and adds it to the list the row names, created when missing.
async fn add_to_list(state: &AppState, me: &AccountRow, data: &Value) -> Result<(), RowError> {
    let target = account(state, data).await?;
    let title = data["list_name"].as_str().unwrap_or_default();
    let list = match list_rows::of_owner(&state.db, me.id)
        .await?
        .into_iter()
        .find(|list| list.title == title)
    {
        Some(list) => list,
        None => {
            let input = lists::ListInput {
                title: Some(title.to_owned()),
                ..lists::ListInput::default()
            };
            lists::create(state, me.id, &input).await?
        }
    };
    if target.id != me.id {
        follows::request(state, me, &target, FollowRequest::default()).await?;
    }
    lists::add(state, me.id, list.id, &[target.id]).await?;
    Ok(())
}

/// The account the row's `acct` names: local, stored and fresh, or resolved through
/// WebFinger in its domain's slot.
async fn account(state: &AppState, data: &Value) -> Result<AccountRow, RowError> {
    let acct = data["acct"].as_str().unwrap_or_default();
    let (username, domain) = acct
        .split_once('@')
        .filter(|(user, domain)| !user.is_empty() && !domain.is_empty())
        .ok_or_else(|| RowError::Failed(format!("invalid address {acct}")))?;
    let not_found = || RowError::Failed(format!("{acct} could not be found"));
    if domain.eq_ignore_ascii_case(&state.config.domain) {
        return accounts::find_visible_by_acct(&state.db, username, None)
            .await?
            .filter(|account| account.suspended_at.is_none())
            .ok_or_else(not_found);
    }
    let stored = accounts::find_visible_by_acct(&state.db, username, Some(domain)).await?;
    let fresh = |account: &AccountRow| {
        account.last_fetched_at.is_some_and(|at| {
            at > Utc::now() - chrono::Duration::hours(resolve::REFRESH_AFTER_HOURS)
        })
    };
    let account = match stored {
        Some(account) if fresh(&account) => account,
        _ => {
            take_slot(state, &domain.to_ascii_lowercase()).await?;
            resolve::resolve_acct(state, username, domain)
                .await
                .map_err(|error| resolve_failure(acct, error))?
        }
    };
    if account.suspended_at.is_some() {
        return Err(not_found());
    }
    Ok(account)
}

/// Waits for `domain`'s resolution slot, or says when it is free if that is more than
/// [`MAX_SLOT_WAIT`] away.
async fn take_slot(state: &AppState, domain: &str) -> Result<(), RowError> {
    let interval = i64::from(state.config.import_resolve_interval_ms);
    loop {
        if rows::take_resolve_slot(&state.db, domain, interval).await? {
            return Ok(());
        }
        let free = rows::resolve_slot_free_at(&state.db, domain)
            .await?
            .unwrap_or_else(Utc::now);
        let wait = (free - Utc::now()).to_std().unwrap_or_default();
        if wait > MAX_SLOT_WAIT {
            return Err(RowError::Busy(free));
        }
        tokio::time::sleep(wait).await;
    }
}

/// A failed resolution: network trouble and server errors may pass, the rest not.
fn resolve_failure(acct: &str, error: ResolveError) -> RowError {
    let temporary = match &error {
        ResolveError::Fetch(FetchError::Network(_)) | ResolveError::Database(_) => true,
        ResolveError::Fetch(FetchError::Status(status)) => *status >= 500 || *status == 429,
        _ => false,
    };
    let reason = format!("{acct} could not be resolved: {error}");
    if temporary {
        RowError::Temporary(reason)
    } else {
        RowError::Failed(reason)
    }
}
