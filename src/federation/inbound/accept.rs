//! Inbound `Accept(Follow)`: the followed remote account accepted a local account's
//! follow request, through `services::follows::accept`; and the `Accept`s that approve
//! a local quote (`services::quotes`) or a local reply (`services::reply_controls`); and a
//! relay's acceptance of the instance actor's subscription (`services::relays`).
//! Spec: <https://www.w3.org/TR/activitypub/#accept-activity-inbox>.

use super::{follow, Handled};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::protocol::raw::object_id;
use crate::services::relays::{self, Answer};
use crate::services::{follows, quotes, reply_controls};
use crate::state::AppState;

/// Accepts the follow the activity's object refers to; only the followed account may
/// accept it. An `Accept` of a follow accepted already (a resent one) changes nothing.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    // An Accept of a QuoteRequest (FEP-044f) carries its stamp as `result`.
    if let Some(request) = object_id(&activity.payload["object"]) {
        // The relay answering the instance actor's subscription (`services::relays`).
        if relays::receive_answer(state, actor, request, Answer::Accepted).await? {
            return Ok(());
        }
        let result = object_id(&activity.payload["result"]);
        if quotes::receive_accept(state, actor, request, result).await? {
            return Ok(());
        }
        // GoToSocial approving a local reply: `object` is the reply, `result` the stamp.
        if reply_controls::receive_accept(state, actor, request, result).await? {
            return Ok(());
        }
    }
    let (follow, follower) = follow::answered(state, actor, &activity.payload["object"]).await?;
    if follow.accepted {
        return Ok(());
    }
    follows::accept(state, actor, &follower).await?;
    Ok(())
}
