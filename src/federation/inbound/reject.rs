//! Inbound `Reject(Follow)`: the followed remote account refused (or later removed) a
//! local account's follow, through `services::follows::remove_follower`.
//! Spec: <https://www.w3.org/TR/activitypub/#reject-activity-inbox>.

use super::{follow, Handled};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::services::follows;
use crate::state::AppState;

/// Deletes the follow the activity's object refers to, pending or accepted; only the
/// followed account may reject it.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let (_, follower) = follow::answered(state, actor, &activity.payload["object"]).await?;
    follows::remove_follower(state, actor, &follower).await?;
    Ok(())
}
