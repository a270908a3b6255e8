//! Inbound `Follow`, and the follow an `Accept`, `Reject` or `Undo` refers to.
//!
//! A Follow of a local account becomes a follow (or a request, for a locked account)
//! through `federation::follows`; an `Undo(Follow)` removes it when the follower sends
//! it. Spec: <https://www.w3.org/TR/activitypub/#follow-activity-inbox>.

use serde_json::Value;

use super::{local_account, Handled, Skip};
use crate::db::accounts::{self, AccountRow};
use crate::db::follows::{self as follow_rows, FollowRow};
use crate::db::inbox::ClaimedActivity;
use crate::federation::protocol::raw::object_id;
use crate::federation::{follows, urls};
use crate::state::AppState;

/// A remote `actor` follows a local account (the activity's `object`); a suspended
/// target is ignored.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let target = local_account(state, object_id(&activity.payload["object"])).await?;
    if target.suspended_at.is_some() {
        return Err(Skip::ignored("target suspended"));
    }
    follows::receive_follow(state, actor, &target, &activity.activity_id).await?;
    Ok(())
}

/// `Undo(Follow)`: removes the follow `object` names, which only its follower may undo.
/// Always claims the Undo (it is the last kind tried): a follow that cannot be found is
/// an ignored activity.
pub async fn undo(state: &AppState, actor: &AccountRow, object: &Value) -> Result<bool, Skip> {
    let follow = referenced_follow(state, object).await?;
    if follow.account_id != actor.id {
        return Err(Skip::ignored("only the follower may undo a follow"));
    }
    follows::receive_removal(state, &follow).await?;
    Ok(true)
}

/// The follow of an `Accept` or `Reject` from `sender`, which must be the followed
/// account.
pub async fn answered(
    state: &AppState,
    sender: &AccountRow,
    object: &Value,
) -> Result<FollowRow, Skip> {
    let follow = referenced_follow(state, object).await?;
    if follow.target_account_id != sender.id {
        return Err(Skip::ignored(
            "only the followed account may answer a follow",
        ));
    }
    Ok(follow)
}

/// The follow an Accept/Reject/Undo refers to: by the Follow's id, or (for peers that
/// embed a Follow with an id Roost does not know) by the pair it names.
async fn referenced_follow(state: &AppState, object: &Value) -> Result<FollowRow, Skip> {
    if object.is_object() && object["type"].as_str().is_some_and(|kind| kind != "Follow") {
        return Err(Skip::ignored("object is not a Follow"));
    }
    if let Some(id) = object_id(object) {
        if let Some(follow) = follow_rows::find_by_ap_id(&state.db, id).await? {
            return Ok(follow);
        }
    }
    let follower = object_id(&object["actor"]);
    let followed = object_id(&object["object"]);
    if let (Some(follower), Some(followed)) = (follower, followed) {
        let follower = account_by_actor_url(state, follower).await?;
        let followed = account_by_actor_url(state, followed).await?;
        if let Some(follow) = follow_rows::find_pair(&state.db, follower.id, followed.id).await? {
            return Ok(follow);
        }
    }
    Err(Skip::ignored("no such follow"))
}

/// The account (local or known remote) an actor URL names.
async fn account_by_actor_url(state: &AppState, url: &str) -> Result<AccountRow, Skip> {
    if urls::local_username(&state.config, url).is_some() {
        return local_account(state, Some(url)).await;
    }
    accounts::find_by_ap_id(&state.db, url)
        .await?
        .ok_or_else(|| Skip::Ignored(format!("unknown actor {url}")))
}
