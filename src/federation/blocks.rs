//! Blocks, where local and federated meet: blocking and unblocking, and the `Block` /
//! `Undo(Block)` activities that carry them between servers
//! (<https://www.w3.org/TR/activitypub/#block-activity-outbox>; Mastodon sends `Block`
//! to the blocked account so its server can hide the blocker from it).
//!
//! A block severs follows both ways. Locally blocking a remote account sends, in one
//! transaction, `Undo(Follow)` for our follow, `Reject(Follow)` for theirs, and the
//! `Block`. A received `Block` removes both follows here without sending anything (the
//! blocker's server has already dropped them).

use serde_json::Value;

use super::follows::{deliver_to, sever};
use super::inbox::object_id;
use super::outbound;
use crate::db::accounts::{self, AccountRow};
use crate::db::blocks::{self, BlockRow};
use crate::db::{account_domain_blocks, follows, notifications};
use crate::state::AppState;
use crate::urls;

/// `blocker` (local) blocks `target`. Idempotent: blocking again changes nothing.
pub async fn block(
    state: &AppState,
    blocker: &AccountRow,
    target: &AccountRow,
) -> anyhow::Result<()> {
    let mut transaction = state.db.begin().await?;
    if blocks::find_pair(&mut *transaction, blocker.id, target.id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    sever(state, &mut transaction, blocker, target).await?;
    sever(state, &mut transaction, target, blocker).await?;
    let ap_id = urls::new_activity(&state.config);
    blocks::upsert(&mut transaction, blocker.id, target.id, &ap_id).await?;
    notifications::forget_between(&mut transaction, blocker.id, target.id).await?;
    if !target.is_local() {
        let actor = urls::actor(&state.config, &blocker.username);
        let object = urls::account_ap_id(&state.config, target);
        let activity = outbound::block(&ap_id, &actor, &object);
        deliver_to(&mut transaction, &activity, blocker, target).await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// `blocker` (local) unblocks `target`; a remote target gets `Undo(Block)`. Returns
/// false when there was no block.
pub async fn unblock(
    state: &AppState,
    blocker: &AccountRow,
    target: &AccountRow,
) -> anyhow::Result<bool> {
    let mut transaction = state.db.begin().await?;
    let Some(existing) = blocks::find_pair(&mut *transaction, blocker.id, target.id).await? else {
        return Ok(false);
    };
    blocks::delete(&mut transaction, existing.id).await?;
    if !target.is_local() {
        let actor = urls::actor(&state.config, &blocker.username);
        let object = urls::account_ap_id(&state.config, target);
        let undo = outbound::activity(
            "Undo",
            &urls::new_activity(&state.config),
            &actor,
            outbound::block_object(&existing.ap_id, &actor, &object),
            &[&object],
        );
        deliver_to(&mut transaction, &undo, blocker, target).await?;
    }
    transaction.commit().await?;
    Ok(true)
}

/// An inbound `Block` (activity id `block_id`) of the local `target` by the remote
/// `blocker`: recorded (so `target` sees `blocked_by` and the two stop seeing each
/// other), with the follows between them removed and nothing sent back.
pub async fn receive_block(
    state: &AppState,
    blocker: &AccountRow,
    target: &AccountRow,
    block_id: &str,
) -> anyhow::Result<BlockRow> {
    let mut transaction = state.db.begin().await?;
    for (follower, followed) in [(blocker.id, target.id), (target.id, blocker.id)] {
        if let Some(follow) = follows::find_pair(&mut *transaction, follower, followed).await? {
            follows::delete(&mut transaction, follow.id).await?;
        }
    }
    let row = blocks::upsert(&mut transaction, blocker.id, target.id, block_id).await?;
    notifications::forget_between(&mut transaction, blocker.id, target.id).await?;
    transaction.commit().await?;
    Ok(row)
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
    let mut transaction = state.db.begin().await?;
    blocks::delete(&mut transaction, block.id).await?;
    transaction.commit().await?;
    Ok(true)
}

/// `account` (local) blocks the whole remote `domain`: its accounts stop following
/// `account` (each server is told with `Reject(Follow)`), and its posts and
/// notifications are hidden (see `crate::db::hiding`). Existing follows of accounts
/// there stay, as in Mastodon.
pub async fn block_domain(
    state: &AppState,
    account: &AccountRow,
    domain: &str,
) -> anyhow::Result<()> {
    let mut transaction = state.db.begin().await?;
    account_domain_blocks::insert(&mut *transaction, account.id, domain).await?;
    let ids = account_domain_blocks::follower_ids_on_domain(&mut *transaction, account.id, domain)
        .await?;
    let followers = accounts::find_many(&mut *transaction, &ids).await?;
    for follower in &followers {
        sever(state, &mut transaction, follower, account).await?;
    }
    transaction.commit().await?;
    Ok(())
}
