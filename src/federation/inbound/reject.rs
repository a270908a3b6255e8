//! Inbound `Reject(Follow)`: the followed remote account refused (or later removed) a
//! local account's follow, through `services::follows::remove_follower`; and
//! `Reject(QuoteRequest)` (FEP-044f): the quoted author refused a local quote; and a
//! `Reject` of a local reply (GoToSocial's interaction controls).
//! Spec: <https://www.w3.org/TR/activitypub/#reject-activity-inbox>.

use super::{follow, Handled};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::protocol::raw::object_id;
use crate::services::relays::{self, Answer};
use crate::services::{follows, quotes, reply_controls};
use crate::state::AppState;

/// Deletes the follow the activity's object refers to, pending or accepted; only the
/// followed account may reject it.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    if let Some(request) = object_id(&activity.payload["object"]) {
        // The relay refusing the instance actor's subscription (`services::relays`).
        if relays::receive_answer(state, actor, request, Answer::Rejected).await? {
            return Ok(());
        }
        if quotes::receive_reject(state, actor, request).await? {
            return Ok(());
        }
        if reply_controls::receive_reject(state, actor, request).await? {
            return Ok(());
        }
    }
    let (_, follower) = follow::answered(state, actor, &activity.payload["object"]).await?;
    follows::remove_follower(state, actor, &follower).await?;
    Ok(())
}
