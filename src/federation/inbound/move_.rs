//! Inbound `Move`: a remote account says it moved to another (local or remote). The
//! checks (the target's `alsoKnownAs` names the mover, the cooldown) and what follows
//! (local followers follow the new account) are `services::account_moves::receive_move`;
//! this module reads the activity's `object` and `target`.
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Move>.

use url::Url;

use super::Handled;
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::protocol::raw::object_id;
use crate::services::account_moves;
use crate::state::AppState;

/// Applies the `Move` of the sender; a refused move is ignored with its reason, a
/// target whose server did not answer is tried again later.
pub async fn receive(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    let url_of = |value: &serde_json::Value| object_id(value).and_then(|id| Url::parse(id).ok());
    let object = url_of(&activity.payload["object"]);
    let target = url_of(&activity.payload["target"]);
    let moved = account_moves::receive_move(state, actor, object.as_ref(), target.as_ref()).await?;
    tracing::info!(
        origin = actor.id,
        target = moved.target.id,
        followers = moved.followers_carried,
        "move accepted"
    );
    Ok(())
}
