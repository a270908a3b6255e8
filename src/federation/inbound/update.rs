//! Inbound `Update` of a post (Note, Question…), through `federation::receive_posts`;
//! an Update whose object is an actor goes to `update_actor` instead.
//! Spec: <https://www.w3.org/TR/activitypub/#update-activity-inbox>.

use super::Handled;
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::receive_posts;
use crate::state::AppState;

/// Applies the edit to the stored post; only its author may edit it.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    receive_posts::receive_update(state, actor, &activity.payload["object"]).await?;
    Ok(())
}
