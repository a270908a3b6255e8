//! Inbound `Add` and `Remove` of a `Hashtag` to or from the sender's `featuredTags`
//! collection: the remote account features the hashtag or stops featuring it, through
//! `services::featured_tags`. The target must be the collection its actor document
//! names (recorded by `federation::featured_tags`); `Add`/`Remove` of anything else
//! (Mastodon's pinned posts) is ignored.
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#featuredTags>.

use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::featured_tags::collection_url;
use crate::db::inbox::ClaimedActivity;
use crate::federation::protocol::featured_tags::hashtag_name;
use crate::federation::protocol::raw::object_id;
use crate::services::featured_tags as service;
use crate::state::AppState;

/// Applies an `Add` (`featured`) or `Remove` of a `Hashtag` from `actor`.
pub async fn receive(
    state: &AppState,
    actor: &AccountRow,
    activity: &ClaimedActivity,
    featured: bool,
) -> Handled {
    let name = hashtag_name(&activity.payload["object"])
        .ok_or_else(|| Skip::ignored("only Hashtag objects are added or removed"))?;
    let target = object_id(&activity.payload["target"]);
    let collection = collection_url(&state.db, actor.id).await?;
    if target.is_none() || target != collection.as_deref() {
        return Err(Skip::ignored("target is not the actor's featuredTags"));
    }
    service::receive_change(state, actor, name, featured).await?;
    Ok(())
}
