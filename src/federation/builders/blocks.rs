//! Builders of the block activities Roost sends: `Block` and `Undo(Block)`. Input: the
//! block row, the two parties' actor ids and, for the `Undo`, its id; output: typed
//! activities of [`crate::federation::protocol::activity`]. No database, no AppState.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#block-activity-outbox> (Mastodon delivers
//! the `Block` to the blocked actor's server so it can hide the blocker from it).

use url::Url;

use crate::db::blocks::BlockRow;
use crate::federation::protocol::activity::{Block, BlockType, Undo, UndoType};
use crate::federation::protocol::{context, ObjectRef};

/// The `Block` of `blocked` by the local `blocker` recorded as `block`, addressed to
/// the blocked actor. Errors only when the stored block id is not a URL.
pub fn block(block: &BlockRow, blocker: &Url, blocked: &Url) -> Result<Block, url::ParseError> {
    Ok(Block {
        context: Some(context()),
        id: Url::parse(&block.ap_id)?,
        kind: BlockType::Block,
        actor: blocker.clone(),
        object: blocked.clone(),
        to: vec![blocked.clone()],
    })
}

/// The `Undo(Block)` (id `id`) the local `blocker` sends when it lifts `block`,
/// embedding the Block (without context or addressing), addressed to the blocked actor.
pub fn undo(
    id: Url,
    block: &BlockRow,
    blocker: &Url,
    blocked: &Url,
) -> Result<Undo<Block>, url::ParseError> {
    let embedded = Block {
        context: None,
        id: Url::parse(&block.ap_id)?,
        kind: BlockType::Block,
        actor: blocker.clone(),
        object: blocked.clone(),
        to: Vec::new(),
    };
    Ok(Undo {
        context: Some(context()),
        id,
        kind: UndoType::Undo,
        actor: blocker.clone(),
        object: ObjectRef::object(embedded),
        to: vec![blocked.clone()],
    })
}
