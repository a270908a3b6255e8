//! Inbound `Announce` (a boost of a post known here) and its `Undo`: the activity is
//! read here, the boost is `services::interactions`' business.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#announce-activity-inbox>.

use serde_json::Value;

use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::error::ApiError;
use crate::federation::protocol::raw::object_id;
use crate::services::interactions;
use crate::state::AppState;

/// Stores `actor`'s boost of the post the `Announce` names (ignored for unknown posts
/// and those that may not be boosted; a redelivered `Announce` changes nothing).
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let announce_id = activity.payload["id"]
        .as_str()
        .ok_or_else(|| Skip::ignored("Announce without an id"))?;
    let object = object_id(&activity.payload["object"])
        .ok_or_else(|| Skip::ignored("Announce without an object"))?;
    match interactions::receive_announce(state, actor, announce_id, object).await {
        Ok(_) => Ok(()),
        Err(ApiError::NotFound) => Err(Skip::ignored("boost of an unknown post")),
        Err(ApiError::Validation(_)) => Err(Skip::ignored("only public posts can be boosted")),
        Err(refused) => Err(refused.into()),
    }
}

/// Undoes `actor`'s boost made by the `Announce` that `object` names (embedded, or its
/// bare id). Returns false when `object` is not one of `actor`'s boosts.
pub async fn undo(state: &AppState, actor: &AccountRow, object: &Value) -> Result<bool, Skip> {
    let Some(announce_id) = object_id(object) else {
        return Ok(false);
    };
    // A bare id may name any activity, so it is tried as a boost too.
    if object["type"]
        .as_str()
        .is_some_and(|kind| kind != "Announce")
    {
        return Ok(false);
    }
    Ok(interactions::receive_undo_announce(state, actor, announce_id).await?)
}
