// SPDX-License-Identifier: AGPL-3.0-or-later
//! Inbound stories (Pixelfed's vocabulary, see `federation::protocol::story`): an `Add`
//! whose object is a `Story` becomes a story here through
//! `services::stories::remote::receive_add`, and a `View` of a local story counts the
//! remote viewer; Pixelfed's `Story:Reply` and `Story:Reaction` to a local story become
//! direct messages to its author. A story's `Delete` is found by `inbound::delete`.

use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::protocol::activity::Activity;
use crate::federation::protocol::raw::object_id;
use crate::services::stories::remote::{self, Answer};
use crate::state::AppState;

/// Whether an `Add` carries a story (not a featured hashtag or post).
pub fn is_story(activity: &ClaimedActivity) -> bool {
    activity.payload["object"]["type"].as_str() == Some("Story")
}

/// Stores the story `actor` added, addressed as the activity says.
pub async fn receive_add(
    state: &AppState,
    actor: &AccountRow,
    activity: &ClaimedActivity,
) -> Handled {
    let parsed: Activity = serde_json::from_value(activity.payload.clone())
        .map_err(|_| Skip::ignored("malformed Add"))?;
    let addressed: Vec<url::Url> = parsed.to.into_iter().chain(parsed.cc).collect();
    if !remote::receive_add(state, actor, &activity.payload["object"], &addressed).await? {
        return Err(Skip::ignored(
            "a story already here, or nobody here may see it",
        ));
    }
    Ok(())
}

/// Counts `actor`'s view of the local story the `View` names (Pixelfed puts its id in
/// `object.object`; Roost in `object.id` as well).
pub async fn receive_view(
    state: &AppState,
    actor: &AccountRow,
    activity: &ClaimedActivity,
) -> Handled {
    let object = &activity.payload["object"];
    let uri = object_id(&object["object"])
        .or_else(|| object_id(object))
        .ok_or_else(|| Skip::ignored("View without a story"))?;
    remote::receive_view(state, actor, uri).await?;
    Ok(())
}

/// Takes a Pixelfed user's answer to a local story: `inReplyTo` the story, `content`
/// the text or the reaction's emoji, at the top of the activity (Pixelfed's shape).
pub async fn receive_answer(
    state: &AppState,
    actor: &AccountRow,
    activity: &ClaimedActivity,
    answer: Answer,
) -> Handled {
    let payload = &activity.payload;
    let text = |key: &str| payload[key].as_str().map(str::to_owned);
    let (Some(id), Some(story), Some(content)) = (
        text("id"),
        object_id(&payload["inReplyTo"]),
        text("content"),
    ) else {
        return Err(Skip::ignored("an answer without id, story or content"));
    };
    remote::receive_answer(state, actor, &id, story, &content, answer).await?;
    Ok(())
}
