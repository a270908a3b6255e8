//! Posts between servers, inbound: Like and Announce of posts known here (their Undo
//! is in `federation::inbound`). Create, Update and Delete of notes are handled by
//! `federation::inbound::{create, update, delete}` through `services::statuses`.

use serde_json::Value;

use super::protocol::raw::object_id;
use crate::db::accounts::AccountRow;
use crate::db::interactions::{self, Mark};
use crate::db::statuses::{self, NewStatus};
use crate::domain::Visibility;
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
