//! Inbound `Announce` (a boost) of a post, and its `Undo`.
//! Spec: <https://www.w3.org/TR/activitypub/#announce-activity-inbox>.

use serde_json::Value;

use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::db::statuses;
use crate::federation::protocol::raw::object_id;
use crate::federation::receive_posts;
use crate::state::AppState;

/// Stores the boost (and, if needed, the boosted post).
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    receive_posts::receive_announce(state, actor, &activity.payload).await?;
    Ok(())
}

/// `Undo(Announce)` (or of an untyped object): deletes `actor`'s boost with that id.
/// False when `actor` has no such boost.
pub async fn undo(state: &AppState, actor: &AccountRow, object: &Value) -> Result<bool, Skip> {
    let Some(id) = object_id(object) else {
        return Ok(false);
    };
    if object["type"].as_str().is_some_and(|k| k != "Announce") {
        return Ok(false);
    }
    let boost = statuses::find_by_ap_id(&state.db, id)
        .await?
        .filter(|b| b.account_id == actor.id && b.reblog_of_id.is_some());
    let Some(boost) = boost else {
        return Ok(false);
    };
    let mut transaction = state.db.begin().await?;
    statuses::delete(&mut transaction, boost.id).await?;
    transaction.commit().await?;
    Ok(true)
}
