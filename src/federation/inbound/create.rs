//! Inbound `Create` of a post (a Note, or a Question, Article or Page read as one): the
//! Note must be the actor's and carry an id on the actor's server; whether it is kept
//! (someone here cares) and how it is stored is `services::statuses::receive_note`'s
//! business.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#create-activity-inbox>.

use serde_json::Value;
use url::Url;

use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::protocol::note::Note;
use crate::services;
use crate::state::AppState;

/// Stores the post the activity creates, if anyone here cares about it.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    // GoToSocial sends the votes of a multiple-choice poll as one Create of several Notes.
    if let Some(votes) = activity.payload["object"].as_array() {
        return super::poll_votes::receive(state, actor, votes).await;
    }
    let note = parse_note(&activity.payload["object"])?;
    check_author(actor, &note)?;
    if services::polls::remote::is_vote(state, &note) {
        services::polls::remote::receive_vote(state, actor, &note).await?;
        return Ok(());
    }
    services::statuses::receive_note(state, actor, &note).await?;
    services::reply_controls::answer_create(state, actor, &note).await?;
    Ok(())
}

/// The note must be the actor's, under an id on the actor's server (a server may only
/// create notes under its own ids).
pub(super) fn check_author(actor: &AccountRow, note: &Note) -> Result<(), Skip> {
    if note.author_id().map(Url::as_str) != actor.ap_id.as_deref() {
        return Err(Skip::ignored("the note is not the actor's"));
    }
    let actor_origin = (actor.ap_id.as_deref())
        .and_then(|id| Url::parse(id).ok())
        .map(|id| id.origin());
    if actor_origin != Some(note.id.origin()) {
        return Err(Skip::ignored("the note's id is not on the actor's server"));
    }
    Ok(())
}

/// The Note an activity carries, or why it is ignored.
pub(super) fn parse_note(object: &Value) -> Result<Note, Skip> {
    serde_json::from_value(object.clone())
        .map_err(|error| Skip::ignored(format!("not a note: {error}")))
}
