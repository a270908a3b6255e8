//! Inbound FEP-044f `QuoteRequest`: a remote actor asks to quote a local post; the
//! answer (an `Accept` with a stamp, a `Reject`, or pending) is
//! `services::quotes::receive_request`'s.
//! Spec: <https://codeberg.org/fediverse/fep/src/branch/main/fep/044f/fep-044f.md>.

use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::protocol::interaction_policy::QuoteRequest;
use crate::services::quotes;
use crate::state::AppState;

/// Answers the request the activity carries; only the actor may ask for their own post.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let request: QuoteRequest = serde_json::from_value(activity.payload.clone())
        .map_err(|error| Skip::ignored(format!("not a QuoteRequest: {error}")))?;
    if Some(request.actor.as_str()) != actor.ap_id.as_deref() {
        return Err(Skip::ignored("the request is not the actor's"));
    }
    quotes::receive_request(state, actor, &request).await?;
    Ok(())
}
