//! Inbound `Update` whose object is an actor (`Update(Person)` and its kin): the
//! sender's new profile, through `federation::profile`.
//! Spec: <https://www.w3.org/TR/activitypub/#update-activity-inbox>.

use super::Handled;
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::profile;
use crate::state::AppState;

/// Replaces the sender's stored profile with the one sent; an actor may only update
/// itself.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    profile::receive_actor_update(state, actor, &activity.payload["object"]).await?;
    Ok(())
}
