//! Inbound poll votes sent several in one `Create` (GoToSocial's multiple-choice
//! votes: `object` is an array of vote Notes). Each Note must be the actor's and a
//! vote; each is counted as a single vote would be (`services::polls::remote`).
//!
//! Spec: <https://docs.gotosocial.org/en/latest/federation/posts/#poll-votes>.

use serde_json::Value;

use super::create::{check_author, parse_note};
use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::services::polls::remote;
use crate::state::AppState;

/// Most vote Notes read from one activity (a poll has at most 100 options).
const MAX_VOTES: usize = 100;

/// Counts every vote among `objects`; ignored when none counted.
pub async fn receive(state: &AppState, actor: &AccountRow, objects: &[Value]) -> Handled {
    let mut counted = 0;
    let mut last_reason = String::from("no votes");
    for object in objects.iter().take(MAX_VOTES) {
        let note = parse_note(object)?;
        check_author(actor, &note)?;
        if !remote::is_vote(state, &note) {
            return Err(Skip::ignored(
                "a Create of several objects that are not votes",
            ));
        }
        match remote::receive_vote(state, actor, &note)
            .await
            .map_err(Skip::from)
        {
            Ok(()) => counted += 1,
            Err(Skip::Ignored(reason)) => last_reason = reason,
            Err(retry) => return Err(retry),
        }
    }
    if counted == 0 {
        return Err(Skip::Ignored(last_reason));
    }
    Ok(())
}
