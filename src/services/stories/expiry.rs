// SPDX-License-Identifier: AGPL-3.0-or-later
//! Stories past their time: every minute, each process claims expired stories
//! (`FOR UPDATE SKIP LOCKED`, so several processes share the work), sends the
//! `Delete` of the local ones where they went, and deletes them all; their media rows
//! are detached and go with the hourly orphan sweep (`maintenance`). Reads already
//! ignore an expired story, so the minute of lag is never visible.

use std::time::Duration;

use crate::db::accounts;
use crate::db::stories as db;
use crate::state::AppState;

/// Expired stories handled per transaction.
const BATCH: i64 = 100;
/// How often a pass runs.
const INTERVAL: Duration = Duration::from_secs(60);

/// Deletes every expired story (sending the `Delete` of local ones); returns how
/// many went. Tests call it to expire stories at once.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        let mut transaction = state.db.begin().await?;
        let due = db::claim_expired(&mut transaction, BATCH).await?;
        let authors: Vec<i64> = due.iter().map(|story| story.account_id).collect();
        let authors = accounts::find_many(&mut *transaction, &authors).await?;
        for story in &due {
            let local_author = authors
                .iter()
                .find(|author| author.id == story.account_id && author.is_local());
            if let Some(author) = local_author {
                super::send_delete(state, &mut transaction, author, story).await?;
            }
        }
        let ids: Vec<i64> = due.iter().map(|story| story.id).collect();
        db::delete_many(&mut *transaction, &ids).await?;
        transaction.commit().await?;
        total += due.len();
        if (due.len() as i64) < BATCH {
            return Ok(total);
        }
    }
}

/// Runs [`run_once`] every minute until the task is dropped; errors are logged.
pub async fn run_forever(state: AppState) {
    let mut ticker = tokio::time::interval(INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match run_once(&state).await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "expired stories deleted"),
            Err(error) => tracing::warn!(error = %format!("{error:#}"), "expiring stories failed"),
        }
    }
}
