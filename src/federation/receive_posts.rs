//! Posts between servers, inbound: Create, Update and Delete of notes (parsed here,
//! applied by `services::statuses`, which keeps the rules: only the author may change
//! or delete a post; posts nobody here cares about are not stored), and Like and
//! Announce and their Undo.

use serde_json::Value;

use super::inbound::Skip;
use super::inbox::object_id;
use super::protocol::note::Note;
use crate::db::accounts::AccountRow;
use crate::db::interactions::{self, Mark};
use crate::db::statuses::{self, NewStatus};
use crate::domain::Visibility;
use crate::error::ApiError;
use crate::services;
/// Where the Like and Announce handlers below find the status an id names.
pub use crate::services::statuses::status_by_uri;
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

/// A remote favourite (Like) of a post known here.
pub async fn receive_like(
    state: &AppState,
    liker: &AccountRow,
    like_id: &str,
    object: &Value,
) -> Result<(), PostSkip> {
    let uri = object_id(object).ok_or_else(|| ignored("Like without an object"))?;
    let status = status_by_uri(state, uri)
        .await?
        .ok_or_else(|| ignored("like of an unknown post"))?;
    if !status.local {
        return Err(ignored("likes are kept only for this server's posts"));
    }
    let mut transaction = state.db.begin().await?;
    interactions::add(
        &mut transaction,
        Mark::Favourite,
        liker.id,
        status.id,
        Some(like_id),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// A remote boost (Announce) of a post known here.
pub async fn receive_announce(
    state: &AppState,
    booster: &AccountRow,
    activity: &Value,
) -> Result<(), PostSkip> {
    let announce_id = activity["id"]
        .as_str()
        .ok_or_else(|| ignored("Announce without an id"))?;
    let uri =
        object_id(&activity["object"]).ok_or_else(|| ignored("Announce without an object"))?;
    let original = status_by_uri(state, uri)
        .await?
        .ok_or_else(|| ignored("boost of an unknown post"))?;
    if !matches!(original.visibility.as_str(), "public" | "unlisted") {
        return Err(ignored("only public posts can be boosted"));
    }
    if statuses::find_by_ap_id(&state.db, announce_id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let mut transaction = state.db.begin().await?;
    let inserted = statuses::insert(
        &mut transaction,
        &NewStatus::reblog(
            booster.id,
            false,
            Some(announce_id),
            original.id,
            Visibility::Public,
        ),
    )
    .await;
    match inserted {
        Ok(_) => transaction.commit().await?,
        // Already boosted by this account under another activity id.
        Err(error) if crate::db::violated_constraint(&error) == Some("statuses_one_reblog_key") => {
        }
        Err(error) => return Err(PostSkip::Transient(error.into())),
    }
    Ok(())
}

/// Undo of a Like or an Announce by its actor. Returns false when `object` names
/// neither (the caller then tries a Follow).
pub async fn receive_undo(
    state: &AppState,
    actor: &AccountRow,
    object: &Value,
) -> Result<bool, PostSkip> {
    let Some(id) = object_id(object) else {
        return Ok(false);
    };
    let kind = object["type"].as_str();
    if kind.is_none_or(|k| k == "Like" || k == "EmojiReact") {
        let mut transaction = state.db.begin().await?;
        let removed =
            interactions::remove_favourite_by_ap_id(&mut transaction, actor.id, id).await?;
        transaction.commit().await?;
        if removed.is_some() {
            return Ok(true);
        }
    }
    if kind.is_none_or(|k| k == "Announce") {
        if let Some(boost) = statuses::find_by_ap_id(&state.db, id)
            .await?
            .filter(|b| b.account_id == actor.id && b.reblog_of_id.is_some())
        {
            let mut transaction = state.db.begin().await?;
            statuses::delete(&mut transaction, boost.id).await?;
            transaction.commit().await?;
            return Ok(true);
        }
    }
    Ok(false)
}
