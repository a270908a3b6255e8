//! The Conversation entity (<https://docs.joinmastodon.org/entities/Conversation/>): a
//! direct-message thread as its owner sees it, with the other participants and the
//! newest message.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::status::{self, Status};
use super::Account;
use crate::db::conversations::ConversationRow;
use crate::db::{accounts, statuses};
use crate::domain::Id;
use crate::state::AppState;

/// One of the owner's conversations.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Conversation {
    /// The conversation's id (the owner's own).
    #[schema(value_type = String)]
    pub id: Id,
    /// Whether a message arrived since the owner last read it.
    pub unread: bool,
    /// The other participants; the owner alone for a note to oneself, as Mastodon.
    pub accounts: Vec<Account>,
    /// The newest message the owner may still see.
    pub last_status: Option<Status>,
}

/// Renders `rows` (in order) for their owner `viewer`: participants and last statuses
/// are loaded for all of them at once.
pub async fn render(
    state: &AppState,
    viewer: i64,
    rows: Vec<ConversationRow>,
) -> sqlx::Result<Vec<Conversation>> {
    let mut account_ids: Vec<i64> = rows
        .iter()
        .flat_map(|row| row.participant_ids.iter().copied())
        .collect();
    account_ids.push(viewer);
    let accounts: HashMap<i64, Account> = accounts::find_many_visible(&state.db, &account_ids)
        .await?
        .iter()
        .map(|row| (row.id, Account::from_row(row, &state.config)))
        .collect();
    let status_ids: Vec<i64> = rows.iter().map(|row| row.last_status_id).collect();
    let visible = statuses::find_many_visible(&state.db, Some(viewer), &status_ids).await?;
    let statuses: HashMap<i64, Status> = status::render(state, Some(viewer), visible)
        .await?
        .into_iter()
        .map(|status| (status.id.0, status))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let participants = if row.participant_ids.is_empty() {
                vec![viewer]
            } else {
                row.participant_ids
            };
            Conversation {
                id: Id(row.id),
                unread: row.unread,
                accounts: participants
                    .iter()
                    .filter_map(|id| accounts.get(id).cloned())
                    .collect(),
                last_status: statuses.get(&row.last_status_id).cloned(),
            }
        })
        .collect())
}
