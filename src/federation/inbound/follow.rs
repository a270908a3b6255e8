//! Inbound `Follow` and `Undo(Follow)`, and the follow an `Accept`, `Reject` or `Undo`
//! refers to. The rules and effects are `services::follows`' (the same as for a local
//! follower); this module only reads the activity and finds the accounts it names.
//!
//! One outcome differs from the client API's, on purpose: a Follow refused because of
//! a block is answered with `Reject` before it is ignored (see
//! `services::follows::request`). Such a Follow used to be marked processed without a
//! reason; it is now marked ignored with the refusal's reason — nothing else changes.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#follow-activity-inbox>.

use serde_json::Value;

use super::{local_account, Handled, Skip};
use crate::db::accounts::{self, AccountRow};
use crate::db::follows::{self as follow_rows, FollowRow};
use crate::db::inbox::ClaimedActivity;
use crate::federation::protocol::raw::object_id;
use crate::services::follows::{self as service, FollowOptions, FollowRequest};
use crate::state::AppState;
use crate::urls;

/// A remote follow carries no options: Mastodon's defaults, restated on every Follow.
const REMOTE_OPTIONS: FollowOptions = FollowOptions {
    show_reblogs: Some(true),
    notify: Some(false),
};

/// A remote `actor` follows the local account the activity's `object` names (a
/// request, for a locked account). A follow the rules refuse (a suspended target, a
/// block) is ignored with the reason.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let target = local_account(state, object_id(&activity.payload["object"])).await?;
    let request = FollowRequest {
        options: REMOTE_OPTIONS,
        activity_id: Some(&activity.activity_id),
        languages: None,
    };
    service::request(state, actor, &target, request).await?;
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
    let followed = account(state, follow.target_account_id).await?;
    service::unfollow(state, actor, &followed).await?;
    Ok(true)
}

/// The follow an `Accept` or `Reject` from `sender` answers, which must be a follow of
/// `sender`'s, and its follower.
pub async fn answered(
    state: &AppState,
    sender: &AccountRow,
    object: &Value,
) -> Result<(FollowRow, AccountRow), Skip> {
    let follow = referenced_follow(state, object).await?;
    if follow.target_account_id != sender.id {
        return Err(Skip::ignored(
            "only the followed account may answer a follow",
        ));
    }
    let follower = account(state, follow.account_id).await?;
    Ok((follow, follower))
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

/// The account of a follow row (ignored if it is gone meanwhile).
async fn account(state: &AppState, id: i64) -> Result<AccountRow, Skip> {
    accounts::find_by_id(&state.db, id)
        .await?
        .ok_or_else(|| Skip::ignored("the follow's account is gone"))
}
