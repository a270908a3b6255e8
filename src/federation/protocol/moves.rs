//! `Move`: an account tells its followers' servers that it moved to another account
//! (Mastodon's account migration). `actor` and `object` are the account that moved,
//! `target` the account it moved to, which must name the old one in its `alsoKnownAs`
//! (checked by the receiver: see `services::account_moves`). Mastodon sends both as
//! bare URIs; an embedded actor is accepted for either and only its `id` is read.
//!
//! Spec: <https://www.w3.org/TR/activitystreams-vocabulary/#dfn-move>,
//! <https://docs.joinmastodon.org/spec/activitypub/#Move>.

use serde::{Deserialize, Serialize};
use url::Url;

use super::{HasId, ObjectRef};

/// A `Move` of `object` (the actor itself) to `target`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Move {
    /// JSON-LD context: the plain ActivityStreams context on Roost's, as Mastodon's.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The activity's id.
    pub id: Url,
    /// Always `Move`.
    #[serde(rename = "type")]
    pub kind: MoveType,
    /// The account that moved.
    pub actor: Url,
    /// The account that moved, again (a `Move` of anything else is ignored).
    pub object: ObjectRef,
    /// The account it moved to.
    pub target: ObjectRef,
}

impl Move {
    /// The id of the account that moved (the `object`), embedded or not.
    pub fn object_id(&self) -> &Url {
        self.object.id()
    }

    /// The id of the account it moved to (the `target`), embedded or not.
    pub fn target_id(&self) -> &Url {
        self.target.id()
    }
}

impl HasId for Move {
    fn id(&self) -> &Url {
        &self.id
    }
}

/// The only `type` a [`Move`] has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MoveType {
    /// `Move`.
    Move,
}
