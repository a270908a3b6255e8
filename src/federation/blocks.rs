//! Inbound `Block` and `Undo(Block)` handed to `services::blocks`, for the inbox worker
//! until its per-activity handlers (`federation::inbound`) take over. No rule lives here.

use serde_json::Value;

use super::inbox::object_id;
use super::urls;
use crate::db::accounts::{self, AccountRow};
use crate::db::blocks::{self, BlockRow};
use crate::services::blocks as service;
use crate::state::AppState;

/// An inbound `Block` (activity id `block_id`) of the local `target` by the remote
/// `blocker`: recorded (so `target` sees `blocked_by` and the two stop seeing each
/// other), with the follows between them removed and nothing sent back.
pub async fn receive_block(
    state: &AppState,
    blocker: &AccountRow,
    target: &AccountRow,
    block_id: &str,
) -> anyhow::Result<BlockRow> {
    service::block(state, blocker, target, Some(block_id))
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))
}

/// An inbound `Undo` whose object may be a `Block` by `sender`: removes the block named
/// by its id, or (for an embedded Block with an id Roost does not know) by the pair it
/// names. Returns false when the object is no block of `sender`'s.
pub async fn receive_undo(
    state: &AppState,
    sender: &AccountRow,
    object: &Value,
) -> anyhow::Result<bool> {
    if object["type"].as_str().is_some_and(|kind| kind != "Block") {
        return Ok(false);
    }
    let mut found = match object_id(object) {
        Some(id) => blocks::find_by_ap_id(&state.db, sender.id, id).await?,
        None => None,
    };
    if found.is_none() && object["type"].as_str() == Some("Block") {
        let target =
            object_id(&object["object"]).and_then(|url| urls::local_username(&state.config, url));
        if let Some(username) = target {
            if let Some(target) = accounts::find_visible_by_acct(&state.db, username, None).await? {
                found = blocks::find_pair(&state.db, sender.id, target.id).await?;
            }
        }
    }
    let Some(block) = found else {
        return Ok(false);
    };
    let Some(target) = accounts::find_by_id(&state.db, block.target_account_id).await? else {
        return Ok(false);
    };
    service::unblock(state, sender, &target)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))
}
