//! Inbound `Reject(Follow)`: the followed remote account refused (or later removed) a
//! local account's follow. Spec: <https://www.w3.org/TR/activitypub/#reject-activity-inbox>.

use super::{follow, Handled};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::follows;
use crate::state::AppState;

/// Deletes the follow the activity's object refers to; only the followed account may
/// reject it.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let follow = follow::answered(state, actor, &activity.payload["object"]).await?;
    follows::receive_removal(state, &follow).await?;
    Ok(())
}
