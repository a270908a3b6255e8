//! Threads without gaps: fetching, in the background, the posts of a thread that never
//! reached Roost, and telling clients when that is done.
//!
//! Two things queue a backfill (`thread_backfills`, a durable queue on `crate::queue`,
//! one unfinished row per status, so several processes and restarts share the work):
//! - a remote reply stored without its parent (`services::statuses::remote` records
//!   the parent's id in `in_reply_to_ap_id` and queues a [`Scope::Parents`] backfill);
//! - a signed-in viewer opening a thread with remote posts (`/api/v1/statuses/:id/context`
//!   and the status page, through [`request`]), which queues a [`Scope::Thread`]
//!   backfill unless one ran for that status in the last [`DEBOUNCE_MINUTES`].
//!
//! The worker ([`worker`]) walks up the unknown ancestors (at most [`MAX_PARENT_DEPTH`]
//! levels above the status), then, for a thread backfill, down the `replies`
//! collections of the thread's remote posts (ActivityPub Collection or
//! OrderedCollection, their `first`/`next` pages) and the FEP-7888 `context` collection
//! of the opened post. Every post is fetched from its own server and stored through the
//! path of received posts (`services::statuses::fetch_known_or_remote`), so a
//! collection can only point at posts, never vouch for them. Bounds per backfill: at
//! most [`MAX_POSTS`] posts stored, [`MAX_PAGES`] collection pages read ([`MAX_PAGES_PER_COLLECTION`]
//! per collection), [`MAX_VISITED`] posts looked at, [`BACKFILL_TIME`] in all; one GET
//! per host every [`HOST_INTERVAL_MS`] across processes (`backfill_hosts`); a post's
//! replies collection is read again only after [`DEBOUNCE_MINUTES`]. Suspended domains
//! are never contacted (`federation::fetch` refuses them), posts of suspended accounts
//! are not stored.
//!
//! The client side is Mastodon 4.5's: while a viewer's backfill runs, `/context` answers
//! with `Mastodon-Async-Refresh: id="…", retry=3, result_count=N`, and
//! `GET /api/v1_alpha/async_refreshes/:id` reports it as `running` or `finished` with
//! the count of posts stored. The id is random and handed to one viewer (`async_refreshes`):
//! another account asking for it gets 404.
//!
//! Mastodon's reference: `app/controllers/api/v1/statuses/contexts_controller.rb`
//! (the header), `app/models/async_refresh.rb`, `ActivityPub::FetchAllRepliesWorker`.

mod walk;
pub mod worker;

use chrono::{Duration, Utc};
use rand::RngCore;

use crate::db::statuses::StatusRow;
use crate::db::thread_backfills::{self, Backfill, Scope};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Ancestors walked above the status, at most.
pub const MAX_PARENT_DEPTH: usize = 20;
/// Posts one backfill stores, at most.
pub const MAX_POSTS: usize = 200;
/// Posts one backfill looks at (known or fetched), at most.
pub const MAX_VISITED: usize = 1000;
/// Collection pages one backfill reads, at most.
pub const MAX_PAGES: usize = 50;
/// Pages read of one collection, at most.
pub const MAX_PAGES_PER_COLLECTION: usize = 5;
/// Items taken from one collection page, at most.
pub const MAX_ITEMS_PER_PAGE: usize = 100;
/// One fetch per host this often, in milliseconds, across processes.
pub const HOST_INTERVAL_MS: i64 = 100;
/// A thread (and a post's replies collection) is not fetched again within this long.
pub const DEBOUNCE_MINUTES: i64 = 15;
/// Longest time one backfill runs.
pub const BACKFILL_TIME: std::time::Duration = std::time::Duration::from_secs(120);
/// The `retry` a client is told to wait between polls, in seconds (Mastodon's).
const RETRY_SECONDS: u32 = 3;

/// Whether an async refresh is still at work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshStatus {
    Running,
    Finished,
}

impl RefreshStatus {
    /// Mastodon's name of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            RefreshStatus::Running => "running",
            RefreshStatus::Finished => "finished",
        }
    }
}

/// A viewer's handle on a backfill (Mastodon's `AsyncRefresh`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsyncRefresh {
    /// The id handed to the viewer.
    pub id: String,
    pub status: RefreshStatus,
    /// Posts stored so far.
    pub result_count: i64,
}

