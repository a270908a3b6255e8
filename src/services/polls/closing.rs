//! The poll worker of every process: closes polls when they end (a `poll`
//! notification to each local voter and to a local author, and a local poll's final
//! `Update(Question)` with `closed`), and sends the `Update(Question)` that votes on a
//! local poll made due (one per burst of votes, see [`super::UPDATE_DELAY_SECONDS`]).
//! Each batch is claimed with `FOR UPDATE SKIP LOCKED` and handled in one
//! transaction, so several processes may run it and a crash loses nothing: an
//! uncommitted batch is claimed again.
//!
//! Spec: <https://docs.joinmastodon.org/entities/Notification/#type> (`poll`).

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use url::Url;

use super::status_of;
use crate::db::accounts;
use crate::db::follows;
use crate::db::polls::{self, PollRow};
use crate::domain::Visibility;
use crate::federation::builders::notes;
use crate::federation::outbound;
use crate::services::notifications::create::notify_poll_ended;
use crate::state::AppState;

/// Polls handled per transaction.
const BATCH: i64 = 50;
/// How often a process looks for due polls.
const INTERVAL: Duration = Duration::from_secs(10);

/// Closes every poll ended by `as_of` and sends every counts Update due by then;
/// returns how many polls were handled. Tests pass a time ahead of now instead of
/// waiting.
pub async fn run_once(state: &AppState, as_of: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut handled = 0;
    loop {
        let mut transaction = state.db.begin().await?;
        let closed = polls::close_due(&mut transaction, as_of, BATCH).await?;
        for poll in &closed {
            close(state, &mut transaction, poll).await?;
        }
        let updated = polls::take_due_updates(&mut transaction, as_of, BATCH).await?;
        for poll in &updated {
            send_update(state, &mut transaction, poll).await?;
        }
        transaction.commit().await?;
        let batch = closed.len() + updated.len();
        handled += batch;
        if batch == 0 {
            return Ok(handled);
        }
    }
}

/// Runs [`run_once`] every [`INTERVAL`] until the task is dropped; errors are logged.
pub async fn run_forever(state: AppState) {
    let mut ticker = tokio::time::interval(INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(error) = run_once(&state, Utc::now()).await {
            tracing::warn!(error = %format!("{error:#}"), "closing polls failed");
        }
    }
}

/// Announces that `poll` ended: `poll` notifications, and a local poll's
/// `Update(Question)` with `closed`.
async fn close(state: &AppState, conn: &mut PgConnection, poll: &PollRow) -> anyhow::Result<()> {
    // A deleted status's poll closes without a word.
    let Some(status) = status_of(conn, poll)
        .await?
        .filter(|s| s.deleted_at.is_none())
    else {
        return Ok(());
    };
    let voters = polls::voters(conn, poll.id).await?;
    notify_poll_ended(conn, status.id, status.account_id, &voters, status.local).await?;
    if status.local {
        send_update(state, conn, poll).await?;
    }
    Ok(())
}

/// Queues the `Update(Question)` of local `poll` (its fresh counts) to its author's
/// followers' servers (unless direct) and to the servers of remote voters.
async fn send_update(
    state: &AppState,
    conn: &mut PgConnection,
    poll: &PollRow,
) -> anyhow::Result<()> {
    let Some(status) = status_of(conn, poll)
        .await?
        .filter(|s| s.deleted_at.is_none())
    else {
        return Ok(());
    };
    let Some(author) = accounts::find_by_id(&mut *conn, status.account_id).await? else {
        return Ok(());
    };
    if !status.local {
        return Ok(());
    }
    let mut inboxes: BTreeSet<String> = BTreeSet::new();
    if status.visibility != Visibility::Direct {
        inboxes.extend(follows::follower_inboxes(&mut *conn, author.id).await?);
    }
    inboxes.extend(polls::remote_voter_inboxes(conn, poll.id).await?);
    let inboxes: Vec<Url> = inboxes.iter().filter_map(|i| Url::parse(i).ok()).collect();
    if inboxes.is_empty() {
        return Ok(());
    }
    let note = crate::federation::posts::note_of(state, conn, &author, &status).await?;
    let id = Url::parse(&crate::urls::new_activity(&state.config))?;
    let update = notes::update(&state.config, id, &author, note);
    outbound::deliver(conn, &update, &author, &inboxes).await?;
    Ok(())
}
