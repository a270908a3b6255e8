//! Posts between servers, inbound: Create, Update and Delete of notes (parsed here,
//! applied by `services::statuses`, which keeps the rules: only the author may change
//! or delete a post; posts nobody here cares about are not stored).

use serde_json::Value;

use super::inbound::Skip;
use super::protocol::raw::object_id;
use super::protocol::note::Note;
use crate::db::accounts::AccountRow;
use crate::db::statuses::{self};
use crate::error::ApiError;
use crate::services;
use crate::state::AppState;

/// Why an inbound post activity had no effect.
#[derive(Debug, thiserror::Error)]
pub enum PostSkip {
    /// Meaningless or not allowed here; kept with this reason.
    #[error("{0}")]
    Ignored(String),
    /// Worth retrying (database).
    #[error(transparent)]
    Transient(#[from] anyhow::Error),
}

impl From<sqlx::Error> for PostSkip {
    fn from(error: sqlx::Error) -> Self {
        PostSkip::Transient(error.into())
    }
}

fn ignored(reason: &str) -> PostSkip {
    PostSkip::Ignored(reason.to_owned())
}

fn parse_note(object: &Value) -> Result<Note, PostSkip> {
    serde_json::from_value(object.clone())
        .map_err(|error| PostSkip::Ignored(format!("not a note: {error}")))
}

/// A service's refusal ignores the activity; a failure of ours is worth a retry.
impl From<ApiError> for PostSkip {
    fn from(error: ApiError) -> Self {
        match Skip::from(error) {
            Skip::Ignored(reason) => PostSkip::Ignored(reason),
            Skip::Retry(error) => PostSkip::Transient(error),
        }
    }
}

/// A Create of a Note: the note must be the actor's and under its server's ids; then
/// `services::statuses::receive_note` decides whether to keep it.
pub async fn receive_create(
    state: &AppState,
    author: &AccountRow,
    object: &Value,
) -> Result<(), PostSkip> {
    let note = parse_note(object)?;
    if note.author_id().map(url::Url::as_str) != author.ap_id.as_deref() {
        return Err(ignored("the note is not the actor's"));
    }
    // A server may only create notes under its own ids.
    let author_origin = author
        .ap_id
        .as_deref()
        .and_then(|a| url::Url::parse(a).ok())
        .map(|a| a.origin());
    if author_origin != Some(note.id.origin()) {
        return Err(ignored("the note's id is not on the actor's server"));
    }
    Ok(services::statuses::receive_note(state, author, &note).await?)
}

/// An Update of a Note: an edit by its author.
pub async fn receive_update(
    state: &AppState,
    author: &AccountRow,
    object: &Value,
) -> Result<(), PostSkip> {
    let note = parse_note(object)?;
    Ok(services::statuses::receive_edit(state, author, &note).await?)
}

/// A Delete of a Note or Tombstone by its author, or of the actor itself.
pub async fn receive_delete(
    state: &AppState,
    author: &AccountRow,
    object: &Value,
) -> Result<(), PostSkip> {
    let id = object_id(object).ok_or_else(|| ignored("Delete without an object"))?;
    if Some(id) == author.ap_id.as_deref() {
        super::suspensions::receive_actor_delete(state, author).await?;
        return Ok(());
    }
    let Some(row) = statuses::find_by_ap_id(&state.db, id).await? else {
        return Err(ignored("delete of an unknown post"));
    };
    Ok(services::statuses::delete(state, author.id, &row).await?)
}
