//! Inbound `Announce` and its `Undo`. An `Announce` shares either a post (a boost: the
//! post embedded or named by its id) or, from a group (FEP-1b12: Lemmy, Mbin, PieFed),
//! an activity of one of its members, which [`super::shared_activity`] authenticates
//! and applies. The boost itself is `services::interactions`' business, a group's
//! sharing of a post `services::groups`'. An accepted relay's `Announce` (a LitePub
//! relay passing a post on) only brings the post in: see [`super::relayed`].
//!
//! Spec: <https://www.w3.org/TR/activitypub/#announce-activity-inbox>,
//! <https://codeberg.org/fediverse/fep/src/branch/main/fep/1b12/fep-1b12.md>.

use serde_json::Value;

use super::{shared_activity, Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::error::ApiError;
use crate::federation::protocol::raw::{is_activity, object_id};
use crate::services::{groups, interactions, relays};
use crate::state::AppState;

/// Applies what the `Announce` shares: an activity (unwrapped, see
/// [`shared_activity::receive`]), or a post, stored as `actor`'s boost of it. A post
/// Roost lacks is fetched from its server when the booster has followers here;
/// otherwise, and for posts that may not be boosted, the `Announce` is ignored. A
/// redelivered `Announce` changes nothing.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let announce_id = activity.payload["id"]
        .as_str()
        .ok_or_else(|| Skip::ignored("Announce without an id"))?;
    // A relay's Announce shares a post with the server, not a boost by the relay.
    if relays::is_accepted_relay(state, actor).await? {
        return super::relayed::announced(state, actor, activity).await;
    }
    let shared = &activity.payload["object"];
    if is_activity(shared) {
        return shared_activity::receive(state, actor, activity, shared).await;
    }
    let object = object_id(shared).ok_or_else(|| Skip::ignored("Announce without an object"))?;
    let boosted = if actor.is_group() {
        groups::receive_shared_post_by_id(state, actor, announce_id, object).await
    } else {
        (interactions::receive_announce(state, actor, announce_id, object).await).map(drop)
    };
    match boosted {
        Ok(()) => Ok(()),
        Err(ApiError::NotFound) => Err(Skip::ignored("boost of an unknown post")),
        Err(ApiError::Validation(_)) => Err(Skip::ignored("only public posts can be boosted")),
        Err(refused) => Err(refused.into()),
    }
}

/// Undoes `actor`'s boost made by the `Announce` that `object` names (embedded, or its
/// bare id). Returns false when `object` is not one of `actor`'s boosts.
pub async fn undo(state: &AppState, actor: &AccountRow, object: &Value) -> Result<bool, Skip> {
    let Some(announce_id) = object_id(object) else {
        return Ok(false);
    };
    // A bare id may name any activity, so it is tried as a boost too.
    if object["type"]
        .as_str()
        .is_some_and(|kind| kind != "Announce")
    {
        return Ok(false);
    }
    Ok(interactions::receive_undo_announce(state, actor, announce_id).await?)
}
