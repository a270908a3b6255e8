//! An activity shared inside an `Announce` (FEP-1b12): a group (Lemmy community, Mbin
//! magazine) signs the `Announce`, but the `Create`, `Update`, `Delete`, `Like` or
//! `Undo` inside it is a member's, often from another server. Before it is applied as
//! if its actor had sent it, it must be shown to be the actor's:
//!
//! - when the activity's id and actor are on the signer's own server, the signature
//!   covers it (a server speaks for its own ids, the inbox's rule);
//! - otherwise it is fetched from its origin: for a `Create` or `Update` the object
//!   (whose fetched copy replaces the embedded one), for the others the activity
//!   itself by its id; a `Delete` that cannot be fetched still counts when its object
//!   is gone (404 or 410) at its origin. What the origin does not confirm is ignored.
//!
//! A shared `Create` of a post goes to `services::groups`, which stores it and shows
//! it as the group's boost; every other activity goes through [`super::apply`] with
//! the member as its actor, so the usual rules (only the author edits, …) hold.
//! Activities of local accounts shared back to Roost are ignored: they happened here.
//!
//! Spec: <https://codeberg.org/fediverse/fep/src/branch/main/fep/1b12/fep-1b12.md>
//! ("Receivers should verify the announced activity … by fetching it from its origin").

use serde_json::Value;
use url::Url;

use super::create::{check_author, parse_note};
use super::{Handled, Skip};
use crate::db::accounts::AccountRow;
use crate::db::inbox::ClaimedActivity;
use crate::federation::fetch::{self, FetchError};
use crate::federation::protocol::raw::{attributed_to, object_id, same_origin};
use crate::federation::resolve::{self, ResolveError};
use crate::services;
use crate::state::AppState;

/// The shared activity types Roost applies; others inside an `Announce` are ignored
/// (a group's `Lock`, `Add` of a moderator, a `Dislike`: no equivalent here).
const APPLIED: &[&str] = &["Create", "Update", "Delete", "Like", "EmojiReact", "Undo"];

/// Authenticates the activity `shared` that `sharer` announced in `announce` and
/// applies it as its actor's.
pub async fn receive(
    state: &AppState,
    sharer: &AccountRow,
    announce: &ClaimedActivity,
    shared: &Value,
) -> Handled {
    let kind = shared["type"].as_str().unwrap_or_default();
    if !APPLIED.contains(&kind) {
        return Err(Skip::Ignored(format!("a shared {kind} is not handled")));
    }
    let actor_id = object_id(&shared["actor"])
        .and_then(|id| Url::parse(id).ok())
        .ok_or_else(|| Skip::ignored("shared activity without an actor"))?;
    if crate::domain::http_url::authority(&actor_id).eq_ignore_ascii_case(&state.config.domain) {
        return Err(Skip::ignored("an activity of this server, shared back"));
    }
    let shared = authentic(state, sharer, kind, shared, &actor_id).await?;
    let actor = resolve::account_by_ap_id(state, &actor_id)
        .await
        .map_err(unresolved)?;
    if kind == "Create" {
        let note = parse_note(&shared["object"])?;
        check_author(&actor, &note)?;
        let announce_id = announce.activity_id.as_str();
        services::groups::receive_shared_post(state, sharer, announce_id, &actor, &note).await?;
        services::reply_controls::answer_create(state, &actor, &note).await?;
        return Ok(());
    }
    let unwrapped = ClaimedActivity {
        id: announce.id,
        activity_id: object_id(&shared).unwrap_or_default().to_owned(),
        activity_type: kind.to_owned(),
        actor_ap_id: actor_id.to_string(),
        payload: shared,
        attempts: announce.attempts,
        collection_synchronization: None,
    };
    Box::pin(super::apply(state, &actor, &unwrapped)).await
}

