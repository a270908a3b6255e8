//! Conversations: each local account's direct-message threads, as Mastodon keeps them
//! (`AccountConversation`). A direct status, local or remote, joins the conversation
//! of its author (if local) and of each local account it mentions, keyed by the thread
//! and the other participants; it is unread for everyone but its author. Deleting the
//! status takes it out again. The owner may list, read and remove conversations; a
//! removed one comes back with the next message.
//!
//! Muting a thread (`POST /api/v1/statuses/:id/mute`) is here too: the thread is the
//! same (the SQL function `status_thread`), and a muted thread's statuses notify the
//! user no more (`services::notifications`).
//!
//! Not here: the SQL (`db::conversations`), the `direct` stream's event (the
//! `conversations` migration's trigger, rendered by `api::streaming::prepare`).
//! Spec: <https://docs.joinmastodon.org/methods/conversations/>.

use sqlx::PgConnection;

use crate::db::conversations::{self, ConversationRow};
use crate::db::statuses::StatusRow;
use crate::db::Page;
use crate::domain::Visibility;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Files direct status `row` (mentioning `mentioned`) in its participants'
/// conversations. Part of the one insert path of statuses; other statuses are left.
pub async fn record(
    conn: &mut PgConnection,
    row: &StatusRow,
    mentioned: &[i64],
) -> sqlx::Result<()> {
    if row.visibility != Visibility::Direct || row.reblog_of_id.is_some() {
        return Ok(());
    }
    let mut participants = mentioned.to_vec();
    participants.push(row.account_id);
    conversations::add_status(conn, row.id, row.account_id, &participants).await
}

/// Takes deleted direct status `row` out of the conversations holding it.
pub async fn forget(conn: &mut PgConnection, row: &StatusRow) -> sqlx::Result<()> {
    if row.visibility != Visibility::Direct {
        return Ok(());
    }
    conversations::remove_status(conn, row.id).await
}

/// A page of `owner`'s conversations, the one with the newest message first.
pub async fn page(state: &AppState, owner: i64, page: &Page) -> ApiResult<Vec<ConversationRow>> {
    Ok(conversations::page(&state.db, owner, page).await?)
}

/// Marks `owner`'s conversation `id` read. `NotFound` when it is not theirs.
pub async fn read(state: &AppState, owner: i64, id: i64) -> ApiResult<ConversationRow> {
    conversations::mark_read(&state.db, owner, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Removes `owner`'s conversation `id` (its statuses stay). `NotFound` when it is not
/// theirs.
pub async fn remove(state: &AppState, owner: i64, id: i64) -> ApiResult<()> {
    if conversations::delete(&state.db, owner, id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// `viewer` mutes (or unmutes) the thread of status `id`, one it may see; the status.
/// `NotFound` otherwise.
pub async fn mute_thread(
    state: &AppState,
    viewer: i64,
    id: i64,
    mute: bool,
) -> ApiResult<StatusRow> {
    let status = crate::services::statuses::visible(state, Some(viewer), id).await?;
    if mute {
        conversations::mute_thread(&state.db, viewer, status.id).await?;
    } else {
        conversations::unmute_thread(&state.db, viewer, status.id).await?;
    }
    Ok(status)
}
