//! Inbound `Delete` of a post, through `federation::receive_posts`.
//! Spec: <https://www.w3.org/TR/activitypub/#delete-activity-inbox>.

use super::Handled;
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::receive_posts;
use crate::state::AppState;

/// Deletes the post the activity names; only its author may delete it.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    receive_posts::receive_delete(state, actor, &activity.payload["object"]).await?;
    Ok(())
}
