//! What relays pass on. A Mastodon-style relay forwards a subscriber's `Create`,
//! `Update`, `Delete` (or `Announce` of a boost) as it was, signed by the relay
//! instead of its actor; the inbox takes such an activity only from an accepted relay
//! and stores it under the relay (see `federation::inbox`). A LitePub relay sends its
//! own `Announce` of the post instead (see [`announced`]).
//!
//! Nothing in what the relay sent is trusted: Mastodon checks the author's LD signature
//! (RsaSignature2017), which Roost does not implement, so the post is fetched from its
//! origin instead (`services::relays::receive_post`), an `Update`'s object likewise
//! ([`super::shared_activity`]'s check for FEP-1b12 groups), and a `Delete` counts only
//! when its object answers 404 or 410 at its origin. The relay is never the author of
//! anything: no boost by it, no notification.
//!
//! Spec: <https://docs.joinmastodon.org/admin/relays/>, Mastodon's
//! `app/lib/activitypub/activity/create.rb` (`relayed_through_actor`).

use url::Url;

use super::{shared_activity, Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::error::ApiError;
use crate::federation::protocol::raw::{is_activity, object_id};
use crate::federation::resolve;
use crate::services::relays;
use crate::state::AppState;

/// Applies the activity `relay` forwarded for its actor, once its origin confirms it.
/// Ignored when `relay` is not (or no longer) an accepted relay.
pub async fn receive(state: &AppState, relay: &AccountRow, activity: &ClaimedActivity) -> Handled {
    if !relays::is_accepted_relay(state, relay).await? {
        return Err(Skip::ignored(
            "an activity of another actor, from no accepted relay",
        ));
    }
    let payload = &activity.payload;
    let kind = activity.activity_type.as_str();
    match kind {
        "Create" | "Announce" => {
            let post = object_id(&payload["object"])
                .ok_or_else(|| Skip::ignored("forwarded activity without an object"))?;
            take_in(state, relay, post).await
        }
        "Update" | "Delete" => confirmed(state, relay, kind, activity).await,
        other => Err(Skip::Ignored(format!("a relayed {other} is not handled"))),
    }
}

/// Takes in the post a relay's own `Announce` names (its id, the post embedded, or a
/// `Create` of it embedded); the relay makes no boost. Ignored unless `relay` is an
/// accepted relay (the caller checked).
pub async fn announced(
    state: &AppState,
    relay: &AccountRow,
    activity: &ClaimedActivity,
) -> Handled {
    let object = &activity.payload["object"];
    let post = match object["type"].as_str() {
        Some("Create") => object_id(&object["object"]),
        Some(_) if is_activity(object) => {
            return Err(Skip::ignored(
                "a relay's Announce of an activity other than Create",
            ))
        }
        _ => object_id(object),
    };
    let post = post.ok_or_else(|| Skip::ignored("Announce without an object"))?;
    take_in(state, relay, post).await
}

/// Fetches the post `post` at its origin and stores it.
async fn take_in(state: &AppState, relay: &AccountRow, post: &str) -> Handled {
    match relays::receive_post(state, relay, post).await {
        Ok(()) => Ok(()),
        Err(ApiError::NotFound) => Err(Skip::ignored(
            "the relayed post could not be had from its origin",
        )),
        Err(refused) => Err(refused.into()),
    }
}

/// An `Update` (its object as the origin serves it) or a `Delete` (its object gone at
/// the origin), applied as its actor's.
async fn confirmed(
    state: &AppState,
    relay: &AccountRow,
    kind: &str,
    activity: &ClaimedActivity,
) -> Handled {
    let payload = &activity.payload;
    let actor_url = object_id(&payload["actor"])
        .and_then(|id| Url::parse(id).ok())
        .ok_or_else(|| Skip::ignored("relayed activity without an actor"))?;
    if crate::domain::http_url::authority(&actor_url).eq_ignore_ascii_case(&state.config.domain) {
        return Err(Skip::ignored("an activity of this server, relayed back"));
    }
    let confirmed = match kind {
        "Delete" => shared_activity::deletion_confirmed(state, payload, &actor_url).await?,
        _ => shared_activity::authentic(state, relay, kind, payload, &actor_url).await?,
    };
    let actor = resolve::account_by_ap_id(state, &actor_url)
        .await
        .map_err(shared_activity::unresolved)?;
    let unwrapped = ClaimedActivity {
        id: activity.id,
        activity_id: activity.activity_id.clone(),
        activity_type: kind.to_owned(),
        actor_ap_id: actor_url.to_string(),
        payload: confirmed,
        attempts: activity.attempts,
        collection_synchronization: None,
    };
    Box::pin(super::apply(state, &actor, &unwrapped)).await
}
