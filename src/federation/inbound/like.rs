//! Inbound `Like` (a favourite, or a reaction) of a post, and its `Undo`.
//! Spec: <https://www.w3.org/TR/activitypub/#like-activity-inbox>.

use serde_json::Value;

use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::db::interactions;
use crate::federation::protocol::raw::object_id;
use crate::federation::receive_posts;
use crate::state::AppState;

/// Records the favourite of the post the activity names.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let object = &activity.payload["object"];
    receive_posts::receive_like(state, actor, &activity.activity_id, object).await?;
    Ok(())
}

/// `Undo(Like)` (or of an `EmojiReact`, or of an untyped object): removes `actor`'s
/// favourite with that id. False when `actor` has none (not a Like of theirs).
pub async fn undo(state: &AppState, actor: &AccountRow, object: &Value) -> Result<bool, Skip> {
    let Some(id) = object_id(object) else {
        return Ok(false);
    };
    if object["type"]
        .as_str()
        .is_some_and(|k| k != "Like" && k != "EmojiReact")
    {
        return Ok(false);
    }
    let mut transaction = state.db.begin().await?;
    let removed = interactions::remove_favourite_by_ap_id(&mut transaction, actor.id, id).await?;
    transaction.commit().await?;
    Ok(removed.is_some())
}