/// The shared activity as its actor made it: as embedded when the signer's server
/// speaks for it, else as its origin confirms it (see the module documentation). Also
/// what [`super::relayed`] checks an `Update` a relay forwards with.
pub(super) async fn authentic(
    state: &AppState,
    sharer: &AccountRow,
    kind: &str,
    shared: &Value,
    actor: &Url,
) -> Result<Value, Skip> {
    let id = object_id(shared).ok_or_else(|| Skip::ignored("shared activity without an id"))?;
    let signer = sharer.ap_id.as_deref().unwrap_or_default();
    if same_origin(id, signer) && same_origin(actor.as_str(), signer) {
        return Ok(shared.clone());
    }
    if !same_origin(id, actor.as_str()) {
        return Err(Skip::ignored(
            "the shared activity's id is not on its actor's server",
        ));
    }
    match kind {
        "Create" | "Update" => with_fetched_object(state, shared, actor).await,
        _ => fetched_activity(state, kind, id, actor, shared).await,
    }
}

/// A `Create` or `Update` whose object is replaced by the copy its origin serves: the
/// same id, on the actor's server, attributed to the actor (or the actor itself, for
/// an `Update` of a profile).
async fn with_fetched_object(state: &AppState, shared: &Value, actor: &Url) -> Result<Value, Skip> {
    let post_id = object_id(&shared["object"])
        .and_then(|id| Url::parse(id).ok())
        .filter(|id| id.origin() == actor.origin())
        .ok_or_else(|| Skip::ignored("the shared post is not on its actor's server"))?;
    let object = fetch::fetch_object(state, &post_id)
        .await
        .map_err(unverified)?;
    let same_id = object["id"].as_str() == Some(post_id.as_str());
    let actors = attributed_to(&object) == Some(actor.as_str()) || (same_id && post_id == *actor);
    if !same_id || !actors {
        return Err(Skip::ignored(
            "the shared post's origin does not confirm it is the actor's",
        ));
    }
    let mut confirmed = shared.clone();
    confirmed["object"] = object;
    Ok(confirmed)
}

/// The activity `id` as its origin serves it, which must be a `kind` by `actor`. A
/// `Delete` the origin does not serve still counts when its object is gone there.
async fn fetched_activity(
    state: &AppState,
    kind: &str,
    id: &str,
    actor: &Url,
    shared: &Value,
) -> Result<Value, Skip> {
    let url = Url::parse(id).map_err(|_| Skip::ignored("shared activity id is not a URL"))?;
    let fetched = match fetch::fetch_object(state, &url).await {
        Ok(fetched) => fetched,
        Err(_) if kind == "Delete" => return deletion_confirmed(state, shared, actor).await,
        Err(error) => return Err(unverified(error)),
    };
    let confirmed = fetched["id"].as_str() == Some(id)
        && fetched["type"].as_str() == Some(kind)
        && object_id(&fetched["actor"]) == Some(actor.as_str());
    if !confirmed {
        return Err(Skip::ignored(
            "the shared activity's origin does not confirm it",
        ));
    }
    Ok(fetched)
}

/// The embedded `Delete`, when the object it deletes (on the actor's server) answers
/// 404 or 410 there (the only proof [`super::relayed`] takes for a forwarded one).
pub(super) async fn deletion_confirmed(
    state: &AppState,
    shared: &Value,
    actor: &Url,
) -> Result<Value, Skip> {
    let object = object_id(&shared["object"])
        .and_then(|id| Url::parse(id).ok())
        .filter(|id| id.origin() == actor.origin())
        .ok_or_else(|| Skip::ignored("the deleted object is not on the actor's server"))?;
    match fetch::fetch_object(state, &object).await {
        Err(FetchError::Gone(_)) => Ok(shared.clone()),
        Err(error) => Err(unverified(error)),
        Ok(_) => Err(Skip::ignored(
            "the shared Delete's object still exists at its origin",
        )),
    }
}

/// A failed confirmation: tried again when the origin could not be reached, else final.
fn unverified(error: FetchError) -> Skip {
    match error {
        FetchError::Network(_) | FetchError::Other(_) => Skip::Retry(error.into()),
        FetchError::Status(status) if status >= 500 => Skip::Retry(error.into()),
        other => Skip::Ignored(format!(
            "the shared activity could not be confirmed at its origin: {other}"
        )),
    }
}

/// The shared activity's actor could not be had: tried again on a passing failure.
pub(super) fn unresolved(error: ResolveError) -> Skip {
    match error {
        ResolveError::Database(error) => Skip::Retry(error.into()),
        ResolveError::Fetch(error) => unverified(error),
        invalid => Skip::Ignored(format!("the shared activity's actor: {invalid}")),
    }
}