impl AsyncRefresh {
    /// The `Mastodon-Async-Refresh` header's value, sent only while it runs.
    pub fn header_value(&self) -> Option<String> {
        (self.status == RefreshStatus::Running).then(|| {
            format!(
                "id=\"{}\", retry={RETRY_SECONDS}, result_count={}",
                self.id, self.result_count
            )
        })
    }
}

/// A thread as a viewer sees it, with the viewer's handle on the fetch of what it lacks.
#[derive(Debug)]
pub struct Thread {
    /// The posts the status answers, oldest first.
    pub ancestors: Vec<StatusRow>,
    /// The replies below it.
    pub descendants: Vec<StatusRow>,
    /// The viewer's refresh while the background fetch runs.
    pub refresh: Option<AsyncRefresh>,
}

/// The thread around `row` as `viewer` may see it (`services::statuses::thread`), and
/// for a signed-in viewer the background fetch of what it lacks, started or joined
/// (see [`request`]). What `/context` and the status page show.
pub async fn thread(state: &AppState, viewer: Option<i64>, row: &StatusRow) -> ApiResult<Thread> {
    let (ancestors, descendants) = crate::services::statuses::thread(state, viewer, row).await?;
    let around: Vec<StatusRow> = ancestors.iter().chain(&descendants).cloned().collect();
    let refresh = request(state, viewer, row, &around).await?;
    Ok(Thread {
        ancestors,
        descendants,
        refresh,
    })
}

/// Starts (or joins) the backfill of the thread of `row` for `viewer`, who is looking
/// at it with `thread` (its ancestors and descendants). Nothing for a signed-out viewer
/// (as Mastodon: crawlers do not make Roost fetch), for a thread of local posts only,
/// or when the thread was fetched in the last [`DEBOUNCE_MINUTES`]. Returns the
/// viewer's refresh while the backfill runs.
async fn request(
    state: &AppState,
    viewer: Option<i64>,
    row: &StatusRow,
    thread: &[StatusRow],
) -> ApiResult<Option<AsyncRefresh>> {
    let Some(viewer) = viewer else {
        return Ok(None);
    };
    if row.local && thread.iter().all(|post| post.local) {
        return Ok(None);
    }
    let latest = thread_backfills::latest_thread(&state.db, row.id).await?;
    let recent = latest.as_ref().is_some_and(|backfill| {
        backfill.finished_at.is_some()
            && backfill.created_at > Utc::now() - Duration::minutes(DEBOUNCE_MINUTES)
    });
    if recent {
        return Ok(None);
    }
    let backfill = thread_backfills::enqueue(&state.db, row.id, Scope::Thread).await?;
    let id = thread_backfills::refresh_id(&state.db, backfill.id, viewer, &fresh_id()).await?;
    Ok(Some(refresh_of(id, &backfill)))
}

/// The refresh `id` as its viewer sees it. Errors: `NotFound` for an id not handed to
/// `viewer` (or gone: finished backfills are kept a day).
pub async fn refresh(state: &AppState, viewer: i64, id: &str) -> ApiResult<AsyncRefresh> {
    if id.is_empty() || id.len() > 64 {
        return Err(ApiError::NotFound);
    }
    let backfill = thread_backfills::by_refresh(&state.db, id, viewer)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(refresh_of(id.to_owned(), &backfill))
}

fn refresh_of(id: String, backfill: &Backfill) -> AsyncRefresh {
    AsyncRefresh {
        id,
        status: match backfill.finished_at {
            Some(_) => RefreshStatus::Finished,
            None => RefreshStatus::Running,
        },
        result_count: i64::from(backfill.result_count),
    }
}

/// A random refresh id: 128 bits, hex.
fn fresh_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_sent_only_while_the_refresh_runs() {
        let running = AsyncRefresh {
            id: "abc".into(),
            status: RefreshStatus::Running,
            result_count: 2,
        };
        assert_eq!(
            running.header_value().as_deref(),
            Some("id=\"abc\", retry=3, result_count=2")
        );
        let finished = AsyncRefresh {
            status: RefreshStatus::Finished,
            ..running
        };
        assert_eq!(finished.header_value(), None);
    }

    #[test]
    fn refresh_ids_are_long_and_random() {
        let (one, two) = (fresh_id(), fresh_id());
        assert_eq!(one.len(), 32);
        assert_ne!(one, two);
    }
}
