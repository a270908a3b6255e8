//! Inbound `Flag`: a remote server's report about a local account. Parses the Flag and
//! hands it to `services::reports::receive_flag`, which owns the rules (reject_reports,
//! the local target, deduplication) and the writes.
//!
//! Spec: Mastodon's `Flag` (<https://docs.joinmastodon.org/spec/activitypub/#Flag>):
//! `object` lists the reported actor, then the reported posts; `content` is the comment.
//! <https://www.w3.org/TR/activitystreams-vocabulary/#dfn-flag>.

use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::protocol::Activity;
use crate::services::reports::{self, ReceivedFlag};
use crate::state::AppState;

/// Files the report the Flag describes (once, however often it arrives).
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let flag: Activity = serde_json::from_value(activity.payload.clone())
        .map_err(|error| Skip::Ignored(format!("malformed Flag: {error}")))?;
    let object_ids = flag.object_ids();
    let received = ReceivedFlag {
        id: &activity.activity_id,
        object_ids: &object_ids,
        content: flag.content.as_deref(),
    };
    reports::receive_flag(state, actor, &received).await?;
    Ok(())
}
