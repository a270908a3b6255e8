//! Inbound `Undo`: asks each kind of undoable activity in turn whether the object is
//! one of its own, in a fixed order — Like, Announce, Block, then Follow (which claims
//! whatever is left, so an Undo of something unknown is ignored as "no such follow").
//! Spec: <https://www.w3.org/TR/activitypub/#undo-activity-inbox>.

use super::{announce, block, follow, like, Handled};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::state::AppState;

/// Undoes the activity's object through the first handler that recognises it.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let object = &activity.payload["object"];
    if like::undo(state, actor, object).await? {
        return Ok(());
    }
    if announce::undo(state, actor, object).await? {
        return Ok(());
    }
    if block::undo(state, actor, object).await? {
        return Ok(());
    }
    follow::undo(state, actor, object).await?;
    Ok(())
}
