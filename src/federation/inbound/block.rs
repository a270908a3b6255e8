//! Inbound `Block` of a local account by a remote one, and its `Undo`, through
//! `federation::blocks`. Spec: <https://www.w3.org/TR/activitypub/#block-activity-outbox>
//! (servers relay blocks so the blocked side can hide the blocker).

use serde_json::Value;

use super::{local_account, Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::blocks;
use crate::federation::protocol::raw::object_id;
use crate::state::AppState;

/// Records the block of the local account the activity's object names.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let target = local_account(state, object_id(&activity.payload["object"])).await?;
    blocks::receive_block(state, actor, &target, &activity.activity_id).await?;
    Ok(())
}

/// `Undo(Block)`: removes the block `object` names; false when it is no block of
/// `actor`'s.
pub async fn undo(state: &AppState, actor: &AccountRow, object: &Value) -> Result<bool, Skip> {
    Ok(blocks::receive_undo(state, actor, object).await?)
}
