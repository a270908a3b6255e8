//! Inbound `Delete`: of a post (a bare id, a Tombstone or the object embedded), which
//! `services::statuses::delete` applies when the actor wrote it, of a story
//! (`services::stories::remote`), or of the actor itself, which suspends the account
//! here (`federation::suspensions`).
//!
//! Spec: <https://www.w3.org/TR/activitypub/#delete-activity-inbox>.

use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::db::statuses;
use crate::federation::protocol::raw::object_id;
use crate::federation::suspensions;
use crate::services;
use crate::state::AppState;

/// Deletes the post (or the actor) the activity names.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let id = object_id(&activity.payload["object"])
        .ok_or_else(|| Skip::ignored("Delete without an object"))?;
    if Some(id) == actor.ap_id.as_deref() {
        suspensions::receive_actor_delete(state, actor).await?;
        return Ok(());
    }
    // A Delete of a QuoteAuthorization stamp revokes the quote it approved (FEP-044f).
    if services::quotes::receive_revocation(state, actor, id).await? {
        return Ok(());
    }
    if services::stories::remote::receive_delete(state, actor, id).await? {
        return Ok(());
    }
    let Some(status) = statuses::find_by_ap_id(&state.db, id).await? else {
        return Err(Skip::ignored("delete of an unknown post"));
    };
    services::statuses::delete(state, actor.id, &status).await?;
    Ok(())
}
