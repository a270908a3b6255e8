//! Inbound `Update` of a post (a Note, or a Question, Article or Page read as one): an
//! edit, which `services::statuses::receive_edit` applies when the actor wrote the post.
//! An Update whose object is an actor goes to `update_actor` instead.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#update-activity-inbox>.

use super::create::parse_note;
use super::Handled;
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::services;
use crate::state::AppState;

/// Applies the edit to the stored post; only its author may edit it.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let note = parse_note(&activity.payload["object"])?;
    // A poll's refresh (new counts) is no edit unless `updated` moved (Mastodon's rule).
    if note.question.is_poll()
        && !services::polls::remote::receive_update(state, actor, &note).await?
    {
        return Ok(());
    }
    services::statuses::receive_edit(state, actor, &note).await?;
    Ok(())
}
