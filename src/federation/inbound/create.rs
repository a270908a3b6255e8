//! Inbound `Create` of a post (Note, Question…), through `federation::receive_posts`.
//! Spec: <https://www.w3.org/TR/activitypub/#create-activity-inbox>.

use super::Handled;
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::receive_posts;
use crate::state::AppState;

/// Stores the post the activity creates, if anyone here cares about it.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    receive_posts::receive_create(state, actor, &activity.payload["object"]).await?;
    Ok(())
}
