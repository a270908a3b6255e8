//! Inbound `Flag`: a remote server's report about a local account, through
//! `federation::reports`. Spec: <https://www.w3.org/TR/activitystreams-vocabulary/#dfn-flag>.

use super::Handled;
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::reports;
use crate::state::AppState;

/// Files the report the Flag describes (once, however often it arrives).
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    reports::receive_flag(state, actor, &activity.activity_id, &activity.payload).await?;
    Ok(())
}
