//! `Update` of an actor: how a server tells others that an actor's profile (name,
//! summary, fields, avatar, header, keys…) changed. Mastodon sends the whole actor
//! document as the object, addressed to the public, and receivers replace what they
//! stored, as a refetch would.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#profile>,
//! <https://www.w3.org/TR/activitystreams-vocabulary/#dfn-update>.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{public_url, Actor, ACTIVITY_STREAMS_CONTEXT};

/// An `Update` whose object is an actor document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActorUpdate {
    /// JSON-LD context: the ActivityStreams context on the ones Roost sends.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The activity's id.
    pub id: Url,
    /// Always `Update`.
    #[serde(rename = "type")]
    pub kind: UpdateType,
    /// The actor that changed: only an actor may update itself.
    pub actor: Url,
    /// The actor document as it is now (without its own `@context`).
    pub object: Actor,
    /// Recipients.
    #[serde(default)]
    pub to: Vec<Url>,
}

/// The only `type` an [`ActorUpdate`] has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpdateType {
    /// `Update`.
    Update,
}

impl ActorUpdate {
    /// Roost's outbound `Update` of `actor` (its document embedded without context),
    /// addressed to the public as Mastodon addresses profile updates.
    pub fn public(id: Url, mut actor: Actor) -> ActorUpdate {
        actor.context = None;
        ActorUpdate {
            context: Some(Value::String(ACTIVITY_STREAMS_CONTEXT.to_owned())),
            id,
            kind: UpdateType::Update,
            actor: actor.id.clone(),
            object: actor,
            to: vec![public_url()],
        }
    }
}
