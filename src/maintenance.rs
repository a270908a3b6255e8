//! Background housekeeping that every `roost serve` process runs: deleting expired
//! authorization codes, long-dead tokens and expired web sessions so the OAuth tables stay small, media
//! uploads never attached to a status (with their files) after a day, and mutes whose
//! duration has passed (reads ignore them already), home feed entries beyond each
//! feed's newest [`HOME_FEED_DEPTH`], and the data of accounts their owners deleted
//! once the grace period is over (`services::account_deletion::purge_due`). Each pass is a few idempotent
//! DELETEs (rows claimed with SKIP LOCKED), so several processes may run it at once.

use std::time::Duration;

use sqlx::PgPool;

use crate::state::AppState;

/// Uploads unattached for longer than this are removed.
const ORPHAN_AGE_HOURS: i64 = 24;
/// Orphaned uploads removed per batch.
const ORPHAN_BATCH: i64 = 100;

/// How many entries each materialised home feed keeps (as Mastodon's home feed);
/// the migration that fills feeds and the follow trigger stay within it.
pub const HOME_FEED_DEPTH: i64 = 800;

/// How often a pass runs.
const INTERVAL: Duration = Duration::from_secs(3600);

/// Deletes authorization codes expired for over a day and tokens that expired or were
/// revoked over 30 days ago (kept that long so a reused refresh token is still
/// recognised as reuse), expired mutes, and home feed entries past each feed's
/// newest [`HOME_FEED_DEPTH`]. Returns the number of rows removed.
pub async fn run_once(db: &PgPool) -> sqlx::Result<u64> {
    let removed = crate::db::maintenance::remove_expired(db).await?
        + crate::db::web_sessions::purge_expired(db).await?;
    Ok(removed + trim_home_feeds(db).await?)
}

/// Deletes home feed entries past each feed's newest [`HOME_FEED_DEPTH`].
pub async fn trim_home_feeds(db: &PgPool) -> sqlx::Result<u64> {
    crate::db::maintenance::trim_home_feeds(db, HOME_FEED_DEPTH).await
}

/// Deletes media uploads that no status has used for [`ORPHAN_AGE_HOURS`] and their
/// stored files; returns how many were removed. A file that cannot be removed is
/// logged and left behind (its row is gone, so nothing links to it).
pub async fn remove_orphaned_media(state: &AppState) -> anyhow::Result<u64> {
    let cutoff = chrono::Utc::now() - chrono::Duration::hours(ORPHAN_AGE_HOURS);
    let mut removed = 0;
    loop {
        let rows = crate::db::media::delete_orphans(&state.db, cutoff, ORPHAN_BATCH).await?;
        if rows.is_empty() {
            return Ok(removed);
        }
        removed += rows.len() as u64;
        let keys: Vec<String> = rows
            .into_iter()
            .flat_map(|row| [row.file_key, row.preview_key])
            .flatten()
            .collect();
        crate::media::upload::remove_files(state, &keys).await;
    }
}

/// Runs [`run_once`] and [`remove_orphaned_media`] every hour, the first time an
/// hour after start, until the task is dropped; errors are logged, never fatal.
pub async fn run_forever(state: AppState) {
    // The first pass an interval after start, not at start: a restart (or several
    // processes starting together) should not begin with a scan of every feed.
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + INTERVAL, INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match run_once(&state.db).await {
            Ok(removed) if removed > 0 => tracing::info!(
                removed,
                "removed expired OAuth rows and mutes, trimmed home feeds"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "maintenance pass failed"),
        }
        match remove_orphaned_media(&state).await {
            Ok(removed) if removed > 0 => tracing::info!(removed, "removed orphaned uploads"),
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %format!("{error:#}"), "media cleanup failed"),
        }
        match crate::services::account_deletion::purge_due(&state).await {
            Ok(purged) if purged > 0 => {
                tracing::info!(purged, "purged accounts deleted by their owners")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %format!("{error:#}"), "account purge failed"),
        }
    }
}
