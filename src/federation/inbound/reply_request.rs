//! Inbound GoToSocial `ReplyRequest`: a remote actor asks to reply to a local post, with
//! the reply as `instrument` (embedded, or its URI). The answer (an `Accept` with a
//! `ReplyAuthorization` stamp, or a `Reject`) is `services::reply_controls`'s.
//! Spec: <https://docs.gotosocial.org/en/latest/federation/interaction_controls/>.

use super::create::{check_author, parse_note};
use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::protocol::interaction_policy::InteractionRequest;
use crate::services::reply_controls;
use crate::state::AppState;

/// Answers the request the activity carries; only the actor may ask for their own
/// reply, and an embedded reply must be theirs, under an id on their server.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let request: InteractionRequest = serde_json::from_value(activity.payload.clone())
        .map_err(|error| Skip::ignored(format!("not a ReplyRequest: {error}")))?;
    if Some(request.actor.as_str()) != actor.ap_id.as_deref() {
        return Err(Skip::ignored("the request is not the actor's"));
    }
    let instrument = &activity.payload["instrument"];
    let note = match instrument.is_object() {
        true => Some(parse_note(instrument)?),
        false => None,
    };
    if let Some(note) = &note {
        check_author(actor, note)?;
    }
    reply_controls::receive_request(state, actor, &request, note.as_ref()).await?;
    Ok(())
}
