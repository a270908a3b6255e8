//! Inbound `Like` (a favourite of a post on this server) and its `Undo`: the activity
//! is read here, the favourite is `services::interactions`' business. Emoji reactions
//! (`EmojiReact`, Misskey's `Like` with a reaction) count as favourites, as in Mastodon.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#like-activity-inbox>.

use serde_json::Value;

use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::error::ApiError;
use crate::federation::protocol::raw::object_id;
use crate::services::interactions;
use crate::state::AppState;

/// Stores `actor`'s favourite of the post the `Like` names (ignored for posts of other
/// servers and unknown ones).
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let object = object_id(&activity.payload["object"])
        .ok_or_else(|| Skip::ignored("Like without an object"))?;
    match interactions::receive_like(state, actor, &activity.activity_id, object).await {
        Ok(_) => Ok(()),
        Err(ApiError::NotFound) => Err(Skip::ignored("like of an unknown post")),
        Err(refused) => Err(refused.into()),
    }
}

/// Undoes `actor`'s favourite made by the `Like` that `object` names (embedded, or its
/// bare id). Returns false when `object` is not one of `actor`'s likes.
pub async fn undo(state: &AppState, actor: &AccountRow, object: &Value) -> Result<bool, Skip> {
    let Some(like_id) = object_id(object) else {
        return Ok(false);
    };
    // A bare id may name any activity, so it is tried as a like too.
    let kind = object["type"].as_str();
    if kind.is_some_and(|kind| kind != "Like" && kind != "EmojiReact") {
        return Ok(false);
    }
    Ok(interactions::receive_undo_like(state, actor, like_id).await?)
}
