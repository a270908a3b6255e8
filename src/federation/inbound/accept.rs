//! Inbound `Accept(Follow)`: the followed remote account accepted a local account's
//! follow request. Spec: <https://www.w3.org/TR/activitypub/#accept-activity-inbox>.

use super::{follow, Handled};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::follows;
use crate::state::AppState;

/// Marks the follow the activity's object refers to as accepted; only the followed
/// account may accept it.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let follow = follow::answered(state, actor, &activity.payload["object"]).await?;
    follows::receive_accept(state, actor, &follow).await?;
    Ok(())
}
