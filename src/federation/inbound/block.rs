//! Inbound `Block` of a local account by a remote one, and its `Undo`, through
//! `services::blocks` (the same block and unblock as a local user's; a remote blocker
//! sends nothing back). This module reads the activity and finds the block it names.
//! Spec: <https://www.w3.org/TR/activitypub/#block-activity-outbox> (servers relay
//! blocks so the blocked side can hide the blocker).

use serde_json::Value;

use super::{local_account, Handled, Skip};
use crate::db::accounts::{self, AccountRow};
use crate::db::blocks::{self, BlockRow};
use crate::db::inbox::ClaimedActivity;
use crate::federation::protocol::raw::object_id;
use crate::services::blocks as service;
use crate::state::AppState;
use crate::urls;

/// Records the block of the local account the activity's object names, under the
/// activity's id (a repeated Block takes the new id, so its Undo matches).
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let target = local_account(state, object_id(&activity.payload["object"])).await?;
    service::block(state, actor, &target, Some(&activity.activity_id)).await?;
    Ok(())
}

/// `Undo(Block)`: removes the block `object` names; false when it is no block of
/// `actor`'s (an object of another type, or a block Roost does not know).
pub async fn undo(state: &AppState, actor: &AccountRow, object: &Value) -> Result<bool, Skip> {
    if object["type"].as_str().is_some_and(|kind| kind != "Block") {
        return Ok(false);
    }
    let Some(block) = undone_block(state, actor, object).await? else {
        return Ok(false);
    };
    let Some(target) = accounts::find_by_id(&state.db, block.target_account_id).await? else {
        return Ok(false);
    };
    Ok(service::unblock(state, actor, &target).await?)
}

/// The block of `actor`'s an Undo's object names: by the Block's id, or (for an
/// embedded Block with an id Roost does not know) by the local account it blocked.
async fn undone_block(
    state: &AppState,
    actor: &AccountRow,
    object: &Value,
) -> Result<Option<BlockRow>, Skip> {
    if let Some(id) = object_id(object) {
        if let Some(block) = blocks::find_by_ap_id(&state.db, actor.id, id).await? {
            return Ok(Some(block));
        }
    }
    if object["type"].as_str() != Some("Block") {
        return Ok(None);
    }
    let target =
        object_id(&object["object"]).and_then(|url| urls::local_username(&state.config, url));
    let Some(username) = target else {
        return Ok(None);
    };
    let Some(target) = accounts::find_visible_by_acct(&state.db, username, None).await? else {
        return Ok(None);
    };
    Ok(blocks::find_pair(&state.db, actor.id, target.id).await?)
}
